/**
 * The accuracy exercise: fn(logits: number[][], targets: number[]) => number, the share
 * of rows whose largest logit (the first one on a tie, as torch.argmax) is at the target.
 * Taught in notebooks/01-logits.ipynb.
 */
import { accuracy } from "../course/softmaxRegression";
import { FLOAT64_TOLERANCE } from "./compare";
import { float32Arithmetic, scaled } from "./foils";
import type { Exercise } from "./types";

type Args = [logits: number[][], targets: number[]];

/** The share of rows where `pick(row)` is the target. */
const shareWhere = ([logits, targets]: Args, pick: (row: number[]) => number): number =>
  logits.filter((row, n) => pick(row) === targets[n]).length / logits.length;
/** The last index of the largest entry: a loop with >= instead of >. */
const lastArgmax = (row: number[]): number =>
  row.reduce((best, v, c) => (v >= row[best] ? c : best), 0);
const argmin = (row: number[]): number =>
  row.reduce((best, v, c) => (v < row[best] ? c : best), 0);

export const accuracyExercise: Exercise<Args> = {
  name: "accuracy",
  signature: "fn(logits: number[][], targets: number[]) => number",
  argNames: ["logits", "targets"],
  cases: [
    { name: "one row, right", args: [[[2, 1, 0.1]], [0]] },
    { name: "one row, wrong", args: [[[0.1, 2, 1]], [0]] },
    {
      name: "batch of 4 rows",
      args: [[[1, 2, 3], [1, -1, 0], [0.5, 0.5, 2], [3, 0, -2]], [2, 0, 1, 0]],
    },
    {
      name: "negative logits",
      args: [[[-1, -2, -3], [-0.5, -4, -2], [-3, -1, -2]], [0, 2, 1]],
    },
    // Ties: torch.argmax returns the first largest; these two tell first, last and "any".
    { name: "a tie, the target first", args: [[[1, 1, 0], [0, 3, 1]], [0, 1]] },
    { name: "a tie, the target second", args: [[[0, 2, 2], [0, 3, 1]], [2, 1]] },
    { name: "single class (C = 1)", args: [[[3], [-2]], [0, 0]] },
    {
      name: "large logits",
      args: [[[1000, 1002, 1001], [-1000, -1001, -999], [3, 1, 2]], [1, 2, 1]],
    },
  ],
  expected: (logits, targets) => accuracy(logits, targets),
  tolerance: FLOAT64_TOLERANCE,
  mistakes: [
    {
      name: "a count, not a share",
      output: ([logits], expected) => scaled(expected, logits.length),
      hint:
        "You returned how many rows are right; accuracy is their share: divide by N, " +
        "the number of rows, so that it lies in [0, 1].",
    },
    {
      name: "a percentage",
      output: (_, expected) => scaled(expected, 100),
      hint:
        "You returned a percentage: accuracy is a share in [0, 1], without the × 100.",
    },
    {
      name: "error rate",
      output: (_, expected) => 1 - (expected as number),
      hint:
        "That is the error rate, the share of rows the model gets wrong: accuracy " +
        "counts the rows whose largest logit is at the target.",
    },
    {
      name: "argmin",
      output: (args) => shareWhere(args, argmin),
      hint:
        "You took each row's smallest logit: the prediction is the class with the " +
        "largest logit (the largest probability), the argmax.",
    },
    {
      name: "the last largest on a tie",
      output: (args) => shareWhere(args, lastArgmax),
      hint:
        "On a tie you take the last largest logit (a loop with >=); torch.argmax, and " +
        "the course, take the first: compare with > so that an equal later entry does " +
        "not win.",
    },
    {
      name: "right whenever the target's logit is a largest one",
      output: ([logits, targets]) =>
        logits.filter((row, n) => row[targets[n]] === Math.max(...row)).length /
        logits.length,
      hint:
        "You count a row as right whenever the target's logit equals the row's max, so " +
        "a tie counts for every tied class. The prediction is one class, the first " +
        "largest (torch.argmax): compare that index with the target.",
    },
    float32Arithmetic<Args>(),
  ],
};
