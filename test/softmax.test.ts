import { describe, expect, it } from "vitest";
import { logSoftmax, logSumExp, softmax } from "../src";
import { expectAllClose } from "./helpers/allclose";

const EXACT = { rtol: 1e-15, atol: 0 };

describe("logSumExp", () => {
  it("is max + log(Σ exp(v - max)), worked by hand for [1000, 1000]", () => {
    // exp(0) + exp(0) = 2, so the answer is 1000 + log 2; naive Math.exp(1000) is Infinity.
    expect(Math.log(Math.exp(1000) + Math.exp(1000))).toBe(Infinity);
    expect(logSumExp([1000, 1000])).toBe(1000 + Math.log(2));
  });

  it("handles the infinities as torch.logsumexp does", () => {
    expect(logSumExp([])).toBe(-Infinity);
    expect(logSumExp([-Infinity, -Infinity])).toBe(-Infinity);
    expect(logSumExp([1, Infinity])).toBe(Infinity);
    expect(logSumExp([1, NaN])).toBeNaN();
    expect(logSumExp([-Infinity, 3])).toBe(3);
  });

  it("rejects anything but a flat array of numbers", () => {
    expect(() => logSumExp([[1, 2]] as unknown as number[])).toThrow(/values has shape \[1, 2\]/);
    expect(() => logSumExp([1, "2"] as unknown as number[])).toThrow(TypeError);
    expect(() => logSumExp(undefined as unknown as number[])).toThrow(/values is undefined/);
  });
});

describe("softmax", () => {
  it("worked by hand: softmax([0, ln 3]) = [1/4, 3/4]", () => {
    expectAllClose(softmax([0, Math.log(3)]), [0.25, 0.75], EXACT, "softmax");
  });

  it("is stable where exp overflows: [1000, 1001, 1002] equals [0, 1, 2]", () => {
    expect(softmax([[1000, 1001, 1002]])).toEqual(softmax([[0, 1, 2]]));
    const e = [1, Math.E, Math.E ** 2];
    const z = e[0] + e[1] + e[2];
    expectAllClose(softmax([0, 1, 2]), e.map((v) => v / z), { rtol: 1e-15, atol: 0 }, "softmax");
  });

  it("uses dim 1 for (N, C, d) inputs", () => {
    // Two classes at two spatial positions: each position is normalised over its 2 classes.
    const p = softmax([[[0, 1], [0, 1]]]) as number[][][];
    expectAllClose(p, [[[0.5, 0.5], [0.5, 0.5]]], EXACT, "softmax");
  });

  it("returns an empty batch unchanged", () => {
    expect(softmax([] as number[][])).toEqual([]);
  });

  it("gives NaN rows where PyTorch does", () => {
    const [withInf, allMinusInf, withNaN, withMinusInf] = softmax([
      [Infinity, 0],
      [-Infinity, -Infinity],
      [NaN, 0],
      [-Infinity, 0],
    ]);
    expect(withInf.every(Number.isNaN)).toBe(true);
    expect(allMinusInf.every(Number.isNaN)).toBe(true);
    expect(withNaN.every(Number.isNaN)).toBe(true);
    expect(withMinusInf).toEqual([0, 1]);
  });
});

describe("logSoftmax", () => {
  it("worked by hand: logSoftmax([1000, 1001]) = [-log(1 + e), 1 - log(1 + e)]", () => {
    const lse = Math.log(1 + Math.E);
    expectAllClose(logSoftmax([[1000, 1001]]), [[-lse, 1 - lse]], { rtol: 1e-14, atol: 0 }, "logSoftmax");
  });

  it("stays finite where log(softmax) is -Infinity", () => {
    // softmax underflows to 0 for a logit 800 below the max; its log is then -Infinity.
    expect(Math.log(softmax([0, 800])[0])).toBe(-Infinity);
    expect(logSoftmax([0, 800])[0]).toBe(-800);
  });
});
