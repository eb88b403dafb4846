import { describe, shapeText } from "../inputs/describe";
import { shapeOf } from "../inputs/shape";
import { checkLossInputs } from "../inputs/targets";
import { crossEntropy } from "./crossEntropy";
import { logSoftmax, softmax } from "./softmax";

/**
 * The walkthrough's intermediate steps, each named in the course's words, for a batch of
 * logits (N, C) and class-index targets (N). The notebooks and `npm start` display them.
 *
 *   rowMaxima -> shiftedLogits -> exponentials -> sumOfExponentials -> probabilities
 *   logProbabilities -> targetLogProbabilities -> losses -> loss (the mean)
 */
export interface CrossEntropySteps {
  logits: number[][];
  targets: number[];
  /** max_c x[n][c], the shift that keeps exp from overflowing. */
  rowMaxima: number[];
  /** x[n][c] - max: every row's largest entry becomes 0. */
  shiftedLogits: number[][];
  /** exp(shifted), each in (0, 1]. */
  exponentials: number[][];
  /** Σ_c exp(shifted), at least 1. */
  sumOfExponentials: number[];
  /** exponentials / sumOfExponentials: softmax. */
  probabilities: number[][];
  /** shifted - log(sumOfExponentials): logSoftmax. */
  logProbabilities: number[][];
  /** probabilities[n][y_n]. */
  targetProbabilities: number[];
  /** logProbabilities[n][y_n]. */
  targetLogProbabilities: number[];
  /** -targetLogProbabilities: the per-sample losses ("none"). */
  losses: number[];
  /** The mean of the losses. */
  loss: number;
}

/**
 * Every step of the cross-entropy of (N, C) logits and (N) class indices.
 *
 * @example crossEntropySteps([[2, 1, 0.1]], [0]).targetProbabilities // [0.6590]
 * Taught in notebooks/02-softmax.ipynb and 03-negative-log-likelihood.ipynb.
 */
export function crossEntropySteps(logits: number[][], targets: number[]): CrossEntropySteps {
  const inputs = checkLossInputs(logits, targets, undefined, { input: "logits", allowProbabilities: false });
  if (inputs.layout.logitsShape.length !== 2) {
    throw new RangeError(`logits has shape ${shapeText(inputs.layout.logitsShape)}: the walkthrough takes a batch (N, C)`);
  }
  const shiftedLogits_ = shiftedLogits(logits);
  const exponentials_ = exponentials(shiftedLogits_);
  const probabilities = softmax(logits);
  const logProbabilities = logSoftmax(logits);
  const losses = crossEntropy(logits, targets, { reduction: "none" });
  return {
    logits,
    targets,
    rowMaxima: rowMaxima(logits),
    shiftedLogits: shiftedLogits_,
    exponentials: exponentials_,
    sumOfExponentials: exponentials_.map(sum),
    probabilities,
    logProbabilities,
    targetProbabilities: pickTargets(probabilities, targets),
    targetLogProbabilities: pickTargets(logProbabilities, targets),
    losses,
    loss: crossEntropy(logits, targets),
  };
}

/** The largest logit of each row, (N, C) -> (N). Starts at -Infinity, so any real row works. */
export function rowMaxima(logits: number[][]): number[] {
  checkBatch(logits, "logits");
  return logits.map((row) => row.reduce((max, x) => Math.max(max, x), -Infinity));
}

/** Each row minus its maximum, (N, C) -> (N, C). Softmax is unchanged by the shift. */
export function shiftedLogits(logits: number[][]): number[][] {
  const maxima = rowMaxima(logits);
  return logits.map((row, n) => row.map((x) => x - maxima[n]));
}

/** exp of every entry, (N, C) -> (N, C). */
export function exponentials(values: number[][]): number[][] {
  checkBatch(values, "values");
  return values.map((row) => row.map(Math.exp));
}

/** The entry of each row at its target class, (N, C) and (N) -> (N). */
export function pickTargets(values: number[][], targets: number[]): number[] {
  checkLossInputs(values, targets, undefined, { input: "values", allowProbabilities: false });
  return targets.map((y, n) => values[n][y]);
}

function sum(row: number[]): number {
  return row.reduce((a, b) => a + b, 0);
}

function checkBatch(value: unknown, name: string): void {
  const shape = shapeOf(value, name);
  if (shape.length !== 2) {
    throw new RangeError(`${name} is ${shape.length === 0 ? describe(value) : "of shape " + shapeText(shape)}: expected a batch (N, C) such as [[2, 1, 0.1]]`);
  }
}
