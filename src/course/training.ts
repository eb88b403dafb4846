import { miniBatches, pick } from "./batches";
import { checkAtLeast, checkClassIndices, checkWholeNumber } from "../inputs/numbers";
import { crossEntropy } from "../loss/crossEntropy";
import { stopIfInterrupted } from "./interrupt";
import { type LinearModel, checkModelInputs, forward, gradients, initialModel, predictions, step } from "./softmaxRegression";

/** Examples and their class indices: X (N, D), y (N). */
export interface Dataset {
  X: number[][];
  y: number[];
}

export interface TrainingOptions {
  epochs: number;
  /** Examples per step: 1 is SGD, the training set's size is full-batch gradient descent. */
  batchSize: number;
  learningRate: number;
  /** λ of the penalty (λ/2)·‖W‖². Default 0. */
  weightDecay?: number;
  /** Label smoothing of the training loss, in [0, 1]. Default 0. */
  labelSmoothing?: number;
  /** Seeds the initial weights and every epoch's shuffle. */
  seed: number;
  /** Initial weights uniform in [−initialScale, initialScale]. Default 0.01. */
  initialScale?: number;
  numClasses: number;
  /** Measured after every epoch, never trained on. */
  validation?: Dataset;
  /** Called after epoch 0 (the start) and every epoch; awaited, so a notebook can redraw. */
  onEpoch?: (record: EpochRecord, model: LinearModel) => void | Promise<void>;
  /**
   * A run from `newTrainingRun`, filled after every epoch: after an Interrupt it still holds
   * the epochs done so far and the model after the last of them.
   */
  into?: TrainingRun;
}

/** What a training has produced so far; `interrupted` once Interrupt stopped it. */
export interface TrainingRun {
  /** The variable the notebook keeps it in, named in the Interrupt's message. */
  name: string;
  model: LinearModel;
  history: TrainingHistory;
  interrupted: boolean;
}

/** The mean cross-entropy (no smoothing, no penalty) and accuracy after one epoch. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  /** NaN without a validation set. */
  validationLoss: number;
  validationAccuracy: number;
}

export interface TrainingHistory {
  epoch: number[];
  trainLoss: number[];
  trainAccuracy: number[];
  validationLoss: number[];
  validationAccuracy: number[];
  /** The loss of every mini-batch the steps were taken on (with smoothing, without the penalty). */
  batchLoss: number[];
}

/** An empty run for `options.into`, declared in the cell before the training's. */
export function newTrainingRun(name: string): TrainingRun {
  return { name, model: { weights: [], bias: [] }, history: emptyHistory(), interrupted: false };
}

function emptyHistory(): TrainingHistory {
  return { epoch: [], trainLoss: [], trainAccuracy: [], validationLoss: [], validationAccuracy: [], batchLoss: [] };
}

/**
 * Trains softmax regression, logits = X W + b, by mini-batch gradient descent on the mean
 * cross-entropy plus (λ/2)·‖W‖²: every epoch shuffles the training set (seed + epoch), cuts
 * it into batches of `batchSize` and takes one `sgdStep` per batch.
 *
 * train X (N, D), y (N) -> { model: weights (D, C), bias (C); history: epoch 0 (before the
 * first step) to `epochs` }
 *
 * Jupyter's Interrupt stops it at the next step (see ./interrupt.ts): it throws
 * `Interrupted` with one line, and `into` keeps the model and history of the epochs done.
 *
 * @example await trainSoftmaxRegression({ X, y }, { epochs: 10, batchSize: 32, learningRate: 0.5, seed: 1, numClasses: 10 })
 * Used in notebooks/10-training-on-digits.ipynb and 11-calibration-and-temperature.ipynb.
 */
export async function trainSoftmaxRegression(
  train: Dataset,
  options: TrainingOptions,
): Promise<{ model: LinearModel; history: TrainingHistory }> {
  const { epochs, batchSize, learningRate, weightDecay = 0, labelSmoothing = 0, seed, validation, onEpoch } = options;
  const numClasses = checkWholeNumber(options.numClasses, "numClasses", 1);
  checkWholeNumber(epochs, "epochs", 0);
  checkWholeNumber(batchSize, "batchSize", 1);
  checkAtLeast(learningRate, "learningRate", 0, true);
  checkAtLeast(weightDecay, "weightDecay", 0);
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new RangeError(`labelSmoothing = ${labelSmoothing} is out of range: expected a number in [0, 1]`);
  }
  const D = train.X[0]?.length ?? 0;
  let model = initialModel(D, numClasses, options.initialScale ?? 0.01, seed);
  const [N] = checkModelInputs(train.X, model);
  checkClassIndices(train.y, "train.y", N, numClasses);
  if (validation) {
    const [M] = checkModelInputs(validation.X, model);
    checkClassIndices(validation.y, "validation.y", M, numClasses);
  }

  const history = options.into?.history ?? emptyHistory();
  for (const key of Object.keys(history) as Array<keyof TrainingHistory>) history[key].length = 0;
  const run = options.into;
  if (run) Object.assign(run, { model, interrupted: false });
  let epochSteps = 0;
  const stopped = (epoch: number) => () => {
    if (run) run.interrupted = true;
    const done = epoch - 1;
    history.batchLoss.length = epochSteps; // the unfinished epoch's steps are dropped, as is its model
    return run
      ? `training interrupted after epoch ${done} of ${epochs}; \`${run.name}\` holds epochs 0 to ${done} ` +
          `and their model`
      : `training interrupted after epoch ${done} of ${epochs}; its results are lost: ` +
          `run this cell again before the cells below it`;
  };
  for (let epoch = 0; epoch <= epochs; epoch++) {
    if (epoch > 0) {
      let next = model;
      for (const batch of miniBatches(N, batchSize, seed + epoch)) {
        await stopIfInterrupted(stopped(epoch));
        const X = pick(train.X, batch);
        const y = pick(train.y, batch);
        history.batchLoss.push(crossEntropy(forward(X, next), y, { labelSmoothing }));
        next = step(next, gradients(X, y, next, weightDecay, labelSmoothing), learningRate);
      }
      model = next;
      epochSteps = history.batchLoss.length;
    }
    const record = evaluate(epoch, model, train, validation);
    for (const key of ["epoch", "trainLoss", "trainAccuracy", "validationLoss", "validationAccuracy"] as const) {
      history[key].push(record[key]);
    }
    if (run) run.model = model;
    if (onEpoch) await onEpoch(record, model);
  }
  return { model, history };
}

function evaluate(epoch: number, model: LinearModel, train: Dataset, validation?: Dataset): EpochRecord {
  const measure = (data: Dataset) => {
    const logits = forward(data.X, model);
    const right = predictions(logits).filter((p, n) => p === data.y[n]).length;
    return { loss: crossEntropy(logits, data.y), accuracy: right / data.y.length };
  };
  const t = measure(train);
  const v = validation ? measure(validation) : { loss: NaN, accuracy: NaN };
  return { epoch, trainLoss: t.loss, trainAccuracy: t.accuracy, validationLoss: v.loss, validationAccuracy: v.accuracy };
}
