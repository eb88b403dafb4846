import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crossEntropyFlat, mulberry32 as random, sharedFloat32Array, sharedFloat64Array, startThreads, THREAD_MIN_LOGITS } from "../src";
import type { CrossEntropyFlatOptions, FlatLogits } from "../src/flat/checkFlat";
import { closeThreads, lastShare, poolSize } from "../src/flat/threads";

// options.threads shares the rows between the calling thread and worker threads; the results
// must be those of one thread bit for bit (Object.is on every number: the same rows in the same
// kernel, the sums added in the same order). No timings here: speed is `npm run bench`'s.

/**
 * Logits spread over a few units, with some rows holding NaN or ±Infinity (the exact path's
 * rows, whose terms the sums take one by one) and every 7th target ignored (-100).
 */
function batch(N: number, C: number, element: "f32" | "f64", seed: number, ignoreIndex = -100): { logits: FlatLogits; targets: Int32Array } {
  const next = random(seed);
  const logits = element === "f32" ? new Float32Array(N * C) : new Float64Array(N * C);
  for (let i = 0; i < logits.length; i++) logits[i] = (next() - 0.5) * 8;
  const targets = new Int32Array(N).map((_, n) => (n % 7 === 3 ? ignoreIndex : Math.floor(next() * C)));
  if (N > 5) {
    logits[5 * C + 1] = Number.NaN;
    logits[(N - 2) * C] = Number.POSITIVE_INFINITY;
  }
  return { logits, targets };
}

/** Bit for bit: the same length and Object.is at every index (NaN equal to NaN, 0 not -0). */
function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) throw new Error(`${what}[${i}]: ${a[i]} with one thread, ${b[i]} with threads`);
  }
}

interface Outcome {
  loss: number;
  grad: FlatLogits | null;
  losses: Float64Array | null;
}

function run(logits: FlatLogits, targets: Int32Array, C: number, options: CrossEntropyFlatOptions, grad: "f32" | "f64" | null, threads?: number): Outcome {
  const N = targets.length;
  const g = grad === null ? null : grad === "f32" ? new Float32Array(N * C) : new Float64Array(N * C);
  const losses = options.reduction === "none" || N % 2 === 1 ? new Float64Array(N) : null;
  const loss = crossEntropyFlat(logits, targets, C, { ...options, ...(g ? { grad: g } : {}), ...(losses ? { losses } : {}), ...(threads ? { threads } : {}) });
  return { loss, grad: g, losses };
}

/**
 * The threaded call, repeated until the workers took at least one chunk of it (a worker that
 * is slow to wake leaves its chunks to the calling thread, which must give the same bits too),
 * each result compared with one thread's.
 */
function expectSameAsOneThread(N: number, C: number, element: "f32" | "f64", options: CrossEntropyFlatOptions, grad: "f32" | "f64" | null, seed: number): void {
  const { logits, targets } = batch(N, C, element, seed, options.ignoreIndex ?? -100);
  const one = run(logits, targets, C, options, grad);
  let workers = 0;
  for (let attempt = 0; attempt < 200 && workers === 0; attempt++) {
    const many = run(logits, targets, C, options, grad, 2);
    expect(Object.is(many.loss, one.loss), `loss ${many.loss} with threads, ${one.loss} with one thread`).toBe(true);
    if (one.grad) sameBits(one.grad, many.grad as FlatLogits, "grad");
    if (one.losses) sameBits(one.losses, many.losses as Float64Array, "losses");
    workers = lastShare.workers;
  }
  expect(workers, "the worker computed at least one chunk").toBeGreaterThan(0);
}

beforeAll(async () => {
  await startThreads(2);
}, 60_000);

afterAll(async () => {
  await closeThreads();
});

const OPTIONS: CrossEntropyFlatOptions[] = [
  {},
  { reduction: "sum" },
  { reduction: "none" },
  { weight: Array.from({ length: 1000 }, (_, c) => 0.5 + (c % 5) / 4) },
  { labelSmoothing: 0.1 },
  { labelSmoothing: 0.2, weight: Array.from({ length: 1000 }, (_, c) => 1 + (c % 3)), reduction: "sum" },
  { ignoreIndex: 2 },
];

