/**
 * The multiclass hinge exercise: fn(scores: number[][], targets: number[]) => number, the mean
 * over rows of Σ_{j ≠ y} max(0, 1 − s_y + s_j) / C, as PyTorch's multi_margin_loss with its
 * defaults (margin 1, p = 1). Taught in notebooks/07-the-gradient.ipynb.
 */
import { multiMarginLoss } from "../loss/multiMargin";
import { scaled } from "./foils";
import type { Exercise } from "./types";

type Args = [scores: number[][], targets: number[]];

/** The mean over rows of one hinge sum per row, each term t(s_y, s_j) for j ≠ y (or every j). */
const hingeMean = ([scores, targets]: Args, term: (sy: number, sj: number) => number, skipTarget = true): number =>
  scores.reduce(
    (total, row, n) =>
      total + row.reduce((s, sj, j) => (skipTarget && j === targets[n] ? s : s + term(row[targets[n]], sj)), 0) / row.length,
    0,
  ) / scores.length;

export const multiMarginLossExercise: Exercise<Args> = {
  name: "multiMarginLoss",
  signature: "fn(scores: number[][], targets: number[]) => number",
  argNames: ["scores", "targets"],
  cases: [
    { name: "CS231n's cat, car and frog", args: [[[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]], [0, 1, 2]] },
    { name: "one row, two classes", args: [[[0.5, 1.5]], [1]] },
    { name: "right by more than the margin", args: [[[9, 0, -1], [0, 0.5, 30]], [0, 2]] },
    { name: "four classes, one wrong", args: [[[1, 2, 3, 4], [4, 3, 2, 1]], [3, 3]] },
    { name: "large scores", args: [[[1000, 1001, 1002], [-50, 40, 0]], [0, 2]] },
    { name: "inside the margin", args: [[[1, 0.5, 0.25]], [0]] },
  ],
  expected: (scores, targets) => multiMarginLoss(scores, targets),
  mistakes: [
    {
      name: "not divided by C",
      output: ([scores], expected) => scaled(expected, scores[0].length),
      hint:
        "Your loss is C times PyTorch's: that is CS231n's SVM loss, Σ_{j ≠ y} max(0, s_j − s_y + 1). " +
        "PyTorch's multi_margin_loss divides each row's sum by C, the number of classes.",
    },
    {
      name: "the target's own term counted",
      output: (args) => hingeMean(args, (sy, sj) => Math.max(0, 1 - sy + sj), false),
      hint:
        "Your sum includes j = y, whose term is max(0, 1 − s_y + s_y) = 1 on every row: skip the target's " +
        "own class, the sum runs over j ≠ y.",
    },
    {
      name: "no max(0, ·)",
      output: (args) => hingeMean(args, (sy, sj) => 1 - sy + sj),
      hint:
        "A class already beaten by the margin lowers your loss: each term must be clamped at 0, " +
        "max(0, 1 − s_y + s_j). That clamp is why a row classified right by the margin costs exactly 0.",
    },
    {
      name: "margin term flipped",
      output: (args) => hingeMean(args, (sy, sj) => Math.max(0, 1 + sy - sj)),
      hint:
        "Your terms grow when the target's score is the larger one: the hinge is max(0, 1 − s_y + s_j), " +
        "a cost when another class s_j comes within 1 of the target's s_y.",
    },
    {
      name: "sum over rows",
      output: ([scores], expected) => scaled(expected, scores.length),
      hint: "You add the rows' losses: the default reduction is the mean, so divide by N, the number of rows.",
    },
  ],
};
