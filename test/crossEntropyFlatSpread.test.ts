/**
 * crossEntropyFlat on finite logits with a large spread (issue 8): a logit far below or above
 * the rest of its row, or a whole row far from 0, with and without label smoothing and class
 * weights. Against the nested module on the same numbers (seeded property tests over the whole
 * class) and against PyTorch (data/reference/flat-spread.json, from data/generate_spread.py).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crossEntropy, crossEntropyBackward, crossEntropyFlat, softmax, type CrossEntropyOptions, type ReferenceCase } from "../src";
import { loadReference, referenceDir } from "../src/course/reference";
import { expectAllClose, type Tolerance } from "./helpers/allclose";

// float64 logits: the loss and every gradient value, as the issue asks. The atol covers the
// values the reference forms as a difference of nearly equal numbers (a confident row's loss
// log(1 + tiny), p - 1), which it gets to ~1e-16 absolute, not relative.
const FLOAT64: Tolerance = { rtol: 1e-12, atol: 1e-14 };
// float32 logits, against float64 on the same (float32) numbers: the loss within 1e-6 relative;
// the atol is the reference's own absolute error on a tiny loss, as above.
const FLOAT32_LOSS: Tolerance = { rtol: 1e-6, atol: 1e-15 };

type Flat = Float32Array | Float64Array;

function rowsOf(flat: Flat, C: number): number[][] {
  const out: number[][] = [];
  for (let o = 0; o < flat.length; o += C) out.push(Array.from(flat.subarray(o, o + C)));
  return out;
}

/**
 * The float32 gradient's tolerance, value by value. Each value is made of two terms,
 *   g[n][c] = u[n][c] - p[n][c]·Σ_j u[n][j],
 * u = d loss / d logSoftmax (the upstream gradient: -k·(w[c]·e/C + [c = y]·(1 - e)·w[y]),
 * k = 1/Σ w[y] for "mean", else 1; 0 on an ignored row) and p = softmax(x). Its "size" is
 * |u[c]| + p[c]·|Σ u|; the value must be within 1e-6 of that size, plus 1e-12·|Σ u|.
 * The second term is for the classes far below the max: float32 rounds x - max to 2^-24 of
 * itself, so e^(x - max) carries a relative error of 6e-8·|x - max|, more than 1e-6 beyond
 * |x - max| = 17 (PyTorch's float32 does the same), while p < e^-17 there: at most
 * 6e-8·t·e^-t < 1e-12 of |Σ u| for t >= 14. The kernel's exp also stops at e^-86 (e^-85 in the relaxed build: exp.ts).
 * The expected value is rounded to float32 first, as the gradient buffer holds it.
 */
function float32GradientBounds(x: number[][], targets: number[], options: CrossEntropyOptions): number[][] {
  const C = x[0].length;
  const e = options.labelSmoothing ?? 0;
  const w = (c: number): number => (options.weight ? options.weight[c] : 1);
  const ignore = options.ignoreIndex ?? -100;
  let denominator = 0;
  for (const y of targets) if (y !== ignore) denominator += w(y);
  if ((options.reduction ?? "mean") !== "mean") denominator = 1;
  // In the module's order of operations (lossKernels.ts), so a tiny denominator overflows alike.
  const smoothGrad = -(e / C / denominator);
  const nllGrad = -((1 - e) / denominator);
  const p = softmax(x) as number[][];
  return x.map((_, n) => {
    const y = targets[n];
    const u = Array.from({ length: C }, (_, c) => (y === ignore ? 0 : smoothGrad * w(c) + (c === y ? nllGrad * w(y) : 0)));
    const total = Math.abs(u.reduce((a, b) => a + b, 0));
    return u.map((uc, c) => 1e-6 * (Math.abs(uc) + p[n][c] * total) + 1e-12 * total);
  });
}

