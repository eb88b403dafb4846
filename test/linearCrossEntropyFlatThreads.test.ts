/**
 * linearCrossEntropyFlat with options.threads (linearThreads.ts): each tile's chunks of classes
 * shared between the calling thread and a worker of the pool. Against one thread and against
 * the nested linearCrossEntropy, float32 and float64, with every option the flat function
 * takes; the threshold under which a call stays on one thread; and the shared-array errors.
 * No timings here: speed is `npm run bench:linear`'s.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LINEAR_THREAD_MIN_FLOPS, linearCrossEntropy, linearCrossEntropyBackward, linearCrossEntropyFlat, sharedFloat32Array, sharedFloat64Array, startThreads } from "../src";
import { checkLinearFlatCall, type FlatArray, type LinearCrossEntropyFlatOptions } from "../src/flat/checkLinearFlat";
import { runLinearFlat } from "../src/flat/linearCrossEntropyFlat";
import { lastLinearShare } from "../src/flat/linearThreads";
import { tileLayout } from "../src/flat/linearTile";
import { CHUNK_BYTES } from "../src/flat/kernel";
import { matmulFor, type Variant } from "../src/flat/matmulKernel";
import { closeThreads } from "../src/flat/threads";
import { expectAllClose } from "./helpers/allclose";

type Element = "f32" | "f64";

/** Seeded numbers in [-1, 1), written out so the test does not lean on the module's generator. */
function numbers(count: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 48271) % 2147483647;
    return (state / 2147483647) * 2 - 1;
  });
}

const shared = (element: Element, values: number[] | number): FlatArray => {
  const array = (element === "f32" ? sharedFloat32Array : sharedFloat64Array)(typeof values === "number" ? values : values.length);
  if (typeof values !== "number") array.set(values);
  return array;
};

interface Problem {
  N: number;
  D: number;
  C: number;
  x: number[];
  W: number[];
  b: number[];
  targets: Int32Array;
}

/** Every 7th target ignored (ignoreIndex), the rest seeded classes. */
function problem(N: number, D: number, C: number, ignoreIndex = -100): Problem {
  return {
    N,
    D,
    C,
    x: numbers(N * D, 7),
    W: numbers(C * D, 11).map((v) => 0.5 * v),
    b: numbers(C, 13),
    targets: Int32Array.from(numbers(N, 17), (v, n) => (n % 7 === 3 ? ignoreIndex : Math.floor(((v + 1) * C) / 2))),
  };
}

interface Result {
  loss: number;
  losses: Float64Array;
  gradInput: FlatArray;
  gradLinearWeight: FlatArray;
  gradLinearBias: FlatArray;
}

/**
 * One call on shared input, W and gradLinearWeight; gradInput and gradLinearBias ordinary
 * arrays (the calling thread writes the first, a shared copy of the second goes to the
 * workers). minFlops 0: these small calls on threads, whatever LINEAR_THREAD_MIN_FLOPS says.
 */
function run(element: Element, p: Problem, options: LinearCrossEntropyFlatOptions, threads: number, minFlops = 0, grads = true, variant?: Variant): Result {
  const ordinary = (n: number) => (element === "f32" ? new Float32Array(n) : new Float64Array(n));
  const result = {
    losses: new Float64Array(p.N),
    gradInput: ordinary(p.N * p.D),
    gradLinearWeight: shared(element, p.C * p.D),
    gradLinearBias: ordinary(p.C),
  };
  const call = checkLinearFlatCall(shared(element, p.x), shared(element, p.W), p.targets, p.C, {
    ...options,
    linearBias: p.b,
    losses: result.losses,
    ...(grads ? { gradInput: result.gradInput, gradLinearWeight: result.gradLinearWeight, gradLinearBias: result.gradLinearBias } : {}),
    threads,
  });
  return { loss: runLinearFlat(call, matmulFor(element, variant), minFlops), ...result };
}

