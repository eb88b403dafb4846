/**
 * The linear head's backward pass: fn(input: number[][], linearWeight: number[][], targets: number[])
 * => { gradInput, gradLinearWeight }, the gradients of the mean cross-entropy of the logits
 * z = input · linearWeightᵀ (no bias), with linearWeight (C, D) in PyTorch's layout:
 * G = (softmax(z) − onehot) / N, gradInput = G · linearWeight (N, D), gradLinearWeight = Gᵀ · input (C, D).
 * The checker compares gradInput's rows followed by gradLinearWeight's as one (N + C, D) matrix.
 * Every case has C ≠ D, so a gradLinearWeight laid out (D, C) is recognised and named.
 * Taught in notebooks/14-the-loss-at-llm-scale.ipynb.
 */
import { linearCrossEntropyBackward } from "../loss/linearCrossEntropy";
import { softmax } from "../loss/softmax";
import { FLOAT64_TOLERANCE, type Numeric } from "./compare";
import { columnLogSoftmax, float32Arithmetic, naiveSoftmax, oneHot, scaled, scaledDifference } from "./foils";
import type { Call, Exercise } from "./types";

type Args = [input: number[][], linearWeight: number[][], targets: number[]];

/** input · linearWeightᵀ: row n, class c is Σ_d input[n][d] · linearWeight[c][d]. */
const logitsOf = ([input, W]: Args): number[][] => input.map((x) => W.map((w) => w.reduce((s, v, d) => s + v * x[d], 0)));

/** The two gradients of a logit gradient G (N, C), stacked: G · W (N, D), then Gᵀ · input (C, D). */
function chained([input, W]: Args, G: number[][]): number[][] {
  const gradInput = G.map((g) => W[0].map((_, d) => g.reduce((s, v, c) => s + v * W[c][d], 0)));
  const gradWeight = W.map((_, c) => input[0].map((_, d) => G.reduce((s, g, n) => s + g[c] * input[n][d], 0)));
  return [...gradInput, ...gradWeight];
}

/** The stacked gradients for G = (probabilities − onehot) · scale. */
const fromProbabilities = (args: Args, probabilities: number[][], scale: number, shift = 0): number[][] =>
  chained(args, scaledDifference(probabilities, oneHot(args[2].map((y) => y + shift), args[1].length), scale));

