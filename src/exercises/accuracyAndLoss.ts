/**
 * The evaluation exercise: fn(weights, bias, X, targets) => [accuracy, mean loss] of the model
 * logits = X W + b on a batch. Taught in notebooks/10-training-on-digits.ipynb.
 */
import { crossEntropy } from "../loss/crossEntropy";
import { accuracy, forward } from "../course/softmaxRegression";
import { meanOverRows, naiveSoftmax } from "./foils";
import type { Exercise } from "./types";

type Args = [weights: number[][], bias: number[], X: number[][], targets: number[]];

const logitsOf = ([weights, bias, X]: Args) => forward(X, { weights, bias });
const W = [[1, -1, 0], [0, 2, -1]];
const b = [0, 0.5, 0];
const X = [[1, 0], [0, 1], [2, 1], [-1, 1], [0.5, 0.5]];

export const accuracyAndLossExercise: Exercise<Args> = {
  name: "accuracyAndLoss",
  signature: "fn(weights: number[][], bias: number[], X: number[][], targets: number[]) => [accuracy, meanLoss]",
  argNames: ["weights", "bias", "X", "targets"],
  cases: [
    { name: "one example, right", args: [W, b, [[1, 0]], [0]] },
    { name: "one example, wrong", args: [W, b, [[0, 1]], [0]] },
    { name: "5 examples", args: [W, b, X, [0, 1, 0, 1, 2]] },
    { name: "5 examples, other targets", args: [W, b, X, [2, 1, 1, 0, 1]] },
    { name: "large weights", args: [[[1000, -1000, 0], [0, 2000, -1000]], b, X, [0, 1, 0, 1, 2]] },
  ],
  expected: (weights, bias, x, targets) => {
    const logits = forward(x, { weights, bias });
    return [accuracy(logits, targets), crossEntropy(logits, targets)];
  },
  mistakes: [
    {
      name: "accuracy as a count",
      output: (args, expected) => [(expected as number[])[0] * args[3].length, (expected as number[])[1]],
      hint: "Accuracy is a share, not a count: divide the number of right predictions by N.",
    },
    {
      name: "summed loss",
      output: (args, expected) => [(expected as number[])[0], (expected as number[])[1] * args[3].length],
      hint: "The loss is the mean over the batch, not the sum: divide by N.",
    },
    {
      name: "error rate",
      output: (_, expected) => [1 - (expected as number[])[0], (expected as number[])[1]],
      hint: "That is the error rate: accuracy counts the rows whose largest logit is at the target.",
    },
    {
      name: "naive softmax",
      output: (args, expected) => [
        (expected as number[])[0],
        meanOverRows(logitsOf(args), args[3], (row, y) => -Math.log(naiveSoftmax(row)[y])),
      ],
      hint:
        "Math.exp overflows on large logits: use the module's crossEntropy (or subtract each row's max) " +
        "instead of log(exp(z) / Σ exp(z)).",
    },
  ],
};
