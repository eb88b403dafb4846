/**
 * linearCrossEntropyFlat's float32 softmax terms (src/flat/wat/softmaxF32.ts: the module's
 * `stats` and `gradient` for float32 logits), each variant this engine can run, against the
 * same arithmetic in float64 on the same float32 numbers. The bounds are the float32 exp's
 * (8.05e-8, exp.ts) and float32 roundings, tight enough that the loss and gradient tests'
 * (rtol 2e-5 against PyTorch) would not notice what these do: a log-sum-exp rounded to
 * float32 before the subtraction (up to 1.9e-6 at lse = 60) fails here.
 */
import { describe, expect, it } from "vitest";
import { matmulFor, type Variant } from "../src/flat/matmulKernel";
import { hasRelaxedSimd } from "../src/flat/wat/features";

const variants: Variant[] = ["exact", ...(hasRelaxedSimd() ? (["relaxed"] as const) : [])];

/** Seeded uniform numbers in [-1, 1) (the Lehmer generator of the other tests). */
function numbers(length: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length }, () => {
    state = (state * 48271) % 2147483647;
    return (state / 2147483647) * 2 - 1;
  });
}

// 16 rows of 36 classes (Cc a multiple of 4; 4 padding classes with a -Infinity bias), logits
// about 60: float32 numbers there are 3.8e-6 apart, so lse's own float32 rounding is visible.
const [T, C, Cc] = [16, 33, 36];
const z = Float32Array.from(numbers(T * Cc, 3).map((v, i) => 60 + 2 * v + (i % Cc) / 16));
const b = Float32Array.from({ length: Cc }, (_, c) => (c < C ? numbers(Cc, 5)[c] / 4 : -Infinity));
// g (the label-smoothing term) small beside every exp(v - lse)·k (at least 4e-4 here), so the bound below is relative to the exp's term.
const g = Float32Array.from({ length: Cc }, (_, c) => (c < C ? -1e-6 * (1 + numbers(Cc, 7)[c]) : 0));
const k = numbers(T, 11).map((v) => 1.5 + v);
const v = (t: number, c: number) => Math.fround(z[t * Cc + c] + b[c]);

/** The module's memory laid out as linearSweep.ts does: z, then b and g (float32), then m, s, lse, k (float64). */
function run(variant: Variant) {
  const matmul = matmulFor("f32", variant);
  const at = { z: 0, b: T * Cc * 4, g: T * Cc * 4 + Cc * 8, m: T * Cc * 4 + Cc * 16 };
  const [s, lse, kk] = [at.m + T * 8, at.m + 2 * T * 8, at.m + 3 * T * 8];
  const buffer = matmul.buffer(kk + T * 8);
  const f32 = new Float32Array(buffer);
  const f64 = new Float64Array(buffer);
  f32.set(z, at.z / 4);
  f32.set(b, at.b / 4);
  f32.set(g, at.g / 4);
  f64.fill(-Infinity, at.m / 8, at.m / 8 + T);
  f64.fill(0, s / 8, s / 8 + T);
  matmul.stats(at.z, at.b, at.m, s, T, Cc);
  const m = Array.from(f64.subarray(at.m / 8, at.m / 8 + T));
  const sums = Array.from(f64.subarray(s / 8, s / 8 + T));
  const logSumExp = m.map((max, t) => max + Math.log(sums[t]));
  f64.set(logSumExp, lse / 8);
  f64.set(k, kk / 8);
  matmul.gradient(at.z, at.b, at.g, lse, kk, T, Cc);
  return { m, sums, logSumExp, gradient: Array.from(f32.subarray(0, T * Cc)) };
}

describe.each(variants)("the float32 softmax terms (%s build)", (variant) => {
  const got = run(variant);

  it("stats: each row's max exactly, Σ exp(v - max) within 1e-7 (the exp's 8.05e-8, summed in float64)", () => {
    for (let t = 0; t < T; t++) {
      let max = -Infinity;
      for (let c = 0; c < C; c++) max = Math.max(max, v(t, c));
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(v(t, c) - max);
      expect(got.m[t], `m[${t}]`).toBe(max);
      expect(Math.abs(got.sums[t] - sum) / sum, `s[${t}]`).toBeLessThan(1e-7);
    }
  });

  it("gradient: g - exp(v - lse)·k within 8e-7 of exp(v - lse)·k, padding classes finite", () => {
    // Bound: d = (v - hi) - lo rounded once (|d| < 7: 4.2e-7 relative in the exp), the exp
    // (8.05e-8), k, the product and the result rounded to float32 (6e-8 each): 6.8e-7.
    let worst = 0;
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < C; c++) {
        const term = Math.exp(v(t, c) - got.logSumExp[t]) * k[t];
        const expected = g[c] - term;
        worst = Math.max(worst, Math.abs(got.gradient[t * Cc + c] - expected) / term);
      }
      for (let c = C; c < Cc; c++) expect(Number.isFinite(got.gradient[t * Cc + c]), `padding [${t}][${c}]`).toBe(true);
    }
    expect(worst).toBeLessThan(8e-7);
  });
});
