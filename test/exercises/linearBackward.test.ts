import { describe, expect, it } from "vitest";
import { exercises } from "../../src";

const quiet = { quiet: true };
/** dW = Xᵀ G and db = Σ_n G[n], as loops. */
function goodBackward(X: number[][], G: number[][]): { W: number[][]; b: number[] } {
  const W = X[0].map(() => G[0].map(() => 0));
  const b = G[0].map(() => 0);
  for (let n = 0; n < X.length; n++) {
    for (let c = 0; c < G[0].length; c++) {
      b[c] += G[n][c];
      for (let j = 0; j < X[0].length; j++) W[j][c] += X[n][j] * G[n][c];
    }
  }
  return { W, b };
}

describe("exercises.linearBackward: dW = Xᵀ·dlogits, db = column sums", () => {
  it("passes a correct answer", () => {
    const result = exercises.linearBackward(goodBackward, quiet);
    expect(result.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`)).toEqual([]);
  });

  it("compares W's rows, then b: one flower [1, 2] with dlogits [0.1, -0.3, 0.2]", () => {
    const one = exercises.linearBackward(goodBackward, quiet).cases.find((c) => c.name === "one flower")!;
    // W[j][c] = x_j · g_c; b = g.
    expect(one.expected).toEqual([[0.1, -0.3, 0.2], [0.2, -0.6, 0.4], [0.1, -0.3, 0.2]]);
  });

  it("names a second division by N, and only that", () => {
    const twice = (X: number[][], G: number[][]) => {
      const { W, b } = goodBackward(X, G);
      return { W: W.map((row) => row.map((v) => v / X.length)), b: b.map((v) => v / X.length) };
    };
    const result = exercises.linearBackward(twice, quiet);
    expect(result.passed).toBe(false);
    expect(result.cases.filter((c) => c.passed).map((c) => c.name)).toEqual(["one flower", "more features than flowers"]);
    expect(result.hint).toContain("You divide by N again");
  });

  it("names a flipped sign and a forgotten b", () => {
    const flipped = (X: number[][], G: number[][]) => {
      const { W, b } = goodBackward(X, G);
      return { W: W.map((row) => row.map((v) => -v)), b: b.map((v) => -v) };
    };
    expect(exercises.linearBackward(flipped, quiet).hint).toContain("The sign is flipped");
    const noBias = (X: number[][], G: number[][]) => ({ W: goodBackward(X, G).W, b: G[0].map(() => 0) });
    expect(exercises.linearBackward(noBias, quiet).hint).toContain("b is all 0");
  });

  it("says what is missing when the answer is not { W, b }", () => {
    const onlyW = (X: number[][], G: number[][]) => ({ W: goodBackward(X, G).W });
    const result = exercises.linearBackward(onlyW as never, quiet);
    expect(result.passed).toBe(false);
    expect(result.cases[0].message).toMatch(/undefined/);
  });
});

describe("exercises.linearBackward: b taken as a mean", () => {
  it("is named: the column sums, not their mean", () => {
    const meanBias = (X: number[][], G: number[][]) => {
      const { W, b } = goodBackward(X, G);
      return { W, b: b.map((v) => v / X.length) };
    };
    const result = exercises.linearBackward(meanBias, quiet);
    expect(result.passed).toBe(false);
    expect(result.hint).toMatch(/^W is right, b is the column means/);
  });
});
