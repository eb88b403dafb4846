import { describe, expect, it } from "vitest";
import { exercises } from "../../src";
import { linearCrossEntropyBackwardExercise } from "../../src/exercises/linearCrossEntropyBackward";

const quiet = { quiet: true };
type Grads = { gradInput: number[][]; gradLinearWeight: number[][] };

/** z = x · Wᵀ, G = (softmax(z) − onehot) / N, then G · W and Gᵀ · x, as loops. */
function logitGradient(x: number[][], W: number[][], y: number[], scale = 1 / x.length): number[][] {
  return x.map((row, n) => {
    const z = W.map((w) => w.reduce((s, v, d) => s + v * row[d], 0));
    const max = Math.max(...z);
    const e = z.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v, c) => (v / sum - (c === y[n] ? 1 : 0)) * scale);
  });
}
function chain(x: number[][], W: number[][], G: number[][]): Grads {
  const D = x[0].length;
  const gradInput = x.map(() => new Array<number>(D).fill(0));
  const gradLinearWeight = W.map(() => new Array<number>(D).fill(0));
  G.forEach((g, n) =>
    g.forEach((v, c) => {
      for (let d = 0; d < D; d++) {
        gradInput[n][d] += v * W[c][d];
        gradLinearWeight[c][d] += v * x[n][d];
      }
    }),
  );
  return { gradInput, gradLinearWeight };
}
const good = (x: number[][], W: number[][], y: number[]): Grads => chain(x, W, logitGradient(x, W, y));
/** The same in log space: p = exp(z − logSumExp(z)), with reduce. */
function goodLogSpace(x: number[][], W: number[][], y: number[]): Grads {
  const G = x.map((row, n) => {
    const z = W.map((w) => w.reduce((s, v, d) => s + v * row[d], 0));
    const m = z.reduce((a, b) => Math.max(a, b), -Infinity);
    const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
    return z.map((v, c) => (Math.exp(v - lse) - (c === y[n] ? 1 : 0)) / x.length);
  });
  return chain(x, W, G);
}

