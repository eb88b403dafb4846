/**
 * crossEntropyFlat without a gradient buffer: short rows (up to 16 KiB) take the kernel's
 * two-pass forward sweep (src/flat/wat/shortRow.ts), which the parity tests in
 * crossEntropyFlat.test.ts never reach because they always ask for the gradient. With a
 * gradient, rows longer than a block take the same two passes, storing the exps: the last
 * describe below holds those to the nested module and to the forward-only call.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { crossEntropy, crossEntropyBackward, crossEntropyFlat } from "../src";
import type { CrossEntropyOptions } from "../src";
import { mulberry32 } from "../src/course/random";
import { buildKernels } from "../src/flat/wat/build";
import { checkFlatCall } from "../src/flat/checkFlat";
import { kernelFor, type Kernel } from "../src/flat/kernel";
import { prepareKernel, rowsPerChunkOf } from "../src/flat/kernelSweep";
import { planOf } from "../src/flat/plan";
import { STATUS } from "../src/flat/wat/rowTerms";
import { unclampedSpread } from "../src/flat/wat/exp";
import { expectAllClose, type Tolerance } from "./helpers/allclose";

// The same tolerances as crossEntropyFlat.test.ts: float64 sums of many terms differ from the
// nested module's in the last bits; float32 logits are summed per block in float32.
const FLOAT64: Tolerance = { rtol: 1e-12, atol: 1e-15 };
const FLOAT32_LOSS: Tolerance = { rtol: 1e-6, atol: 1e-15 };
// crossEntropyFlat.test.ts's gradient bound for float32 logits without smoothing.
const FLOAT32_GRAD: Tolerance = { rtol: 1e-6, atol: 1e-9 };

beforeAll(async () => {
  await buildKernels(join(__dirname, "..", "dist", "flat"));
}, 60_000);

/** The smallest normal float of the logits' type: 2^-126 or 2^-1022. */
function smallestNormalOf(element: "f32" | "f64"): number {
  return element === "f32" ? 2 ** -126 : 2 ** -1022;
}

function rows(flat: ArrayLike<number>, C: number): number[][] {
  const out: number[][] = [];
  for (let o = 0; o < flat.length; o += C) out.push(Array.from(flat).slice(o, o + C));
  return out;
}

/** kernelSweep.ts sweepChunk's first steps, up to the forward sweep (statsRows), on one chunk of rows: the kernel, to read. */
function forwardSweep(element: "f32" | "f64", logits: Float32Array | Float64Array, targets: Int32Array, C: number, store: 0 | 1): Kernel {
  const N = targets.length;
  const plan = planOf(checkFlatCall(logits, targets, C, store ? { grad: new (element === "f32" ? Float32Array : Float64Array)(N * C) } : {}));
  const kernel = kernelFor(element)!;
  const { mode } = prepareKernel(plan, kernel);
  kernel.targets.set(targets);
  kernel.logits.set(logits);
  const at = kernel.at;
  kernel.exports.statsRows(at.logits, N, C, at.targets, at.stats, at.weights, mode, at.loss, at.status, at.coef, store, at.blocks);
  return kernel;
}

/** Per-row losses, forward only and with a gradient, and the gradient: the nested module's, within the type's tolerances. */
function expectNestedBothWays(element: "f32" | "f64", logits: Float32Array | Float64Array, targets: Int32Array, C: number, label: string): void {
  const N = targets.length;
  const losses = new Float64Array(N);
  const forwardLosses = new Float64Array(N);
  const grad = new (element === "f32" ? Float32Array : Float64Array)(N * C);
  crossEntropyFlat(logits, targets, C, { reduction: "none", grad, losses });
  crossEntropyFlat(logits, targets, C, { reduction: "none", losses: forwardLosses });
  const nested = rows(logits, C);
  const expected = crossEntropy(nested, Array.from(targets), { reduction: "none" }) as number[];
  const tolerance = element === "f32" ? FLOAT32_LOSS : FLOAT64;
  expectAllClose(Array.from(forwardLosses), expected, tolerance, `${label}: forward losses`);
  expectAllClose(Array.from(losses), expected, tolerance, `${label}: losses`);
  expectAllClose(rows(grad, C), crossEntropyBackward(nested, Array.from(targets), { reduction: "none" }) as number[][], element === "f32" ? FLOAT32_GRAD : FLOAT64, `${label}: grad`);
}

