/**
 * The label smoothing exercise: fn(logits: number[][], targets: number[], epsilon:
 * number) => number, the mean cross-entropy against q = (1 − ε)·onehot + ε/C, as
 * PyTorch's cross_entropy(..., label_smoothing=ε). Taught in
 * notebooks/06-ignore-index-smoothing-and-soft-targets.ipynb.
 */
import { crossEntropy } from "../loss/crossEntropy";
import { logSoftmax } from "../loss/softmax";
import { FLOAT64_TOLERANCE } from "./compare";
import { float32Arithmetic, scaled } from "./foils";
import type { Exercise } from "./types";

type Args = [logits: number[][], targets: number[], epsilon: number];

/** The mean over rows of −Σ_c q_c log p_c, with q built by `target(C, y, ε)`. */
const againstTargets = (
  [logits, targets, epsilon]: Args,
  target: (C: number, y: number, eps: number) => number[],
): number =>
  logSoftmax(logits).reduce((total, l, n) => {
    const q = target(l.length, targets[n], epsilon);
    return total - l.reduce((s, lc, c) => (q[c] === 0 ? s : s + q[c] * lc), 0);
  }, 0) / logits.length;

export const crossEntropySmoothedExercise: Exercise<Args> = {
  name: "crossEntropySmoothed",
  signature: "fn(logits: number[][], targets: number[], epsilon: number) => number",
  argNames: ["logits", "targets", "epsilon"],
  cases: [
    { name: "ε = 0: plain cross-entropy", args: [[[2, 1, 0.1], [0, 1, 0]], [0, 1], 0] },
    { name: "ε = 0.1", args: [[[2, 1, 0.1], [0, 1, 0]], [0, 1], 0.1] },
    { name: "ε = 0.1, 4 classes", args: [[[1, 2, 3, 4], [4, 3, 2, 1]], [3, 1], 0.1] },
    { name: "ε = 1: the uniform target", args: [[[2, 1, 0.1], [0, 3, 1]], [0, 2], 1] },
    { name: "confident and right, ε = 0.2", args: [[[30, 0, 0]], [0], 0.2] },
    { name: "large logits, ε = 0.05", args: [[[1000, 1001, 1002]], [2], 0.05] },
  ],
  expected: (logits, targets, labelSmoothing) =>
    crossEntropy(logits, targets, { labelSmoothing }),
  tolerance: FLOAT64_TOLERANCE,
  mistakes: [
    {
      name: "ε/(C − 1) on the other classes only",
      output: (args) =>
        againstTargets(args, (C, y, e) =>
          Array.from({ length: C }, (_, c) => (c === y ? 1 - e : e / (C - 1)))),
      hint:
        "You spread ε over the other classes only, ε/(C − 1) each. PyTorch spreads it " +
        "over all C classes, the true one included: q = (1 − ε)·onehot + ε/C, so the " +
        "true class keeps 1 − ε + ε/C.",
    },
    {
      name: "the true class keeps 1 − ε only",
      output: (args) =>
        againstTargets(args, (C, y, e) =>
          Array.from({ length: C }, (_, c) => (c === y ? 1 - e : e / C))),
      hint:
        "Your target sums to 1 − ε/C, not 1: the ε/C share lands on the true class " +
        "too, which keeps 1 − ε + ε/C.",
    },
    {
      name: "sum instead of mean",
      output: ([logits], expected) => scaled(expected, logits.length),
      hint: "You returned the sum over the rows; the loss is their mean: divide by N.",
    },
    {
      name: "smoothed the probabilities, not the target",
      output: ([logits, targets, e]) =>
        logits.reduce((total, row, n) => {
          const p = logSoftmax([row])[0].map(Math.exp);
          return total - Math.log((1 - e) * p[targets[n]] + e / row.length);
        }, 0) / logits.length,
      hint:
        "You smoothed the prediction, −log((1 − ε)·p + ε/C), instead of the target: " +
        "label smoothing keeps p and changes what it is compared with, −Σ_c q_c log " +
        "p_c with q = (1 − ε)·onehot + ε/C.",
    },
    float32Arithmetic<Args>(),
  ],
};
