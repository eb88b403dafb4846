// The multiclass hinge, the focal loss and half-precision rounding against real PyTorch
// (data/reference/loss-variants.json), plus the arithmetic of a few cases by hand.
import { describe, expect, it } from "vitest";
import {
  crossEntropy, crossEntropyBackward, focalBackward, focalLoss, loadLossVariantsReference, multiMarginBackward,
  multiMarginLoss, toBfloat16, toFloat16,
} from "../src";
import { expectAllClose } from "./helpers/allclose";

// float64 against float64 PyTorch: sums in another order, exp and log from another library.
const FLOAT64 = { rtol: 1e-12, atol: 1e-15 };
const reference = loadLossVariantsReference();
const ofKind = (kind: string) => reference.cases.filter((c) => c.kind === kind);

describe("multiMarginLoss", () => {
  it("CS231n's cat image by hand: max(0, 5.1 − 3.2 + 1) + max(0, −1.7 − 3.2 + 1) = 2.9, over C = 3", () => {
    expect(multiMarginLoss([[3.2, 5.1, -1.7]], [0])).toBeCloseTo(2.9 / 3, 15);
    expect(multiMarginBackward([[3.2, 5.1, -1.7]], [0])).toEqual([[-1 / 3, 1 / 3, 0]]);
  });

  it("a row right by the margin costs exactly 0 and gets a zero gradient", () => {
    expect(multiMarginLoss([[9, 0, -1]], [0])).toBe(0);
    expect(multiMarginBackward([[9, 0, -1]], [0])).toEqual([[0, 0, 0]]);
  });

  it.each(ofKind("multi-margin").map((c) => [c.name, c] as const))("%s: equals PyTorch", (_, c) => {
    const options = { p: c.p, margin: c.margin };
    expectAllClose(multiMarginLoss(c.logits, c.targets, { ...options, reduction: "none" }), c.none, FLOAT64, "none");
    expectAllClose(multiMarginLoss(c.logits, c.targets, { ...options, reduction: "sum" }), c.sum, FLOAT64, "sum");
    expectAllClose(multiMarginLoss(c.logits, c.targets, options), c.mean, FLOAT64, "mean");
    expectAllClose(multiMarginBackward(c.logits, c.targets, options), c.gradMean, FLOAT64, "gradient");
  });

  it("rejects a bad argument, naming it", () => {
    expect(() => multiMarginLoss([[1, 2]], [2])).toThrow(/targets\[0\] = 2 is out of range/);
    expect(() => multiMarginLoss([[1, NaN]], [0])).toThrow(/logits\[0\]\[1\] = NaN/);
    expect(() => multiMarginLoss([[1, 2]], [0], { p: 3 as 1 })).toThrow(/options.p = 3/);
    expect(() => multiMarginLoss([[1, 2]], [0], { margin: -1 })).toThrow(/options.margin = -1/);
  });
});

describe("focalLoss", () => {
  it("by hand: [2, 0] with target 0 is (1 − σ(2))² · log(1 + e^−2)", () => {
    const p = 1 / (1 + Math.exp(-2));
    expect(focalLoss([[2, 0]], [0])).toBeCloseTo((1 - p) ** 2 * Math.log1p(Math.exp(-2)), 15);
  });

  it("γ = 0 is cross-entropy, loss and gradient", () => {
    const logits = [[2, 1, 0.1], [0.5, 2.5, 0.3], [1000, 1001, 1002]];
    const targets = [0, 2, 1];
    expectAllClose(focalLoss(logits, targets, { gamma: 0 }), crossEntropy(logits, targets), FLOAT64, "loss");
    expectAllClose(focalBackward(logits, targets, { gamma: 0 }), crossEntropyBackward(logits, targets), FLOAT64, "grad");
  });

  it("a sure, right row costs 0 and gets a zero gradient, not NaN (0 · ∞ at p_y = 1)", () => {
    // e^-800 underflows to 0 in float64, so log p_y = -log1p(0) = 0 and p_y = 1 exactly.
    for (const gamma of [0.5, 2]) {
      expect(focalLoss([[800, 0]], [0], { gamma })).toBe(0);
      expect(focalBackward([[800, 0]], [0], { gamma })[0].every((g) => g === 0)).toBe(true);
    }
  });

  it("a nearly sure row keeps its digits: (1 − p)^γ · (−log p) ≈ e^(−40(1 + γ)) for [40, 0]", () => {
    // −log p_y = log1p(e^−40) and 1 − p_y = −expm1(log p_y), both e^−40 (1 + O(e^−40)).
    for (const gamma of [0.5, 2]) {
      const expected = Math.exp(-40 * (1 + gamma));
      const loss = focalLoss([[40, 0]], [0], { gamma });
      expect(Math.abs(loss - expected) / expected).toBeLessThan(1e-12);
      expect(focalBackward([[40, 0]], [0], { gamma })[0].every(Number.isFinite)).toBe(true);
    }
  });

  it.each(ofKind("focal").map((c) => [c.name, c] as const))("%s: equals PyTorch's autograd", (_, c) => {
    const options = { gamma: c.gamma };
    expectAllClose(focalLoss(c.logits, c.targets, { ...options, reduction: "none" }), c.none, FLOAT64, "none");
    expectAllClose(focalLoss(c.logits, c.targets, options), c.mean, FLOAT64, "mean");
    expectAllClose(focalBackward(c.logits, c.targets, options), c.gradMean, FLOAT64, "gradient");
  });

  it("rejects a negative γ, naming it", () => {
    expect(() => focalLoss([[1, 2]], [0], { gamma: -1 })).toThrow(/options.gamma = -1/);
  });
});

describe("toFloat16 and toBfloat16", () => {
  const [half] = ofKind("float16");
  it("round every recorded value as PyTorch's .to(float16) and .to(bfloat16)", () => {
    half.values.forEach((x, i) => {
      expect(Object.is(toFloat16(x), half.float16[i]), `toFloat16(${x}) = ${toFloat16(x)}, PyTorch ${half.float16[i]}`).toBe(true);
      expect(Object.is(toBfloat16(x), half.bfloat16[i]), `toBfloat16(${x}) = ${toBfloat16(x)}, PyTorch ${half.bfloat16[i]}`).toBe(true);
    });
  });

  it("by hand: 65504 is float16's largest, 65520 is the tie that rounds up to Infinity", () => {
    expect(toFloat16(65504)).toBe(65504); // (2 − 2^−10) · 2^15
    expect(toFloat16(65519.99)).toBe(65504);
    expect(toFloat16(65520)).toBe(Infinity);
    expect(toBfloat16(257)).toBe(256); // 8 significant bits: 257 = 2^8 + 1 is a tie, to even
  });
});