describe("exercises.linearCrossEntropyBackward: G · W and Gᵀ · x", () => {
  it("passes right answers written two ways", () => {
    for (const fn of [good, goodLogSpace]) {
      const result = exercises.linearCrossEntropyBackward(fn, quiet);
      expect(result.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`)).toEqual([]);
      expect(result.hint).toBeUndefined();
    }
  });

  it("compares gradInput's rows, then gradLinearWeight's: one row, worked by hand", () => {
    const one = exercises.linearCrossEntropyBackward(good, quiet).cases.find((c) => c.name === "one row")!;
    // x = [1, 2], W rows [0.5, -1], [1, 0], [-0.5, 0.25]: z = [-1.5, 1, 0], target 0.
    const e = [Math.exp(-1.5), Math.exp(1), Math.exp(0)];
    const s = e[0] + e[1] + e[2];
    const G = [e[0] / s - 1, e[1] / s, e[2] / s];
    const expected = [
      [G[0] * 0.5 + G[1] * 1 + G[2] * -0.5, G[0] * -1 + G[1] * 0 + G[2] * 0.25],
      [G[0] * 1, G[0] * 2],
      [G[1] * 1, G[1] * 2],
      [G[2] * 1, G[2] * 2],
    ];
    const got = one.expected as number[][];
    expected.flat().forEach((v, i) => expect(Math.abs(got.flat()[i] - v)).toBeLessThanOrEqual(1e-15));
  });

  it("every case has C ≠ D, so a (D, C) gradLinearWeight can always be told apart", () => {
    for (const { args } of linearCrossEntropyBackwardExercise.cases) expect(args[1].length).not.toBe(args[0][0].length);
  });

  it.each([
    ["missing 1/N", (x: number[][], W: number[][], y: number[]) => chain(x, W, logitGradient(x, W, y, 1)), /^The loss is a mean over the N rows/],
    ["divided by N twice", (x: number[][], W: number[][], y: number[]) => chain(x, W, logitGradient(x, W, y, 1 / x.length ** 2)), /^You divide by N twice/],
    ["sign flipped", (x: number[][], W: number[][], y: number[]) => chain(x, W, logitGradient(x, W, y, -1 / x.length)), /^The sign is flipped/],
    [
      "gradLinearWeight divided by N again",
      (x: number[][], W: number[][], y: number[]) => {
        const { gradInput, gradLinearWeight } = good(x, W, y);
        return { gradInput, gradLinearWeight: gradLinearWeight.map((row) => row.map((v) => v / x.length)) };
      },
      /^gradInput is right, gradLinearWeight is N times too small/,
    ],
    [
      "one-hot not subtracted",
      (x: number[][], W: number[][], y: number[]) => {
        const G = logitGradient(x, W, y).map((row, n) => row.map((v, c) => v + (c === y[n] ? 1 / x.length : 0)));
        return chain(x, W, G);
      },
      /^Subtract the one-hot target/,
    ],
    [
      "only −z_y differentiated",
      (x: number[][], W: number[][], y: number[]) =>
        chain(x, W, x.map((_, n) => W.map((__, c) => (c === y[n] ? -1 / x.length : 0)))),
      /^You differentiated only −z_y/,
    ],
    [
      "no max subtracted",
      (x: number[][], W: number[][], y: number[]) => {
        const G = x.map((row, n) => {
          const e = W.map((w) => Math.exp(w.reduce((s, v, d) => s + v * row[d], 0)));
          const sum = e.reduce((a, b) => a + b, 0);
          return e.map((v, c) => (v / sum - (c === y[n] ? 1 : 0)) / x.length);
        });
        return chain(x, W, G);
      },
      /^Math\.exp overflows/,
    ],
  ])("names the mistake: %s", (_, fn, hint) => {
    const result = exercises.linearCrossEntropyBackward(fn, quiet);
    expect(result.passed).toBe(false);
    expect(result.hint).toMatch(hint);
  });

  it("names a gradLinearWeight laid out (D, C), and still compares its numbers", () => {
    const transposed = (x: number[][], W: number[][], y: number[]) => {
      const { gradInput, gradLinearWeight } = good(x, W, y);
      return { gradInput, gradLinearWeight: x[0].map((_, d) => W.map((__, c) => gradLinearWeight[c][d])) };
    };
    const result = exercises.linearCrossEntropyBackward(transposed, quiet);
    expect(result.passed).toBe(false);
    expect(result.cases.every((c) => !c.passed)).toBe(true);
    expect(result.cases[0].message).toBe(
      "returned gradLinearWeight as (D, C) = (2, 3): it has the shape of linearWeight, (C, D) = (3, 2), " +
        "one row per class, so gradLinearWeight = Gᵀ · input, not inputᵀ · G",
    );
    expect(result.hint).toMatch(/^Start with case "one row" .*: your function returned gradLinearWeight as \(D, C\)/);
    // Transposed and with the sign flipped: the numbers' own difference comes first.
    const both = (x: number[][], W: number[][], y: number[]) => {
      const t = transposed(x, W, y);
      return { gradInput: t.gradInput, gradLinearWeight: t.gradLinearWeight.map((r) => r.map((v) => -v)) };
    };
    expect(exercises.linearCrossEntropyBackward(both, quiet).cases[0].message).toMatch(/^got\[1\]\[0\] = .*; returned gradLinearWeight as \(D, C\)/);
  });

  it("says what is missing when the answer is not { gradInput, gradLinearWeight }", () => {
    const onlyInput = (x: number[][], W: number[][], y: number[]) => ({ gradInput: good(x, W, y).gradInput });
    const result = exercises.linearCrossEntropyBackward(onlyInput as never, quiet);
    expect(result.passed).toBe(false);
    expect(result.cases[0].message).toBe("got[1] is undefined, expected an array of 2 numbers — was every entry filled in?");
    const noReturn = exercises.linearCrossEntropyBackward((() => undefined) as never, quiet);
    expect(noReturn.cases[0].message).toMatch(/^returned undefined, expected an array of 4 rows of 2 numbers \(shape \[4, 2\]\) — did you forget "return"\?$/);
    const zeros = (x: number[][], W: number[][]) => ({ gradInput: x.map((r) => r.map(() => 0)), gradLinearWeight: W.map((r) => r.map(() => 0)) });
    expect(exercises.linearCrossEntropyBackward(zeros, quiet).hint).toMatch(/^Start with case "one row"/);
  });
});
