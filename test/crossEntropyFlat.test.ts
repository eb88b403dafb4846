import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { crossEntropy, crossEntropyBackward, crossEntropyFlat } from "../src";
import type { CrossEntropyOptions } from "../src";
import { checkFlatCall, type FlatLogits } from "../src/flat/checkFlat";
import { runFlat } from "../src/flat/crossEntropyFlat";
import { CHUNK_BYTES, kernelFailure, kernelFor } from "../src/flat/kernel";
import { buildKernels } from "../src/flat/wat/build";
import { hasRelaxedSimd } from "../src/flat/wat/features";
import { expClamp } from "../src/flat/wat/exp";
import { F32, F32_RELAXED } from "../src/flat/wat/lanes";
import { LG, TINY_F } from "../src/flat/wat/quadFinish";
import { loadReference } from "../src/course/reference";
import { expectAllClose, type Tolerance } from "./helpers/allclose";

// float64 logits against float64 PyTorch or the nested module. Both sides sum in float64 but
// in different orders, and the kernel's exp is a polynomial with a max relative error of
// 3.2e-16 per term, so sums of many terms differ in the last bits: rtol 1e-12 is ~4500 ulps.
// The atol covers values that are a difference of nearly equal numbers (the loss of a
// confident row, p - 1): the reference forms them with an absolute error of ~1e-16, not a
// relative one. We form the loss as log1p(u), more accurately than the reference itself.
const FLOAT64: Tolerance = { rtol: 1e-12, atol: 1e-15 };
// float32 logits against the same numbers in float64 (the nested module). The kernel computes
// exp(x - max) in float32 (1.8e-7 relative per term, 1.9e-7 in the relaxed build for
// x - max >= -15 and 3.8e-7 below it, where exp is at most 3.1e-7 of the row's sum; x - max rounded
// to 6e-8·|x - max|) and sums in float64: the loss is within ~3e-7 relative, the goal
// is 1e-6. The atol is
// the reference's own absolute error on a tiny loss, as above.
const FLOAT32_LOSS: Tolerance = { rtol: 1e-6, atol: 1e-15 };
// The gradient in float32 is p·(scale) rounded to float32 (6e-8) on top of the same errors:
// on these ordinary logits, 1e-6 relative or 1e-9 absolute (the bound that holds for every
// input is crossEntropyFlatSpread.test.ts's: 1e-6 of the size of its terms). With label smoothing, entries where
// k·(W·p[c] - w[c])·e/C nearly cancels keep the float32 error of p: absolute, ~1e-7 of the
// row's scale k·e·w/C, hence an absolute term that scales with it (see flatGradTolerance).
const FLOAT32_GRAD: Tolerance = { rtol: 1e-6, atol: 1e-9 };

beforeAll(async () => {
  // The kernels under test are the ones built from src/flat/wat now, not a stale dist/.
  await buildKernels(join(__dirname, "..", "dist", "flat"));
}, 60_000);

/** A seeded uniform generator (mulberry32), so every failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rows(flat: FlatLogits, C: number): number[][] {
  const out: number[][] = [];
  for (let o = 0; o < flat.length; o += C) out.push(Array.from(flat.subarray(o, o + C)));
  return out;
}

/** crossEntropyFlat with every output buffer, against the nested module on the same numbers. */
function expectParity(logits: FlatLogits, targets: Int32Array, C: number, options: CrossEntropyOptions, label: string): void {
  const N = targets.length;
  const grad = logits instanceof Float32Array ? new Float32Array(logits.length) : new Float64Array(logits.length);
  const losses = new Float64Array(N);
  const result = crossEntropyFlat(logits, targets, C, { ...options, grad, losses });
  const nested = rows(logits, C);
  const target = Array.from(targets);
  const noneOptions = { ...options, reduction: "none" as const };
  const expectedLosses = N === 0 ? [] : crossEntropy(nested, target, noneOptions);
  const expectedGrad = N === 0 ? [] : (crossEntropyBackward(nested, target, options) as number[][]);
  const f32 = logits instanceof Float32Array;
  const lossTol = f32 ? FLOAT32_LOSS : FLOAT64;
  if ((options.reduction ?? "mean") === "none") {
    expect(result, `${label}: "none" returns the sum of the losses`).toBe(losses.reduce((a, b) => a + b, 0));
  } else {
    expectAllClose(result, N === 0 ? crossEntropy([], [], options) : crossEntropy(nested, target, options), lossTol, `${label} loss`);
  }
  expectAllClose(Array.from(losses), expectedLosses, lossTol, `${label} losses`);
  expectAllClose(rows(grad, C), expectedGrad, f32 ? flatGradTolerance(options, targets) : FLOAT64, `${label} grad`);
}

