/**
 * The log-sum-exp exercise: fn(values: number[]) => number, log(Σ exp(values)) without overflow.
 * Taught in notebooks/03-negative-log-likelihood.ipynb.
 */
import { logSumExp } from "../softmax";
import { FLOAT64_TOLERANCE } from "./compare";
import { float32Arithmetic, maxFromZero, rowMin } from "./foils";
import type { Exercise } from "./runner";

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
    { name: "wide range", args: [[1000, 0, -1000]] },
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
    {
      name: "shifted by the minimum",
      output: ([values]) => {
        const shift = rowMin(values);
        return shift + Math.log(values.reduce((sum, v) => sum + Math.exp(v - shift), 0));
      },
      hint:
        "You take out the smallest value, not the largest: then exp(v − min) overflows as soon as the values " +
        "spread, as in [1000, 0, -1000] where exp(2000) is Infinity. logSumExp(v) = max + log Σ exp(v − max).",
    },
    float32Arithmetic<[values: number[]]>(),
  ],
};
