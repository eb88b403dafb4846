/**
 * The log-sum-exp exercise: fn(values: number[]) => number, log(Σ exp(values)) without overflow.
 * Taught in notebooks/03-negative-log-likelihood.ipynb.
 */
import { logSumExp } from "../loss/softmax";
import { FLOAT64_TOLERANCE } from "./compare";
import { float32Arithmetic, maxFromZero, rowMean, rowMin } from "./foils";
import type { Exercise } from "./types";

/** c + log Σ exp(v − c): exact for any c, but only c = max keeps every exponent ≤ 0. */
const shiftedBy = (values: number[], c: number): number => c + Math.log(values.reduce((sum, v) => sum + Math.exp(v - c), 0));
const wrongShift = (by: string): string =>
  `You take out the ${by}, not the largest: c + log Σ exp(v − c) is right for any c in exact arithmetic, but ` +
  "only c = max keeps every exponent ≤ 0; otherwise exp overflows once the values spread, as in " +
  "[1000, 0, -1000] (or -Infinity − (-Infinity) = NaN). logSumExp(v) = max + log Σ exp(v − max).";

export const logSumExpExercise: Exercise<[values: number[]]> = {
  name: "logSumExp",
  signature: "fn(values: number[]) => number",
  argNames: ["values"],
  cases: [
    { name: "three values", args: [[1, 2, 3]] },
    { name: "mixed signs", args: [[0.5, -0.5, 2, 1]] },
    { name: "single value", args: [[-4.2]] },
    { name: "large values", args: [[1000, 1000]] },
    { name: "very negative values", args: [[-1000, -1000]] },
    // The max first, then the smallest first with the mean far enough up (333): shifting by the
    // first value, the minimum or the mean each fails a different set of these two.
    { name: "wide range", args: [[1000, 0, -1000]] },
    { name: "wide range, smallest first", args: [[-1000, 1000, 1000]] },
    { name: "-Infinity entries", args: [[-Infinity, 0, -Infinity]] },
  ],
  expected: (values) => logSumExp(values),
  tolerance: FLOAT64_TOLERANCE,
  mistakes: [
    {
      name: "naive log-sum-exp",
      output: ([values]) => Math.log(values.reduce((sum, v) => sum + Math.exp(v), 0)),
      hint:
        "Math.exp overflows: Math.exp(1000) is Infinity (and Math.exp(-1000) underflows to 0, whose log is " +
        "-Infinity). Take out the largest value first: logSumExp(v) = max + log Σ exp(v − max).",
    },
    {
      name: "max not added back",
      output: ([values], expected) => (expected as number) - Math.max(...values),
      hint: "You shifted by the max but did not add it back: logSumExp(v) = max + log Σ exp(v − max).",
    },
    {
      name: "max added to the unshifted sum",
      output: ([values]) =>
        Math.max(...values) + Math.log(values.reduce((sum, v) => sum + Math.exp(v), 0)),
      hint:
        "You add the max outside but never subtract it inside: max + log Σ exp(v) " +
        "counts the max twice, and Math.exp(1000) still overflows. The max comes out " +
        "of every term: logSumExp(v) = max + log Σ exp(v − max).",
    },
    {
      name: "running max starts at 0",
      output: ([values]) => {
        const shift = maxFromZero(values);
        return shift + Math.log(values.reduce((sum, v) => sum + Math.exp(v - shift), 0));
      },
      hint:
        "Your running max starts at 0 instead of -Infinity: when every value is far below 0, like " +
        "[-1000, -1000], every Math.exp(v − 0) underflows to 0 and log 0 is -Infinity. " +
        "Start the max at -Infinity (or at values[0]).",
    },
    {
      name: "the max alone",
      output: ([values]) => Math.max(...values),
      hint:
        "You returned the max alone. It is only an approximation: logSumExp(v) = max + log Σ exp(v − max), " +
        "and the second term is at least 0 (log 2 for two equal values).",
    },
    { name: "shifted by the minimum", output: ([values]) => shiftedBy(values, rowMin(values)), hint: wrongShift("smallest value") },
    { name: "shifted by the mean", output: ([values]) => shiftedBy(values, rowMean(values)), hint: wrongShift("mean") },
    { name: "shifted by the first value", output: ([values]) => shiftedBy(values, values[0]), hint: wrongShift("first value") },
    float32Arithmetic<[values: number[]]>(),
  ],
};
