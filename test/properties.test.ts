import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crossEntropy, crossEntropyBackward, logSoftmax, softmax, type CrossEntropyOptions } from "../src";

// Seeded, so a failure reproduces; fast-check prints the shrunk counterexample.
const RUNS = { seed: 20261127, numRuns: 200 };

/** A batch (N, C) of logits of any scale, with N in [1, 6] and C in [1, 8], and valid targets. */
const batch = fc
  .record({ n: fc.integer({ min: 1, max: 6 }), c: fc.integer({ min: 1, max: 8 }), scale: fc.constantFrom(1, 10, 100, 1000) })
  .chain(({ n, c, scale }) =>
    fc.record({
      logits: fc.array(fc.array(fc.double({ min: -scale, max: scale, noNaN: true }), { minLength: c, maxLength: c }), { minLength: n, maxLength: n }),
      targets: fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: n, maxLength: n }),
    }),
  );

const sum = (row: number[]) => row.reduce((a, b) => a + b, 0);

describe("properties that need no reference", () => {
  it("every softmax row sums to 1 and lies in [0, 1]", () => {
    fc.assert(
      fc.property(batch, ({ logits }) => {
        for (const row of softmax(logits)) {
          expect(Math.abs(sum(row) - 1)).toBeLessThan(1e-12);
          expect(row.every((p) => p >= 0 && p <= 1)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it("shifting every logit of a row by a constant changes nothing", () => {
    fc.assert(
      fc.property(batch, fc.double({ min: -500, max: 500, noNaN: true }), ({ logits, targets }, shift) => {
        const shifted = logits.map((row) => row.map((x) => x + shift));
        const a = crossEntropy(logits, targets);
        // x + shift rounds each logit, by up to half an ulp of the larger of the two.
        const rounding = 4 * Number.EPSILON * Math.max(1, Math.abs(shift), ...logits.flat().map(Math.abs));
        expect(Math.abs(crossEntropy(shifted, targets) - a)).toBeLessThanOrEqual(rounding + 1e-12 * a);
      }),
      RUNS,
    );
  });

  it("the loss is at least 0", () => {
    fc.assert(
      fc.property(batch, fc.constantFrom(0, 0.1, 1), ({ logits, targets }, labelSmoothing) => {
        expect(crossEntropy(logits, targets, { labelSmoothing })).toBeGreaterThanOrEqual(0);
      }),
      RUNS,
    );
  });

  it("equal logits give log(C): the loss of a guess at chance", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.double({ min: -1e3, max: 1e3, noNaN: true }), (c, value) => {
        const loss = crossEntropy([new Array(c).fill(value)], [c - 1]);
        expect(Math.abs(loss - Math.log(c))).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.log(c)));
      }),
      RUNS,
    );
  });

  it("without weights or smoothing every gradient row sums to 0", () => {
    fc.assert(
      fc.property(batch, fc.constantFrom<CrossEntropyOptions["reduction"]>("mean", "sum", "none"), ({ logits, targets }, reduction) => {
        for (const row of crossEntropyBackward(logits, targets, { reduction })) {
          expect(Math.abs(sum(row))).toBeLessThan(1e-12);
        }
      }),
      RUNS,
    );
  });

  it("logSoftmax is log of softmax wherever softmax does not underflow", () => {
    fc.assert(
      fc.property(batch, ({ logits }) => {
        const p = softmax(logits);
        logSoftmax(logits).forEach((row, n) =>
          row.forEach((l, c) => {
            if (p[n][c] > 1e-300) expect(Math.abs(l - Math.log(p[n][c]))).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(l)));
          }),
        );
      }),
      RUNS,
    );
  });
});

describe("the analytic gradient matches a centred finite difference", () => {
  // (f(x + h) - f(x - h)) / 2h has error O(h²) from the curvature plus O(ε/h) from rounding;
  // h = 1e-5 balances them near 1e-10. CS231n's relative error |n - a| / (|n| + |a|) is then
  // far below its 1e-7 "happy" line for a smooth loss like this one.
  const h = 1e-5;
  const options = fc.record(
    {
      weight: fc.constant([0.5, 2, 1, 3]),
      labelSmoothing: fc.constantFrom(0, 0.2),
      reduction: fc.constantFrom<"mean" | "sum">("mean", "sum"),
      ignoreIndex: fc.constant(3),
    },
    { requiredKeys: ["reduction"] },
  );
  const small = fc.record({
    logits: fc.array(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 4 }),
    seed: fc.nat(),
  });

  it("for index targets with every option", () => {
    fc.assert(
      fc.property(small, options, ({ logits, seed }, opts) => {
        const targets = logits.map((_, n) => (seed + n) % 4);
        if (opts.ignoreIndex !== undefined && targets.every((y) => y === opts.ignoreIndex)) targets[0] = 0;
        checkGradient(logits, targets, opts);
      }),
      { ...RUNS, numRuns: 60 },
    );
  });

  it("for probability targets, which need not sum to 1", () => {
    fc.assert(
      fc.property(small, fc.constantFrom(0, 0.3), ({ logits, seed }, labelSmoothing) => {
        const targets = logits.map((row, n) => row.map((_, c) => ((seed + 3 * n + c) % 5) / 4));
        checkGradient(logits, targets, { labelSmoothing, weight: [1, 2, 0.5, 1] });
      }),
      { ...RUNS, numRuns: 60 },
    );
  });

  function checkGradient(logits: number[][], targets: number[] | number[][], opts: CrossEntropyOptions): void {
    const analytic = crossEntropyBackward(logits, targets, opts);
    logits.forEach((row, n) =>
      row.forEach((x, c) => {
        const at = (v: number) => crossEntropy(logits.map((r, i) => (i === n ? r.map((y, j) => (j === c ? v : y)) : r)), targets, opts) as number;
        const numeric = (at(x + h) - at(x - h)) / (2 * h);
        const a = analytic[n][c];
        const denominator = Math.abs(numeric) + Math.abs(a);
        const relative = denominator < 1e-9 ? Math.abs(numeric - a) : Math.abs(numeric - a) / denominator;
        expect(relative, `d loss / d logits[${n}][${c}]: numeric ${numeric}, analytic ${a}`).toBeLessThan(1e-7);
      }),
    );
  }
});