// Around the two-pass lower limit (32 float32 / 16 float64 logits), the block (64 / 32) and
// vector edges, and the upper limit (4096 float32 / 2048 float64 logits).
const CLASSES = [2, 3, 5, 15, 16, 17, 31, 32, 33, 63, 64, 65, 128, 129, 1000, 2048, 2049, 4096, 4097];
const OPTION_SETS: CrossEntropyOptions[] = [{}, { reduction: "sum" }, { reduction: "none" }, { weight: [] }];

describe.each(["f32", "f64"] as const)("forward only, %s: equal to the nested module", (element) => {
  it.each(CLASSES)("C = %i, targets first, last, in the middle and ignored", (C) => {
    const next = mulberry32(C);
    const targets = new Int32Array([0, C - 1, Math.floor(C / 2), -100, 1]);
    const N = targets.length;
    const source = Array.from({ length: N * C }, () => (next() - 0.5) * 12);
    // Row 4's target is its largest logit, row 1's its smallest.
    source[4 * C + 1] = 9;
    source[1 * C + C - 1] = -9;
    for (const template of OPTION_SETS) {
      const options = template.weight ? { ...template, weight: Array.from({ length: C }, () => 0.25 + 2 * next()) } : template;
      const logits = element === "f32" ? new Float32Array(source) : new Float64Array(source);
      const before = Array.from(logits);
      const losses = new Float64Array(N);
      const result = crossEntropyFlat(logits, targets, C, { ...options, losses });
      const nested = rows(logits, C);
      const tolerance = element === "f32" ? FLOAT32_LOSS : FLOAT64;
      const label = `${element} C = ${C} ${JSON.stringify(template)}`;
      expectAllClose(Array.from(losses), crossEntropy(nested, Array.from(targets), { ...options, reduction: "none" }), tolerance, `${label} losses`);
      if (options.reduction !== "none") expectAllClose(result, crossEntropy(nested, Array.from(targets), options), tolerance, `${label} loss`);
      expect(Array.from(logits), `${label}: the caller's logits are left alone`).toEqual(before);
    }
  });

  it("rows with NaN or ±Infinity: the nested module's answers, to the last bit", () => {
    const C = 130;
    const edits: Array<(row: number[]) => void> = [
      () => {},
      (r) => (r[2] = NaN),
      (r) => (r[129] = NaN),
      (r) => (r[2] = Infinity),
      (r) => (r[70] = Infinity),
      (r) => (r[2] = -Infinity),
      (r) => (r[0] = -Infinity),
      (r) => r.fill(-Infinity),
    ];
    const next = mulberry32(11);
    const source = edits.flatMap((edit) => {
      const row = Array.from({ length: C }, () => next() * 4 - 2);
      edit(row);
      return row;
    });
    const targets = new Int32Array(edits.length).fill(2);
    const logits = element === "f32" ? new Float32Array(source) : new Float64Array(source);
    const losses = new Float64Array(edits.length);
    crossEntropyFlat(logits, targets, C, { losses });
    const expected = crossEntropy(rows(logits, C), Array.from(targets), { reduction: "none" }) as number[];
    edits.forEach((_, n) => {
      if (n === 0) expectAllClose(losses[n], expected[n], element === "f32" ? FLOAT32_LOSS : FLOAT64, "finite row");
      else expect(losses[n], `row ${n}`).toEqual(expected[n]);
    });
  });
});