// Two threads against one: the same products and the same per-class terms, but each range's
// running max and Σ exp start afresh and are combined at the end, and the smoothing sums and the
// input gradient's sums over classes are added range by range. The loss: float64, each row's
// Σ exp rounds in another order (1e-13 relative for float64 exps); float32 exps are rounded
// to float32 from exp(z - m) with another m (2^-24 relative each), so each row's log-sum-exp
// may move by 2^-24 (6e-8) and so may the loss. The gradients: each value is a sum of K terms
// (K = C for gradInput, N for gradLinearWeight and gradLinearBias) in the output's type, added
// in another order, each term moved by the log-sum-exp's change: within K roundings (2^-24
// or 2^-53) of the largest value of that output.
const BETWEEN = {
  f64: { loss: { rtol: 1e-13, atol: 1e-13 }, rounding: 2 ** -53 },
  f32: { loss: { rtol: 1.2e-7, atol: 1.2e-7 }, rounding: 2 ** -24 },
};

/** |a - b| within `scale` times the largest |b|, at every index. */
function expectNear(a: ArrayLike<number>, b: ArrayLike<number>, scale: number, what: string): void {
  expect(a.length, what).toBe(b.length);
  let largest = 0;
  for (let i = 0; i < b.length; i++) if (Number.isFinite(b[i])) largest = Math.max(largest, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(b[i])) expect(a[i], `${what}[${i}]`).toBeNaN();
    else if (!(Math.abs(a[i] - b[i]) <= scale * largest)) throw new Error(`${what}[${i}]: ${a[i]} with two threads, ${b[i]} with one (bound ${scale * largest})`);
  }
}

function expectSameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`${what}[${i}]: ${a[i]} and ${b[i]}`);
}

const rows = (flat: ArrayLike<number>, width: number) => Array.from({ length: flat.length / width }, (_, r) => Array.from(flat).slice(r * width, (r + 1) * width));

beforeAll(async () => {
  await startThreads(3);
}, 60_000);

afterAll(async () => {
  await closeThreads();
});

describe("linearCrossEntropyFlat with threads: 2, against threads: 1 and the nested linearCrossEntropy", () => {
  // (37, 19, 1100): D odd (padded to 20 or 24), chunks of 1016 float64 or 1008 float32 classes,
  // so two chunks and a range each; against the nested module too. (300, 129, 1003): tiles of
  // 256 rows (256 + 44), chunks of 248 float64 classes (5 chunks, ranges of 2 and 3) or 496
  // float32 (3 chunks, ranges of 1 and 2); against one thread only (the nested module takes
  // seconds there).
  const weight = (C: number) => numbers(C, 19).map((v) => v + 1.5);
  const settings: [string, [number, number, number], LinearCrossEntropyFlatOptions, boolean][] = [
    ["mean", [37, 19, 1100], {}, true],
    ["sum, class weights", [37, 19, 1100], { reduction: "sum", weight: weight(1100) }, true],
    ["none, label smoothing", [37, 19, 1100], { reduction: "none", labelSmoothing: 0.1 }, true],
    ["mean, weights, label smoothing, ignoreIndex 5", [37, 19, 1100], { weight: weight(1100), labelSmoothing: 0.2, ignoreIndex: 5 }, true],
    ["mean, weights, label smoothing, two tiles of rows, D = 129", [300, 129, 1003], { weight: weight(1003), labelSmoothing: 0.2 }, false],
  ];
  it.each(settings.flatMap(([label, shape, o, nested]) => (["f64", "f32"] as const).map((element) => [`${label}, ${element}`, shape, o, nested, element] as const)))("%s", (_, [N, D, C], o, nested, element) => {
    const p = problem(N, D, C, o.ignoreIndex ?? -100);
    const one = run(element, p, o, 1);
    expect(lastLinearShare.threads).toBe(1);
    const two = run(element, p, o, 2);
    expect(lastLinearShare.threads, "the call ran on two threads").toBe(2);
    expect(lastLinearShare.ranges, "two ranges per pass of each tile").toBe(2 * 2 * Math.ceil(N / tileLayout(N, D, C, element === "f32" ? 4 : 8).rows));
    const bound = BETWEEN[element];
    expectAllClose(two.loss, one.loss, bound.loss, "loss");
    expectAllClose(Array.from(two.losses), Array.from(one.losses), bound.loss, "losses");
    expectNear(two.gradInput, one.gradInput, p.C * bound.rounding, "gradInput");
    expectNear(two.gradLinearWeight, one.gradLinearWeight, N * bound.rounding, "gradLinearWeight");
    expectNear(two.gradLinearBias, one.gradLinearBias, N * bound.rounding, "gradLinearBias");
    if (!nested) return;
    // Against the nested module in float64 on the same numbers, as linearCrossEntropyFlat.test.ts.
    const same = (v: number[]) => (element === "f32" ? v.map(Math.fround) : v);
    const [xs, Ws] = [rows(same(p.x), D), rows(same(p.W), D)];
    const nestedOptions = { ...o, linearBias: same(p.b) };
    const targets = Array.from(p.targets);
    const loss = linearCrossEntropy(xs, Ws, targets, nestedOptions);
    const grads = linearCrossEntropyBackward(xs, Ws, targets, nestedOptions);
    const tol = element === "f64" ? { rtol: 1e-12, atol: 1e-14 } : { rtol: 1e-4, atol: 1e-6 };
    if (Array.isArray(loss)) expectAllClose(Array.from(two.losses), loss, tol, "losses");
    else expectAllClose(two.loss, loss, tol, "loss");
    expectAllClose(rows(two.gradInput, D), grads.gradInput as number[][], tol, "gradInput");
    expectAllClose(rows(two.gradLinearWeight, D), grads.gradLinearWeight, tol, "gradLinearWeight");
    expectAllClose(Array.from(two.gradLinearBias), grads.gradLinearBias!, tol, "gradLinearBias");
  });

  it("forward only (no gradients), and threads: 3 over 3 chunks, float64", () => {
    const p = problem(37, 129, 1003);
    const one = run("f64", p, { labelSmoothing: 0.1 }, 1, 0, false);
    const three = run("f64", p, { labelSmoothing: 0.1 }, 3, 0, false);
    expect(lastLinearShare.threads).toBe(3);
    expectAllClose(three.loss, one.loss, BETWEEN.f64.loss, "loss");
    expectAllClose(Array.from(three.losses), Array.from(one.losses), BETWEEN.f64.loss, "losses");
  });

  it("a row with an infinite input gets a NaN loss and NaN gradient, on two threads as on one", () => {
    const p = problem(37, 129, 1003);
    p.x[4 * 129 + 2] = Infinity;
    for (const element of ["f64", "f32"] as const) {
      const one = run(element, p, { reduction: "none" }, 1);
      const two = run(element, p, { reduction: "none" }, 2);
      expect(two.losses[4]).toBeNaN();
      for (let n = 0; n < p.N; n++) if (n !== 4) expect(Number.isFinite(two.losses[n]), `row ${n}`).toBe(true);
      expectAllClose(Array.from(two.losses).filter((_, n) => n !== 4), Array.from(one.losses).filter((_, n) => n !== 4), BETWEEN[element].loss, "losses");
      for (let d = 0; d < p.D; d++) expect(two.gradInput[4 * p.D + d]).toBeNaN();
    }
  });
});

