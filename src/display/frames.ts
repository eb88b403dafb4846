/**
 * The course's steps as danfo DataFrames, labelled in the course's words, ready for
 * `show` (an HTML table in a notebook, danfo's print in a terminal).
 */
import { DataFrame } from "danfojs-node";
import { shapeOf } from "../inputs/shape";
import { shapeText } from "../inputs/describe";
import type { CrossEntropySteps } from "../loss/steps";
import { formatNumber, type TableOptions } from "./table";

/** Column labels "class 0", "class 1", ... */
export function classLabels(numClasses: number): string[] {
  return Array.from({ length: numClasses }, (_, c) => `class ${c}`);
}

/** Row labels "sample 0", "sample 1", ... */
export function sampleLabels(batchSize: number): string[] {
  return Array.from({ length: batchSize }, (_, n) => `sample ${n}`);
}

/**
 * A (N, C) matrix as a DataFrame with one column per class and one row per sample.
 * @example matrixFrame([[0.1, 0.9]]) // columns "class 0", "class 1"; index "sample 0"
 */
export function matrixFrame(values: number[][], labels: { columns?: string[]; index?: string[] } = {}): DataFrame {
  const shape = shapeOf(values, "values");
  if (shape.length !== 2 || shape[0] === 0) {
    throw new RangeError(`values has shape ${shapeText(shape)}: a table needs a non-empty (N, C) matrix`);
  }
  return new DataFrame(values, {
    columns: labels.columns ?? classLabels(shape[1]),
    index: labels.index ?? sampleLabels(shape[0]),
  });
}

/** The logits, one row per sample, with a last column naming each row's target class. */
export function logitsFrame(logits: number[][], targets: number[]): DataFrame {
  return matrixFrame(
    logits.map((row, n) => [...row, targets[n]]),
    { columns: [...classLabels(logits[0].length), "target"] },
  );
}

/** Table options that mark each row's target class, for `show(df, targetHighlight(targets))`. */
export function targetHighlight(targets: number[], extra: TableOptions = {}): TableOptions {
  return {
    highlightLabel: "target class",
    ...extra,
    highlight: targets.map((y, row) => ({ row, column: `class ${y}` })),
  };
}

/**
 * One sample's walk from logits to log-probabilities, one row per step, one column per
 * class: logit, shifted, exp, softmax, log-softmax.
 */
export function sampleStepsFrame(steps: CrossEntropySteps, n: number): DataFrame {
  const rows = [
    steps.logits[n],
    steps.shiftedLogits[n],
    steps.exponentials[n],
    steps.probabilities[n],
    steps.logProbabilities[n],
  ];
  return matrixFrame(rows, {
    index: [
      "logit x",
      `x - max (max = ${formatNumber(steps.rowMaxima[n])})`,
      "exp(x - max)",
      "softmax p",
      "log-softmax log p",
    ],
  });
}

/** Marks sample n's target class in every row of `sampleStepsFrame`. */
export function sampleTargetHighlight(steps: CrossEntropySteps, n: number): TableOptions {
  const column = `class ${steps.targets[n]}`;
  return { highlightLabel: "target class", highlight: [0, 1, 2, 3, 4].map((row) => ({ row, column })) };
}

/**
 * One row per sample: its target, row max, Σ exp, the target's probability and
 * log-probability, and its loss -log p. The mean of the last column is the loss.
 */
export function perSampleFrame(steps: CrossEntropySteps): DataFrame {
  const rows = steps.targets.map((y, n) => [
    y,
    steps.rowMaxima[n],
    steps.sumOfExponentials[n],
    steps.targetProbabilities[n],
    steps.targetLogProbabilities[n],
    steps.losses[n],
  ]);
  return matrixFrame(rows, {
    columns: ["target", "row max", "Σ exp(x - max)", "p(target)", "log p(target)", "loss = -log p"],
  });
}
