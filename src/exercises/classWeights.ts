/**
 * The class-weights exercise: fn(logits: number[][], targets: number[], weight: number[]) => number,
 * the weighted mean cross-entropy Σ_n w[y_n] ℓ_n / Σ_n w[y_n], as PyTorch's
 * cross_entropy(..., weight). Taught in notebooks/05-reductions-and-class-weights.ipynb.
 */
import { crossEntropy } from "../loss/crossEntropy";
import { naiveSoftmax } from "./foils";
import type { Exercise } from "./types";

type Args = [logits: number[][], targets: number[], weight: number[]];

/** Each row's unweighted loss −log p_y, by the module. */
const rowLosses = ([logits, targets]: Args): number[] => crossEntropy(logits, targets, { reduction: "none" }) as number[];
/** Σ_n w[y_n] ℓ_n: the weighted losses added up, which every foil below divides by something else. */
const weightedSum = (args: Args): number => rowLosses(args).reduce((s, l, n) => s + args[2][args[1][n]] * l, 0);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

export const crossEntropyWeightedExercise: Exercise<Args> = {
  name: "crossEntropyWeighted",
  signature: "fn(logits: number[][], targets: number[], weight: number[]) => number",
  argNames: ["logits", "targets", "weight"],
  cases: [
    { name: "equal weights", args: [[[2, 1, 0.1], [0, 1, 0], [1, 1, 3]], [0, 1, 2], [1, 1, 1]] },
    { name: "a rare class weighted up", args: [[[2, 1, 0.1], [0, 1, 0], [1, 1, 3], [0.5, 2, 1]], [0, 1, 2, 1], [1, 1, 4]] },
    { name: "batch of one: the weight cancels", args: [[[0.5, 1.5, -1]], [2], [1, 1, 4]] },
    { name: "a class weighted 0", args: [[[1, 2], [2, 1], [0, 3]], [0, 1, 1], [0, 2]] },
    { name: "large logits", args: [[[1000, 1001, 1002], [0, 0, 0]], [2, 1], [2, 1, 0.5]] },
    { name: "confident and wrong", args: [[[0, 40], [1, 0]], [0, 0], [3, 1]] },
  ],
  expected: (logits, targets, weight) => crossEntropy(logits, targets, { weight }),
  mistakes: [
    {
      name: "divided by N",
      output: (args) => weightedSum(args) / args[0].length,
      hint:
        "You divide the weighted losses by N. PyTorch's weighted mean divides by the sum of the targets' weights, " +
        "Σ_n w[y_n]: it is a weighted average of the losses, not the mean of the weighted losses.",
    },
    {
      name: "weights ignored",
      output: (args) => sum(rowLosses(args)) / args[0].length,
      hint: "Your loss does not change with the weights: scale each row's loss by w[y_n], its target's weight, and divide by Σ_n w[y_n].",
    },
    {
      name: "divided by the sum of every class weight",
      output: (args) => weightedSum(args) / sum(args[2]),
      hint:
        "You divide by the sum of all the class weights. Divide by the weights of the targets in this batch, " +
        "Σ_n w[y_n], one term per row: a class that is nobody's target adds nothing.",
    },
    {
      name: "naive softmax",
      output: ([logits, targets, weight]) => {
        const losses = logits.map((row, n) => -Math.log(naiveSoftmax(row)[targets[n]]));
        return losses.reduce((s, l, n) => s + weight[targets[n]] * l, 0) / sum(targets.map((y) => weight[y]));
      },
      hint:
        "Math.exp overflows: Math.exp(1000) is Infinity and Infinity / Infinity is NaN. Compute each row's loss as " +
        "logSumExp(row) − row[y] (or subtract the row's max before Math.exp).",
    },
  ],
};
