import { afterAll, describe, expect, it } from "vitest";
import { crossEntropyFlat, mulberry32 as random, sharedFloat32Array, sharedFloat64Array, startThreads } from "../src";
import { checkFlatCall, type CrossEntropyFlatOptions, type FlatLogits } from "../src/flat/checkFlat";
import { runFlat } from "../src/flat/crossEntropyFlat";
import { kernelFor } from "../src/flat/kernel";
import { sourceKernel } from "../src/flat/kernelSweep";
import type { Plan } from "../src/flat/plan";
import { MEMORY_PAUSE, SHARED_SLACK, sharedSourceOf } from "../src/flat/sharedArrays";
import { closeThreads, lastShare } from "../src/flat/threads";
import { hasFusedRelaxedSimd, hasMultiMemory } from "../src/flat/wat/features";

// A forward of logits on a sharedFloat32Array's or sharedFloat64Array's memory is read where the
// logits lie (the kernel's in-place build, kernel.ts's inPlaceKernel) on engines with
// WebAssembly's multi-memory (Node 22 and later), and copied into the kernel on others (Node 20):
// either way with the bits of the same call on an ordinary array, and without a byte of the
// caller's memory written. CI runs this file under both Nodes. No timings: `npm run bench`'s.

const nodeMajor = Number(process.versions.node.split(".")[0]);
/**
 * The kernel builds this engine loads, each with its in-place build: the exact one always (which
 * unrolls its sums and max in rounds: lanes.ts), the relaxed one where it is the default.
 */
const builds = hasFusedRelaxedSimd() ? [true, false] : [false];

/** Bit for bit: Object.is at every index. */
function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) throw new Error(`${what}[${i}]: ${a[i]} from an ordinary array, ${b[i]} from shared memory`);
  }
}

/** The plan fields sourceKernel looks at. */
function planOf(logits: FlatLogits, C: number, grad: FlatLogits | null = null, e = 0): Plan {
  return { logits, C, grad, e } as unknown as Plan;
}

/**
 * N rows of C logits: the first C rows' targets at every class in turn (so a target sits at the
 * start, the middle and the end of every block of 16 vectors and of the row's tail), then random
 * ones; every 11th ignored (-100). Rows where the target leads by 30 (the row's max: a trained
 * model's usual row), rows of equal logits, and, past row 8, a NaN, a +Infinity and a -Infinity
 * (rows the exact path finishes). The last row's target is its last class: its window is the
 * array's last logits and the slack past them. The two rows before it have their target at the
 * first class of their second block (or their last class, in a row shorter than that), whose
 * window the in-place build takes before the first block in a row of two blocks (shortRow.ts):
 * one of +0, -0 and -1 (a max of ±0, whose sign the order decides), one with a NaN at its
 * first logit.
 */
function batch(N: number, C: number, element: "f32" | "f64", seed: number): { logits: FlatLogits; targets: Int32Array } {
  const next = random(seed);
  const logits = element === "f32" ? new Float32Array(N * C) : new Float64Array(N * C);
  for (let i = 0; i < logits.length; i++) logits[i] = (next() - 0.5) * 10;
  const targets = new Int32Array(N).map((_, n) => (n % 11 === 4 ? -100 : n < C ? n : Math.floor(next() * C)));
  targets[N - 1] = C - 1;
  for (let n = 0; n < N; n += 3) if (targets[n] >= 0) logits[n * C + targets[n]] = 30;
  for (let c = 0; c < C; c++) logits[2 * C + c] = 1.5;
  if (N > 8) {
    logits[6 * C + 1] = Number.NaN;
    logits[7 * C + C - 1] = Number.POSITIVE_INFINITY;
    logits[8 * C] = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < C; c++) logits[(N - 3) * C + c] = c % 3 === 0 ? -0 : c % 3 === 1 ? 0 : -1;
    const secondBlock = Math.min(C - 1, element === "f32" ? 64 : 32);
    targets[N - 3] = secondBlock;
    logits[(N - 2) * C] = Number.NaN;
    targets[N - 2] = secondBlock;
  }
  return { logits, targets };
}

