/**
 * The negative log-likelihood exercise: fn(logProbabilities: number[][], targets: number[]) => number,
 * the mean of −logProbabilities[n][targets[n]]. Taught in notebooks/03-negative-log-likelihood.ipynb.
 */
import { nllLoss } from "../loss/crossEntropy";
import { logSoftmax } from "../loss/softmax";
import { FLOAT64_TOLERANCE } from "./compare";
import {
  ONE_HOT_HINT,
  PER_ENTRY_HINT,
  SIGN_HINT,
  SUM_AND_SIGN_HINT,
  SUM_HINT,
  offByOneHint,
  predictedClassHint,
} from "./crossEntropy";
import { float32Arithmetic, oneHotSum, scaled } from "./foils";
import type { Exercise } from "./types";

type Args = [logProbabilities: number[][], targets: number[]];

const pickedMean = ([l, targets]: Args, pick: (value: number) => number, shift = 0): number =>
  targets.reduce((sum, y, n) => sum + pick(l[n][y + shift]), 0) / targets.length;

export const nllFromLogProbabilitiesExercise: Exercise<Args> = {
  name: "nllFromLogProbabilities",
  signature: "fn(logProbabilities: number[][], targets: number[]) => number",
  argNames: ["logProbabilities", "targets"],
  // The inputs are the module's logSoftmax of a few logits, so they are real log-probabilities.
  // Every case but the first has two rows or more, so a sum fails all but the first and
  // the C = 1 case (whose loss is 0); every target is below N, so l[targets[n]][n] (the
  // indices the wrong way round) returns a wrong number instead of throwing, and the foil
  // below can name it.
  cases: [
    { name: "one row", args: [logSoftmax([[2, 1, 0.1]]), [0]] },
    { name: "batch of 4 rows", args: [logSoftmax([[1, 2, 3], [1, -1, 0], [0.5, 0.5, 2], [3, 0, -2]]), [2, 0, 1, 0]] },
    {
      name: "uniform, 10 classes, 2 rows",
      args: [logSoftmax([0, 1].map(() => Array.from({ length: 10 }, () => 0))), [1, 0]],
    },
    { name: "confident and wrong", args: [logSoftmax([[40, 0], [1, 0.5]]), [1, 1]] },
    { name: "single class (C = 1)", args: [logSoftmax([[3], [-2]]), [0, 0]] },
    {
      name: "a class with probability 0",
      args: [
        logSoftmax([[-Infinity, 0, -Infinity], [1, 2, 3], [0.5, -0.5, 0]]),
        [1, 2, 0],
      ],
    },
  ],
  expected: (logProbabilities, targets) => nllLoss(logProbabilities, targets),
  tolerance: FLOAT64_TOLERANCE,
  mistakes: [
    { name: "sign flipped", output: (_, expected) => scaled(expected, -1), hint: SIGN_HINT },
    { name: "sum instead of mean", output: ([, targets], expected) => scaled(expected, targets.length), hint: SUM_HINT },
    {
      name: "sum instead of mean, and sign flipped",
      output: ([, targets], expected) => scaled(expected, -targets.length),
      hint: SUM_AND_SIGN_HINT,
    },
    {
      name: "indices the wrong way round",
      output: ([l, targets]) =>
        -targets.reduce((sum, y, n) => sum + (l[y]?.[n] ?? NaN), 0) / targets.length,
      hint:
        "Your indices are the wrong way round: logProbabilities[targets[n]][n] picks " +
        "row targets[n], column n. The first index is the row (the example n), the " +
        "second the column (its class): logProbabilities[n][targets[n]].",
    },
    {
      name: "divided by N × C",
      output: ([l], expected) => scaled(expected, 1 / l[0].length),
      hint: PER_ENTRY_HINT,
    },
    {
      name: "log taken again",
      output: (args) => pickedMean(args, (l) => -Math.log(l)),
      hint:
        "The inputs are already log-probabilities (all ≤ 0): take −logProbabilities[n][targets[n]] as it is. " +
        "Math.log of a negative number is NaN.",
    },
    {
      name: "probabilities instead of log-probabilities",
      output: (args) => pickedMean(args, (l) => -Math.exp(l)),
      hint: "You turned the log-probabilities back into probabilities: the loss is −logProbabilities[n][targets[n]], no Math.exp.",
    },
    {
      name: "one-hot sum",
      output: ([l, targets]) => targets.reduce((sum, y, n) => sum + oneHotSum(l[n], y), 0) / targets.length,
      hint: ONE_HOT_HINT,
    },
    { name: "target index + 1", output: (args) => pickedMean(args, (l) => -l, 1), hint: offByOneHint("logProbabilities") },
    { name: "target index − 1", output: (args) => pickedMean(args, (l) => -l, -1), hint: offByOneHint("logProbabilities") },
    {
      name: "the predicted class's log-probability",
      output: ([l, targets]) => -targets.reduce((sum, _, n) => sum + Math.max(...l[n]), 0) / targets.length,
      hint: predictedClassHint("logProbabilities"),
    },
    float32Arithmetic<Args>(),
  ],
};
