import { describe, expect, it } from "vitest";
import { crossEntropyBackward, softmax } from "../src";
import { expectAllClose } from "./helpers/allclose";

const TIGHT = { rtol: 1e-14, atol: 1e-16 };
// exp: 1, 2, 5 -> p = 1/8, 2/8, 5/8;  exp: 3, 1, 1 -> p = 3/5, 1/5, 1/5
const logits = [
  [0, Math.log(2), Math.log(5)],
  [Math.log(3), 0, 0],
];

describe("crossEntropyBackward, worked by hand", () => {
  it("mean: (softmax - onehot) / N", () => {
    const expected = [
      [1 / 8 / 2, 2 / 8 / 2, (5 / 8 - 1) / 2],
      [3 / 5 / 2, (1 / 5 - 1) / 2, 1 / 5 / 2],
    ];
    expectAllClose(crossEntropyBackward(logits, [2, 1]), expected, TIGHT, "grad");
  });

  it("sum and none: softmax - onehot, without the 1/N", () => {
    const expected = [
      [1 / 8, 2 / 8, 5 / 8 - 1],
      [3 / 5, 1 / 5 - 1, 1 / 5],
    ];
    expectAllClose(crossEntropyBackward(logits, [2, 1], { reduction: "sum" }), expected, TIGHT, "sum");
    expectAllClose(crossEntropyBackward(logits, [2, 1], { reduction: "none" }), expected, TIGHT, "none");
  });

  it("weights: w[y_n] · (p - onehot) / Σ w[y_n]", () => {
    const w = [1, 3, 0.5];
    const D = w[2] + w[1];
    const expected = [
      [(0.5 * 1) / 8 / D, (0.5 * 2) / 8 / D, (0.5 * (5 / 8 - 1)) / D],
      [(3 * 3) / 5 / D, (3 * (1 / 5 - 1)) / D, (3 * 1) / 5 / D],
    ];
    expectAllClose(crossEntropyBackward(logits, [2, 1], { weight: w }), expected, TIGHT, "grad");
  });

  it("label smoothing without weights: (p - q) / N with q = (1 - e)·onehot + e/C", () => {
    const e = 0.3;
    const p = softmax(logits);
    const expected = p.map((row, n) => row.map((pc, c) => (pc - ((1 - e) * (c === [2, 1][n] ? 1 : 0) + e / 3)) / 2));
    expectAllClose(crossEntropyBackward(logits, [2, 1], { labelSmoothing: e }), expected, TIGHT, "grad");
  });

  it("ignored rows get 0 and the mean counts only the others", () => {
    const grad = crossEntropyBackward(logits, [2, -100]);
    expectAllClose(grad, [[1 / 8, 2 / 8, 5 / 8 - 1], [0, 0, 0]], TIGHT, "grad");
  });

  it("every target ignored: zeros, not NaN (as PyTorch)", () => {
    expect(crossEntropyBackward(logits, [-100, -100])).toEqual([[0, 0, 0], [0, 0, 0]]);
  });

  it("probability targets: p · Σ t - t, exact even when t does not sum to 1", () => {
    const t = [[1, 1, 0], [0, 0, 0.5]];
    const p = softmax(logits);
    const expected = p.map((row, n) => row.map((pc, c) => (pc * t[n].reduce((a, b) => a + b, 0) - t[n][c]) / 2));
    expectAllClose(crossEntropyBackward(logits, t), expected, TIGHT, "grad");
  });

  it("-Infinity on a non-target class: that class gets gradient 0", () => {
    expect(crossEntropyBackward([[0, -Infinity]], [0])).toEqual([[0, 0]]);
  });
});