describe.each(["f32", "f64"] as const)("with a gradient, %s: short rows' two passes storing the exps", (element) => {
  // The gradient sweep (grad.ts scaleRows) multiplies every stored exp by the row's alpha before
  // g[y] replaces the target's: the target's slot, exp(-Infinity) = the exp's clamp (4e-38 or 1e-37 in
  // float32, 3e-308 in float64), made a subnormal product there, a microcode assist per row on
  // Intel. The sum pass leaves 0 in that slot instead; the other slots hold exp(x - M).
  it("leave 0 in each target's slot, and exp(x - M), a normal float, in the others", () => {
    const [N, C] = [16, 128];
    const next = mulberry32(77);
    const Type = element === "f32" ? Float32Array : Float64Array;
    const logits = Type.from({ length: N * C }, () => (next() * 2 - 1) * 10);
    const targets = Int32Array.from({ length: N }, (_, n) => (n * 37) % C);
    const kernel = forwardSweep(element, logits, targets, C, 1);
    const smallestNormal = smallestNormalOf(element);
    for (let n = 0; n < N; n++) {
      const row = Array.from(logits.subarray(n * C, (n + 1) * C));
      const M = Math.max(...row.filter((_, c) => c !== targets[n]));
      for (let c = 0; c < C; c++) {
        const stored = kernel.logits[n * C + c];
        if (c === targets[n]) expect(Object.is(stored, 0), `row ${n}: the target's slot holds ${stored}`).toBe(true);
        else {
          expect(stored, `row ${n}, class ${c}`).toBeGreaterThanOrEqual(smallestNormal);
          // The exp's own error (exp.ts: under 3.8e-7 in float32, 3.3e-16 in float64) and x - M's
          // rounding, 2^-24 (2^-53) of |x - M|, relative.
          const d = row[c] - M;
          const bound = element === "f32" ? 3.8e-7 + 2 ** -24 * Math.abs(d) : 3.3e-16 + 2 ** -53 * Math.abs(d);
          expect(Math.abs(stored - Math.exp(d)), `row ${n}, class ${c}`).toBeLessThanOrEqual(bound * Math.exp(d));
        }
      }
    }
  });

  // Rows of more than one block (64 float32 / 32 float64 logits) up to the limit take them;
  // 130 and 4097 float32 end in a partial vector, whose lanes past the row are the next row's.
  const STORE_CLASSES = [33, 64, 65, 66, 128, 130, 1000, 2049, 4096, 4097];
  // An ignoreIndex inside the classes, the default, and one no Int32Array can hold (2^32 + 1
  // would be 1 if it reached the kernel as an int32).
  const IGNORE = [1, -100, 2 ** 32 + 1];
  it.each(STORE_CLASSES)("C = %i: the nested module's loss and gradient; the loss the forward-only call's, bit for bit", (C) => {
    const next = mulberry32(1000 + C);
    for (const ignoreIndex of IGNORE) {
      const targets = new Int32Array([0, C - 1, Math.floor(C / 2), 1, 2, 1, C - 2]);
      const N = targets.length;
      const source = Array.from({ length: N * C }, () => (next() - 0.5) * 12);
      // The row's max in its last block (the online sweep would rescale), in its first, at its target.
      source[0 * C + C - 1] = 8;
      source[2 * C + 0] = 8;
      source[3 * C + 1] = 9;
      for (const template of [{ reduction: "none" as const }, { weight: [] as number[] }]) {
        const options = { ...template, ignoreIndex, ...(template.weight ? { weight: Array.from({ length: C }, () => 0.25 + 2 * next()) } : {}) };
        const logits = element === "f32" ? new Float32Array(source) : new Float64Array(source);
        const grad = element === "f32" ? new Float32Array(N * C) : new Float64Array(N * C);
        const losses = new Float64Array(N);
        const forwardLosses = new Float64Array(N);
        const result = crossEntropyFlat(logits, targets, C, { ...options, grad, losses });
        const forward = crossEntropyFlat(logits, targets, C, { ...options, losses: forwardLosses });
        const label = `${element} C = ${C} ignoreIndex ${ignoreIndex} ${JSON.stringify(template)}`;
        expect(Array.from(losses), `${label}: losses with and without a gradient`).toEqual(Array.from(forwardLosses));
        expect(result, `${label}: the loss with and without a gradient`).toBe(forward);
        const nested = rows(logits, C);
        const target = Array.from(targets);
        expectAllClose(Array.from(losses), crossEntropy(nested, target, { ...options, reduction: "none" }), element === "f32" ? FLOAT32_LOSS : FLOAT64, `${label} losses`);
        expectAllClose(rows(grad, C), crossEntropyBackward(nested, target, options) as number[][], element === "f32" ? FLOAT32_GRAD : FLOAT64, `${label} grad`);
      }
    }
  });
});

