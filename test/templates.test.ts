// pixelVotes: each pixel's vote x_j · W[j][c], worked by hand, and the votes plus the bias are
// the logit that linearLogits computes.
import { describe, expect, it } from "vitest";
import { initialModel, linearLogits, mulberry32, pixelVotes } from "../src";

describe("pixelVotes", () => {
  it("multiplies each pixel by its weight in the class's column (a case by hand)", () => {
    // class 0's column is [2, 3, -4]: 1 · 2 = 2, 0 · 3 = 0, 0.5 · −4 = −2
    expect(pixelVotes([1, 0, 0.5], [[2, -1], [3, 0], [-4, 1]], 0)).toEqual([2, 0, -2]);
    // class 1's column is [−1, 0, 1]: 1 · −1 = −1, 0 · 0 = 0, 0.5 · 1 = 0.5
    expect(pixelVotes([1, 0, 0.5], [[2, -1], [3, 0], [-4, 1]], 1)).toEqual([-1, 0, 0.5]);
  });

  it("sums, with the bias, to linearLogits' logit for every class (64 pixels, 10 classes)", () => {
    const model = initialModel(64, 10, 1, 7);
    model.bias = model.bias.map((_, c) => c / 10 - 0.3);
    const random = mulberry32(3);
    const x = Array.from({ length: 64 }, () => Math.floor(17 * random()) / 16);
    const logits = linearLogits([x], model)[0];
    for (let c = 0; c < 10; c++) {
      const total = pixelVotes(x, model.weights, c).reduce((s, v) => s + v, 0) + model.bias[c];
      // float64, two summation orders of 64 terms of size ≤ 1: rounding only
      expect(Math.abs(total - logits[c])).toBeLessThan(1e-12);
    }
  });

  it("names the argument, the position and the value of bad input", () => {
    const W = [[1, 2], [3, 4], [5, 6]];
    expect(() => pixelVotes([1, 2], W, 0)).toThrow(/features has length 2: expected 3/);
    expect(() => pixelVotes([1, NaN, 0], W, 0)).toThrow(/features\[1\] = NaN is not finite/);
    expect(() => pixelVotes([1, 0, 0], W, 2)).toThrow(/classIndex = 2 is out of range: expected a class index in \[0, 2\)/);
    expect(() => pixelVotes([1, 0, 0], W, -1)).toThrow(/classIndex = -1 is out of range/);
    expect(() => pixelVotes([1, 0, 0], [[1, 2], [3, Infinity], [5, 6]], 0)).toThrow(/weights\[1\]\[1\] = Infinity/);
  });
});