/** FLOAT32_GRAD, with the smoothing term's absolute error scaled to the gradient's size. */
function flatGradTolerance(options: CrossEntropyOptions, targets: Int32Array): Tolerance {
  const e = options.labelSmoothing ?? 0;
  if (e === 0) return FLOAT32_GRAD;
  const w = Math.max(1, ...(options.weight ?? []).map(Math.abs));
  const kept = targets.filter((y) => y !== (options.ignoreIndex ?? -100)).length;
  const k = (options.reduction ?? "mean") === "mean" ? 1 / Math.max(1, kept) : 1;
  return { rtol: FLOAT32_GRAD.rtol, atol: Math.max(FLOAT32_GRAD.atol, 3e-7 * k * w) };
}

describe("the kernel", () => {
  it("is the WebAssembly one for float32 and float64 logits", () => {
    expect(kernelFor("f32"), kernelFailure()).not.toBeNull();
    expect(kernelFor("f64"), kernelFailure()).not.toBeNull();
  });

  it("has the exp accuracy src/flat/wat/exp.ts documents", () => {
    const worst = (element: "f32" | "f64", low: number): number => {
      const k = kernelFor(element)!.exports;
      let max = 0;
      for (let i = 0; i <= 200_000; i++) {
        const d = element === "f32" ? Math.fround((low * i) / 200_000) : (low * i) / 200_000;
        max = Math.max(max, Math.abs(k.expLane(d) - Math.exp(d)) / Math.exp(d));
      }
      return max;
    };
    // kernelFor loads the relaxed build where the engine has relaxed SIMD (Node 22 and later)
    // and the machine fuses its multiply-adds.
    const relaxed = kernelFor("f32")!.relaxed;
    // From the clamp (exp.ts: -86, or -85 for the relaxed build's "rr1-p5") to 0.
    expect(worst("f32", expClamp("f32x4", (relaxed ? F32_RELAXED : F32).expForm))).toBeLessThan(relaxed ? 3.8e-7 : 1.8e-7);
    if (relaxed) expect(worst("f32", -15)).toBeLessThan(1.9e-7);
    expect(worst("f64", -708)).toBeLessThan(3.3e-16);
  });

  it("has the scalar exp and log1p accuracy src/flat/wat/scalar.ts documents", () => {
    const k = kernelFor("f64")!.exports;
    const next = random(11);
    let exp = 0;
    let log1p = 0;
    for (let i = 0; i < 200_000; i++) {
      const d = -708 + 1308 * next();
      exp = Math.max(exp, Math.abs(k.exp64(d) - Math.exp(d)) / Math.exp(d));
      const u = i % 2 ? Math.exp(-45 + 90 * next()) : 10 * next();
      log1p = Math.max(log1p, Math.abs(k.log1p64(u) - Math.log1p(u)) / Math.log1p(u));
    }
    expect(exp).toBeLessThan(7e-16);
    expect(log1p).toBeLessThan(2.5e-16);
  });

  it("has the float32 row finish's log1p accuracy src/flat/wat/quadFinish.ts documents, tiny arguments included", () => {
    // The quad finish takes u = (S - 1) + exp(-d) or S·exp(d) with |d| < 80 and S >= 1, so
    // u >= exp(-80) = 1.8e-35. Measured: under 1.2e-7 relative (2^-24 is 6.0e-8).
    // Without the float64 split's rounding c, every u under 2^-53 would come out 0.
    for (const relaxed of hasRelaxedSimd() ? [false, true] : [false]) {
      const k = kernelFor("f32", relaxed)!.exports;
      const next = random(13);
      // Either side of TINY_F (2^-24), below which f's terms of f² and beyond are left out, and
      // u just above 2^k - 1, where f is that small with k >= 1.
      const special = [1.8e-35, 1e-30, 1e-20, 2 ** -53, 1e-16, 2 ** -24, 1e-8, Math.SQRT2 - 1, 2 * Math.SQRT2 - 1, 0.4142135, 0.4142137, 1, 2, 3, 1e3, 1e6, 1e7,
        2 ** -24 * (1 - 2 ** -20), 2 ** -24 * (1 + 2 ** -20), 2 ** -25, 1 + 1e-9, 1 + 2 ** -23, 3 + 1e-8, 7 - 1e-7, 2 ** 20 - 1 + 1e-3];
      const values = [...special, ...Array.from({ length: 200_000 }, () => Math.exp(-80 + 96 * next()))];
      let worst = 0;
      let at = 0;
      for (let i = 0; i < values.length; i += 4) {
        const u = [0, 1, 2, 3].map((j) => values[(i + j) % values.length]);
        for (let lane = 0; lane < 4; lane++) {
          const error = Math.abs(k.log1pQuad!(u[0], u[1], u[2], u[3], lane) - Math.log1p(u[lane])) / Math.log1p(u[lane]);
          if (error > worst) [worst, at] = [error, u[lane]];
        }
      }
      expect(worst, `relaxed ${relaxed}: worst at u = ${at}`).toBeLessThan(1.5e-7);
    }
  });

  it("keeps the float32 log1p's products normal floats: from |f| = TINY_F up they are, below it they are left out", () => {
    // quadFinish.ts's polynomial in float32 (Math.fround after each operation): s = f/(2 + f),
    // z = s², w = z², then w·Lg4 and w·Lg3 (the smallest products), hfsq = f²/2 and
    // s·(hfsq + R). A product whose exact value lies under 2^-126 costs Intel cores a microcode
    // assist (src/commands/bench/subnormal.ts). This checks the cut's value, TINY_F; the kernel's
    // use of it changes no bits, so only the time shows it (README, benchmark notes).
    const f32 = Math.fround;
    const products = (f: number): number[] => {
      const s = f32(f / f32(2 + f));
      const z = f32(s * s);
      const w = f32(z * z);
      const [Lg1, Lg2, Lg3, Lg4] = LG;
      const zTerm = f32(z * f32(Lg1 + f32(w * Lg3)));
      const wTerm = f32(w * f32(Lg2 + f32(w * Lg4)));
      const hfsq = f32(f32(0.5 * f) * f);
      const last = f32(s * f32(hfsq + f32(zTerm + wTerm)));
      return [s, z, w, f32(w * Lg4), f32(w * Lg3), zTerm, wTerm, hfsq, last];
    };
    const normal = (x: number): boolean => Math.abs(x) >= 2 ** -126;
    expect(TINY_F).toBe(2 ** -24);
    for (const f of [TINY_F, 2 * TINY_F, 1e-7, 1e-4, 0.4, -TINY_F, -0.29]) {
      expect(products(f).every(normal), `f = ${f}: ${products(f)}`).toBe(true);
    }
    // Below TINY_F they would not be: w from |f| < 2^-30.5 (f = 2^-34 here), s·(hfsq + R), about
    // f³/3, from 2^-41.5 (2^-45 here), hfsq = f²/2 from 2^-63 (2^-64 here).
    expect(normal(products(2 ** -34)[2])).toBe(false);
    expect(normal(products(2 ** -45)[8])).toBe(false);
    expect(normal(products(2 ** -64)[7])).toBe(false);
  });

  it("finishes two rows at once bit for bit as one: exp64x2 and log1p64x2 equal exp64 and log1p64 in each lane", () => {
    // statsRows finishes rows in pairs (scalar.ts pairFunctions); each lane must be the
    // scalar function's very result, including the clamp, the early return and -0.
    for (const relaxed of hasRelaxedSimd() ? [false, true] : [false]) {
      const ex = kernelFor("f64", relaxed)!.exports;
      const next = random(12);
      const special = [0, -0, 1e-19, 1e-18, -708, -709, -1e4, 600, 1e-300, 5e-324, 1, 2, Math.SQRT2 - 1, NaN, Infinity, -Infinity];
      const draws = Array.from({ length: 100_000 }, (_, i) => (i % 3 === 0 ? -708 + 1308 * next() : i % 3 === 1 ? Math.exp(-45 + 90 * next()) : 10 * next()));
      const values = [...special, ...draws];
      let expMismatch = 0;
      let logMismatch = 0;
      for (let i = 0; i < values.length; i++) {
        const a = values[i];
        const b = values[(i * 7919 + 1) % values.length];
        if (!Object.is(ex.exp64x2(a, b, 0), ex.exp64(a)) || !Object.is(ex.exp64x2(a, b, 1), ex.exp64(b))) expMismatch++;
        if (a >= 0 && b >= 0 && (!Object.is(ex.log1p64x2(a, b, 0), ex.log1p64(a)) || !Object.is(ex.log1p64x2(a, b, 1), ex.log1p64(b)))) logMismatch++;
      }
      expect(expMismatch).toBe(0);
      expect(logMismatch).toBe(0);
    }
  });

  it("keeps a fixed, small memory: no N × C buffer", () => {
    const C = 1000;
    const logits = new Float32Array(4096 * C).fill(0.5);
    crossEntropyFlat(logits, new Int32Array(4096), C, { grad: new Float32Array(logits.length) });
    expect(kernelFor("f32")!.exports.memory.buffer.byteLength).toBeLessThanOrEqual(CHUNK_BYTES + (1 << 20));
  });
});