/** The weights' pattern repeated over C classes. */
const fit = (options: CrossEntropyFlatOptions, C: number): CrossEntropyFlatOptions => {
  const pattern = options.weight as number[] | undefined;
  return pattern ? { ...options, weight: Array.from({ length: C }, (_, c) => pattern[c % pattern.length]) } : options;
};

// (N, C), each at least THREAD_MIN_LOGITS: chunks of 65 rows (float32, C = 1000; 32 rows in
// float64) with N not a multiple of them; 4096-row chunks of C = 10; one row a chunk (C = 70001:
// 41 rows, so that a call lasts long enough for a worker to wake and set up its C weights).
const SHAPES: Array<[number, number]> = [[1051, 1000], [110011, 10], [41, 70001]];

describe("crossEntropyFlat with threads: bit for bit one thread's results", () => {
  for (const [N, C] of SHAPES) {
    for (const element of ["f32", "f64"] as const) {
      for (const options of OPTIONS) {
        for (const grad of [null, element, element === "f32" ? "f64" : "f32"] as const) {
          if (grad !== null && grad !== element && options !== OPTIONS[0]) continue;
          it(`(${N}, ${C}) ${element} ${JSON.stringify(options).slice(0, 60)} grad ${grad ?? "none"}`, () => {
            expect(N * C).toBeGreaterThanOrEqual(THREAD_MIN_LOGITS);
            expectSameAsOneThread(N, C, element, fit(options, C), grad, N + C);
          });
        }
      }
    }
  }

  it("small batches, N < threads and N = 0 stay on the calling thread, with one thread's results", () => {
    // (8, 50257): a GPT-2 vocabulary's 8 rows, 402,000 logits, which two threads computed slower than one.
    const cases: Array<[number, number]> = [[1, 1000], [3, 10], [0, 5], [0, 1000], [200, 1000], [8, 50257]];
    for (const [N, C] of cases) {
      const { logits, targets } = batch(N, C, "f32", 7);
      const before = { ...lastShare };
      for (const reduction of ["mean", "sum", "none"] as const) {
        const one = run(logits, targets, C, { reduction }, "f32");
        const many = run(logits, targets, C, { reduction }, "f32", 2);
        expect(Object.is(many.loss, one.loss), `(${N}, ${C}) ${reduction}: ${many.loss} vs ${one.loss}`).toBe(true);
        sameBits(one.grad as FlatLogits, many.grad as FlatLogits, "grad");
      }
      // Under THREAD_MIN_LOGITS: the workers were not asked (lastShare is the last threaded call's).
      expect(N * C).toBeLessThan(THREAD_MIN_LOGITS);
      expect(lastShare).toEqual(before);
    }
  });

  it("threads: 1 is one thread, and more threads than the pool has start more workers", async () => {
    const { logits, targets } = batch(1051, 1000, "f32", 3);
    const one = run(logits, targets, 1000, {}, "f32");
    sameBits([run(logits, targets, 1000, {}, "f32", 1).loss], [one.loss], "loss");
    const many = run(logits, targets, 1000, {}, "f32", 3);
    expect(poolSize()).toBeGreaterThanOrEqual(2);
    sameBits(one.grad as FlatLogits, many.grad as FlatLogits, "grad");
  });
});

/** A copy of `a` on a SharedArrayBuffer (sharedArrays.ts), or zeros of its type and length. */
function shared<T extends FlatLogits>(a: T, copy = true): T {
  const out = (a instanceof Float32Array ? sharedFloat32Array(a.length) : sharedFloat64Array(a.length)) as T;
  if (copy) out.set(a);
  return out;
}