describe.each(["f32", "f64"] as const)("%s: short rows' sum pass without the exp's clamp", (element) => {
  // A short row whose logits all lie within unclampedSpread (80 float32, 700 float64) of the max
  // over its other classes takes its sum pass without the exp's clamp (shortRow.ts), and its
  // target's slot holds M - 80 (M - 700) instead of -Infinity. Below about -87.3 (-708.4) the
  // unclamped exp is no longer exp(d): 2^n underflows the float's exponent field, and the sum
  // goes wrong. Rows spread just inside and past that reach, one logit (not the target) that far
  // below the max, must give the nested module's loss and gradient: the sum pass taken without
  // the clamp for rows spread 88 or more (720 or more), or with the target's own logit left in
  // its slot, fails here; -Infinity left there fails the status test below.
  const spreads = element === "f32" ? [0, 10, 79, 80, 80.5, 84, 86, 88, 100, 150, 1000] : [0, 10, 699, 700, 701, 708, 720, 750, 1000, 5000];
  // A NaN sum sends a row to the exact float64 path (status EXACT), whose answer is right: the
  // values above cannot see an exp of -Infinity - M without the clamp, which is NaN. The kernel
  // itself must finish every such finite row (status FAST), with and without a gradient.
  it.each([0, 1] as const)("every row finished in the kernel (store %i)", (store) => {
    const [N, C] = [spreads.length, 128];
    const next = mulberry32(6100 + store);
    const Type = element === "f32" ? Float32Array : Float64Array;
    const logits = Type.from({ length: N * C }, () => next() * 4 - 2);
    for (let n = 0; n < N; n++) logits[n * C + 5] = 2 - spreads[n];
    const targets = Int32Array.from({ length: N }, (_, n) => (n * 37 + 11) % C);
    const kernel = forwardSweep(element, logits, targets, C, store);
    expect(Array.from(kernel.status.subarray(0, N)), `statuses, spreads ${spreads.join(", ")}`).toEqual(new Array(N).fill(STATUS.FAST));
  });

  // The target's slot gets M - 80 (M - 700) in the logits' type: exact while the max's ulp
  // divides 80 (700). Just above 2^28 in float32 (ulp 32), M - 80 lies halfway between M - 64
  // and M - 96 and rounds to the even one, M - 96 for an odd multiple of 32; above 2^30 (ulp
  // 128) it rounds to M - 128; above 2^60 in float64 (ulp 256) M - 700 rounds to M - 768. The
  // exp of those without the clamp is not their exp (2^n underflows), so such rows keep the
  // clamp. Rows 0 to 7 just above 2^28 (2^60), rows 8 to 15 above 2^30 (2^60 again); even rows
  // every logit equal (a spread of 0), odd rows two values, M and M - ulp.
  it("rows of logits just above 2^28 and above 2^30 (float32; above 2^60 in float64): the nested module's", () => {
    const C = 128;
    const N = 16;
    const next = mulberry32(6200);
    const Type = element === "f32" ? Float32Array : Float64Array;
    const [low, high] = element === "f32" ? [2 ** 28, 2 ** 30] : [2 ** 60, 2 ** 60];
    const ulp = (n: number): number => (element === "f32" ? (n < 8 ? 32 : 128) : 256);
    const max = (n: number): number => (n < 8 ? low + ulp(n) * (2 * n + 3) : high * (1 + (n - 7) / 16));
    const logits = Type.from({ length: N * C }, (_, i) => {
      const n = Math.floor(i / C);
      return max(n) - (n % 2 ? ulp(n) * Math.floor(next() * 2) : 0);
    });
    // Every row's M - 80 (M - 700), in the logits' type, lies past the unclamped exp's reach:
    // below log of the smallest normal float (-87.3, -708.4), where 2^n underflows.
    const fround = element === "f32" ? Math.fround : (v: number): number => v;
    const spread = unclampedSpread(element === "f32" ? "f32x4" : "f64x2");
    const past = Array.from({ length: N }, (_, n) => fround(max(n) - spread) - max(n)).filter((d) => d < Math.log(smallestNormalOf(element)));
    expect(past.length, "rows whose M - 80 (M - 700) rounds past the unclamped exp's reach").toBe(N);
    const targets = Int32Array.from({ length: N }, (_, n) => (n * 29 + 3) % C);
    expectNestedBothWays(element, logits, targets, C, `${element} rows of 2^28 and more`);
  });

  it.each([32, 64, 100, 128, 130, 1000, 4097])("C = %i: forward and forward + backward, the nested module's", (C) => {
    const next = mulberry32(6000 + C);
    const N = spreads.length * 3;
    const source: number[] = [];
    const targets = new Int32Array(N);
    for (let n = 0; n < N; n++) {
      const spread = spreads[n % spreads.length];
      const row = Array.from({ length: C }, () => 3 + next() * 2);
      const y = Math.floor(next() * C);
      targets[n] = y;
      // The far logit first, last or in the middle, never the target; in the third set of rows the
      // target itself lies far below (left out of the max and the min: its slot is refilled).
      const far = [0, C - 1, Math.floor(C / 3)][Math.floor(n / spreads.length)];
      const at = far === y ? (far + 1) % C : far;
      const max = Math.max(...row);
      if (n < 2 * spreads.length) row[at] = max - spread;
      else row[y] = max - spread;
      source.push(...row);
    }
    const logits = (element === "f32" ? Float32Array : Float64Array).from(source);
    expectNestedBothWays(element, logits, targets, C, `${element} C = ${C}, spreads ${spreads.join(", ")}`);
  });
});