describe("linearCrossEntropyFlat with threads: 2 gives the same bits whichever thread computes each range", () => {
  it("a call some of whose ranges the worker computed, and one right after the pool restarted, whose ranges the calling thread took back", async () => {
    const p = problem(300, 129, 1003);
    const options = { labelSmoothing: 0.1, weight: numbers(1003, 23).map((v) => v + 1.5) };
    for (const element of ["f64", "f32"] as const) {
      // Any call in which the worker computed a range (on a busy machine the calling thread
      // may take some back: the split need not be all the worker's, only other than below).
      let byWorkers: Result | null = null;
      let computed = 0;
      for (let attempt = 0; attempt < 50 && !byWorkers; attempt++) {
        const r = run(element, p, options, 2);
        if (lastLinearShare.byWorkers > 0) [byWorkers, computed] = [r, lastLinearShare.byWorkers];
      }
      expect(byWorkers, "a call in which the worker computed a range").not.toBeNull();
      await closeThreads();
      // The worker is starting: the calling thread takes back the ranges it has not started.
      const takenBack = run(element, p, options, 2);
      expect(lastLinearShare.takenBack, "ranges taken back by the calling thread").toBeGreaterThan(0);
      expect(lastLinearShare.byWorkers, "a split other than the first call's").not.toBe(computed);
      const w = byWorkers as Result;
      expect(Object.is(takenBack.loss, w.loss), `loss ${takenBack.loss} and ${w.loss}`).toBe(true);
      expectSameBits(takenBack.losses, w.losses, "losses");
      expectSameBits(takenBack.gradInput, w.gradInput, "gradInput");
      expectSameBits(takenBack.gradLinearWeight, w.gradLinearWeight, "gradLinearWeight");
      expectSameBits(takenBack.gradLinearBias, w.gradLinearBias, "gradLinearBias");
      await startThreads(3);
    }
  }, 60_000);
});