/** crossEntropyFlat (loss, per-row losses, gradient) against the nested module on the same numbers. */
function expectMatchesNested(flat: Flat, C: number, targets: number[], options: CrossEntropyOptions, label: string): void {
  const N = targets.length;
  const grad = flat instanceof Float32Array ? new Float32Array(flat.length) : new Float64Array(flat.length);
  const losses = new Float64Array(N);
  const loss = crossEntropyFlat(flat, new Int32Array(targets), C, { ...options, grad, losses });
  // Without a gradient buffer the kernel takes another sweep (no exps stored), and a zero
  // "mean" denominator no longer sends the call to the exact path: checked on its own.
  const lossesOnly = new Float64Array(N);
  const lossOnly = crossEntropyFlat(flat, new Int32Array(targets), C, { ...options, losses: lossesOnly });
  const x = rowsOf(flat, C);
  const f32 = flat instanceof Float32Array;
  const lossTolerance = f32 ? FLOAT32_LOSS : FLOAT64;
  const expectedLosses = crossEntropy(x, targets, { ...options, reduction: "none" }) as number[];
  expectAllClose(Array.from(losses), expectedLosses, lossTolerance, `${label} losses`);
  expectAllClose(Array.from(lossesOnly), expectedLosses, lossTolerance, `${label} losses without a gradient`);
  if (options.reduction !== "none") {
    const expected = crossEntropy(x, targets, options) as number;
    expectAllClose(loss, expected, lossTolerance, `${label} loss`);
    expectAllClose(lossOnly, expected, lossTolerance, `${label} loss without a gradient`);
  }
  const expected = crossEntropyBackward(x, targets, options) as number[][];
  if (!f32) {
    expectAllClose(rowsOf(grad, C), expected, FLOAT64, `${label} grad`);
    return;
  }
  expectFloat32Gradient(grad, expected, float32GradientBounds(x, targets, options), label);
}

/** Each float32 gradient value within its bound of the float64 one (rounded to float32, as the buffer holds it). */
function expectFloat32Gradient(grad: Flat, expected: number[][], bounds: number[][], label: string): void {
  const C = expected[0]?.length ?? 0;
  expected.forEach((row, n) =>
    row.forEach((exact, c) => {
      const got = grad[n * C + c];
      const want = Math.fround(exact);
      const where = `${label} grad[${n}][${c}]: got ${got}, expected ${exact}`;
      if (!Number.isFinite(want)) expect(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)), where).toBe(true);
      else expect(Math.abs(got - want), where).toBeLessThanOrEqual(bounds[n][c]);
    }),
  );
}

describe("the issue's examples", () => {
  it("[0.5, 0.2, -1e30], target 2: the gradient is softmax - onehot, [e^0.3, 1, 0]/(e^0.3 + 1) - [0, 0, 1]", () => {
    const p0 = Math.exp(0.3) / (Math.exp(0.3) + 1);
    const grad = new Float64Array(3);
    crossEntropyFlat(new Float64Array([0.5, 0.2, -1e30]), new Int32Array([2]), 3, { grad, reduction: "sum" });
    expectAllClose(Array.from(grad), [p0, 1 - p0, -1], FLOAT64, "grad");
  });

  it.each([
    { x: [0.77, -0.29, -1e30, 1.7], y: 2, options: { weight: [0.5, 2, 0, 1], labelSmoothing: 0.3, reduction: "sum" } },
    { x: [1e12 + 0.5, 1e12 - 0.25, 1e12 + 1.5], y: 1, options: { labelSmoothing: 0.3 } },
    { x: [-1e30, -1e30, -1e30, -1e30], y: 1, options: { labelSmoothing: 0.1 } },
  ] as Array<{ x: number[]; y: number; options: CrossEntropyOptions }>)("$x, target $y, $options", ({ x, y, options }) => {
    for (const flat of [new Float64Array(x), new Float32Array(x)]) expectMatchesNested(flat, x.length, [y], options, flat.constructor.name);
  });

  it("four equal logits of -1e30 with smoothing 0.1: the loss is log 4, as for any equal logits", () => {
    const loss = crossEntropyFlat(new Float64Array(4).fill(-1e30), new Int32Array([1]), 4, { labelSmoothing: 0.1 });
    expectAllClose(loss, Math.log(4), FLOAT64, "loss");
  });
});

