// The checkers of notebooks 10 and 11: a right answer passes, each classic mistake written
// out as a learner would write it fails with the hint that names it, and every foil is
// told apart from the right answer and from every other foil by at least one case.
import { describe, expect, it } from "vitest";
import { exercises } from "../src";
import { accuracyAndLossExercise } from "../src/exercises/accuracyAndLoss";
import { expectedCalibrationErrorExercise, temperatureNllExercise } from "../src/exercises/calibration";
import { TOLERANCE, allClose } from "../src/exercises/compare";
import type { Exercise } from "../src/exercises/types";
import { pixelVotesExercise } from "../src/exercises/pixelVotes";
import { sgdStepExercise } from "../src/exercises/sgdStep";

const quiet = { quiet: true };

// Plain loops, as a learner writes them.
function logSumExp(row: number[]): number {
  const max = Math.max(...row);
  return max + Math.log(row.reduce((s, z) => s + Math.exp(z - max), 0));
}
function logitsOf(W: number[][], b: number[], X: number[][]): number[][] {
  return X.map((x) => b.map((bc, c) => x.reduce((s, xd, d) => s + xd * W[d][c], bc)));
}

/** W − η (s · Xᵀ G + d · λ W) − e · λ W, with G from plain loops and an optional 1/N. */
function step(s: number, d: number, e = 0) {
  return (W: number[][], b: number[], X: number[][], y: number[], lr: number, decay: number): number[][] => {
    const logits = logitsOf(W, b, X);
    const G = logits.map((row, n) => row.map((z, c) => (Math.exp(z - logSumExp(row)) - (c === y[n] ? 1 : 0)) / X.length));
    return W.map((row, j) =>
      row.map((w, c) => w - lr * (s * X.reduce((sum, x, n) => sum + x[j] * G[n][c], 0) + d * decay * w) - e * decay * w),
    );
  };
}

function evaluate(countOnly: boolean, summed: boolean) {
  return (W: number[][], b: number[], X: number[][], y: number[]): number[] => {
    const logits = logitsOf(W, b, X);
    const right = logits.filter((row, n) => row.indexOf(Math.max(...row)) === y[n]).length;
    const total = logits.reduce((s, row, n) => s + logSumExp(row) - row[y[n]], 0);
    return [countOnly ? right : right / X.length, summed ? total : total / X.length];
  };
}

function ece(weigh: "count" | "equal" | "signed", leftClosed = false) {
  return (confidence: number[], correct: boolean[], B: number): number => {
    const bins = Array.from({ length: B }, () => ({ n: 0, conf: 0, right: 0 }));
    confidence.forEach((p, i) => {
      const b = leftClosed ? Math.min(B - 1, Math.floor(p * B)) : Math.max(0, Math.ceil(p * B) - 1);
      bins[b].n++;
      bins[b].conf += p;
      bins[b].right += correct[i] ? 1 : 0;
    });
    const full = bins.filter((b) => b.n > 0);
    const gaps = full.map((b) => (weigh === "signed" ? 1 : Math.sign(b.right / b.n - b.conf / b.n)) * (b.right / b.n - b.conf / b.n));
    if (weigh === "equal") return gaps.reduce((s, g) => s + g, 0) / full.length;
    return full.reduce((s, b, i) => s + (b.n / confidence.length) * gaps[i], 0);
  };
}

function nllAt(mode: "divide" | "multiply" | "sum") {
  return (logits: number[][], y: number[], T: number): number => {
    const scaled = logits.map((row) => row.map((z) => (mode === "multiply" ? z * T : z / T)));
    const total = scaled.reduce((s, row, n) => s + logSumExp(row) - row[y[n]], 0);
    return mode === "sum" ? total : total / logits.length;
  };
}

/** Each pixel's vote from `vote(x_j, W[j][c])`, as a learner writes the loop. */
function votes(vote: (x: number, w: number) => number) {
  return (features: number[], weights: number[][], c: number): number[] => features.map((x, j) => vote(x, weights[j][c]));
}

