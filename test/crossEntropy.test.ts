import { describe, expect, it } from "vitest";
import { crossEntropy, logSoftmax, nllLoss } from "../src";
import { expectAllClose } from "./helpers/allclose";

const TIGHT = { rtol: 1e-14, atol: 1e-16 };
// Two rows of three classes, written so that the arithmetic below can be done by hand.
const logits = [
  [0, Math.log(2), Math.log(5)], // exp: 1, 2, 5 -> sum 8 -> p = 1/8, 2/8, 5/8
  [Math.log(3), 0, 0], //            exp: 3, 1, 1 -> sum 5 -> p = 3/5, 1/5, 1/5
];
const targets = [2, 1];
const nll = [-Math.log(5 / 8), -Math.log(1 / 5)];

describe("crossEntropy, worked by hand", () => {
  it("mean, sum and none", () => {
    expectAllClose(crossEntropy(logits, targets, { reduction: "none" }), nll, TIGHT, "none");
    expectAllClose(crossEntropy(logits, targets, { reduction: "sum" }), nll[0] + nll[1], TIGHT, "sum");
    expectAllClose(crossEntropy(logits, targets), (nll[0] + nll[1]) / 2, TIGHT, "mean");
  });

  it("a weighted mean divides by the targets' weights, so it is not mean(none)", () => {
    const weight = [1, 3, 0.5];
    const none = crossEntropy(logits, targets, { weight, reduction: "none" });
    expectAllClose(none, [0.5 * nll[0], 3 * nll[1]], TIGHT, "none");
    const mean = crossEntropy(logits, targets, { weight });
    expectAllClose(mean, (0.5 * nll[0] + 3 * nll[1]) / (0.5 + 3), TIGHT, "mean");
    expect(Math.abs(mean - (none[0] + none[1]) / 2)).toBeGreaterThan(0.1);
  });

  it("at batch size 1 the weight cancels in the mean", () => {
    expectAllClose(crossEntropy([logits[0]], [2], { weight: [1, 1, 7] }), nll[0], TIGHT, "mean");
  });

  it("ignoreIndex drops a position from the sum and from the count", () => {
    expectAllClose(crossEntropy(logits, [2, -100]), nll[0], TIGHT, "mean");
    expect(crossEntropy(logits, [2, 7], { ignoreIndex: 7, reduction: "none" })).toEqual([nll[0], 0]);
  });

  it("every target ignored: mean is NaN, sum is 0, none is zeros (as PyTorch)", () => {
    expect(crossEntropy(logits, [-100, -100])).toBeNaN();
    expect(crossEntropy(logits, [-100, -100], { reduction: "sum" })).toBe(0);
    expect(crossEntropy(logits, [-100, -100], { reduction: "none" })).toEqual([0, 0]);
  });

  it("an ignored real class still sits in every other row's softmax denominator", () => {
    // Ignoring class 0 does not remove its exp(0) = 1 from row 0's sum of 8.
    expectAllClose(crossEntropy([logits[0]], [2], { ignoreIndex: 0 }), nll[0], TIGHT, "mean");
  });

  it("label smoothing: (1 - e)·nll + (e / C)·Σ_c -log p_c, e/C landing on the true class too", () => {
    const e = 0.3;
    const l = logSoftmax(logits);
    const smooth = l.map((row) => -row.reduce((a, b) => a + b, 0));
    const expected = nll.map((v, n) => (1 - e) * v + (e / 3) * smooth[n]);
    expectAllClose(crossEntropy(logits, targets, { labelSmoothing: e, reduction: "none" }), expected, TIGHT, "none");
    // With probability targets: the same loss from the smoothed distribution q = (1 - e)·onehot + e/C.
    const q = targets.map((y) => [0, 1, 2].map((c) => (1 - e) * (c === y ? 1 : 0) + e / 3));
    expectAllClose(crossEntropy(logits, q, { reduction: "none" }), expected, TIGHT, "from q");
  });

  it("probability targets: -Σ_c t_c log p_c, with one-hot rows equal to class indices", () => {
    const t = [[0.5, 0.5, 0], [0, 0, 1]];
    const expected = [-(0.5 * Math.log(1 / 8) + 0.5 * Math.log(2 / 8)), -Math.log(1 / 5)];
    expectAllClose(crossEntropy(logits, t, { reduction: "none" }), expected, TIGHT, "none");
    const onehot = [[0, 0, 1], [0, 1, 0]];
    expectAllClose(crossEntropy(logits, onehot), crossEntropy(logits, targets), TIGHT, "mean");
  });

  it("unbatched (C) logits with one class index give a number, also for none", () => {
    expectAllClose(crossEntropy(logits[0], 2, { reduction: "none" }), nll[0], TIGHT, "none");
    expectAllClose(crossEntropy(logits[0], 2), nll[0], TIGHT, "mean");
  });

  it("K-dimensional inputs are the same as flattening every position into the batch", () => {
    // (N=1, C=3, d=2): position 0 holds row 0's logits, position 1 holds row 1's.
    const kdim = [[0, 1, 2].map((c) => [logits[0][c], logits[1][c]])];
    expect(crossEntropy(kdim, [targets], { reduction: "none" })).toEqual([crossEntropy(logits, targets, { reduction: "none" })]);
    expectAllClose(crossEntropy(kdim, [targets]), crossEntropy(logits, targets), TIGHT, "mean");
  });

  it("an empty batch: mean NaN, sum 0, none []", () => {
    expect(crossEntropy([], [])).toBeNaN();
    expect(crossEntropy([], [], { reduction: "sum" })).toBe(0);
    expect(crossEntropy([] as number[][], [], { reduction: "none" })).toEqual([]);
  });

  it("one class: every prediction is certain, the loss is 0", () => {
    expect(crossEntropy([[5], [-3]], [0, 0])).toBe(0);
  });

  it("non-finite logits follow PyTorch", () => {
    expect(crossEntropy([[-Infinity, 0]], [0])).toBe(Infinity);
    expect(crossEntropy([[0, -Infinity]], [0])).toBe(0);
    expect(crossEntropy([[Infinity, 0]], [0])).toBeNaN();
    expect(crossEntropy([[0, -Infinity]], [0], { labelSmoothing: 0.1 })).toBe(Infinity);
    // An ignored row never reaches the forward loss, even full of NaN.
    expect(crossEntropy([[NaN, 0], [0, 0]], [-100, 0])).toBe(Math.log(2));
  });
});

describe("nllLoss", () => {
  it("is crossEntropy of logSoftmax, with the same weight and ignoreIndex rules", () => {
    const options = { weight: [1, 3, 0.5], ignoreIndex: 1 };
    expect(nllLoss(logSoftmax(logits), [2, 1], options)).toBe(crossEntropy(logits, [2, 1], options));
  });

  it("picks -logProbabilities[n][y_n] and takes no label smoothing", () => {
    expect(nllLoss([[-1, -2], [-3, -4]], [1, 0], { reduction: "none" })).toEqual([2, 3]);
    expect(() => nllLoss([[-1, -2]], [1], { labelSmoothing: 0.1 } as object)).toThrow(/options.labelSmoothing is not an option here/);
  });
});
