/**
 * The softmax exercise: fn(row: number[]) => number[], the probabilities of one row of logits.
 * Taught in notebooks/02-softmax.ipynb.
 */
import { logSoftmax, softmax } from "../loss/softmax";
import { FLOAT64_TOLERANCE } from "./compare";
import { float32Arithmetic, maxFromZero, naiveSoftmax, rowMean, rowMin, softmaxShiftedBy } from "./foils";
import type { Exercise } from "./types";

const NOT_NORMALISED =
  "These are the exponentials, not yet divided by their sum: divide each one by Σ exp so the row sums to 1.";

const wrongShift = (by: string): string =>
  `You subtract the row's ${by}, not its max: softmax(x − c) = softmax(x) for any c, but only c = max keeps ` +
  "every exponent ≤ 0. In [-1000, 0, 1000] the largest exponent is then exp(1000) or more: Infinity, and " +
  "Infinity / Infinity is NaN. Subtract the max, so the largest exponential is exactly 1.";

export const softmaxExercise: Exercise<[row: number[]]> = {
  name: "softmax",
  signature: "fn(row: number[]) => number[]",
  argNames: ["row"],
  cases: [
    { name: "three logits", args: [[1, 2, 3]] },
    { name: "negative logits", args: [[-1, -2.5, 0.5, -3]] },
    { name: "equal logits", args: [[0.5, 0.5, 0.5, 0.5]] },
    { name: "single class (C = 1)", args: [[7]] },
    { name: "large logits", args: [[1000, 1001, 1002]] },
    { name: "very negative logits", args: [[-1000, -1001, -1002]] },
    { name: "all -Infinity but one", args: [[-Infinity, 2, -Infinity]] },
    // Shifting by the minimum, the mean or the first logit survives every narrow row above and
    // overflows in one of these two (the first logit is the max in the second).
    { name: "wide row", args: [[-1000, 0, 1000]] },
    { name: "wide row, largest first", args: [[1000, 0, -1000]] },
  ],
  expected: (row) => softmax(row),
  tolerance: FLOAT64_TOLERANCE,
  mistakes: [
    {
      name: "naive softmax",
      output: ([row]) => naiveSoftmax(row),
      hint:
        "Math.exp overflows: Math.exp(1000) is Infinity and Infinity / Infinity is NaN (and for very negative " +
        "logits every exp underflows to 0, and 0 / 0 is NaN). Subtract the row's largest logit before Math.exp: " +
        "softmax(x − max) = softmax(x), and the largest exponential becomes exactly 1.",
    },
    {
      name: "running max starts at 0",
      output: ([row]) => softmaxShiftedBy(row, maxFromZero(row)),
      hint:
        "Your running max starts at 0 instead of -Infinity: when every logit is far below 0, like " +
        "[-1000, -1001, -1002], every Math.exp(x − 0) underflows to 0 and 0 / 0 is NaN. " +
        "Start the max at -Infinity (or at row[0]).",
    },
    {
      name: "not normalised",
      output: ([row]) => row.map((x) => Math.exp(x - Math.max(...row))),
      hint: NOT_NORMALISED,
    },
    {
      name: "not normalised, not shifted",
      output: ([row]) => row.map(Math.exp),
      hint: NOT_NORMALISED,
    },
    {
      name: "logSoftmax instead of softmax",
      output: ([row]) => logSoftmax(row),
      hint: "These are log-probabilities (logSoftmax); softmax is their Math.exp, and every probability lies in [0, 1].",
    },
    {
      name: "shifted by the minimum",
      output: ([row]) => softmaxShiftedBy(row, rowMin(row)),
      hint: wrongShift("minimum"),
    },
    {
      name: "shifted by the mean",
      output: ([row]) => softmaxShiftedBy(row, rowMean(row)),
      hint: wrongShift("mean"),
    },
    {
      name: "shifted by the first logit",
      output: ([row]) => softmaxShiftedBy(row, row[0]),
      hint: wrongShift("first logit"),
    },
    float32Arithmetic<[row: number[]]>(),
  ],
};
