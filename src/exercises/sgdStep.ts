/**
 * The mini-batch step exercise: fn(weights, bias, X, targets, learningRate, weightDecay) =>
 * the new weights W − η (Xᵀ G + λ W), with G = (softmax − onehot) / N.
 * Taught in notebooks/10-training-on-digits.ipynb.
 */
import { crossEntropyBackward } from "../loss/crossEntropyBackward";
import { forward, sgdStep } from "../course/softmaxRegression";
import type { Exercise } from "./types";

type Args = [weights: number[][], bias: number[], X: number[][], targets: number[], learningRate: number, weightDecay: number];

/** W − η (s · Xᵀ G + d · λ W) − e · λ W: the right step for s = 1, d = 1, e = 0; the foils vary them. */
function variant([weights, bias, X, targets, learningRate, weightDecay]: Args, s: number, d: number, e: number): number[][] {
  const G = crossEntropyBackward(forward(X, { weights, bias }), targets);
  return weights.map((row, j) =>
    row.map((w, c) => {
      const data = X.reduce((sum, x, n) => sum + x[j] * G[n][c], 0);
      return w - learningRate * (s * data + d * weightDecay * w) - e * weightDecay * w;
    }),
  );
}

const W2 = [[0.5, -0.25, 0], [-0.5, 1, 0.25]];
const B3 = [0.1, 0, -0.1];
const X4 = [[1, 0], [0.5, 0.5], [0, 1], [1, 1]];

export const sgdStepExercise: Exercise<Args> = {
  name: "sgdStep",
  signature: "fn(weights: number[][], bias: number[], X: number[][], targets: number[], learningRate: number, weightDecay: number) => number[][]",
  argNames: ["weights", "bias", "X", "targets", "learningRate", "weightDecay"],
  cases: [
    { name: "one example, no decay", args: [[[0, 0]], [0, 0], [[1]], [0], 1, 0] },
    { name: "one example, decay 0.1", args: [[[0.5, -0.5]], [0, 0], [[2]], [1], 0.5, 0.1] },
    { name: "batch of 4, no decay", args: [W2, B3, X4, [0, 1, 2, 1], 0.5, 0] },
    { name: "batch of 4, decay 0.01", args: [W2, B3, X4, [0, 1, 2, 1], 0.5, 0.01] },
    { name: "batch of 4, decay 0.5", args: [W2, B3, X4, [2, 2, 0, 1], 0.1, 0.5] },
    { name: "zero learning rate", args: [W2, B3, X4, [0, 1, 2, 1], 0, 0.5] },
  ],
  expected: (weights, bias, X, targets, learningRate, weightDecay) =>
    // sgdStep rejects η = 0; the answer there is the weights unchanged, as for any η·0.
    learningRate === 0 ? weights : sgdStep({ weights, bias }, X, targets, { learningRate, weightDecay }).weights,
  mistakes: [
    {
      name: "decay with the wrong sign",
      output: (args) => variant(args, 1, -1, 0),
      hint:
        "The weight decay term has the wrong sign: the penalty (λ/2)·‖W‖² has gradient +λW, and the step subtracts it, " +
        "W ← W − η (Xᵀ G + λ W), so decay shrinks the weights towards 0.",
    },
    {
      name: "decay doubled",
      output: (args) => variant(args, 1, 2, 0),
      hint: "The decay term is twice too large: the penalty is (λ/2)·‖W‖², whose gradient is λW, not 2λW.",
    },
    {
      name: "decay not times the learning rate",
      output: (args) => variant(args, 1, 0, 1),
      hint: "The decay term must be multiplied by the learning rate too: W ← W − η (Xᵀ G + λ W), not W − η Xᵀ G − λ W.",
    },
    {
      name: "no decay",
      output: (args) => variant(args, 1, 0, 0),
      hint: "The weight decay term is missing: add λ W to the gradient, W ← W − η (Xᵀ G + λ W).",
    },
    {
      name: "missing 1/N",
      output: (args) => variant(args, args[2].length, 1, 0),
      hint:
        "The gradient of the mean loss over the batch carries 1/N: G = (softmax − onehot) / N. Without it, " +
        "the step grows with the batch size.",
    },
    {
      name: "1/N twice",
      output: (args) => variant(args, 1 / args[2].length, 1, 0),
      hint:
        "The batch's 1/N is counted twice: crossEntropyBackward's G already holds it, so Xᵀ G needs no second division.",
    },
    {
      name: "step uphill",
      output: (args) => variant(args, -1, -1, 0),
      hint: "The step goes uphill: subtract the gradient, W ← W − η (Xᵀ G + λ W).",
    },
  ],
};
