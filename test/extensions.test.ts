// The class prior and its log bias (notebook 4), and the token mean of padded micro-batches
// (appendix A1): arithmetic by hand, and the equality with crossEntropy on the whole batch.
import { describe, expect, it } from "vitest";
import { accumulatedTokenMean, classPrior, crossEntropy, entropy, logPriorBias, mulberry32, softmax } from "../src";
import { expectAllClose } from "./helpers/allclose";

const FLOAT64 = { rtol: 1e-12, atol: 1e-15 };

describe("classPrior and logPriorBias", () => {
  it("by hand: three 0s and one 1", () => {
    expect(classPrior([0, 0, 0, 1], 2)).toEqual([0.75, 0.25]);
    expect(logPriorBias([0, 0, 0, 1], 2)).toEqual([Math.log(0.75), Math.log(0.25)]);
  });

  it("with zero weights the first loss is the prior's entropy, not log C", () => {
    const targets = [0, 0, 0, 0, 0, 0, 0, 0, 1, 2];
    const bias = logPriorBias(targets, 3);
    expectAllClose(softmax(bias), classPrior(targets, 3), FLOAT64, "softmax(b)");
    const first = crossEntropy(targets.map(() => bias), targets);
    expect(first).toBeCloseTo(entropy(classPrior(targets, 3)), 14); // 0.639, against log 3 = 1.099
    expect(crossEntropy(targets.map(() => [0, 0, 0]), targets)).toBeCloseTo(Math.log(3), 14);
  });

  it("refuses a class with no example, naming it, and a bad target", () => {
    expect(() => logPriorBias([0, 0, 2], 3)).toThrow(/class 1 has no example/);
    expect(() => classPrior([0, 3], 3)).toThrow(/targets\[1\] = 3 is out of range/);
  });
});

describe("accumulatedTokenMean", () => {
  it("by hand: tokens 1, 1 (and a pad) and 4 make 6 / 3 = 2, where the mean of means is 2.5", () => {
    expect(accumulatedTokenMean([[1, 1, 0], [4]], [[0, 2, -100], [1]])).toBe(2);
  });

  it("equals crossEntropy of the whole batch, however it is split", () => {
    const random = mulberry32(5);
    const logits = Array.from({ length: 12 }, () => [0, 1, 2, 3].map(() => 4 * random() - 2));
    const targets = logits.map((_, n) => (n % 5 === 3 || n > 9 ? -100 : n % 4));
    const whole = crossEntropy(logits, targets);
    for (const cuts of [[4, 8], [1, 11], [6]]) {
      const bounds = [0, ...cuts, 12];
      const parts = bounds.slice(1).map((end, k) => [bounds[k], end]);
      const losses = parts.map(([a, b]) => crossEntropy(logits.slice(a, b), targets.slice(a, b), { reduction: "none" }));
      const ys = parts.map(([a, b]) => targets.slice(a, b));
      expect(accumulatedTokenMean(losses, ys)).toBeCloseTo(whole, 14);
    }
  });

  it("names a non-finite loss by its position", () => {
    expect(() => accumulatedTokenMean([[1, NaN]], [[0, 1]])).toThrow(/losses\[0\]\[1\] = NaN/);
  });
});