/** Which way a row is spread: classes far below or above the rest, the whole row far from 0. */
const SPREADS = ["below", "above", "offset", "constant"] as const;

/** A call: N rows of C logits, each row spread by 10^exponent one of the SPREADS ways. */
function spreadCall(maxExponent: number) {
  return fc
    .record({ N: fc.integer({ min: 1, max: 4 }), C: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 13, max: 150 })) })
    .chain(({ N, C }) =>
      fc.record({
        C: fc.constant(C),
        rows: fc.array(
          fc.record({
            base: fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: C, maxLength: C }),
            far: fc.array(fc.boolean(), { minLength: C, maxLength: C }),
            spread: fc.constantFrom(...SPREADS),
            exponent: fc.double({ min: 0, max: maxExponent, noNaN: true }),
            target: fc.integer({ min: 0, max: C - 1 }),
            ignored: fc.boolean(),
          }),
          { minLength: N, maxLength: N },
        ),
        // Weights a model would use: 0 or between 1e-3 and 3 (a denormal weight makes the "mean"
        // gradient overflow float32, a different story).
        weight: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max: 3, noNaN: true })), { minLength: C, maxLength: C }),
        labelSmoothing: fc.oneof(fc.constantFrom(0.1, 1), fc.double({ min: 0.01, max: 1, noNaN: true })),
        reduction: fc.constantFrom("mean" as const, "sum" as const, "none" as const),
      }),
    )
    .map(({ C, rows, weight, labelSmoothing, reduction }) => {
      const logits = rows.flatMap(({ base, far, spread, exponent }) => {
        const gap = 10 ** exponent;
        if (spread === "below") return base.map((v, c) => (far[c] ? v - gap : v));
        if (spread === "above") return base.map((v, c) => (far[c] ? v + gap : v));
        if (spread === "offset") return base.map((v) => v - gap);
        return base.map(() => gap);
      });
      const targets = rows.map(({ target, ignored }) => (ignored ? -100 : target));
      return { C, logits, targets, weight, labelSmoothing, reduction };
    });
}

const RUNS = { seed: 20261130, numRuns: 150 };
const CLASSES = [
  { element: "float64", maxExponent: 300 },
  // float32 holds numbers up to 3.4e38: gaps up to 1e37, so that base + gap stays finite.
  { element: "float32", maxExponent: 37 },
] as const;

