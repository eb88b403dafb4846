/**
 * The cross-entropy exercise: fn(logits: number[][], targets: number[]) => number, the mean
 * loss over a batch of rows. Taught in notebooks/03-negative-log-likelihood.ipynb.
 */
import { crossEntropy } from "../loss/crossEntropy";
import { formatNumber } from "../display/table";
import { logSoftmax, softmax } from "../loss/softmax";
import { FLOAT64_TOLERANCE, type Numeric } from "./compare";
import {
  EPSILONS,
  clampedLoss,
  clippedLoss,
  columnLogSoftmax,
  cappedLoss,
  float32Arithmetic,
  meanOverRows,
  naiveSoftmax,
  oneHotSum,
  pickedLoss,
  predictedClassLoss,
  scaled,
  shiftedLogSumExp,
} from "./foils";
import type { Exercise, Mistake } from "./types";

type Args = [logits: number[][], targets: number[]];

/** Shared with the NLL exercise, whose inputs are log-probabilities. */
export const SIGN_HINT = "The loss has the wrong sign: cross-entropy is −log p(target), which is never negative.";
export const SUM_HINT =
  "You returned the sum over the batch; the loss is the mean: divide by N, the number of rows, so that the " +
  "learning rate does not depend on the batch size.";
export const PER_ENTRY_HINT =
  "You divided by N × C, the number of entries; the mean is over the N rows only: each row contributes one loss.";
export const SUM_AND_SIGN_HINT =
  "Two things: the sign is flipped, and you returned the sum over the batch. " +
  "Cross-entropy is −log p(target) (never negative), and the loss is the mean of the " +
  "rows' losses: divide by N.";
export const ONE_HOT_HINT =
  "In JavaScript 0 * -Infinity is NaN, so the one-hot sum −Σ y·log p breaks as soon as another class has " +
  "probability 0 (log 0 = -Infinity). The sum has one non-zero term: take −logProbabilities[target] directly.";

/** Shared with the NLL exercise: `array` names the learner's input, "logits" or "logProbabilities". */
export const offByOneHint = (array: string): string =>
  `You took the entry one place away from the target's: classes are numbered from 0, so row n's own entry is ` +
  `${array}[n][targets[n]], with no + 1 or − 1 (past the last class the index gives undefined, and NaN).`;
export const predictedClassHint = (array: string): string =>
  `You used each row's largest entry (the predicted class) instead of the target's: the loss is about the class ` +
  `the label names, ${array}[n][targets[n]], and it is large exactly when the prediction is wrong.`;

/**
 * −log(p + eps) and −log(max(p, eps)) for each epsilon learners use: every one caps a confident
 * mistake's loss.
 */
export function clippedMistakes(
  loss: (args: Args, eps: number) => number,
  clamped: (args: Args, eps: number) => number,
): Array<Mistake<Args>> {
  const cap = (eps: number): string =>
    `caps every loss at −log(${eps}) = ${formatNumber(-Math.log(eps), 4)}, so a confident wrong prediction ` +
    "(logits [0, 40], target 0: true loss 40) scores far too low. Work in log space instead: " +
    "loss = logSumExp(row) − row[target], which needs no epsilon.";
  return EPSILONS.flatMap((eps) => [
    { name: `log(p + ${eps})`, output: (args: Args) => loss(args, eps), hint: `log(p + ${eps}) ${cap(eps)}` },
    { name: `log(max(p, ${eps}))`, output: (args: Args) => clamped(args, eps), hint: `Math.max(p, ${eps}) ${cap(eps)}` },
  ]);
}

const batchSize = ([logits]: Args): number => logits.length;
const naiveLogSumExp = (row: number[]): number =>
  Math.log(row.reduce((sum, x) => sum + Math.exp(x), 0));