describe("a hand-worked case", () => {
  it("[[2, 1, 0.1]], target 0: -log(e^2 / (e^2 + e^1 + e^0.1)) = 0.41703", () => {
    const expected = -Math.log(Math.exp(2) / (Math.exp(2) + Math.exp(1) + Math.exp(0.1)));
    const loss = crossEntropyFlat(new Float64Array([2, 1, 0.1]), new Int32Array([0]), 3);
    expect(loss).toBeCloseTo(0.41703, 5);
    expect(Math.abs(loss - expected) / expected).toBeLessThan(1e-15);
  });

  it("keeps a confident row's tiny loss to full relative precision, even in float32", () => {
    // [20, 0], target 0: log(1 + e^-20) = 2.06e-9, where PyTorch float32 returns exactly 0.
    const exact = Math.log1p(Math.exp(-20));
    for (const logits of [new Float32Array([20, 0]), new Float64Array([20, 0])]) {
      const loss = crossEntropyFlat(logits, new Int32Array([0]), 2);
      expect(Math.abs(loss - exact) / exact, logits.constructor.name).toBeLessThan(logits instanceof Float32Array ? 2e-7 : 1e-15);
    }
  });
});

const reference = loadReference();
const matrixCases = reference.cases.filter((c) => c.targetKind === "index" && c.logitsShape.length === 2);