describe("linearCrossEntropyFlat with threads: the workers multiply with the calling thread's variant", () => {
  // As the test above: a call some of whose ranges the worker computed, against one right after
  // the pool restarted whose split differs (the calling thread took back ranges). Plain
  // JavaScript's Math.exp and sequential sums round differently from either SIMD build, so a
  // worker that multiplied with the engine's default instead would change the bits of a range
  // that moved between threads. (Under Node 20 the default is the exact build: there only the
  // JavaScript case can tell.)
  it.each([["exact", problem(64, 129, 1003)], ["javascript", problem(8, 19, 1100)]] as const)("%s", async (variant, p) => {
    const o = { labelSmoothing: 0.1 };
    for (const element of ["f64", "f32"] as const) {
      let byWorkers: Result | null = null;
      let computed = 0;
      for (let attempt = 0; attempt < 50 && !byWorkers; attempt++) {
        const r = run(element, p, o, 2, 0, true, variant);
        if (lastLinearShare.byWorkers > 0) [byWorkers, computed] = [r, lastLinearShare.byWorkers];
      }
      expect(byWorkers, `${element}: a call in which the worker computed a range`).not.toBeNull();
      await closeThreads();
      const takenBack = run(element, p, o, 2, 0, true, variant);
      expect(lastLinearShare.takenBack, "ranges taken back by the calling thread").toBeGreaterThan(0);
      expect(lastLinearShare.byWorkers, "a split other than the first call's").not.toBe(computed);
      const w = byWorkers as Result;
      expect(Object.is(takenBack.loss, w.loss), `${element}: loss ${takenBack.loss} and ${w.loss}`).toBe(true);
      expectSameBits(takenBack.gradInput, w.gradInput, "gradInput");
      expectSameBits(takenBack.gradLinearWeight, w.gradLinearWeight, "gradLinearWeight");
      await startThreads(3);
    }
  }, 120_000);
});

describe("linearCrossEntropyFlat: small calls stay on one thread by themselves", () => {
  it(`from LINEAR_THREAD_MIN_FLOPS (${LINEAR_THREAD_MIN_FLOPS}) operations, 8 · N · D · C with gradients, 2 · N · D · C without`, () => {
    const [D, C] = [128, 1024];
    // float32 chunks of 1008 classes at D = 128: two chunks, so a call above the threshold splits.
    const N = Math.ceil(LINEAR_THREAD_MIN_FLOPS / (8 * D * C));
    const above = problem(N, D, C);
    const below = problem(N - 1, D, C);
    run("f32", below, {}, 2, LINEAR_THREAD_MIN_FLOPS);
    expect(lastLinearShare.threads, `${8 * (N - 1) * D * C} operations`).toBe(1);
    run("f32", above, {}, 2, LINEAR_THREAD_MIN_FLOPS);
    expect(lastLinearShare.threads, `${8 * N * D * C} operations`).toBe(2);
    run("f32", above, {}, 2, LINEAR_THREAD_MIN_FLOPS, false);
    expect(lastLinearShare.threads, `the forward alone: ${2 * N * D * C} operations`).toBe(1);
  });

  it("a call of one chunk of classes stays on one thread", () => {
    run("f32", problem(37, 19, 1003), {}, 2);
    expect(lastLinearShare.threads).toBe(1);
  });

  it("a tile's input gradient must fit a slot's CHUNK_BYTES / 4 numbers: D = 65536 splits, D = 65537 stays on one thread", () => {
    // Past 16384 (float64) or 32768 (float32) numbers a row, a tile has its least rows, 4, and
    // 8 classes are two chunks of 4: 4 · 65536 = 262144 = CHUNK_BYTES / 4 numbers fit, 4 · 65537 do not.
    expect(CHUNK_BYTES / 4).toBe(4 * 65536);
    for (const element of ["f32", "f64"] as const) {
      for (const D of [65536, 65537]) {
        expect(tileLayout(4, D, 8, element === "f32" ? 4 : 8).rows).toBe(4);
        const p = problem(4, D, 8);
        const one = run(element, p, {}, 1);
        const two = run(element, p, {}, 2);
        expect(lastLinearShare.threads, `${element}, D = ${D}`).toBe(D === 65536 ? 2 : 1);
        expectAllClose(two.loss, one.loss, BETWEEN[element].loss, "loss");
        expectNear(two.gradInput, one.gradInput, p.C * BETWEEN[element].rounding, "gradInput");
        expectNear(two.gradLinearWeight, one.gradLinearWeight, p.N * BETWEEN[element].rounding, "gradLinearWeight");
      }
    }
  });
});