export const linearCrossEntropyBackwardExercise: Exercise<Args> = {
  name: "linearCrossEntropyBackward",
  signature:
    "fn(input: number[][], linearWeight: number[][], targets: number[]) => " +
    "{ gradInput: number[][]; gradLinearWeight: number[][] }",
  argNames: ["input", "linearWeight", "targets"],
  cases: [
    { name: "one row", args: [[[1, 2]], [[0.5, -1], [1, 0], [-0.5, 0.25]], [0]] },
    {
      name: "three rows",
      args: [[[1, 0], [0, 1], [2, -1]], [[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5], [0, 0.9]], [3, 0, 1]],
    },
    {
      name: "more rows than classes",
      args: [
        [[0.5, -1.2, 0.3], [-0.7, 0.4, 1.5], [1.3, 0.8, -0.6], [0.2, -0.3, -1.4], [1, 1, 1]],
        [[0.3, -0.2, 0.6], [-0.5, 0.4, 0.1]],
        [1, 0, 0, 1, 1],
      ],
    },
    { name: "one feature (D = 1)", args: [[[2], [-1]], [[1], [-1], [0.5]], [2, 1]] },
    { name: "large logits", args: [[[100, 0], [0, 100]], [[10, 0], [10.01, 0], [0, 10]], [1, 2]] },
    { name: "target is the last class", args: [[[0.1, 0.2, 0.3, 0.4]], [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], [2]] },
  ],
  expected: (input, linearWeight, targets) => {
    const { gradInput, gradLinearWeight } = linearCrossEntropyBackward(input, linearWeight, targets);
    return [...(gradInput as number[][]), ...gradLinearWeight];
  },
  tolerance: FLOAT64_TOLERANCE,
  call: (fn, args) => asInputThenWeight(fn(...args), args),
  mistakes: [
    {
      name: "missing 1/N",
      output: ([input], expected) => scaled(expected, input.length),
      hint:
        "The loss is a mean over the N rows, so G = (softmax − onehot) / N carries the 1/N, and both " +
        "gradients inherit it through the chain rule: gradInput = G · linearWeight, gradLinearWeight = Gᵀ · input.",
    },
    {
      name: "divided by N twice",
      output: ([input], expected) => scaled(expected, 1 / input.length),
      hint:
        "You divide by N twice. G = (softmax − onehot) / N already holds the mean's 1/N; the chain rule only " +
        "multiplies and adds: gradInput = G · linearWeight and gradLinearWeight = Gᵀ · input, with no second 1/N.",
    },
    {
      name: "gradLinearWeight divided by N again",
      output: (args) => {
        const stacked = fromProbabilities(args, softmax(logitsOf(args)), 1 / args[0].length);
        const N = args[0].length;
        return stacked.map((row, r) => (r < N ? row : row.map((v) => v / N)));
      },
      hint:
        "gradInput is right, gradLinearWeight is N times too small: Gᵀ · input adds up every row's " +
        "contribution, and G = (softmax − onehot) / N already holds the mean's 1/N. Do not average it again.",
    },
    {
      name: "sign flipped",
      output: (_, expected) => scaled(expected, -1),
      hint:
        "The sign is flipped: G = (softmax − onehot) / N, negative at the target, because raising the target's " +
        "logit lowers the loss. The minus sign belongs to the update step, W ← W − η · gradLinearWeight.",
    },
    {
      name: "one-hot not subtracted",
      output: (args) => chained(args, softmax(logitsOf(args)).map((row) => row.map((p) => p / args[0].length))),
      hint:
        "Subtract the one-hot target: d loss / d logits = (softmax − onehot) / N. Without it every entry of G is " +
        "positive, and the target's own row of linearWeight is pushed the wrong way.",
    },
    {
      name: "only the target's logit differentiated",
      output: (args) => chained(args, oneHot(args[2], args[1].length).map((row) => row.map((v) => -v / args[0].length))),
      hint:
        "You differentiated only −z_y, the target's logit: the loss is log Σ_c exp(z_c) − z_y, and the " +
        "log-sum-exp's gradient is the softmax. So G = (softmax − onehot) / N: every class gets a share, not only the target.",
    },
    {
      name: "naive softmax",
      output: (args) => fromProbabilities(args, logitsOf(args).map(naiveSoftmax), 1 / args[0].length),
      hint:
        "Math.exp overflows: logits like [1000, 1001, 0] give Math.exp(1000) = Infinity and Infinity / Infinity " +
        "= NaN. Subtract each row's max before Math.exp; the softmax does not change.",
    },
    {
      name: "softmax over the wrong axis",
      output: (args) =>
        fromProbabilities(args, columnLogSoftmax(logitsOf(args)).map((row) => row.map(Math.exp)), 1 / args[0].length),
      hint:
        "Your softmax runs down each column of the logits (over the batch) instead of along each row (over the " +
        "classes): normalise each row of z = input · linearWeightᵀ, one row per example.",
    },
    {
      name: "divided by C instead of N",
      output: ([input, W], expected) => scaled(expected, input.length / W.length),
      hint:
        "You divide by C, the number of classes; the 1/N comes from the mean over the N rows: " +
        "G = (softmax − onehot) / N, with N = input.length.",
    },
    {
      name: "one-hot at target + 1",
      output: (args) => fromProbabilities(args, softmax(logitsOf(args)), 1 / args[0].length, 1),
      hint:
        "Your one-hot has its 1 one place after the target: classes are numbered from 0, so row n's 1 goes at " +
        "column targets[n].",
    },
    float32Arithmetic<Args>(),
  ],
};

/**
 * The learner's { gradInput, gradLinearWeight } as the (N + C, D) matrix the runner compares (a
 * missing field shows as undefined in its place); anything else passes through so the runner can
 * name it. A gradLinearWeight laid out (D, C), as Xᵀ · G gives it for notebook 9's X · W, is
 * transposed back so its numbers are still compared, and the layout fails the case.
 */
export function asInputThenWeight(got: unknown, [input, W]: Args): Call {
  if (typeof got !== "object" || got === null || Array.isArray(got) || ArrayBuffer.isView(got)) return { got };
  if (typeof (got as { then?: unknown }).then === "function") return { got };
  const { gradInput, gradLinearWeight } = got as { gradInput?: unknown; gradLinearWeight?: unknown };
  const C = W.length;
  // A missing field stands in for each of its rows: the runner then names got[row] as undefined.
  const rows = (value: unknown, count: number): unknown[] =>
    Array.isArray(value) ? value : Array.from({ length: count }, () => value);
  const D = input[0].length;
  if (isMatrix(gradLinearWeight, D, C)) {
    const transposed: Numeric[] = W.map((_, c) => gradLinearWeight.map((row) => row[c]));
    return {
      got: [...rows(gradInput, input.length), ...transposed],
      problem:
        `returned gradLinearWeight as (D, C) = (${D}, ${C}): it has the shape of linearWeight, (C, D) = ` +
        `(${C}, ${D}), one row per class, so gradLinearWeight = Gᵀ · input, not inputᵀ · G`,
    };
  }
  return { got: [...rows(gradInput, input.length), ...rows(gradLinearWeight, C)] };
}

/** True for a rows × columns array of arrays of numbers. */
function isMatrix(value: unknown, rows: number, columns: number): value is number[][] {
  return (
    Array.isArray(value) &&
    value.length === rows &&
    value.every((row) => Array.isArray(row) && row.length === columns && row.every((v) => typeof v === "number"))
  );
}
