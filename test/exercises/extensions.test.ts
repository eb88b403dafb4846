// The checkers of the extensions (issue 19): a right answer, written as a learner would, passes;
// each classic wrong answer, also written out, is named by its own hint.
import { describe, expect, it } from "vitest";
import { exercises } from "../../src";

const quiet = { quiet: true };
const failing = (r: { cases: Array<{ passed: boolean; name: string; message?: string }> }) =>
  r.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`);

const logSumExp = (row: number[]): number => {
  const m = Math.max(...row);
  return m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
};

describe("exercises.multiMarginLoss", () => {
  const hinge = (opts: { divide?: boolean; skip?: boolean; clamp?: boolean; mean?: boolean } = {}) => {
    const { divide = true, skip = true, clamp = true, mean = true } = opts;
    return (scores: number[][], targets: number[]): number => {
      let total = 0;
      scores.forEach((row, n) => {
        let s = 0;
        row.forEach((sj, j) => {
          if (skip && j === targets[n]) return;
          const t = 1 - row[targets[n]] + sj;
          s += clamp ? Math.max(0, t) : t;
        });
        total += divide ? s / row.length : s;
      });
      return mean ? total / scores.length : total;
    };
  };

  it("passes PyTorch's form: the hinge sum over j ≠ y, divided by C, averaged over rows", () => {
    expect(failing(exercises.multiMarginLoss(hinge(), quiet))).toEqual([]);
  });

  it.each([
    ["CS231n's form (no 1/C)", { divide: false }, "C times PyTorch's"],
    ["j = y counted", { skip: false }, "includes j = y"],
    ["no clamp", { clamp: false }, "clamped at 0"],
    ["a sum over rows", { mean: false }, "divide by N"],
  ])("names %s", (_, opts, hint) => {
    const result = exercises.multiMarginLoss(hinge(opts), quiet);
    expect(result.passed).toBe(false);
    expect(result.hint).toContain(hint);
  });
});

describe("exercises.focalLoss", () => {
  const focal = (factor: (p: number, g: number) => number, stable = true) =>
    (logits: number[][], targets: number[], gamma: number): number =>
      logits.reduce((total, row, n) => {
        const logP = stable ? row[targets[n]] - logSumExp(row) : Math.log(Math.exp(row[targets[n]]) / row.reduce((s, x) => s + Math.exp(x), 0));
        return total - factor(Math.exp(logP), gamma) * logP;
      }, 0) / logits.length;

  it("passes −(1 − p_y)^γ log p_y from a stable log-softmax", () => {
    expect(failing(exercises.focalLoss(focal((p, g) => (1 - p) ** g), quiet))).toEqual([]);
  });

  it.each([
    ["plain cross-entropy", focal(() => 1), "plain cross-entropy"],
    ["p_y^γ", focal((p, g) => p ** g), "p_y^γ"],
    ["γ times (1 − p)", focal((p, g) => (1 - p) * g), "an exponent"],
    ["a naive softmax", focal((p, g) => (1 - p) ** g, false), "Math.exp overflows"],
  ])("names %s", (_, fn, hint) => {
    const result = exercises.focalLoss(fn, quiet);
    expect(result.passed).toBe(false);
    expect(result.hint).toContain(hint);
  });
});

describe("exercises.logPriorBias", () => {
  const counts = (targets: number[], C: number) => Array.from({ length: C }, (_, c) => targets.filter((y) => y === c).length);

  it("passes log(count / N), and log(count) too: a shift changes no probability", () => {
    expect(failing(exercises.logPriorBias((t, C) => counts(t, C).map((k) => Math.log(k / t.length)), quiet))).toEqual([]);
    expect(failing(exercises.logPriorBias((t, C) => counts(t, C).map(Math.log), quiet))).toEqual([]);
  });

  it.each([
    ["the prior without its log", (t: number[], C: number) => counts(t, C).map((k) => k / t.length), "without" + ""],
    ["a flipped sign", (t: number[], C: number) => counts(t, C).map((k) => -Math.log(k / t.length)), "favours the rare"],
    ["Laplace counts", (t: number[], C: number) => counts(t, C).map((k) => Math.log(k + 1)), "smoothed the counts"],
  ])("names %s", (_, fn, hint) => {
    const result = exercises.logPriorBias(fn, quiet);
    expect(result.passed).toBe(false);
    expect(result.hint).toContain(hint === "without" ? "softmax exponentiates" : hint);
  });

  it("calls an all-zero bias the placeholder", () => {
    const result = exercises.logPriorBias((_, C) => new Array(C).fill(0), quiet);
    expect(result.hint).toMatch(/placeholder|A zero bias/);
  });
});

describe("exercises.accumulatedTokenMean", () => {
  const realTokens = (l: number[], y: number[]) => l.filter((_, t) => y[t] !== -100);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

  it("passes one division by every real token of the batch", () => {
    const right = (losses: number[][], targets: number[][]) => {
      const real = losses.flatMap((l, k) => realTokens(l, targets[k]));
      return sum(real) / real.length;
    };
    expect(failing(exercises.accumulatedTokenMean(right, quiet))).toEqual([]);
  });

  it.each([
    ["the mean of means", (L: number[][], Y: number[][]) => sum(L.map((l, k) => sum(realTokens(l, Y[k])) / realTokens(l, Y[k]).length)) / L.length, "micro-batches' own means"],
    ["padding counted", (L: number[][]) => sum(L.map(sum)) / sum(L.map((l) => l.length)), "includes the padding"],
    ["both at once", (L: number[][]) => sum(L.map((l) => sum(l) / l.length)) / L.length, "Two mistakes"],
  ])("names %s", (_, fn, hint) => {
    const result = exercises.accumulatedTokenMean(fn, quiet);
    expect(result.passed).toBe(false);
    expect(result.hint).toContain(hint);
  });
});