describe("every 2-D index-target PyTorch case", () => {
  it("covers the groups with 2-D index targets", () => {
    expect(matrixCases.length).toBeGreaterThanOrEqual(300);
  });

  it.each(matrixCases)("$name, float64: loss and gradient equal PyTorch's", (c) => {
    const [N, C] = c.logitsShape;
    const logits = new Float64Array((c.logits as number[][]).flat());
    const targets = new Int32Array(c.target as number[]);
    const grad = new Float64Array(N * C);
    const losses = new Float64Array(N);
    const loss = crossEntropyFlat(logits, targets, C, { ...c.options, grad, losses });
    if (c.options.reduction === "none") expectAllClose(Array.from(losses), c.loss as number[], FLOAT64, "losses");
    else expectAllClose(loss, c.loss as number, FLOAT64, "loss");
    expectAllClose(rows(grad, C), c.grad as number[][], FLOAT64, "grad");
  });

  it.each(matrixCases)("$name, float32: equal to float64 on the same numbers", (c) => {
    const logits = new Float32Array((c.logits as number[][]).flat());
    expectParity(logits, new Int32Array(c.target as number[]), c.logitsShape[1], c.options, c.name);
  });
});

const OPTION_SETS: CrossEntropyOptions[] = [
  {},
  { reduction: "sum" },
  { reduction: "none" },
  { ignoreIndex: 1 },
  { labelSmoothing: 0.1 },
  { labelSmoothing: 1, reduction: "sum" },
  { weight: "w", reduction: "mean" } as unknown as CrossEntropyOptions,
  { weight: "w", labelSmoothing: 0.2, ignoreIndex: -100, reduction: "none" } as unknown as CrossEntropyOptions,
  { weight: "w", labelSmoothing: 0.3, reduction: "sum" } as unknown as CrossEntropyOptions,
];
const SHAPES = [
  [1, 1], [4, 1], [5, 2], [4, 3], [3, 4], [2, 5], [6, 7], [3, 16], [3, 63], [2, 64], [3, 65], [2, 129], [3, 1000],
];