/**
 * Each finite row's loss in float64 arithmetic, w[y]·(log Σ exp(x - max) - (x[y] - max)), 0 for
 * an ignored row, NaN for a row holding NaN or ±Infinity (not checked here: the exact path's).
 */
function reference(logits: FlatLogits, targets: Int32Array, C: number, weight?: Float64Array): Float64Array {
  return Float64Array.from(targets, (y, n) => {
    const row = Array.from(logits.subarray(n * C, (n + 1) * C));
    if (y < 0) return 0;
    if (!row.every(Number.isFinite)) return Number.NaN;
    const max = Math.max(...row);
    const others = row.reduce((s, x, c) => (c === y ? s : s + Math.exp(x - max)), 0);
    // log1p where the target is the max, so that a confident row's tiny loss keeps its digits.
    const nll = row[y] === max ? Math.log1p(others) : Math.log(others + Math.exp(row[y] - max)) - (row[y] - max);
    return (weight ? weight[y] : 1) * nll;
  });
}

function shared(logits: FlatLogits): FlatLogits {
  const copy = logits instanceof Float32Array ? sharedFloat32Array(logits.length) : sharedFloat64Array(logits.length);
  copy.set(logits);
  return copy;
}

/** The loss and the per-row losses of one call (through the `relaxed` build or the exact one, when given). */
function forward(logits: FlatLogits, targets: Int32Array, C: number, options: CrossEntropyFlatOptions, relaxed?: boolean): { loss: number; losses: Float64Array } {
  const losses = new Float64Array(targets.length);
  if (relaxed === undefined) return { loss: crossEntropyFlat(logits, targets, C, { ...options, losses }), losses };
  const kernel = kernelFor(logits instanceof Float32Array ? "f32" : "f64", relaxed);
  expect(kernel, `the ${relaxed ? "relaxed" : "exact"} build loads`).not.toBeNull();
  return { loss: runFlat(checkFlatCall(logits, targets, C, { ...options, losses }), kernel), losses };
}

describe("sharedFloat32Array and sharedFloat64Array", () => {
  it.runIf(!hasMultiMemory())("lie on a plain SharedArrayBuffer of their own without multi-memory (Node 20)", () => {
    const a = sharedFloat32Array(1000);
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(a.buffer.byteLength).toBe(4000);
    expect(sharedSourceOf(a)).toBeNull();
    expect(sharedFloat64Array(10).buffer.byteLength).toBe(80);
  });

  it.runIf(hasMultiMemory())("lie on a shared WebAssembly.Memory of their own, in whole pages of 64 KiB, with SHARED_SLACK bytes past the array", () => {
    // (65536 - 256) / 4 = 16320 float32 fill one page with the slack; one more takes two.
    for (const [length, pages] of [[0, 1], [1000, 1], [16320, 1], [16321, 2]] as const) {
      const a = sharedFloat32Array(length);
      expect(a.length).toBe(length);
      expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(a.buffer.byteLength, `length ${length}`).toBe(pages * 65536);
      expect(a.every((v) => v === 0)).toBe(true);
      const source = sharedSourceOf(a);
      expect(source?.memory.buffer).toBe(a.buffer);
    }
    // (65536 - 256) / 8 = 8160 float64.
    expect(sharedFloat64Array(8160).buffer.byteLength).toBe(65536);
    expect(sharedFloat64Array(8161).buffer.byteLength).toBe(2 * 65536);
    const ids = [sharedFloat32Array(4), sharedFloat32Array(4), sharedFloat64Array(4)].map((a) => sharedSourceOf(a)?.id);
    expect(new Set(ids).size, "each array its own memory").toBe(3);
  });

  it.runIf(hasMultiMemory())("are read in place only where SHARED_SLACK bytes follow the view: a view into the slack, a plain SharedArrayBuffer and an ordinary array are not", () => {
    const a = sharedFloat32Array(1000);
    expect(sharedSourceOf(a.subarray(10, 20))).not.toBeNull();
    const lastThatFits = (a.buffer.byteLength - SHARED_SLACK) / 4;
    expect(sharedSourceOf(new Float32Array(a.buffer, 0, lastThatFits))).not.toBeNull();
    expect(sharedSourceOf(new Float32Array(a.buffer, 0, lastThatFits + 1))).toBeNull();
    expect(sharedSourceOf(new Float32Array(a.buffer, 4, lastThatFits))).toBeNull();
    expect(sharedSourceOf(new Float32Array(new SharedArrayBuffer(4000)))).toBeNull();
    expect(sharedSourceOf(new Float32Array(1000))).toBeNull();
  });

  it.runIf(hasMultiMemory())("after the engine refuses a memory, the next MEMORY_PAUSE arrays lie on plain SharedArrayBuffers without asking, then it asks again", () => {
    const api = (globalThis as unknown as { WebAssembly: { Memory: unknown } }).WebAssembly;
    const Memory = api.Memory;
    let asked = 0;
    api.Memory = function refuse(): never {
      asked++;
      throw new RangeError("WebAssembly.Memory(): could not allocate memory");
    };
    try {
      const first = sharedFloat32Array(100);
      expect(asked).toBe(1);
      expect(first.buffer.byteLength, "a plain SharedArrayBuffer").toBe(400);
      expect(sharedSourceOf(first)).toBeNull();
      for (let i = 0; i < MEMORY_PAUSE; i++) sharedFloat32Array(1);
      expect(asked, "not asked during the pause").toBe(1);
    } finally {
      api.Memory = Memory;
    }
    expect(sharedSourceOf(sharedFloat32Array(100)), "asked again after it").not.toBeNull();
  });
});

