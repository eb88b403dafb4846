/**
 * The ignoreIndex exercise: fn(logits: number[][], targets: number[], ignoreIndex: number) => number,
 * the mean cross-entropy over the targets that are not ignoreIndex (padding), as PyTorch's
 * cross_entropy(..., ignore_index). Taught in notebooks/06-ignore-index-smoothing-and-soft-targets.ipynb.
 */
import { crossEntropy } from "../loss/crossEntropy";
import { FLOAT64_TOLERANCE } from "./compare";
import { float32Arithmetic, scaled } from "./foils";
import type { Exercise } from "./types";

type Args = [logits: number[][], targets: number[], ignoreIndex: number];

/** The per-row losses of the kept rows, by the module: "none" gives 0 for an ignored row. */
const keptLosses = ([logits, targets, ignoreIndex]: Args, keep: (y: number) => boolean): number[] =>
  logits.flatMap((row, n) => (keep(targets[n]) ? [crossEntropy([row], [targets[n]])] : []));
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

export const crossEntropyIgnoreIndexExercise: Exercise<Args> = {
  name: "crossEntropyIgnoreIndex",
  signature: "fn(logits: number[][], targets: number[], ignoreIndex: number) => number",
  argNames: ["logits", "targets", "ignoreIndex"],
  cases: [
    { name: "nothing ignored", args: [[[2, 1, 0.1], [0, 1, 0], [1, 1, 3]], [0, 1, 2], -100] },
    { name: "one padded row", args: [[[2, 1, 0.1], [5, 5, 5], [1, 1, 3]], [0, -100, 2], -100] },
    { name: "padding at the end", args: [[[1, 2], [3, 4], [0, 0], [0, 0]], [1, 0, -100, -100], -100] },
    { name: "ignoreIndex is a class", args: [[[2, 1, 0.1], [0, 1, 0], [1, 1, 3]], [0, 1, 2], 0] },
    { name: "confident and wrong, with padding", args: [[[0, 40], [0, 0]], [0, -100], -100] },
    { name: "every target ignored", args: [[[1, 2], [3, 4]], [-100, -100], -100] },
  ],
  expected: (logits, targets, ignoreIndex) => crossEntropy(logits, targets, { ignoreIndex }),
  tolerance: FLOAT64_TOLERANCE,
  mistakes: [
    {
      name: "divided by N",
      output: (args) => sum(keptLosses(args, (y) => y !== args[2])) / args[0].length,
      hint:
        "The mean is over the targets that are not ignored: divide by how many targets differ from ignoreIndex, " +
        "not by N. Padding rows would otherwise pull the loss towards 0.",
    },
    {
      name: "ignored rows not skipped",
      output: ([logits, targets]) =>
        targets.every((y) => y >= 0 && y < logits[0].length) ? crossEntropy(logits, targets) : NaN,
      hint:
        "The ignored rows are not skipped: logits[n][-100] is undefined, so the loss turns NaN. " +
        "Skip every row whose target equals ignoreIndex, and count only the others.",
    },
    {
      name: "negative targets ignored",
      output: (args) => {
        const kept = keptLosses(args, (y) => y >= 0);
        return sum(kept) / kept.length;
      },
      hint:
        "You skip negative targets, but ignoreIndex can be any number, even a real class such as 0: " +
        "skip exactly the targets equal to ignoreIndex.",
    },
    {
      name: "0 when every target is ignored",
      output: (_, expected) => (Number.isNaN(expected as number) ? 0 : expected),
      hint:
        "With every target ignored there is nothing to average: the mean is 0 / 0, and PyTorch (like this " +
        "module) returns NaN. Returning 0 would hide a batch made only of padding.",
    },
    {
      name: "sum instead of mean",
      output: (args) => sum(keptLosses(args, (y) => y !== args[2])),
      hint: "You returned the sum of the kept losses; the loss is their mean: divide by the number of kept targets.",
    },
    {
      name: "sign flipped",
      output: (_, expected) => scaled(expected, -1),
      hint: "The loss has the wrong sign: cross-entropy is −log p(target), which is never negative.",
    },
    float32Arithmetic<Args>(),
  ],
};