function randomCase(N: number, C: number, seed: number, template: CrossEntropyOptions) {
  const next = random(seed);
  const logits = Array.from({ length: N * C }, () => (next() - 0.5) * 12);
  const options: CrossEntropyOptions = { ...template };
  if ((template.weight as unknown) === "w") options.weight = Array.from({ length: C }, () => 0.25 + 2 * next());
  const ignore = options.ignoreIndex ?? -100;
  const targets = new Int32Array(Array.from({ length: N }, () => (next() < 0.2 ? ignore : Math.floor(next() * C))));
  return { logits, targets, options };
}

describe.each(["f32", "f64"] as const)("random shapes and options, %s", (element) => {
  const cases = SHAPES.flatMap(([N, C], s) => OPTION_SETS.map((template, o) => ({ N, C, seed: 100 * s + o, template })));
  it.each(cases)("($N, $C) seed $seed", ({ N, C, seed, template }) => {
    const { logits, targets, options } = randomCase(N, C, seed, template);
    const typed = element === "f32" ? new Float32Array(logits) : new Float64Array(logits);
    expectParity(typed, targets, C, options, `(${N}, ${C}) ${JSON.stringify(template)}`);
  });

  it.each([
    { N: 2, C: 50257, label: "GPT-2's vocabulary" },
    { N: 3, C: 70001, label: "rows longer than a kernel chunk" },
  ])("$label: ($N, $C)", ({ N, C }) => {
    for (const template of [{}, { weight: "w", labelSmoothing: 0.1 } as unknown as CrossEntropyOptions, { reduction: "none" } as const]) {
      const { logits, options } = randomCase(N, C, C, template);
      // Targets at the edges of a chunk (float32: 65536 logits, float64: 32768) and of the row.
      const targets = new Int32Array([0, Math.min(C - 1, 32768), C - 1].slice(0, N));
      const typed = element === "f32" ? new Float32Array(logits) : new Float64Array(logits);
      expectParity(typed, targets, C, options, `(${N}, ${C}) ${JSON.stringify(template)}`);
    }
  });
});

describe.each(["f32", "f64"] as const)("rows longer than the kernel's 1 MiB logits region (fed in pieces), %s", (element) => {
  it.each([{}, { labelSmoothing: 0.1 }, { reduction: "none" }] as CrossEntropyOptions[])("(2, 262145) %o", (template) => {
    const C = 262_145;
    const { logits, options } = randomCase(2, C, C, template);
    // Targets in the first piece and at the row's end (float32 pieces: 262144 logits, float64: 131072).
    const typed = element === "f32" ? new Float32Array(logits) : new Float64Array(logits);
    expectParity(typed, new Int32Array([131_073, C - 1]), C, options, `(2, ${C}) ${JSON.stringify(template)}`);
  }, 60_000);
});