describe("a forward of shared logits", () => {
  it("is read in place exactly where the engine has multi-memory (Node 22 and later), for a forward without smoothing of rows short rows' passes take", () => {
    expect(hasMultiMemory(), `Node ${process.versions.node}`).toBe(nodeMajor >= 22);
    for (const element of ["f32", "f64"] as const) {
      const kernel = kernelFor(element);
      expect(kernel, "the kernel loads").not.toBeNull();
      if (!kernel) return;
      const perVector = element === "f32" ? 4 : 2;
      const make = element === "f32" ? sharedFloat32Array : sharedFloat64Array;
      const reads = (C: number, grad = false, e = 0, logits: FlatLogits = make(4 * C)): boolean => sourceKernel(planOf(logits, C, grad ? new Float64Array(4 * C) : null, e), kernel).source !== null;
      const smallest = 8 * perVector;
      const largest = 16384 / (element === "f32" ? 4 : 8);
      expect(reads(smallest), `${element} C = ${smallest}`).toBe(hasMultiMemory());
      expect(reads(largest), `${element} C = ${largest}`).toBe(hasMultiMemory());
      // Copied, as before: rows the online sweep takes, a gradient, label smoothing, other arrays.
      expect(reads(smallest - 1)).toBe(false);
      expect(reads(largest + 1)).toBe(false);
      expect(reads(128, true)).toBe(false);
      expect(reads(128, false, 0.1)).toBe(false);
      expect(reads(128, false, 0, element === "f32" ? new Float32Array(512) : new Float64Array(512))).toBe(false);
      // The same kernel for a second call on the same memory: instantiated once.
      const logits = make(512);
      expect(sourceKernel(planOf(logits, 128), kernel)).toBe(sourceKernel(planOf(logits, 128), kernel));
    }
  });

  for (const element of ["f32", "f64"] as const) {
    const classes =
      element === "f32" ? [31, 32, 33, 40, 63, 64, 65, 100, 127, 128, 129, 191, 192, 193, 1000, 4095, 4096, 4097] : [15, 16, 17, 31, 32, 33, 63, 64, 65, 95, 96, 100, 500, 2047, 2048, 2049];
    it(`${element}, each build this engine loads: the bits of an ordinary array's call, with every target position of blocks and tails, weights and ignored rows, and nothing written to the caller's memory`, () => {
      for (const C of classes) {
        const N = Math.min(C, 300) + 5;
        const { logits, targets } = batch(N, C, element, C);
        const onShared = shared(logits);
        const before = new Uint8Array(onShared.buffer).slice();
        const weight = Float64Array.from({ length: C }, (_, c) => 0.25 + (c % 5) / 4);
        // Every 11th row ignored (the default ignoreIndex, -100) in each.
        for (const [relaxed, options] of builds.flatMap((r) => ([{}, { reduction: "sum" }, { weight }] as CrossEntropyFlatOptions[]).map((o) => [r, o] as const))) {
          const a = forward(logits, targets, C, options, relaxed);
          const b = forward(onShared, targets, C, options, relaxed);
          const what = `${element} ${relaxed ? "relaxed" : "exact"} build C = ${C} ${JSON.stringify(options).slice(0, 30)}`;
          // Both right, not only alike (a fault in what both paths share would pass the bits check
          // below): each finite row within float32's tolerance of float64 arithmetic (1e-6 relative,
          // as test/crossEntropyFlat.test.ts holds float32 losses), or 1e-12 for float64 logits.
          const expected = reference(logits, targets, C, options.weight as Float64Array | undefined);
          const rtol = element === "f32" ? 1e-6 : 1e-12;
          expected.forEach((want, n) => {
            if (Number.isNaN(want)) return;
            if (Math.abs(a.losses[n] - want) > rtol * Math.abs(want) + rtol * 1e-3) throw new Error(`${what}: row ${n}'s loss ${a.losses[n]}, float64 arithmetic ${want}`);
          });
          expect(Object.is(a.loss, b.loss), `${what}: ${a.loss} and ${b.loss}`).toBe(true);
          sameBits(a.losses, b.losses, `${what} losses`);
        }
        const after = new Uint8Array(onShared.buffer);
        for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) throw new Error(`${element} C = ${C}: byte ${i} of the caller's memory changed`);
      }
    });
  }

  it("a view of the memory's last logits (its rows' windows run into the slack) and a subarray from an odd offset: the same bits", () => {
    const C = 100;
    const N = 50;
    const { logits, targets } = batch(N, C, "f32", 5);
    const big = sharedFloat32Array(20000);
    const lastThatFits = (big.buffer.byteLength - SHARED_SLACK) / 4;
    const atEnd = new Float32Array(big.buffer, (lastThatFits - N * C) * 4, N * C);
    atEnd.set(logits);
    const odd = big.subarray(1, 1 + N * C);
    expect(sharedSourceOf(atEnd) !== null, "read in place").toBe(hasMultiMemory());
    odd.set(logits);
    for (const relaxed of builds) {
      const a = forward(logits, targets, C, {}, relaxed);
      const b = forward(atEnd, targets, C, {}, relaxed);
      expect(Object.is(a.loss, b.loss)).toBe(true);
      sameBits(a.losses, b.losses, "at the end");
      const c = forward(odd, targets, C, {}, relaxed);
      expect(Object.is(a.loss, c.loss)).toBe(true);
      sameBits(a.losses, c.losses, "from an odd offset");
    }
  });
});

describe("with threads", () => {
  afterAll(() => closeThreads());

  it("every thread reads shared logits in place where the engine can, with one thread's bits on an ordinary array", async () => {
    await startThreads(2);
    for (const element of ["f32", "f64"] as const) {
      const C = element === "f32" ? 128 : 100;
      const N = 6000;
      const { logits, targets } = batch(N, C, element, 21);
      const onShared = shared(logits);
      const one = forward(logits, targets, C, {});
      let workers = 0;
      for (let attempt = 0; attempt < 200 && workers === 0; attempt++) {
        const many = forward(onShared, targets, C, { threads: 2 });
        expect(Object.is(one.loss, many.loss), `${element}: ${one.loss} and ${many.loss}`).toBe(true);
        sameBits(one.losses, many.losses, `${element} losses`);
        workers = lastShare.workers;
        // The calling thread, and the worker once it has taken the call.
        if (workers > 0) expect(lastShare.inPlace, `${element}: threads that read in place`).toBe(hasMultiMemory() ? 2 : 0);
      }
      expect(workers, `${element}: the worker took chunks`).toBeGreaterThan(0);
    }
  });
});
