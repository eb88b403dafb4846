/**
 * One gradient-descent step on the bigram logit matrix W: fn(W, inputs, targets, learningRate) => number[][],
 * the new W after W ← W − η · d loss / dW, where logits_n = W[inputs[n]] (one-hot input times W)
 * and the loss is the mean cross-entropy. Taught in notebooks/12-a-character-language-model.ipynb.
 */
import { crossEntropyBackward } from "../loss/crossEntropyBackward";
import { softmax } from "../loss/softmax";
import type { Exercise } from "./types";

type Args = [W: number[][], inputs: number[], targets: number[], learningRate: number];

/** d loss / dW from the rows of d loss / d logits: each row added to W's row of its input. */
function gradientOfW(W: number[][], inputs: number[], dLogits: number[][], accumulate = true): number[][] {
  const dW = W.map((row) => row.map(() => 0));
  inputs.forEach((i, n) => {
    dW[i] = dW[i].map((g, c) => (accumulate ? g : 0) + dLogits[n][c]);
  });
  return dW;
}

const logitsOf = ([W, inputs]: Args): number[][] => inputs.map((i) => W[i]);
const step = (W: number[][], dW: number[][], learningRate: number): number[][] =>
  W.map((row, i) => row.map((w, c) => w - learningRate * dW[i][c]));
const moduleGradient = (args: Args): number[][] => gradientOfW(args[0], args[1], crossEntropyBackward(logitsOf(args), args[2]));

export const bigramStepExercise: Exercise<Args> = {
  name: "bigramStep",
  signature: "fn(W: number[][], inputs: number[], targets: number[], learningRate: number) => number[][]",
  argNames: ["W", "inputs", "targets", "learningRate"],
  // Every case repeats an input, so overwriting instead of adding shows, and no learning rate is 1,
  // so returning the gradient differs from a flipped step.
  cases: [
    { name: "W = 0, three bigrams", args: [[[0, 0, 0], [0, 0, 0], [0, 0, 0]], [0, 1, 1], [1, 2, 0], 0.5] },
    { name: "four bigrams", args: [[[0.5, -1, 2], [1, 0, -0.5], [-2, 1, 0.3]], [2, 0, 2, 2], [0, 0, 1, 2], 0.1] },
    { name: "one input twice", args: [[[0, 1, 0, 0], [0.2, 0.1, -0.3, 0], [1, 1, 1, 1], [0, 0, 0, 2]], [1, 1], [3, 3], 10] },
    { name: "large weights", args: [[[1000, 0, 0], [0, 1000, 999], [5, 5, 5]], [1, 0, 1], [2, 2, 1], 2] },
  ],
  expected: (W, inputs, targets, learningRate) => step(W, moduleGradient([W, inputs, targets, learningRate]), learningRate),
  mistakes: [
    {
      name: "missing 1/N",
      output: (args) => step(args[0], moduleGradient(args).map((row) => row.map((g) => g * args[1].length)), args[3]),
      hint:
        "The loss is a mean over the N bigrams, so its gradient carries 1/N: d loss / d logits = (softmax − onehot) / N, " +
        "then each of those rows is added to W's row of its input.",
    },
    {
      name: "step uphill",
      output: (args) => step(args[0], moduleGradient(args), -args[3]),
      hint: "You stepped uphill: gradient descent subtracts, W ← W − learningRate · d loss / dW.",
    },
    {
      name: "returned the gradient",
      output: (args) => moduleGradient(args),
      hint: "You returned d loss / dW; the exercise asks for the new W after the step: W − learningRate · d loss / dW.",
    },
    {
      name: "overwritten instead of added",
      output: (args) => step(args[0], gradientOfW(args[0], args[1], crossEntropyBackward(logitsOf(args), args[2]), false), args[3]),
      hint:
        "When the same character is the input of several bigrams, their gradient rows all land on the same row of W: " +
        "add them up (dW[inputs[n]][c] += ...), do not overwrite (=).",
    },
    {
      name: "one-hot not subtracted",
      output: (args) =>
        step(args[0], gradientOfW(args[0], args[1], softmax(logitsOf(args)).map((row) => row.map((p) => p / args[1].length))), args[3]),
      hint:
        "Subtract the one-hot target: d loss / d logits = (softmax − onehot) / N. Without it the step only ever " +
        "lowers logits, the target's too.",
    },
  ],
};