describe("float32 rows whose target lies far from the other classes' max: within the float32 tolerances", () => {
  // Each exp(x - M) in float32 takes x - M rounded to float32, off by up to 6e-8·|x - M| of
  // itself: the rows' largest terms must have M near them (the max over the other classes), or
  // a gap of 16 costs 1e-6. A one-pass trial against x[y] (README, benchmark notes) failed here:
  // 0.05 to 26% of the gradient rows at σ = 4 and 8, and a confident row's tiny loss off by 3.9e-6.
  it.each([8, 10, 32, 128, 1000])("C = %i: normal logits of σ = 2, 4 and 8, forward and forward + backward", (C) => {
    const next = mulberry32(4000 + C);
    const normal = (): number => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
    for (const sigma of [2, 4, 8]) {
      const N = Math.max(16, Math.floor(8000 / C));
      const logits = Float32Array.from({ length: N * C }, () => sigma * normal());
      const targets = Int32Array.from({ length: N }, () => Math.floor(next() * C));
      const grad = new Float32Array(N * C);
      const losses = new Float64Array(N);
      const forwardLosses = new Float64Array(N);
      crossEntropyFlat(logits, targets, C, { reduction: "none", grad, losses });
      crossEntropyFlat(logits, targets, C, { reduction: "none", losses: forwardLosses });
      const nested = rows(logits, C);
      const label = `C = ${C}, σ = ${sigma}`;
      expectAllClose(Array.from(losses), crossEntropy(nested, Array.from(targets), { reduction: "none" }), FLOAT32_LOSS, `${label} losses`);
      expectAllClose(Array.from(forwardLosses), crossEntropy(nested, Array.from(targets), { reduction: "none" }), FLOAT32_LOSS, `${label} forward losses`);
      expectAllClose(rows(grad, C), crossEntropyBackward(nested, Array.from(targets), { reduction: "none" }) as number[][], FLOAT32_GRAD, `${label} grad`);
    }
  });

  it("a target 75 below the others, and one leading by 70 (a loss of 6e-31)", () => {
    // The review's rows (C = 8): the first class the target.
    const below = [-5.443080902099609, 70.58892059326172, 70.01241302490234, 70.45532989501953, 70.87081146240234, 70.94417572021484, 70.07545471191406, 70.17254638671875];
    const leading = [-40, -40, -40, 70.10321807861328, -40, 0.5210762023925781, -40, -40];
    const logits = new Float32Array([...below, ...leading]);
    const targets = new Int32Array([0, 3]);
    const grad = new Float32Array(16);
    const losses = new Float64Array(2);
    crossEntropyFlat(logits, targets, 8, { reduction: "none", grad, losses });
    const nested = rows(logits, 8);
    expectAllClose(Array.from(losses), crossEntropy(nested, [0, 3], { reduction: "none" }), FLOAT32_LOSS, "losses");
    expectAllClose(rows(grad, 8), crossEntropyBackward(nested, [0, 3], { reduction: "none" }) as number[][], FLOAT32_GRAD, "grad");
  });
});

