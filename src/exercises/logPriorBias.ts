/**
 * The log-prior bias exercise: fn(targets: number[], numClasses: number) => number[], the output
 * bias whose softmax is the share of each class among the targets. Any constant added to every
 * entry gives the same softmax, so the checker compares log softmax(bias) with log(prior).
 * Taught in notebooks/04-why-cross-entropy.ipynb.
 */
import { classPrior, logPriorBias } from "../course/prior";
import { logSoftmax } from "../loss/softmax";
import type { Exercise } from "./types";

type Args = [targets: number[], numClasses: number];

const isNumbers = (value: unknown): value is number[] =>
  Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "number");

/** The counts of each class, plus `extra` on every one. */
const counts = ([targets, numClasses]: Args, extra = 0): number[] =>
  Array.from({ length: numClasses }, (_, c) => extra + targets.filter((y) => y === c).length);

export const logPriorBiasExercise: Exercise<Args> = {
  name: "logPriorBias",
  signature: "fn(targets: number[], numClasses: number) => number[]",
  argNames: ["targets", "numClasses"],
  cases: [
    { name: "balanced", args: [[0, 1, 2, 0, 1, 2], 3] },
    { name: "three to one", args: [[0, 0, 0, 1], 2] },
    { name: "8 : 1 : 1", args: [[0, 0, 0, 1, 0, 0, 2, 0, 0, 0], 3] },
    { name: "five classes", args: [[4, 4, 1, 0, 4, 2, 3, 4, 4, 4, 1, 4], 5] },
    { name: "one rare class in 20", args: [[...new Array<number>(19).fill(1), 0], 2] },
  ],
  // log softmax(bias): the same for log(prior), log(counts) or any other shift of them.
  expected: (targets, numClasses) => logPriorBias(targets, numClasses),
  call: (fn, args) => {
    const got = fn(...args);
    return { got: isNumbers(got) && got.every(Number.isFinite) ? logSoftmax(got) : got };
  },
  mistakes: [
    {
      name: "the prior without the log",
      output: (args) => logSoftmax(classPrior(...args)),
      hint:
        "Your bias is the prior itself, but softmax exponentiates: softmax(b) = prior needs b[c] = log prior[c] " +
        "(plus any constant), so take Math.log of each class's share.",
    },
    {
      name: "sign flipped",
      output: (args) => logSoftmax(logPriorBias(...args).map((b) => -b)),
      hint: "Your bias favours the rare classes: b[c] = +log prior[c], so the common class gets the largest logit.",
    },
    {
      name: "a count added to every class",
      output: (args) => logSoftmax(counts(args, 1).map(Math.log)),
      hint:
        "You smoothed the counts (count + 1): that is a different prior. The bias that starts the model at the " +
        "data's own class shares is log(count_c / N).",
    },
    {
      name: "all zeros",
      output: ([, numClasses]) => logSoftmax(new Array<number>(numClasses).fill(0)),
      hint: "A zero bias starts every class at 1/C: count each class's share of the targets and take its log.",
    },
  ],
};