describe("shared arrays: the workers read the logits and write the gradient and losses where they are", () => {
  // Each of logits, grad and losses on a SharedArrayBuffer or not, in every combination.
  const combos = [[true, true, true], [true, false, false], [false, true, false], [false, false, true], [false, false, false]] as const;
  for (const element of ["f32", "f64"] as const) {
    for (const options of [OPTIONS[0], OPTIONS[2], OPTIONS[5]]) {
      for (const [sharedLogits, sharedGrad, sharedLosses] of combos) {
        it(`(1051, 1000) ${element} ${JSON.stringify(options).slice(0, 40)}: logits ${sharedLogits ? "shared" : "ordinary"}, grad ${sharedGrad ? "shared" : "ordinary"}, losses ${sharedLosses ? "shared" : "ordinary"}`, () => {
          const [N, C] = [1051, 1000];
          const fitted = fit(options, C);
          // The reduced loss too ("none" is the first call's): "mean", or "sum" for the "none" options.
          const reduced = { ...fitted, reduction: fitted.reduction === "none" ? ("sum" as const) : fitted.reduction };
          const { logits, targets } = batch(N, C, element, 11, -100);
          const one = run(logits, targets, C, { ...fitted, reduction: "none" }, element);
          const expectedLoss = run(logits, targets, C, reduced, element).loss;
          const x = sharedLogits ? shared(logits) : logits;
          let workers = 0;
          for (let attempt = 0; attempt < 200 && workers === 0; attempt++) {
            const grad = sharedGrad ? shared(one.grad as FlatLogits, false) : (element === "f32" ? new Float32Array(N * C) : new Float64Array(N * C));
            const losses = sharedLosses ? sharedFloat64Array(N) : new Float64Array(N);
            const total = crossEntropyFlat(x, targets, C, { ...fitted, reduction: "none", grad, losses, threads: 2 });
            expect(Object.is(total, one.loss), `sum of the losses ${total} with threads, ${one.loss} with one thread`).toBe(true);
            sameBits(one.grad as FlatLogits, grad, "grad");
            sameBits(one.losses as Float64Array, losses, "losses");
            workers = lastShare.workers;
            // The calling thread copies a worker's chunks of the ordinary arrays only.
            if (sharedLogits && sharedGrad && sharedLosses) expect(lastShare.copied, "values the calling thread copied").toBe(0);
            else if (workers > 0) expect(lastShare.copied, "values the calling thread copied").toBeGreaterThan(0);
            const mean = crossEntropyFlat(x, targets, C, { ...reduced, threads: 2 });
            expect(Object.is(mean, expectedLoss), `the loss ${mean} with threads, ${expectedLoss} with one thread`).toBe(true);
          }
          expect(workers, "the worker computed at least one chunk").toBeGreaterThan(0);
        });
      }
    }
  }

  // Float32 rows of odd C start 4 bytes off 8 every other row, and V8 copies such a range to or
  // from a SharedArrayBuffer byte by byte unless the destination is 4 bytes off too: those chunks
  // go to the kernel (and a worker's slot) from byte 4. The same bits wherever the logits start.
  for (const [N, C] of [[41, 70001], [1051, 1001]] as const) {
    it(`(${N}, ${C}) float32, logits from byte 0 or 4 of an ordinary or shared buffer, one thread or two: the same bits`, () => {
      const { logits, targets } = batch(N, C, "f32", 5);
      const one = run(logits, targets, C, { reduction: "none" }, "f32");
      const placed = (isShared: boolean, byte: 0 | 4): Float32Array => {
        const whole = isShared ? sharedFloat32Array(N * C + 1) : new Float32Array(N * C + 1);
        const x = whole.subarray(byte / 4, byte / 4 + N * C);
        x.set(logits);
        return x;
      };
      for (const isShared of [false, true]) {
        for (const byte of [0, 4] as const) {
          const x = placed(isShared, byte);
          expect(x.byteOffset).toBe(byte);
          for (const threads of [1, 2]) {
            let workers = 0;
            for (let attempt = 0; attempt < (threads === 1 ? 1 : 200) && (threads === 1 || workers === 0); attempt++) {
              // The gradient 4 bytes off too, where the logits are: its copy out of the kernel keeps to the same rule.
              const g = placed(isShared, byte);
              const losses = new Float64Array(N);
              const total = crossEntropyFlat(x, targets, C, { reduction: "none", grad: g, losses, threads });
              const what = `${isShared ? "shared" : "ordinary"}, byte ${byte}, ${threads} thread(s)`;
              expect(Object.is(total, one.loss), `${what}: ${total} against ${one.loss}`).toBe(true);
              sameBits(one.grad as Float32Array, g, `${what}: grad`);
              sameBits(one.losses as Float64Array, losses, `${what}: losses`);
              workers = lastShare.workers;
            }
            if (threads === 2) expect(workers, "the worker computed at least one chunk").toBeGreaterThan(0);
          }
        }
      }
    });
  }

  it("sharedFloat32Array and sharedFloat64Array: zeros on a SharedArrayBuffer; a bad length names itself", () => {
    const a = sharedFloat32Array(3);
    const b = sharedFloat64Array(0);
    expect(a).toEqual(new Float32Array(3));
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(b.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(b.length).toBe(0);
    expect(() => sharedFloat32Array(-1)).toThrow("length = -1 is out of range: expected a whole number >= 0");
    expect(() => sharedFloat64Array(2.5)).toThrow("length = 2.5 is out of range: expected a whole number >= 0");
    expect(() => sharedFloat32Array("4" as unknown as number)).toThrow(new TypeError('length is "4": expected a whole number >= 0'));
    // 2^53 elements: a whole number, but more bytes than any engine hands out.
    expect(() => sharedFloat64Array(2 ** 53)).toThrow(/^length = 9007199254740992 is too large: sharedFloat64Array could not allocate /);
  });
});

describe("options.threads and startThreads: bad values", () => {
  const logits = new Float32Array([2, 1, 0.1]);
  const targets = new Int32Array([0]);
  it.each([
    [0, RangeError, "options.threads = 0 is not a whole number from 1 to 64"],
    [1.5, RangeError, "options.threads = 1.5 is not a whole number from 1 to 64"],
    [65, RangeError, "options.threads = 65 is not a whole number from 1 to 64"],
    [Number.NaN, RangeError, "options.threads = NaN is not a whole number from 1 to 64"],
    ["2", TypeError, 'options.threads is "2": expected a whole number of threads from 1 to 64'],
  ])("threads = %s", (threads, type, message) => {
    expect(() => crossEntropyFlat(logits, targets, 3, { threads: threads as number })).toThrow(type);
    expect(() => crossEntropyFlat(logits, targets, 3, { threads: threads as number })).toThrow(message);
  });
  it("startThreads(0) rejects, naming threads", async () => {
    await expect(startThreads(0)).rejects.toThrow("threads = 0 is not a whole number from 1 to 64");
  });
});

describe("the pool", () => {
  it("never keeps a process alive: a script that used threads and never closed them exits by itself", () => {
    const dist = join(__dirname, "..", "dist", "index.js");
    const script = `
      const m = require(${JSON.stringify(dist)});
      m.startThreads(2).then(() => {
        const C = 1000, N = 1100;
        const logits = new Float32Array(N * C).map((_, i) => Math.sin(i));
        const targets = new Int32Array(N).map((_, n) => n % C);
        process.stdout.write(String(m.crossEntropyFlat(logits, targets, C, { threads: 2 })));
      });`;
    // Exits with the loss printed; a pool that kept the event loop alive would hit the timeout.
    const out = execFileSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 30_000 });
    expect(Number(out)).toBeGreaterThan(0);
  });

  it("a call right after another finds the worker polling its job port; after a pause, its event loop takes the job", async () => {
    // threadLayout.ts's JOB_SPIN_MS (1 ms): back-to-back calls, as a training loop makes, skip
    // the worker's event loop. Several tries, for a worker the machine left waiting for a core.
    const { logits, targets } = batch(1100, 1000, "f32", 91);
    const polled: number[] = [];
    for (let attempt = 0; attempt < 20 && !polled.includes(1); attempt++) {
      crossEntropyFlat(logits, targets, 1000, { threads: 2 });
      crossEntropyFlat(logits, targets, 1000, { threads: 2 });
      if (lastShare.workers > 0) polled.push(lastShare.polled);
    }
    expect(polled, "the second of two calls: workers that took its job while polling").toContain(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    crossEntropyFlat(logits, targets, 1000, { threads: 2 });
    expect(lastShare.polled, "a call 50 ms after the last: its job came through the event loop").toBe(0);
  });
});