describe.each(CLASSES)("$element logits spread by gaps from 1 to 1e$maxExponent, against the nested module", ({ element, maxExponent }) => {
  const make = (values: number[]): Flat => (element === "float32" ? new Float32Array(values) : new Float64Array(values));
  it.each([
    { smoothing: false, weights: false },
    { smoothing: true, weights: false },
    { smoothing: false, weights: true },
    { smoothing: true, weights: true },
  ])("smoothing $smoothing, weights $weights, every reduction, some rows ignored", ({ smoothing, weights }) => {
    fc.assert(
      fc.property(spreadCall(maxExponent), ({ C, logits, targets, weight, labelSmoothing, reduction }) => {
        const options: CrossEntropyOptions = { reduction };
        if (smoothing) options.labelSmoothing = labelSmoothing;
        if (weights) options.weight = weight;
        expectMatchesNested(make(logits), C, targets, options, JSON.stringify(options));
      }),
      RUNS,
    );
  });

  it("rows longer than a kernel chunk (fed in pieces), with far logits and smoothing", () => {
    const C = 70_001;
    const logits = make(Array.from({ length: 2 * C }, (_, i) => Math.sin(i) * 4 + (i % 9973 === 5 ? -(10 ** Math.min(maxExponent, 30)) : 0)));
    const weight = Array.from({ length: C }, (_, c) => (c % 7 === 0 ? 0 : 1 + Math.cos(c)));
    for (const options of [{}, { labelSmoothing: 0.2 }, { labelSmoothing: 0.1, weight, reduction: "sum" }] as CrossEntropyOptions[]) {
      expectMatchesNested(logits, C, [5, 70_000], options, `(2, ${C}) ${JSON.stringify(Object.keys(options))}`);
    }
  });

  it("rows longer than the kernel's 1 MiB logits region (fed in pieces), with far logits and smoothing", () => {
    const C = 262_145;
    const logits = make(Array.from({ length: C }, (_, i) => Math.sin(i) * 4 + (i % 9973 === 5 ? -(10 ** Math.min(maxExponent, 30)) : 0)));
    const weight = Array.from({ length: C }, (_, c) => (c % 7 === 0 ? 0 : 1 + Math.cos(c)));
    for (const options of [{}, { labelSmoothing: 0.2 }, { labelSmoothing: 0.1, weight, reduction: "sum" }] as CrossEntropyOptions[]) {
      expectMatchesNested(logits, C, [262_144], options, `(1, ${C}) ${JSON.stringify(Object.keys(options))}`);
    }
  }, 120_000);
});

const SPREAD_FILE = join(referenceDir, "flat-spread.json");
const spread = loadReference(SPREAD_FILE).cases as Array<ReferenceCase & { logitsDtype: "float32" | "float64" }>;

describe("PyTorch's cases of data/reference/flat-spread.json", () => {
  it("hold the issue's examples and every gap, in float64 and in float32", () => {
    expect(spread.some((c) => c.group === "issue")).toBe(true);
    expect(new Set(spread.map((c) => c.logitsDtype))).toEqual(new Set(["float32", "float64"]));
    expect(Math.max(...spread.flatMap((c) => (c.logits as number[][]).flat().map(Math.abs)))).toBeGreaterThanOrEqual(1e300);
  });

  it("the README counts them", () => {
    const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
    expect(readme).toContain(`\`data/reference/flat-spread.json\` holds ${spread.length} cases`);
  });

  it.each(spread)("$name ($logitsDtype logits): loss and gradient equal PyTorch's float64", (c) => {
    const [N, C] = c.logitsShape;
    const x = c.logits as number[][];
    const targets = c.target as number[];
    const f32 = c.logitsDtype === "float32";
    const flat = f32 ? new Float32Array(x.flat()) : new Float64Array(x.flat());
    expect(Array.from(flat), "the logits are exact in their dtype").toEqual(x.flat());
    const grad = f32 ? new Float32Array(N * C) : new Float64Array(N * C);
    const losses = new Float64Array(N);
    const loss = crossEntropyFlat(flat, new Int32Array(targets), C, { ...c.options, grad, losses });
    const lossTolerance = f32 ? FLOAT32_LOSS : FLOAT64;
    if (c.options.reduction === "none") expectAllClose(Array.from(losses), c.loss as number[], lossTolerance, "losses");
    else expectAllClose(loss, c.loss as number, lossTolerance, "loss");
    if (!f32) {
      expectAllClose(rowsOf(grad, C), c.grad as number[][], FLOAT64, "grad");
      return;
    }
    expectFloat32Gradient(grad, c.grad as number[][], float32GradientBounds(x, targets, c.options), "grad");
  });

  it.each(spread)("$name: the nested crossEntropy equals PyTorch's float64 too", (c) => {
    const x = c.logits as number[][];
    const targets = c.target as number[];
    expectAllClose(crossEntropy(x, targets, c.options) as number | number[], c.loss as number | number[], FLOAT64, "loss");
    expectAllClose(crossEntropyBackward(x, targets, c.options) as number[][], c.grad as number[][], FLOAT64, "grad");
  });
});