describe("NaN and ±Infinity: exactly as the nested module (and PyTorch)", () => {
  const C = 9;
  const special: Array<[string, (row: number[]) => void, number]> = [
    ["finite", () => {}, 2],
    ["NaN on the target", (r) => (r[2] = NaN), 2],
    ["NaN elsewhere", (r) => (r[5] = NaN), 2],
    ["+Infinity on the target", (r) => (r[2] = Infinity), 2],
    ["+Infinity elsewhere", (r) => (r[7] = Infinity), 2],
    ["-Infinity on the target", (r) => (r[2] = -Infinity), 2],
    ["-Infinity elsewhere", (r) => (r[0] = -Infinity), 2],
    ["all -Infinity", (r) => r.fill(-Infinity), 2],
    ["ignored with NaN", (r) => (r[3] = NaN), -100],
    ["ignored with -Infinity", (r) => (r[3] = -Infinity), -100],
    ["huge finite logits", (r) => ((r[1] = 3e38), (r[4] = -3e38)), 4],
  ];
  const next = random(7);
  const logits = special.flatMap(([, edit]) => {
    const row = Array.from({ length: C }, () => next() * 4 - 2);
    edit(row);
    return row;
  });
  const targets = new Int32Array(special.map(([, , y]) => y));

  it.each(["f32", "f64"] as const)("%s: every row of a mixed batch, every option", (element) => {
    for (const options of [{}, { reduction: "sum" }, { reduction: "none" }, { labelSmoothing: 0.2, reduction: "none" }] as CrossEntropyOptions[]) {
      const typed = element === "f32" ? new Float32Array(logits) : new Float64Array(logits);
      expectParity(typed, targets, C, options, `${element} ${JSON.stringify(options)}`);
    }
  });

  it("rows with NaN or ±Infinity take the exact float64 path: equal to the last bit", () => {
    for (const element of ["f32", "f64"] as const) {
      for (const options of [{ reduction: "sum" }, { labelSmoothing: 0.2, reduction: "sum" }] as CrossEntropyOptions[]) {
        const typed = element === "f32" ? new Float32Array(logits) : new Float64Array(logits);
        const grad = element === "f32" ? new Float32Array(typed.length) : new Float64Array(typed.length);
        const losses = new Float64Array(targets.length);
        crossEntropyFlat(typed, targets, C, { ...options, grad, losses });
        const nested = rows(typed, C);
        const expectedLosses = crossEntropy(nested, Array.from(targets), { ...options, reduction: "none" });
        const expectedGrad = crossEntropyBackward(nested, Array.from(targets), options) as number[][];
        const round = element === "f32" ? Math.fround : (v: number) => v;
        special.forEach(([name], n) => {
          if (name === "finite" || name === "huge finite logits") return;
          const label = `${element} ${name} ${JSON.stringify(options)}`;
          expect(losses[n], label).toEqual(expectedLosses[n]);
          expect(Array.from(grad.subarray(n * C, (n + 1) * C)), label).toEqual(expectedGrad[n].map(round));
        });
      }
    }
  });

  it("each special row alone", () => {
    for (const [name, edit, y] of special) {
      const row = Array.from({ length: C }, (_, c) => c / 3);
      edit(row);
      expectParity(new Float64Array(row), new Int32Array([y]), C, { reduction: "sum" }, name);
    }
  });
});

describe("the plain JavaScript path (no kernel)", () => {
  it("is the nested module's arithmetic, to the last bit", () => {
    for (const [N, C] of [[5, 7], [3, 64]]) {
      for (const template of OPTION_SETS) {
        const { logits, targets, options } = randomCase(N, C, N * C, template);
        const grad = new Float64Array(N * C);
        const losses = new Float64Array(N);
        const call = checkFlatCall(new Float64Array(logits), targets, C, { ...options, grad, losses });
        const loss = runFlat(call, null);
        const nested = rows(new Float64Array(logits), C);
        if ((options.reduction ?? "mean") !== "none") expect(loss).toBe(crossEntropy(nested, Array.from(targets), options));
        expect(Array.from(losses)).toEqual(crossEntropy(nested, Array.from(targets), { ...options, reduction: "none" }));
        expect(rows(grad, C)).toEqual(crossEntropyBackward(nested, Array.from(targets), options));
      }
    }
  });
});