describe("right answers pass", () => {
  it.each([
    ["sgdStep", () => exercises.sgdStep(step(1, 1), quiet)],
    ["accuracyAndLoss", () => exercises.accuracyAndLoss(evaluate(false, false), quiet)],
    ["expectedCalibrationError", () => exercises.expectedCalibrationError(ece("count"), quiet)],
    ["temperatureNll", () => exercises.temperatureNll(nllAt("divide"), quiet)],
    ["pixelVotes", () => exercises.pixelVotes(votes((x, w) => x * w), quiet)],
  ])("%s", (_, run) => {
    const result = run();
    expect(result.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`)).toEqual([]);
    expect(result.hint).toBeUndefined();
  });
});

describe("classic mistakes are named", () => {
  it.each([
    ["decay with the wrong sign", step(1, -1), /^The weight decay term has the wrong sign/],
    ["decay doubled", step(1, 2), /^The decay term is twice too large/],
    ["decay not times η", step(1, 0, 1), /^The decay term must be multiplied by the learning rate/],
    ["no decay", step(1, 0), /^The weight decay term is missing/],
  ])("sgdStep: %s", (_, fn, hint) => {
    const result = exercises.sgdStep(fn, quiet);
    expect(result.passed).toBe(false);
    expect(result.cases.find((c) => c.name === "one example, no decay")!.passed).toBe(true);
    expect(result.hint).toMatch(hint);
    expect(result.hint).not.toMatch(/\(2\)/); // one mistake explains every failing case
  });

  it("sgdStep: forgetting the 1/N of the batch, or dividing twice", () => {
    const noMean = (W: number[][], b: number[], X: number[][], y: number[], lr: number, decay: number) =>
      step(X.length, 1)(W, b, X, y, lr, decay);
    const result = exercises.sgdStep(noMean, quiet);
    expect(result.cases.find((c) => c.name === "one example, decay 0.1")!.passed).toBe(true);
    expect(result.hint).toMatch(/^The gradient of the mean loss over the batch carries 1\/N/);
    const twice = (W: number[][], b: number[], X: number[][], y: number[], lr: number, decay: number) =>
      step(1 / X.length, 1)(W, b, X, y, lr, decay);
    expect(exercises.sgdStep(twice, quiet).hint).toMatch(/^The batch's 1\/N is counted twice/);
  });

  it("accuracyAndLoss: a count for accuracy, a sum for the loss, exp without the shift", () => {
    expect(exercises.accuracyAndLoss(evaluate(true, false), quiet).hint).toMatch(/^Accuracy is a share, not a count/);
    expect(exercises.accuracyAndLoss(evaluate(false, true), quiet).hint).toMatch(/^The loss is the mean over the batch/);
    const naive = (W: number[][], b: number[], X: number[][], y: number[]): number[] => {
      const logits = logitsOf(W, b, X);
      const right = logits.filter((row, n) => row.indexOf(Math.max(...row)) === y[n]).length;
      const loss = logits.reduce((s, row, n) => s - Math.log(Math.exp(row[y[n]]) / row.reduce((t, z) => t + Math.exp(z), 0)), 0);
      return [right / X.length, loss / X.length];
    };
    const result = exercises.accuracyAndLoss(naive, quiet);
    expect(result.cases.filter((c) => !c.passed).map((c) => c.name)).toEqual(["large weights"]);
    expect(result.hint).toMatch(/^Math\.exp overflows on large logits/);
  });

  it("expectedCalibrationError: bins weighted equally, signed gaps, bins closed on the left", () => {
    const equal = exercises.expectedCalibrationError(ece("equal"), quiet);
    expect(equal.cases.find((c) => c.name === "one bin")!.passed).toBe(true);
    expect(equal.hint).toMatch(/^Each bin's gap is weighted by its share of the predictions/);
    expect(exercises.expectedCalibrationError(ece("signed"), quiet).hint).toMatch(/^Take the absolute gap/);
    const left = exercises.expectedCalibrationError(ece("count", true), quiet);
    expect(left.cases.filter((c) => !c.passed).map((c) => c.name)).toEqual(["a confidence on a bin edge"]);
    expect(left.hint).toMatch(/^A confidence on a bin edge belongs to the bin below/);
  });

  it("temperatureNll: T as a multiplier, a sum for the mean", () => {
    const times = exercises.temperatureNll(nllAt("multiply"), quiet);
    expect(times.cases.find((c) => c.name === "T = 1")!.passed).toBe(true);
    expect(times.hint).toMatch(/^Divide the logits by T, do not multiply/);
    expect(exercises.temperatureNll(nllAt("sum"), quiet).hint).toMatch(/^The NLL is the mean over the rows/);
  });
});

describe("pixelVotes: the classic misreadings of a template are named", () => {
  it.each([
    ["the template alone", votes((_, w) => w), /^You returned the template itself/],
    ["row and column swapped", (x: number[], W: number[][], c: number) => x.map((v, j) => v * W[c][j]), /^weights is \(pixels, classes\)/],
    ["the sign flipped", votes((x, w) => -x * w), /^Your votes have the wrong sign/],
    ["added, not multiplied", votes((x, w) => x + w), /^A vote is the product/],
    ["every class's weights added up", (x: number[], W: number[][]) => x.map((v, j) => v * W[j].reduce((s, w) => s + w, 0)), /^You added up the pixel's weights of every class/],
    ["the placeholder", (x: number[]) => x.map(() => 0), /^Every vote is 0: is it still the placeholder/],
  ])("%s", (_, fn, hint) => {
    const result = exercises.pixelVotes(fn, quiet);
    expect(result.passed).toBe(false);
    expect(result.hint).toMatch(hint);
  });

  it("the template alone passes only the image with every pixel inked, and the sum gets a shape message", () => {
    const template = exercises.pixelVotes(votes((_, w) => w), quiet);
    expect(template.cases.filter((c) => c.passed).map((c) => c.name)).toEqual(["every pixel fully inked"]);
    const score = exercises.pixelVotes((x: number[], W: number[][], c: number) => x.reduce((s, v, j) => s + v * W[j][c], 0), quiet);
    expect(score.passed).toBe(false);
    expect(score.cases[0].message).toMatch(/returned .*number.*expected/);
  });
});

describe("the report", () => {
  it("prints boolean inputs as true and false", async () => {
    const { formatValue } = await import("../src/exercises/report");
    expect(formatValue([true, false])).toBe("[true, false]");
  });
});

describe("every foil is caught by some case and told apart from every other foil", () => {
  const all = [
    sgdStepExercise, accuracyAndLossExercise, expectedCalibrationErrorExercise, temperatureNllExercise, pixelVotesExercise,
  ] as Array<Exercise<unknown[]>>;
  it.each(all.map((e) => [e.name, e] as const))("%s", (_, exercise) => {
    const outputs = exercise.mistakes.map((m) => exercise.cases.map((c) => m.output(c.args, exercise.expected(...c.args))));
    exercise.mistakes.forEach((m, i) => {
      const differs = exercise.cases.some((c, k) => !allClose(outputs[i][k] as never, exercise.expected(...c.args), TOLERANCE));
      expect(differs, `${m.name} equals the right answer on every case`).toBe(true);
      exercise.mistakes.forEach((other, j) => {
        if (j <= i) return;
        const same = exercise.cases.every((_, k) => allClose(outputs[i][k] as never, outputs[j][k] as never, TOLERANCE));
        expect(same, `${m.name} and ${other.name} agree on every case`).toBe(false);
      });
    });
  });
});