describe("the float32 finish of a row whose target leads by 20 to 79 (quadFinish.ts)", () => {
  // The loss is then log1p(S·exp(d)) with d = M - x[y] from -79 to -20: as small as 1e-34, and
  // relative to itself as precise as S. exp(d) must not take d rounded to float32 (up to
  // 2^-19 off when |d| >= 32, 1.9e-6 of exp(d)). Expected: log1p of the sum of
  // exp(x[c] - x[y]) over the other classes, in float64.
  it.each([false, true])("with a gradient %s: each loss within 1e-6 of itself", (withGrad) => {
    const next = mulberry32(2079);
    const C = 128;
    const N = 64;
    const targets = Int32Array.from({ length: N }, () => Math.floor(next() * C));
    const logits = Float32Array.from({ length: N * C }, () => next() * 2 - 1);
    for (let n = 0; n < N; n++) logits[n * C + targets[n]] = 21 + 58 * (n / (N - 1)) + next() * 0.01;
    const losses = new Float64Array(N);
    crossEntropyFlat(logits, targets, C, { reduction: "none", losses, grad: withGrad ? new Float32Array(N * C) : undefined });
    for (let n = 0; n < N; n++) {
      let sum = 0;
      for (let c = 0; c < C; c++) if (c !== targets[n]) sum += Math.exp(logits[n * C + c] - logits[n * C + targets[n]]);
      const expected = Math.log1p(sum);
      expect(Math.abs(losses[n] - expected) / expected, `row ${n}: ${losses[n]}, expected ${expected}`).toBeLessThan(1e-6);
    }
  });
});

describe.each(["f32", "f64"] as const)("the finish of a chunk's rows, %s", (element) => {
  // statsRows finishes rows without smoothing eight or four at a time in float32 (quadFinish.ts,
  // octStep and quadStep; float64 logits: two and four at a time, finishPlainPair, in two pairs'
  // lanes; with a gradient, pairGradient), and a row that does not qualify (ignored, -Infinity
  // among its logits, a gap of 80 or more) one by one (rowTerms): the same operations on each
  // row, so the same bits, whatever rows share its lanes. Going down a chunk's rows, the next
  // eight are taken together when all eight qualify, else the next four. 43 rows: rows 0-19
  // four at a time (each eight from rows 0, 4, 8, 12 and 16 holds one kind of row that does not
  // qualify: 1, 9 and 18), rows 4-7 a quad whose four rows all qualify; rows 20-27 eight that
  // all qualify, and rows 28-35 too (one of them with its target the max), unless row 33 is
  // ignored: then four at a time; rows 36-42 four at a time. (At C = 5000 a chunk holds 13
  // rows, which moves the groups.) Before the batch with its ignored row, the same batch with
  // that row's target a class: the kernel's slots of the row then hold numbers that qualify,
  // which a finish that did not check every target would take. With reduction "none", a row's
  // gradient is its own loss's; the call's sum is the rows' losses added up in the kernel's
  // order: row by row within a chunk, the chunk's sum, then the rows the exact path finished
  // (the -Infinity row).
  it.each([10, 32, 128, 1000, 5000])("C = %i: each row's loss and gradient in a batch are its own alone, bit for bit", (C) => {
    const next = mulberry32(77 + C);
    for (const weighted of [false, true]) {
      for (const ignoredRow of [-1, 33]) {
        const N = 43;
        const targets = Int32Array.from({ length: N }, (_, n) => (n === ignoredRow ? -100 : Math.floor(next() * C)));
        const source = Array.from({ length: N * C }, () => (next() - 0.5) * 10);
        source[3 * C + targets[3]] = 7; // a row whose target is its max (d <= 0)
        source[35 * C + targets[35]] = 7; // the same, among eight that qualify
        source[1 * C + targets[1]] = -95; // its target 90 or more below its max (d >= 80)
        source[9 * C + targets[9]] = 95; // its target the max by 90 or more (d <= -80)
        source[18 * C + ((targets[18] + 1) % C)] = -Infinity; // -Infinity beside the target
        const logits = element === "f32" ? new Float32Array(source) : new Float64Array(source);
        // Weights of 53 significant bits (next() has 32), so that the losses' sum rounds, and in
        // another order would round otherwise.
        const weight = weighted ? Array.from({ length: C }, () => 0.5 + next() / 3) : undefined;
        const Logits = element === "f32" ? Float32Array : Float64Array;
        const losses = new Float64Array(N);
        const gradLosses = new Float64Array(N);
        const grad = new Logits(N * C);
        // The slots of a skipped row (forward) keep the primed call's numbers, and so does the
        // x[y] slot of an ignored row swept for its gradient.
        const primed = targets.map((t, n) => (n === ignoredRow ? 0 : t));
        crossEntropyFlat(logits, primed, C, { weight, reduction: "none", losses: new Float64Array(N) });
        crossEntropyFlat(logits, targets, C, { weight, reduction: "none", losses });
        crossEntropyFlat(logits, targets, C, { weight, reduction: "none", losses: gradLosses, grad });
        const sum = crossEntropyFlat(logits, targets, C, { weight, reduction: "sum" });
        const rowsPerChunk = rowsPerChunkOf(C, kernelFor(element)!);
        // "mean" divides by Σ w[y] over the rows not ignored, added up in the same order.
        const mean = crossEntropyFlat(logits, targets, C, { weight, reduction: "mean" });
        const weightOf = (n: number): number => (n === ignoredRow ? 0 : weight ? weight[targets[n]] : 1);
        let inOrder = 0;
        let denominator = 0;
        for (let r0 = 0; r0 < N; r0 += rowsPerChunk) {
          const rows = Array.from({ length: Math.min(rowsPerChunk, N - r0) }, (_, i) => r0 + i);
          const exact = (n: number): boolean => n === 18;
          inOrder += rows.filter((n) => !exact(n)).reduce((chunk, n) => chunk + losses[n], 0);
          denominator += rows.filter((n) => !exact(n)).reduce((chunk, n) => chunk + weightOf(n), 0);
          for (const n of rows.filter(exact)) {
            inOrder += losses[n];
            denominator += weightOf(n);
          }
        }
        expect(Object.is(sum, inOrder), `${element} C = ${C} weighted ${weighted}: the sum ${sum}, the losses added in the kernel's order ${inOrder}`).toBe(true);
        expect(Object.is(mean, inOrder / denominator), `${element} C = ${C} weighted ${weighted}: the mean ${mean}, ${inOrder} / ${denominator}`).toBe(true);
        for (let n = 0; n < N; n++) {
          const alone = new Float64Array(1);
          const aloneWithGrad = new Float64Array(1);
          const aloneGrad = new Logits(C);
          const row = logits.subarray(n * C, (n + 1) * C);
          crossEntropyFlat(row, targets.subarray(n, n + 1), C, { weight, reduction: "none", losses: alone });
          crossEntropyFlat(row, targets.subarray(n, n + 1), C, { weight, reduction: "none", losses: aloneWithGrad, grad: aloneGrad });
          const label = `${element} C = ${C} weighted ${weighted} row ${n}`;
          expect(Object.is(losses[n], alone[0]), `${label}: ${losses[n]} in the batch, ${alone[0]} alone`).toBe(true);
          expect(Object.is(gradLosses[n], aloneWithGrad[0]), `${label} with a gradient: ${gradLosses[n]} in the batch, ${aloneWithGrad[0]} alone`).toBe(true);
          const differ = Array.from(aloneGrad).findIndex((g, c) => !Object.is(g, grad[n * C + c]));
          expect(differ, `${label}: gradient[${differ}] is ${grad[n * C + differ]} in the batch, ${aloneGrad[differ]} alone`).toBe(-1);
        }
      }
    }
  });
});

