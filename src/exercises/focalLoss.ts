/**
 * The focal loss exercise: fn(logits: number[][], targets: number[], gamma: number) => number,
 * the mean over rows of −(1 − p_y)^γ log p_y with p = softmax(row) (Lin et al. 2017).
 * Taught in notebooks/05-reductions-and-class-weights.ipynb.
 */
import { focalLoss } from "../loss/focal";
import { crossEntropy } from "../loss/crossEntropy";
import { logSoftmax } from "../loss/softmax";
import { naiveSoftmax, scaled } from "./foils";
import type { Exercise } from "./types";

type Args = [logits: number[][], targets: number[], gamma: number];

/** The mean over rows of factor(p_y, γ) · (−log p_y), log p_y from the stable log-softmax. */
const scaledMean = ([logits, targets, gamma]: Args, factor: (p: number, gamma: number) => number): number =>
  logits.reduce((total, row, n) => {
    const logPy = logSoftmax(row)[targets[n]];
    return total - factor(Math.exp(logPy), gamma) * logPy;
  }, 0) / logits.length;

export const focalLossExercise: Exercise<Args> = {
  name: "focalLoss",
  signature: "fn(logits: number[][], targets: number[], gamma: number) => number",
  argNames: ["logits", "targets", "gamma"],
  cases: [
    { name: "γ = 0 is cross-entropy", args: [[[2, 1, 0.1], [0.5, 2.5, 0.3]], [0, 2], 0] },
    { name: "γ = 2, an easy and a hard row", args: [[[4, 0, 0], [0, 3, 0]], [0, 0], 2] },
    { name: "γ = 2, uncertain rows", args: [[[0.2, 0.1], [0, 0.3], [1, 1]], [0, 1, 0], 2] },
    { name: "γ = 0.5", args: [[[1, -1, 0.5, 2]], [2], 0.5] },
    { name: "γ = 5, an easy row counts almost nothing", args: [[[6, 0], [0, 0.5]], [0, 0], 5] },
    { name: "large logits", args: [[[1000, 1001, 1002], [0, 0, 0]], [1, 2], 2] },
  ],
  expected: (logits, targets, gamma) => focalLoss(logits, targets, { gamma }),
  mistakes: [
    {
      name: "the factor left out",
      output: ([logits, targets]) => crossEntropy(logits, targets),
      hint:
        "You return the plain cross-entropy: multiply each row's −log p_y by (1 − p_y)^γ, which is near 0 " +
        "for a row the model already gets right and near 1 for a hard one.",
    },
    {
      name: "p_y^γ instead of (1 − p_y)^γ",
      output: (args) => scaledMean(args, (p, g) => p ** g),
      hint:
        "Your factor is p_y^γ, which turns the easy rows up. The focal factor is (1 − p_y)^γ, the " +
        "probability the model gives the wrong classes, so confident right rows fade out.",
    },
    {
      name: "γ as a multiplier",
      output: (args) => scaledMean(args, (p, g) => (1 - p) * g),
      hint: "γ is an exponent, not a multiplier: the factor is (1 − p_y) ** γ, so γ = 0 gives cross-entropy.",
    },
    {
      name: "naive softmax",
      output: ([logits, targets, gamma]) =>
        logits.reduce((t, row, n) => {
          const p = naiveSoftmax(row)[targets[n]];
          return t - (1 - p) ** gamma * Math.log(p);
        }, 0) / logits.length,
      hint:
        "Math.exp overflows: Math.exp(1000) is Infinity and Infinity / Infinity is NaN. Take log p_y from a " +
        "stable log-softmax (row[y] − logSumExp(row)) and p_y = Math.exp(log p_y).",
    },
    {
      name: "sign flipped",
      output: (_, expected) => scaled(expected, -1),
      hint: "Your loss is negative: log p_y ≤ 0, so the loss is −(1 − p_y)^γ · log p_y.",
    },
  ],
};