export const crossEntropyExercise: Exercise<Args> = {
  name: "crossEntropy",
  signature: "fn(logits: number[][], targets: number[]) => number",
  argNames: ["logits", "targets"],
  cases: [
    { name: "one row", args: [[[2, 1, 0.1]], [0]] },
    { name: "batch of 4 rows", args: [[[1, 2, 3], [1, -1, 0], [0.5, 0.5, 2], [3, 0, -2]], [2, 0, 1, 0]] },
    { name: "negative logits", args: [[[-1, -2, -3], [-0.5, -4, -2]], [2, 0]] },
    { name: "uniform logits, 10 classes", args: [[Array.from({ length: 10 }, () => 0)], [3]] },
    { name: "confident and wrong", args: [[[0, 40]], [0]] },
    { name: "hopelessly wrong", args: [[[0, 800], [1, 0]], [0, 0]] },
    // Between exp's overflow (709.8) and p's underflow (745): log Σ exp(x − x[y])
    // overflows to Infinity here while log(softmax) still holds, so the two mistakes are
    // told apart.
    { name: "wrong by 720", args: [[[0, 720]], [0]] },
    // Past any cap a learner picks (Math.min(loss, 1000)): the loss grows without bound.
    { name: "wrong by 5000", args: [[[0, 5000]], [0]] },
    { name: "large logits", args: [[[1000, 1001, 1002], [1002, 1000, 1001]], [0, 0]] },
    { name: "very negative logits", args: [[[-1000, -1001, -1002]], [2]] },
    { name: "single class (C = 1)", args: [[[3], [-2]], [0, 0]] },
    { name: "all -Infinity but one", args: [[[-Infinity, 0, -Infinity], [1, 2, 3]], [1, 2]] },
  ],
  expected: (logits, targets) => crossEntropy(logits, targets),
  // FLOAT64_TOLERANCE, like the other checkers: at rtol 1e-6 the bias of log(p + 1e-7) on
  // an ordinary row (about 1e-7 / p, relative to a loss near 1) sat inside the tolerance,
  // and the table showed a wrong number with a ✓ beside it.
  tolerance: FLOAT64_TOLERANCE,
  mistakes: [
    {
      name: "naive softmax",
      output: ([logits, targets]) => meanOverRows(logits, targets, (row, y) => -Math.log(naiveSoftmax(row)[y])),
      hint:
        "Math.exp overflows: with logits like [1000, 1001, 1002], Math.exp(1000) is Infinity and " +
        "Infinity / Infinity is NaN. Never exponentiate raw logits: loss = logSumExp(row) − row[target], " +
        "with logSumExp = max + log Σ exp(x − max).",
    },
    ...clippedMistakes(
      ([logits, targets], eps) => meanOverRows(logits, targets, (row, y) => clippedLoss(row, y, eps)),
      ([logits, targets], eps) => meanOverRows(logits, targets, (row, y) => clampedLoss(row, y, eps)),
    ),
    {
      name: "log of softmax",
      output: ([logits, targets]) => meanOverRows(logits, targets, (row, y) => -Math.log(softmax(row)[y])),
      hint:
        "Math.log(softmax(row)[target]) breaks when the target's probability underflows to exactly 0 " +
        "(logits [0, 800]: p = e^-800 = 0 in float64) and −log 0 is Infinity. Compute the log-probability " +
        "directly: row[target] − logSumExp(row) (that is logSoftmax), never log(softmax).",
    },
    {
      name: "naive log-sum-exp",
      output: ([logits, targets]) =>
        meanOverRows(logits, targets, (row, y) => naiveLogSumExp(row) - row[y]),
      hint:
        "log Σ exp(x) − x[target] is the right formula, but Math.exp(1000) is Infinity " +
        "(and Math.exp(-1000) is 0, whose log is -Infinity). Take the max out first: " +
        "logSumExp(row) = max + log Σ exp(x − max).",
    },
    {
      name: "shifted by the target's logit",
      output: ([logits, targets]) =>
        meanOverRows(logits, targets, (row, y) =>
          naiveLogSumExp(row.map((x) => x - row[y])),
        ),
      hint:
        "log Σ exp(x − x[target]) is the loss in exact arithmetic, but shifting by the " +
        "target's logit keeps an exponent ≤ 0 only when the target is the largest: " +
        "logits [0, 720], target 0, give Math.exp(720) = Infinity. Shift by the row's " +
        "max instead: loss = max + log Σ exp(x − max) − x[target].",
    },
    { name: "sum instead of mean", output: (args, expected) => scaled(expected, batchSize(args)), hint: SUM_HINT },
    {
      name: "sum instead of mean, and sign flipped",
      output: (args, expected) => scaled(expected, -batchSize(args)),
      hint: SUM_AND_SIGN_HINT,
    },
    {
      name: "naive softmax, and sum instead of mean",
      output: ([logits, targets]) =>
        scaled(
          meanOverRows(logits, targets, (row, y) => -Math.log(naiveSoftmax(row)[y])),
          logits.length,
        ),
      hint:
        "Two things. Math.exp overflows: with logits like [1000, 1001, 1002], " +
        "Math.exp(1000) is Infinity and Infinity / Infinity is NaN; use loss = " +
        "logSumExp(row) − row[target], with logSumExp = max + log Σ exp(x − max). And " +
        "you returned the sum over the batch: the loss is the mean, divide by N.",
    },
    {
      name: "divided by N × C",
      output: ([logits], expected) => scaled(expected, 1 / logits[0].length),
      hint: PER_ENTRY_HINT,
    },
    { name: "sign flipped", output: (_, expected) => scaled(expected, -1), hint: SIGN_HINT },
    {
      name: "log base 2",
      output: (_, expected) => scaled(expected, 1 / Math.LN2),
      hint:
        "Your loss is in bits: Math.log2 gives the true loss divided by ln 2 = 0.693. Cross-entropy, like " +
        "PyTorch, uses the natural log, Math.log (nats).",
    },
    {
      name: "log base 2, and target index + 1",
      output: ([logits, targets]) =>
        scaled(
          meanOverRows(logits, targets, (row, y) => pickedLoss(row, y + 1)),
          1 / Math.LN2,
        ),
      hint:
        "Two things. Your loss is in bits: Math.log2 gives the true loss divided by ln " +
        "2 = 0.693; use Math.log. And you took the entry one place after the target's: " +
        "classes are numbered from 0, so row n's own entry is logits[n][targets[n]], " +
        "with no + 1.",
    },
    {
      name: "log base 10",
      output: (_, expected) => scaled(expected, 1 / Math.LN10),
      hint: "Your loss uses Math.log10: it is the true loss divided by ln 10 = 2.303. Use the natural log, Math.log.",
    },
    {
      name: "one-hot sum",
      output: ([logits, targets]) => meanOverRows(logits, targets, (row, y) => oneHotSum(logSoftmax(row), y)),
      hint: ONE_HOT_HINT,
    },
    {
      name: "softmax over the wrong axis",
      output: ([logits, targets]): Numeric => {
        const l = columnLogSoftmax(logits);
        return -targets.reduce((sum, y, n) => sum + l[n][y], 0) / logits.length;
      },
      hint:
        "Your softmax runs down each column (over the batch) instead of along each row (over the classes): " +
        "normalise each row of logits, one row per example.",
    },
    {
      name: "target index + 1",
      output: ([logits, targets]) => meanOverRows(logits, targets, (row, y) => pickedLoss(row, y + 1)),
      hint: offByOneHint("logits"),
    },
    {
      name: "target index − 1",
      output: ([logits, targets]) => meanOverRows(logits, targets, (row, y) => pickedLoss(row, y - 1)),
      hint: offByOneHint("logits"),
    },
    {
      name: "the predicted class's logit",
      output: ([logits, targets]) => meanOverRows(logits, targets, (row) => predictedClassLoss(row)),
      hint: predictedClassHint("logits"),
    },
    {
      name: "log-sum-exp without the max",
      output: ([logits, targets]) => meanOverRows(logits, targets, (row, y) => shiftedLogSumExp(row) - row[y]),
      hint:
        "Your log-sum-exp leaves out the max: you shifted by it, log Σ exp(x − max), but never added it back. " +
        "logSumExp(row) = max + log Σ exp(x − max), and the loss is logSumExp(row) − row[target].",
    },
    cappedLoss<Args>("logits [0, 5000], target 0: true loss 5000"),
    float32Arithmetic<Args>(),
  ],
};