// grad.ts scaleRow: a gradient entry alpha·exp(x - M) under the smallest normal float (logits
// far below a confident row's max) is 0, not a subnormal: computing one costs Intel cores a
// microcode assist (src/commands/bench/subnormal.ts), and PyTorch's gradient, which holds the
// subnormal, is within any tolerance of 0 there. The rows' paths: the online sweep (C = 10;
// float32 C = 40 and rows longer than 4096 float32 or 2048 float64 logits) and short rows'
// two passes (float64 C = 40; 128, 1000). With smoothing, such an entry is beta either way:
// there only the time changes. The second test checks the cut itself.
describe.each(["f32", "f64"] as const)("%s: no subnormal gradient entry", (element) => {
  const Type = element === "f32" ? Float32Array : Float64Array;
  const smallestNormal = smallestNormalOf(element);
  // Targets leading by 90 (float32) or 800 (float64): every product lies below it (float64:
  // exp(-800) underflows, and alpha is exp64's clamp, 3.3e-308, over N: a subnormal alpha).
  const gap = element === "f32" ? 90 : 800;
  it.each([10, 40, 128, 1000, 5000])("C = %i: each entry but the target's 0 or a normal float, within the tolerances of the nested module's", (C) => {
    const N = 24;
    const next = mulberry32(500 + C);
    const logits = new Type(N * C);
    const targets = Int32Array.from({ length: N }, () => Math.floor(next() * C));
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) logits[n * C + c] = next() * 2 - 1;
      if (n % 2) logits[n * C + targets[n]] = gap; // every other row confident, the rest ordinary
    }
    const nested = rows(logits, C);
    for (const options of [{}, { reduction: "sum" }, { labelSmoothing: 0.1 }] as CrossEntropyOptions[]) {
      const grad = new Type(N * C);
      crossEntropyFlat(logits, targets, C, { ...options, grad });
      const label = `C = ${C} ${JSON.stringify(options)}`;
      // The target's entry, g[y] = p[y] - 1 formed in float64 (rowTerms.ts) and stored, may round
      // to a subnormal float32 as its true value: the rule is for the sweep's products.
      const subnormal = Array.from(grad).filter((g, i) => i % C !== targets[Math.floor(i / C)] && g !== 0 && Math.abs(g) < smallestNormal);
      expect(subnormal.length, `${label}: subnormal entries, such as ${subnormal[0]}`).toBe(0);
      // float64 with smoothing: the nested module's g[y] of a confident row, (p[y] - 1) + ε - ε/C
      // over N, is itself 6.8e-15 off (0.004165833333326541 against (0.1 - 0.1/5000)/24 at
      // C = 5000; ours is 2.7e-16 off), hence 1e-14 there.
      const tolerance = element === "f32" ? FLOAT32_GRAD : options.labelSmoothing ? { rtol: 1e-12, atol: 1e-14 } : FLOAT64;
      expectAllClose(rows(grad, C), crossEntropyBackward(nested, Array.from(targets), options) as number[][], tolerance, `${label} grad`);
    }
  });
});

