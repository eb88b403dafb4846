/**
 * The gradient exercise: fn(logits: number[][], targets: number[]) => number[][], the gradient
 * of the mean cross-entropy, (softmax − onehot) / N. Taught in notebooks/07-the-gradient.ipynb.
 */
import { crossEntropyBackward } from "../loss/crossEntropyBackward";
import { softmax } from "../loss/softmax";
import { FLOAT64_TOLERANCE } from "./compare";
import { columnLogSoftmax, float32Arithmetic, naiveSoftmax, oneHot, scaled, scaledDifference } from "./foils";
import type { Exercise } from "./types";

type Args = [logits: number[][], targets: number[]];

const zeros = (logits: number[][]): number[][] => logits.map((row) => row.map(() => 0));
const oneHotOf = ([logits, targets]: Args, shift = 0): number[][] =>
  oneHot(targets.map((y) => y + shift), logits[0].length);
/** One-hot at each row's largest logit: the predicted class instead of the target. */
const predictedOneHot = ([logits]: Args): number[][] =>
  logits.map((row) => row.map((_, c) => (c === row.indexOf(Math.max(...row)) ? 1 : 0)));
const OFF_BY_ONE =
  "Your one-hot has its 1 one place away from the target: classes are numbered from 0, so row n's 1 goes at " +
  "column targets[n], with no + 1 or − 1. Then d loss / d logits = (softmax − onehot) / N.";

export const crossEntropyBackwardExercise: Exercise<Args> = {
  name: "crossEntropyBackward",
  signature: "fn(logits: number[][], targets: number[]) => number[][]",
  argNames: ["logits", "targets"],
  cases: [
    { name: "one row", args: [[[2, 1, 0.1]], [0]] },
    { name: "two equal logits", args: [[[0, 0]], [0]] },
    { name: "batch of 3 rows", args: [[[1, 2, 3], [1, -1, 0], [0.5, 0.5, 2]], [2, 0, 1]] },
    { name: "negative logits", args: [[[-1, -2, -3], [-0.5, -4, -2]], [2, 0]] },
    { name: "confident and wrong", args: [[[0, 40]], [0]] },
    { name: "large logits", args: [[[1000, 1001, 1002], [0, 0, 0]], [2, 1]] },
    { name: "single class (C = 1)", args: [[[3], [-2]], [0, 0]] },
    { name: "all -Infinity but one", args: [[[-Infinity, 0, -Infinity]], [1]] },
  ],
  expected: (logits, targets) => crossEntropyBackward(logits, targets),
  tolerance: FLOAT64_TOLERANCE,
  mistakes: [
    {
      name: "missing 1/N",
      output: ([logits], expected) => scaled(expected, logits.length),
      hint:
        "The loss is a mean over the N rows, so its gradient carries the 1/N too: " +
        "d loss / d logits = (softmax − onehot) / N.",
    },
    {
      name: "one-hot not subtracted",
      output: ([logits]) => scaledDifference(softmax(logits), zeros(logits), 1 / logits.length),
      hint:
        "Subtract the one-hot target: d loss / d logits = (softmax − onehot) / N. Without it every entry is " +
        "positive and each row sums to 1/N instead of 0.",
    },
    {
      name: "sign flipped",
      output: (_, expected) => scaled(expected, -1),
      hint:
        "The sign is flipped: the gradient is (softmax − onehot) / N, negative at the target, because raising " +
        "the target's logit lowers the loss. (onehot − softmax) is the direction to step in, not the gradient.",
    },
    {
      name: "naive softmax",
      output: (args) => scaledDifference(args[0].map(naiveSoftmax), oneHotOf(args), 1 / args[0].length),
      hint:
        "Math.exp overflows: with logits like [1000, 1001, 1002], Math.exp(1000) is Infinity and " +
        "Infinity / Infinity is NaN. Subtract each row's max before Math.exp; the softmax does not change.",
    },
    {
      name: "softmax over the wrong axis",
      output: (args) =>
        scaledDifference(columnLogSoftmax(args[0]).map((row) => row.map(Math.exp)), oneHotOf(args), 1 / args[0].length),
      hint:
        "Your softmax runs down each column (over the batch) instead of along each row (over the classes): " +
        "normalise each row of logits, one row per example.",
    },
    {
      name: "sign flipped and missing 1/N",
      output: ([logits], expected) => scaled(expected, -logits.length),
      hint:
        "Two things: the sign is flipped, and the 1/N is missing. The gradient of the mean loss is " +
        "(softmax − onehot) / N: negative at the target, and divided by the number of rows.",
    },
    {
      name: "divided by C instead of N",
      output: ([logits], expected) => scaled(expected, logits.length / logits[0].length),
      hint:
        "You divide by C, the number of classes; the 1/N comes from the mean over the " +
        "N rows: d loss / d logits = (softmax − onehot) / N, with N = logits.length.",
    },
    { name: "one-hot at target + 1", output: (args) => scaledDifference(softmax(args[0]), oneHotOf(args, 1), 1 / args[0].length), hint: OFF_BY_ONE },
    { name: "one-hot at target − 1", output: (args) => scaledDifference(softmax(args[0]), oneHotOf(args, -1), 1 / args[0].length), hint: OFF_BY_ONE },
    {
      name: "one-hot at the predicted class",
      output: (args) => scaledDifference(softmax(args[0]), predictedOneHot(args), 1 / args[0].length),
      hint:
        "Your one-hot marks each row's largest logit (the predicted class), not the target: the 1 goes at column " +
        "targets[n], the class the label names. Then d loss / d logits = (softmax − onehot) / N.",
    },
    float32Arithmetic<Args>(),
  ],
};