describe("linearCrossEntropyFlat with threads: the arrays the workers read and write must be shared", () => {
  const [N, D, C] = [2, 3, 4];
  const args = (element: Element, sharedInput: boolean, sharedWeight: boolean) => {
    const make = (n: number, on: boolean) => (on ? shared(element, n) : element === "f32" ? new Float32Array(n) : new Float64Array(n));
    return [make(N * D, sharedInput), make(C * D, sharedWeight), new Int32Array([0, 3]), C] as const;
  };
  it.each([
    ["an ordinary input", () => linearCrossEntropyFlat(...args("f32", false, true), { threads: 2 }), /input is a Float32Array on an ordinary ArrayBuffer but options.threads = 2: .* allocate it with sharedFloat32Array\(N \* D\) \(length 6\), or pass threads: 1/],
    ["an ordinary linearWeight", () => linearCrossEntropyFlat(...args("f64", true, false), { threads: 2 }), /linearWeight is a Float64Array on an ordinary ArrayBuffer but options.threads = 2: .* sharedFloat64Array\(C \* D\) \(length 12\)/],
    [
      "an ordinary gradLinearWeight",
      () => linearCrossEntropyFlat(...args("f32", true, true), { threads: 3, gradLinearWeight: new Float32Array(C * D) }),
      /options.gradLinearWeight is a Float32Array on an ordinary ArrayBuffer but options.threads = 3/,
    ],
    ["threads 0", () => linearCrossEntropyFlat(...args("f32", true, true), { threads: 0 }), /options.threads = 0 is not a whole number from 1 to 64/],
    ["threads 1.5", () => linearCrossEntropyFlat(...args("f32", true, true), { threads: 1.5 }), /options.threads = 1.5 is not a whole number from 1 to 64/],
    ["threads as text", () => linearCrossEntropyFlat(...args("f32", true, true), { threads: "2" as unknown as number }), /options.threads is "2": expected a whole number of threads from 1 to 64/],
  ])("%s", (_, call, message) => {
    expect(call).toThrow(message);
  });

  it("threads: 1 takes ordinary arrays, and shared ones give one thread's results", () => {
    const p = problem(5, 3, 4);
    const plain = linearCrossEntropyFlat(Float64Array.from(p.x), Float64Array.from(p.W), p.targets, 4, { threads: 1 });
    expect(Object.is(linearCrossEntropyFlat(shared("f64", p.x), shared("f64", p.W), p.targets, 4, { threads: 2 }), plain)).toBe(true);
  });
});

describe("linearCrossEntropyFlat with threads: a gradLinearBias of the other float type", () => {
  // One thread adds each tile's sums into the caller's array, rounding them to its type; the
  // threads add into a shared copy of that array, which must be of the caller's type too, not
  // the input's, so that the same sums are rounded the same way. Float64 input, a Float32Array
  // bias gradient, (600, 19, 1100): three tiles of rows, so three roundings to float32 of each
  // running sum. The float64 terms of two threads differ from one thread's in their last bits
  // (2^-53 relative), far below float32's 2^-24: the float32 sums come out the same.
  it("float64 input, Float32Array gradLinearBias: one thread's float32 sums", () => {
    const p = problem(600, 19, 1100);
    const bias = (threads: number) => {
      const gradLinearBias = new Float32Array(p.C);
      const call = checkLinearFlatCall(shared("f64", p.x), shared("f64", p.W), p.targets, p.C, { linearBias: p.b, gradLinearBias, threads });
      runLinearFlat(call, matmulFor("f64"), 0);
      return gradLinearBias;
    };
    const one = bias(1);
    const two = bias(2);
    expect(lastLinearShare.threads).toBe(2);
    let differ = 0;
    for (let c = 0; c < p.C; c++) if (!Object.is(one[c], two[c])) differ++;
    expect(differ, "classes whose float32 bias gradient differs from one thread's").toBe(0);
  });
});