// The cut of scaleRowTiny against the float64 reference, entry by entry: confident rows (|alpha|
// about exp(-45), under 2^-60; float64 exp(-400), under 2^-300) whose other logits spread 60
// (float64 700) below their max, so that their products run from normal floats down through the
// smallest normal. Every entry the reference puts at or above twice the smallest normal must be
// there, within the float32 exp's relative error (the exp's 3.8e-7 and x - M's rounding, 2^-24
// of |x - M|) or 1e-10 in float64; every entry it puts under half the smallest normal must be 0.
// A cut at a larger threshold, or one that missed such rows, fails one or the other.
describe.each(["f32", "f64"] as const)("%s: scaleRowTiny's cut at the smallest normal float", (element) => {
  it.each([10, 128, 1000])("C = %i", (C) => {
    const Type = element === "f32" ? Float32Array : Float64Array;
    const smallestNormal = smallestNormalOf(element);
    const [lead, spread] = element === "f32" ? [45, 60] : [400, 700];
    const N = 8;
    const next = mulberry32(900 + C);
    const logits = new Type(N * C);
    const targets = Int32Array.from({ length: N }, (_, n) => (n * 7 + 3) % C);
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) logits[n * C + c] = -spread * next();
      logits[n * C + targets[n]] = lead;
    }
    const grad = new Type(N * C);
    crossEntropyFlat(logits, targets, C, { reduction: "sum", grad });
    const expected = crossEntropyBackward(rows(logits, C), Array.from(targets), { reduction: "sum" }) as number[][];
    let kept = 0;
    let cut = 0;
    for (let n = 0; n < N; n++) {
      const M = Math.max(...Array.from(logits.subarray(n * C, (n + 1) * C)).filter((_, c) => c !== targets[n]));
      for (let c = 0; c < C; c++) {
        if (c === targets[n]) continue;
        const [got, want] = [grad[n * C + c], expected[n][c]];
        const at = `row ${n}, class ${c}: got ${got}, expected ${want}`;
        if (Math.abs(want) >= 2 * smallestNormal) {
          const d = Math.abs(logits[n * C + c] - M);
          const rtol = element === "f32" ? 3.8e-7 + 2 ** -24 * d + 2e-7 : 1e-10;
          expect(Math.abs(got - want), at).toBeLessThanOrEqual(rtol * Math.abs(want));
          kept++;
        } else if (Math.abs(want) < smallestNormal / 2) {
          expect(got, at).toBe(0);
          cut++;
        }
      }
    }
    // Both kinds in every case: the rows straddle the cut.
    expect(kept, "entries kept").toBeGreaterThan(N);
    expect(cut, "entries cut").toBeGreaterThan(N);
  });
});
