/**
 * The backward pass of a linear layer: fn(X: number[][], dlogits: number[][]) => { W, b }, the
 * gradients dW = Xᵀ · dlogits (F, C) and db = the column sums of dlogits (C), for
 * logits = X W + b. The checker compares W's rows followed by b as one (F + 1, C) matrix.
 * Taught in notebooks/09-training-a-classifier.ipynb.
 */
import type { Numeric } from "./compare";
import { scaled } from "./foils";
import type { Exercise } from "./types";

type Args = [X: number[][], dlogits: number[][]];

/** Xᵀ G: entry (j, c) is Σ_n X[n][j] G[n][c]. */
const xTransposeG = ([X, G]: Args): number[][] =>
  X[0].map((_, j) => G[0].map((_, c) => X.reduce((s, x, n) => s + x[j] * G[n][c], 0)));
/** Σ_n G[n][c], one per class. */
const columnSums = ([, G]: Args): number[] => G[0].map((_, c) => G.reduce((s, row) => s + row[c], 0));

export const linearBackwardExercise: Exercise<Args> = {
  name: "linearBackward",
  signature: "fn(X: number[][], dlogits: number[][]) => { W: number[][]; b: number[] }",
  argNames: ["X", "dlogits"],
  cases: [
    { name: "one flower", args: [[[1, 2]], [[0.1, -0.3, 0.2]]] },
    { name: "three flowers", args: [[[1, 0], [0, 1], [2, -1]], [[0.2, -0.2], [-0.1, 0.1], [0.3, -0.3]]] },
    {
      name: "a gradient from crossEntropyBackward",
      args: [
        [[0.5, -1.2, 0.3, 1.1], [-0.7, 0.4, 1.5, -0.2], [1.3, 0.8, -0.6, 0.1], [0.2, -0.3, -1.4, 0.9]],
        [[-0.2, 0.15, 0.05], [0.1, -0.18, 0.08], [0.02, 0.03, -0.05], [0.12, 0.01, -0.13]],
      ],
    },
    { name: "one feature, one class", args: [[[2], [3]], [[0.5], [-0.25]]] },
    { name: "a feature that is 0 for every flower", args: [[[0, 1], [0, 2]], [[0.25, -0.25], [-0.5, 0.5]]] },
    { name: "more features than flowers", args: [[[1, -2, 3, 0.5, -1]], [[-0.6, 0.4, 0.2]]] },
  ],
  expected: (X, dlogits) => [...xTransposeG([X, dlogits]), columnSums([X, dlogits])],
  mistakes: [
    {
      name: "divided by N again",
      output: ([X], expected) => scaled(expected, 1 / X.length),
      hint:
        "You divide by N again. dlogits = (softmax − onehot) / N already holds the mean's 1/N; the chain rule " +
        "only adds up over the flowers: dW = Xᵀ · dlogits and db = the column sums of dlogits.",
    },
    {
      name: "sign flipped",
      output: (_, expected) => scaled(expected, -1),
      hint:
        "The sign is flipped: dW = +Xᵀ · dlogits. The minus sign belongs to the update step, W ← W − η dW, not to the gradient.",
    },
    {
      name: "b left at 0",
      output: (args): Numeric => [...xTransposeG(args), args[1][0].map(() => 0)],
      hint: "W is right, b is all 0: b_c is added to every flower's score for class c, so db_c = Σ_n dlogits[n][c].",
    },
    {
      name: "b taken as a mean",
      output: (args): Numeric => [
        ...xTransposeG(args),
        columnSums(args).map((s) => s / args[0].length),
      ],
      hint:
        "W is right, b is the column means: b_c is added to every flower's score, so " +
        "its gradient adds up every flower's dlogits[n][c], db_c = Σ_n dlogits[n][c], " +
        "with no 1/N (dlogits holds it already).",
    },
  ],
};

/**
 * The learner's { W, b } as the matrix the runner compares: W's rows, then b (a missing field
 * shows as undefined in its place); anything else passes through so the runner can name it.
 */
export function asWeightsThenBias(fn: unknown): unknown {
  if (typeof fn !== "function") return fn;
  return (X: number[][], dlogits: number[][]): unknown => {
    const got: unknown = fn(X, dlogits);
    if (typeof got !== "object" || got === null || Array.isArray(got) || ArrayBuffer.isView(got)) return got;
    if (typeof (got as { then?: unknown }).then === "function") return got;
    const { W, b } = got as { W?: unknown; b?: unknown };
    return Array.isArray(W) ? [...W, b] : [W, b];
  };
}
