/**
 * The gradient-accumulation exercise: fn(losses: number[][], targets: number[][]) => number, the
 * token mean over a batch run as micro-batches, padding (target −100) ignored: the loss PyTorch's
 * cross_entropy gives on the whole batch at once. Taught in notebooks/A1-side-by-side-with-pytorch.ipynb.
 */
import { accumulatedTokenMean } from "../course/accumulation";
import type { Exercise } from "./types";

type Args = [losses: number[][], targets: number[][]];

const PAD = -100;
const realLosses = (losses: number[], targets: number[]): number[] => losses.filter((_, t) => targets[t] !== PAD);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

export const accumulatedTokenMeanExercise: Exercise<Args> = {
  name: "accumulatedTokenMean",
  signature: "fn(losses: number[][], targets: number[][]) => number",
  argNames: ["losses", "targets"],
  cases: [
    { name: "no padding, equal lengths", args: [[[1, 2], [3, 4]], [[0, 1], [1, 0]]] },
    { name: "a short sequence padded", args: [[[1, 1, 0, 0], [4, 2, 3, 1]], [[0, 2, PAD, PAD], [1, 1, 0, 2]]] },
    { name: "three micro-batches", args: [[[0.5], [2, 2, 0], [1, 3, 5]], [[1], [0, 1, PAD], [2, 2, 2]]] },
    { name: "one micro-batch", args: [[[0.7, 0, 1.3]], [[3, PAD, 1]]] },
    { name: "lengths 1 and 5", args: [[[6, 0, 0, 0, 0], [1, 1, 1, 1, 1]], [[4, PAD, PAD, PAD, PAD], [0, 1, 2, 3, 4]]] },
  ],
  expected: (losses, targets) => accumulatedTokenMean(losses, targets),
  mistakes: [
    {
      name: "the mean of the micro-batch means",
      output: ([losses, targets]) =>
        sum(losses.map((l, k) => sum(realLosses(l, targets[k])) / realLosses(l, targets[k]).length)) / losses.length,
      hint:
        "You average the micro-batches' own means, so a micro-batch with few real tokens counts as much as a " +
        "full one. Add up every real token's loss and divide once, by the real tokens in the whole batch " +
        "(accumulate each micro-batch's sum / the batch's token count).",
    },
    {
      name: "padding counted",
      output: ([losses]) => sum(losses.map(sum)) / sum(losses.map((l) => l.length)),
      hint:
        "Your count includes the padding: skip every position whose target is −100 in the count, as " +
        "ignore_index does (its loss is 0, but it must not be counted either).",
    },
    {
      name: "padding counted, mean of means",
      output: ([losses]) => sum(losses.map((l) => sum(l) / l.length)) / losses.length,
      hint:
        "Two mistakes: the padding is counted, and the micro-batches' means are averaged. Divide the sum of the " +
        "real tokens' losses by the number of real tokens in the whole batch.",
    },
    {
      name: "summed, not averaged",
      output: ([losses, targets]) => sum(losses.map((l, k) => sum(realLosses(l, targets[k])))),
      hint: "You return the sum: divide it by the number of real (non −100) tokens in the whole batch.",
    },
  ],
};