describe("bad arguments: errors that name the argument, the position and the value", () => {
  const logits = new Float32Array(20);
  const targets = new Int32Array(4);
  const call = (l: unknown, t: unknown, c: unknown, o?: unknown) => () =>
    crossEntropyFlat(l as Float32Array, t as Int32Array, c as number, o as CrossEntropyOptions);

  it.each([
    ["logits not a typed array", call([1, 2], targets, 5), TypeError, "logits is an array of length 2: expected a Float32Array or Float64Array"],
    ["logits of integers", call(new Int32Array(20), targets, 5), TypeError, "logits is an Int32Array: expected a Float32Array or Float64Array"],
    ["numClasses a string", call(logits, targets, "5"), TypeError, 'numClasses is "5": expected a positive integer'],
    ["numClasses 0", call(logits, targets, 0), RangeError, "numClasses = 0 is not a positive integer"],
    ["numClasses 2.5", call(logits, targets, 2.5), RangeError, "numClasses = 2.5 is not a positive integer"],
    ["numClasses NaN", call(logits, targets, NaN), RangeError, "numClasses = NaN is not a positive integer"],
    ["length not a multiple", call(logits, targets, 3), RangeError, "logits has length 20, which is not a multiple of numClasses = 3"],
    ["targets an array", call(logits, [0, 1, 2, 3], 5), TypeError, "targets is an array of length 4: expected an Int32Array of 4 class indices"],
    ["targets of floats", call(logits, new Float64Array(4), 5), TypeError, "targets is a Float64Array"],
    ["targets too short", call(logits, new Int32Array(3), 5), RangeError, "targets has length 3 but logits holds 4 rows of 5 classes (length 20)"],
    [
      "a class out of range",
      call(new Float32Array(25), new Int32Array([0, 1, 2, 3, 7]), 5),
      RangeError,
      "targets[4] = 7 is out of range: expected a class index in [0, 5) or ignoreIndex (-100)",
    ],
    ["a negative class", call(logits, new Int32Array([0, -1, 0, 0]), 5), RangeError, "targets[1] = -1 is out of range"],
    ["grad of integers", call(logits, targets, 5, { grad: new Int32Array(20) }), TypeError, "options.grad is an Int32Array: expected a Float32Array or Float64Array of length 20"],
    ["grad an array", call(logits, targets, 5, { grad: [] }), TypeError, "options.grad is an array of length 0"],
    ["grad too short", call(logits, targets, 5, { grad: new Float32Array(19) }), RangeError, "options.grad has length 19 but logits has length 20"],
    ["grad sharing the logits", call(logits, targets, 5, { grad: logits }), RangeError, "options.grad shares memory with logits"],
    ["losses missing for none", call(logits, targets, 5, { reduction: "none" }), TypeError, 'options.losses is required for reduction "none"'],
    ["losses of float32", call(logits, targets, 5, { losses: new Float32Array(4) }), TypeError, "options.losses is a Float32Array: expected a Float64Array of length 4"],
    ["losses too long", call(logits, targets, 5, { losses: new Float64Array(5) }), RangeError, "options.losses has length 5 but logits holds 4 rows"],
    ["a Python spelling", call(logits, targets, 5, { ignore_index: 1 }), TypeError, "options.ignore_index is not an option here (did you mean ignoreIndex?)"],
    ["a bad reduction", call(logits, targets, 5, { reduction: "avg" }), RangeError, 'options.reduction = "avg" is not a valid value'],
    ["weights of the wrong length", call(logits, targets, 5, { weight: [1, 2] }), RangeError, "options.weight has 2 entries but the logits have 5 classes"],
    ["smoothing above 1", call(logits, targets, 5, { labelSmoothing: 1.5 }), RangeError, "options.labelSmoothing = 1.5 is out of range"],
  ])("%s", (_name, thunk, type, message) => {
    expect(thunk).toThrow(type as ErrorConstructor);
    expect(thunk).toThrow(message as string);
  });

  it("writes the gradient into a buffer of either float type", () => {
    const x64 = Float64Array.from({ length: 20 }, (_, i) => Math.sin(i) * 3);
    const t = new Int32Array([0, 4, 2, 1]);
    const exact = new Float64Array(20);
    crossEntropyFlat(x64, t, 5, { grad: exact });
    const rounded = new Float32Array(20);
    crossEntropyFlat(x64, t, 5, { grad: rounded });
    // float64 logits into a float32 buffer: each entry is the float64 gradient, rounded once.
    expect(Array.from(rounded)).toEqual(Array.from(exact, Math.fround));
    const x32 = Float32Array.from(x64);
    const wide = new Float64Array(20);
    const narrow = new Float32Array(20);
    crossEntropyFlat(x32, t, 5, { grad: wide });
    crossEntropyFlat(x32, t, 5, { grad: narrow });
    expect(Array.from(wide)).toEqual(Array.from(narrow));
  });

  it("takes the class weights as an array, a Float64Array or a Float32Array alike", () => {
    const x = Float64Array.from({ length: 20 }, (_, i) => Math.cos(i) * 2);
    const t = new Int32Array([0, 4, 2, 1]);
    const weight = [0.5, 2, 1.25, 0, 3];
    for (const element of ["f32", "f64"] as const) {
      const typed = element === "f32" ? Float32Array.from(x) : x;
      const run = (w: CrossEntropyOptions["weight"]) => {
        const grad = new Float64Array(20);
        const loss = crossEntropyFlat(typed, t, 5, { weight: w, labelSmoothing: 0.1, grad });
        return [loss, ...grad];
      };
      // The weights are exact in float32, so all three give the same numbers to the last bit.
      expect(run(new Float64Array(weight)), element).toEqual(run(weight));
      expect(run(new Float32Array(weight)), element).toEqual(run(weight));
    }
    expect(call(logits, targets, 5, { weight: new Int32Array(5) })).toThrow(
      "options.weight is an Int32Array: expected an array (or a Float64Array or Float32Array) of 5 numbers, one per class",
    );
    expect(call(logits, targets, 5, { weight: new Float32Array(4) })).toThrow("options.weight has 4 entries but the logits have 5 classes");
    expect(call(logits, targets, 5, { weight: new Float64Array([1, 1, NaN, 1, 1]) })).toThrow("options.weight[2] = NaN is not a finite number");
  });

  it("accepts any integer ignoreIndex, range-checks only the other targets", () => {
    const t = new Int32Array([255, 0, 255, 4]);
    expect(crossEntropyFlat(logits, t, 5, { ignoreIndex: 255, reduction: "sum" })).toBeCloseTo(2 * Math.log(5), 6);
  });

  it("an empty batch: mean NaN, sum 0, as PyTorch", () => {
    expect(crossEntropyFlat(new Float32Array(0), new Int32Array(0), 3)).toBeNaN();
    expect(crossEntropyFlat(new Float32Array(0), new Int32Array(0), 3, { reduction: "sum" })).toBe(0);
  });

  it("an empty batch of 2^31 classes: the same answers, without growing the kernel's memory", () => {
    const C = 2 ** 31;
    const before = kernelFor("f32")!.exports.memory.buffer.byteLength;
    expect(crossEntropyFlat(new Float32Array(0), new Int32Array(0), C)).toBeNaN();
    expect(crossEntropyFlat(new Float32Array(0), new Int32Array(0), C, { reduction: "sum", grad: new Float32Array(0) })).toBe(0);
    expect(crossEntropyFlat(new Float64Array(0), new Int32Array(0), C, { reduction: "none", losses: new Float64Array(0), labelSmoothing: 0.1 })).toBe(0);
    expect(kernelFor("f32")!.exports.memory.buffer.byteLength).toBe(before);
  });

  it.each(["f32", "f64"] as const)("more classes than the %s kernel's memory holds: a RangeError naming numClasses and the limit", (element) => {
    const kernel = kernelFor(element)!;
    // 4 GiB of memory, 8 bytes of weight and one logit's bytes of smoothing gradient per class.
    const limit = Math.floor(2 ** 32 / (element === "f32" ? 12 : 16));
    expect(kernel.maxClasses).toBeLessThan(limit);
    expect(kernel.maxClasses).toBeGreaterThan(limit - 200_000);
    const message = new RegExp(`^numClasses = 2147483648 is too large for crossEntropyFlat's kernel: at most ${kernel.maxClasses} classes`);
    expect(() => kernel.prepare(2 ** 31)).toThrow(RangeError);
    expect(() => kernel.prepare(2 ** 31)).toThrow(message);
  });
});
