// The training loop: starts at log C, is deterministic, equals hand-taken steps, and trains
// the digits model whose validation accuracy the teacher's guide quotes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { miniBatches, pick, trainValidationSplit } from "../src/course/batches";
import { DIGITS_RECIPE, loadDigits, pixelFeatures } from "../src/course/digits";
import { formatNumber } from "../src/display/format";
import { initialModel, sgdStep } from "../src/course/softmaxRegression";
import { newTrainingRun, trainSoftmaxRegression } from "../src/course/training";
import { Interrupted, interruptWatch } from "../src/course/interrupt";
import { expectedCalibrationError, predictionConfidences } from "../src/course/calibration";
import { divideByTemperature, fitTemperature } from "../src/course/temperature";
import { linearLogits } from "../src/course/softmaxRegression";
import { expectAllClose } from "./helpers/allclose";

const X = [[1, 0], [0, 1], [1, 1], [0.5, -1], [-1, 0.5]];
const y = [0, 1, 2, 0, 1];
const options = { epochs: 3, batchSize: 2, learningRate: 0.5, weightDecay: 0.01, seed: 4, numClasses: 3 };

describe("trainSoftmaxRegression", () => {
  it("records epoch 0 before any step, at about log C (weights in [−0.01, 0.01])", async () => {
    const { history } = await trainSoftmaxRegression({ X, y }, options);
    expect(history.epoch).toEqual([0, 1, 2, 3]);
    expect(Math.abs(history.trainLoss[0] - Math.log(3))).toBeLessThan(0.03);
    expect(history.validationLoss.every(Number.isNaN)).toBe(true);
  });

  it("equals sgdStep taken by hand on miniBatches(N, batchSize, seed + epoch)", async () => {
    let model = initialModel(2, 3, 0.01, options.seed);
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      for (const batch of miniBatches(X.length, options.batchSize, options.seed + epoch)) {
        model = sgdStep(model, pick(X, batch), pick(y, batch), options);
      }
    }
    const trained = await trainSoftmaxRegression({ X, y }, options);
    expectAllClose(trained.model.weights, model.weights, { rtol: 0, atol: 0 });
    expectAllClose(trained.model.bias, model.bias, { rtol: 0, atol: 0 });
    expect(trained.history.batchLoss).toHaveLength(3 * 3); // ceil(5 / 2) = 3 steps per epoch
  });

  it("awaits onEpoch once per epoch, epoch 0 included", async () => {
    const seen: number[] = [];
    await trainSoftmaxRegression({ X, y }, { ...options, validation: { X, y }, onEpoch: async (r) => void seen.push(r.epoch) });
    expect(seen).toEqual([0, 1, 2, 3]);
  });

  // Interrupt pressed during epoch 3 of 5 (issue 18): the loop stops at its next step.
  const interruptAfterEpoch2 = { ...options, epochs: 5, onEpoch: (r: { epoch: number }) => {
    if (r.epoch === 2) interruptWatch.request();
  } };

  it("stops at the next step after Interrupt, keeping epochs 0 to 2 and their model in `into`", async () => {
    const run = newTrainingRun("trained");
    const error = await trainSoftmaxRegression({ X, y }, { ...interruptAfterEpoch2, into: run }).catch((e) => e);
    expect(error).toBeInstanceOf(Interrupted);
    expect(error.message).toBe(
      "training interrupted after epoch 2 of 5; `trained` holds epochs 0 to 2 and their model",
    );
    expect(run.interrupted).toBe(true);
    expect(run.history.epoch).toEqual([0, 1, 2]);
    expect(run.history.batchLoss).toHaveLength(2 * 3); // the steps of epochs 1 and 2 only
    const twoEpochs = await trainSoftmaxRegression({ X, y }, { ...options, epochs: 2 });
    expectAllClose(run.model.weights, twoEpochs.model.weights, { rtol: 0, atol: 0 });
    expect(run.history.trainLoss).toEqual(twoEpochs.history.trainLoss);
  });

  it("fills `into` like its return value when not interrupted, and clears it for a new run", async () => {
    const run = newTrainingRun("trained");
    await trainSoftmaxRegression({ X, y }, { ...interruptAfterEpoch2, into: run }).catch(() => undefined);
    const result = await trainSoftmaxRegression({ X, y }, { ...options, into: run });
    expect(run.interrupted).toBe(false);
    expect(run.history).toBe(result.history);
    expect(run.history.epoch).toEqual([0, 1, 2, 3]);
    expect(run.model).toBe(result.model);
  });

  it("says to run the cell again when no `into` keeps the partial run", async () => {
    await expect(trainSoftmaxRegression({ X, y }, interruptAfterEpoch2)).rejects.toThrow(
      "training interrupted after epoch 2 of 5; its results are lost: run this cell again before the cells below it",
    );
  });

  it("names a bad option or target", async () => {
    await expect(trainSoftmaxRegression({ X, y }, { ...options, batchSize: 0 })).rejects.toThrow("batchSize = 0 is out of range");
    await expect(trainSoftmaxRegression({ X, y: [0, 1, 2, 0, 3] }, options)).rejects.toThrow("train.y[4] = 3 is out of range");
    await expect(trainSoftmaxRegression({ X, y }, { ...options, labelSmoothing: 2 })).rejects.toThrow("labelSmoothing = 2 is out of range");
  });
});

describe("the digits model of notebooks 10 and 11", () => {
  const digits = loadDigits();
  const features = pixelFeatures(digits.images);
  const split = trainValidationSplit(features.length, DIGITS_RECIPE.validationCount, DIGITS_RECIPE.splitSeed);
  const data = (index: number[]) => ({ X: pick(features, index), y: pick(digits.labels, index) });

  it("starts at log 10 and reaches the validation accuracy the teacher's guide quotes", async () => {
    const { history } = await trainSoftmaxRegression(data(split.train), { ...DIGITS_RECIPE, validation: data(split.validation) });
    expect(Math.abs(history.trainLoss[0] - Math.log(10))).toBeLessThan(0.01);
    const final = history.validationAccuracy[DIGITS_RECIPE.epochs];
    expect(final).toBeGreaterThan(0.93);
    const guide = readFileSync(join(__dirname, "..", "notebooks", "README.md"), "utf8");
    const right = Math.round(final * DIGITS_RECIPE.validationCount);
    expect(guide).toContain(`validation accuracy: **${formatNumber(100 * final, 3)}%** (${right} of ${DIGITS_RECIPE.validationCount} images)`);
  }, 60_000);

  it("gives the ECE before and after temperature scaling, and the T, that the teacher's guide quotes", async () => {
    const { model } = await trainSoftmaxRegression(data(split.train), DIGITS_RECIPE);
    const validation = data(split.validation);
    const logits = linearLogits(validation.X, model);
    const fit = fitTemperature(logits, validation.y);
    const ece = (z: number[][]) => {
      const c = predictionConfidences(z, validation.y);
      return expectedCalibrationError(c.confidence, c.correct);
    };
    const [before, after] = [ece(logits), ece(divideByTemperature(logits, fit.temperature))];
    expect(after).toBeLessThan(before);
    const guide = readFileSync(join(__dirname, "..", "notebooks", "README.md"), "utf8").replace(/\s+/g, " ");
    expect(guide).toContain(
      `ECE (15 bins) **${formatNumber(before, 3)}** before, **${formatNumber(after, 3)}** after, with **T = ${formatNumber(fit.temperature, 3)}**`,
    );
  }, 60_000);
});
