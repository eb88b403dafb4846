/**
 * Measuring one implementation of this module for `npm run bench`: the median time of a call after warm-up,
 * and the peak RSS growth of one call (VmHWM after minus VmRSS before, the peak reset through
 * /proc/self/clear_refs), on seeded normal logits, like torch.randn.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { crossEntropy } from "../../loss/crossEntropy";
import { checkFlatCall } from "../../flat/checkFlat";
import { crossEntropyFlat, runFlat } from "../../flat/crossEntropyFlat";
import { kernelFor } from "../../flat/kernel";
import { kernelSweep, rowsPerChunkOf } from "../../flat/kernelSweep";
import { planOf } from "../../flat/plan";
import { sharedFloat32Array } from "../../flat/sharedArrays";
import { closeThreads, startThreads, threadSweep } from "../../flat/threads";

/** Repetitions and warm-ups: crossEntropyFlat, and the slow peers (plain JS, nested, tfjs). */
export const REPS = { fast: 7, fastWarmup: 2, slow: 3, slowWarmup: 1 } as const;

/** The slow peers run on at most this many logits (whole rows), so the bench ends in minutes. */
export const SUBSAMPLE = 1 << 21;

/** The fresh-process memory check: a 512 MiB float32 batch. */
export const MEMORY_SHAPE: [number, number] = [4096, 32768];

/** One implementation on one shape: seconds (median) and bytes of peak RSS growth; null where not run. */
export interface Measure {
  /** A key of IMPL, or of a peer (torch.ts, tfjs.ts). */
  impl: string;
  /** Rows it ran on: all N, or the first rows for the slow peers. */
  rows: number;
  forward: number | null;
  forwardBackward: number | null;
  forwardGrowth: number | null;
  forwardBackwardGrowth: number | null;
  note?: string;
}

/** This module's implementations: the key the JSON uses, and the name the tables use. */
export const IMPL = {
  flat: "crossEntropyFlat (wasm)",
  plainJs: "same, plain JS (Math.exp)",
  nested: "crossEntropy (nested)",
} as const;

export function status(field: string): number {
  const line = readFileSync("/proc/self/status", "utf8").split("\n").find((l) => l.startsWith(field + ":"));
  return line ? Number(line.split(/\s+/)[1]) * 1024 : 0;
}

/** Peak RSS growth of one call: reset the peak, run, read it. */
export function growthOf(fn: () => void): number | null {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
  } catch {
    return null;
  }
  const before = status("VmRSS");
  fn();
  return status("VmHWM") - before;
}

/**
 * Warm-up lasts at least this long, whatever the count (here and in pytorch.py): a short call
 * needs more than two runs before it settles (PyTorch's (8, 50257) forward ran at 2.1 ns per
 * logit after two warm-ups, at 0.6 after a few dozen; V8 moves hot WebAssembly to its
 * optimizing compiler after a while too).
 */
export const WARMUP_SECONDS = 0.25;

/**
 * The timed runs last at least this long too (here and in pytorch.py): a median of 7 calls of
 * 5 ms each spans 35 ms, which one burst of a busy machine's other jobs covers whole.
 */
export const TIMED_SECONDS = 0.5;

const since = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

/** Median seconds of at least `reps` runs and TIMED_SECONDS, after `warmup` runs and at least WARMUP_SECONDS. */
export function timeOf(fn: () => void, reps: number, warmup = 2): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < warmup || since(start) < WARMUP_SECONDS; i++) fn();
  const times: number[] = [];
  const timed = process.hrtime.bigint();
  while (times.length < reps || since(timed) < TIMED_SECONDS) {
    const one = process.hrtime.bigint();
    fn();
    times.push(since(one));
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/** Seeded standard normal logits (Box-Muller on mulberry32), like torch.randn. */
export function normal(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  for (let i = 0; i < length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const a = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(a);
    if (i + 1 < length) out[i + 1] = r * Math.sin(a);
  }
  return out;
}

export function benchFlat(logits: Float32Array, targets: Int32Array, C: number): Measure {
  const grad = new Float32Array(logits.length).fill(1); // touched: its pages are the caller's
  const forward = (): number => crossEntropyFlat(logits, targets, C);
  const both = (): number => crossEntropyFlat(logits, targets, C, { grad });
  return {
    impl: "flat",
    rows: targets.length,
    forward: timeOf(forward, REPS.fast, REPS.fastWarmup),
    forwardBackward: timeOf(both, REPS.fast, REPS.fastWarmup),
    forwardGrowth: growthOf(forward),
    forwardBackwardGrowth: growthOf(both),
  };
}

/** The threads of the threaded column: one per core of the bench's 2-core machine. */
export const BENCH_THREADS = 2;

/** crossEntropyFlat with options.threads = BENCH_THREADS, its pool started beforehand (threadStartup). */
export function benchFlatThreads(logits: Float32Array, targets: Int32Array, C: number): Measure {
  return threaded("flatThreads", logits, new Float32Array(logits.length).fill(1), targets, C);
}

/**
 * The same with the logits and the gradient on SharedArrayBuffers (sharedFloat32Array), which
 * the workers read and write where they are: a column of its own, since a caller has to
 * allocate its arrays so to get it.
 */
export function benchFlatThreadsShared(logits: Float32Array, targets: Int32Array, C: number): Measure {
  const x = sharedFloat32Array(logits.length);
  x.set(logits);
  return threaded("flatThreadsShared", x, sharedFloat32Array(logits.length).fill(1), targets, C);
}

function threaded(impl: Measure["impl"], logits: Float32Array, grad: Float32Array, targets: Int32Array, C: number): Measure {
  const forward = (): number => crossEntropyFlat(logits, targets, C, { threads: BENCH_THREADS });
  const both = (): number => crossEntropyFlat(logits, targets, C, { grad, threads: BENCH_THREADS });
  return {
    impl,
    rows: targets.length,
    forward: timeOf(forward, REPS.fast, REPS.fastWarmup),
    forwardBackward: timeOf(both, REPS.fast, REPS.fastWarmup),
    forwardGrowth: growthOf(forward),
    forwardBackwardGrowth: growthOf(both),
  };
}

/**
 * The pool's start-up: milliseconds from no pool to BENCH_THREADS - 1 workers with their
 * kernels compiled (startThreads), median of 5 fresh starts.
 */
export async function threadStartup(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    await closeThreads();
    const start = process.hrtime.bigint();
    await startThreads(BENCH_THREADS);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[2];
}

/** A worker thread that counts blocks of arithmetic for `seconds`, then posts the count. */
const SPIN = `const { parentPort, workerData } = require("node:worker_threads");
let x = 0, n = 0;
const end = Date.now() + workerData * 1000;
while (Date.now() < end) { for (let i = 0; i < 1e5; i++) x += Math.sqrt(i); n++; }
parentPort.postMessage(x > 0 ? n : 0);`;

/**
 * How much of a second core the machine gives right now: the work two threads of plain
 * arithmetic get done together over what one gets alone (2: a free core; 1: none). Shown beside
 * the threaded figures, which cannot beat it. One thread and two alternate `rounds` times and
 * each keeps its best run: a single pair once gave 2.98, its one-thread run slowed by the
 * machine (the EPYC's speed moves from one second to the next).
 */
export async function parallelism(seconds = 0.5, rounds = 3): Promise<number> {
  const run = (k: number): Promise<number[]> =>
    Promise.all(Array.from({ length: k }, () => new Promise<number>((resolve, reject) => {
      new Worker(SPIN, { eval: true, workerData: seconds }).once("message", resolve).once("error", reject);
    })));
  let one = 0;
  let two = 0;
  for (let round = 0; round < rounds; round++) {
    one = Math.max(one, (await run(1))[0]);
    two = Math.max(two, (await run(2)).reduce((a, b) => a + b, 0));
  }
  return two / one;
}

/**
 * What handing rows to a worker costs the calling thread, ns per float32 logit: copying a
 * 256 KiB chunk from an ordinary array into a SharedArrayBuffer (the worker's slot), and back.
 */
export function copyCost(): { inNs: number; outNs: number } {
  const n = 1 << 16;
  const plain = normal(n, 5);
  const shared = new Float32Array(new SharedArrayBuffer(n * 4));
  const per = (fn: () => void): number => {
    const reps = 200;
    return (timeOf(() => {
      for (let i = 0; i < reps; i++) fn();
    }, REPS.fast, REPS.fastWarmup) * 1e9) / reps / n;
  };
  return { inNs: per(() => shared.set(plain)), outNs: per(() => plain.set(shared)) };
}

/**
 * The forward's copy of one batch alone, ns a logit: the batch's logits copied into the kernel's
 * memory as kernelSweep copies them (rowsPerChunkOf(C) rows at a time, a row longer than the
 * kernel's chunk in pieces of a chunk), from the array the forward reads, timed as the forward is.
 * Where the batch outgrows the caches, this is the memory's bandwidth as the forward meets it.
 * null without the kernel.
 */
export function batchCopyCost(logits: Float32Array, C: number): number | null {
  const kernel = kernelFor("f32");
  if (!kernel) return null;
  kernel.prepare(C);
  const rows = rowsPerChunkOf(C, kernel);
  const step = rows === 0 ? kernel.chunkLogits : rows * C;
  const region = kernel.logits as Float32Array;
  const copy = (): void => {
    for (let at = 0; at < logits.length; at += step) region.set(logits.subarray(at, Math.min(at + step, logits.length)));
  };
  return (timeOf(copy, REPS.fast, REPS.fastWarmup) * 1e9) / logits.length;
}

/** Logits of the bandwidth copy: 256 MiB of float32, many times the largest L3 cache of this project's machines. */
export const BANDWIDTH_LOGITS = 1 << 26;

/**
 * The machine's memory bandwidth as a copy meets it, ns a logit: BANDWIDTH_LOGITS float32
 * copied once from one array into another (4 bytes read and 4 written a logit, both far beyond
 * the caches), the fastest of 5 copies after one that touches both arrays. A forward reads each
 * logit once and writes nothing of the batch's size, so a forward slower than this copy is
 * not limited by memory bandwidth.
 */
export function bandwidthCost(): number {
  const from = new Float32Array(BANDWIDTH_LOGITS).fill(1);
  const to = new Float32Array(BANDWIDTH_LOGITS);
  to.set(from);
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const start = process.hrtime.bigint();
    to.set(from);
    best = Math.min(best, Number(process.hrtime.bigint() - start));
  }
  return best / BANDWIDTH_LOGITS;
}

/** One batch size of the crossover: seconds on one thread and on BENCH_THREADS, forward and forward + backward. */
export interface CrossoverPoint {
  N: number;
  C: number;
  forward: [number, number];
  forwardBackward: [number, number];
}

/** Batches of C = 1000 from 16 to 4096 rows (16K to 4M logits): where threads start to pay. */
export const CROSSOVER_ROWS = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
export const CROSSOVER_C = 1000;

/**
 * One thread against BENCH_THREADS at CROSSOVER_ROWS, the threaded sweep called directly so
 * that THREAD_MIN_LOGITS does not keep the small batches on one thread: what that threshold is
 * chosen from.
 */
export function threadCrossover(): CrossoverPoint[] {
  const kernel = kernelFor("f32");
  if (!kernel) return [];
  const C = CROSSOVER_C;
  return CROSSOVER_ROWS.map((N) => {
    const logits = normal(N * C, N + C);
    const targets = new Int32Array(N).map((_, i) => (i * 7919 + 13) % C);
    const grad = new Float32Array(N * C);
    // Checked as crossEntropyFlat checks, the targets by the kernel.
    const call = (g: Float32Array | null) => checkFlatCall(logits, targets, C, g ? { grad: g } : {}, kernel.firstBadTarget);
    const one = (g: Float32Array | null) => (): void => kernelSweep(planOf(call(g)), kernel);
    const many = (g: Float32Array | null) => (): void => {
      const plan = planOf(call(g));
      if (!threadSweep(plan, kernel, BENCH_THREADS, 0)) kernelSweep(plan, kernel);
    };
    const t = (fn: () => void): number => timeOf(fn, REPS.fast, REPS.fastWarmup);
    return { N, C, forward: [t(one(null)), t(many(null))], forwardBackward: [t(one(grad)), t(many(grad))] };
  });
}

/** The smallest batch (in logits) from which BENCH_THREADS are faster than one thread at every larger size, or null. */
export function crossoverLogits(points: CrossoverPoint[], key: "forward" | "forwardBackward"): number | null {
  let from: number | null = null;
  for (const p of points) {
    if (p[key][1] < p[key][0]) from ??= p.N * p.C;
    else from = null;
  }
  return from;
}

/** The short rows of the per-row cost's fit: all take the same path (two passes, shortRow.ts). */
export const PER_ROW_SHAPES: Array<[number, number]> = [[8192, 32], [8192, 64], [8192, 128], [8192, 256]];

/**
 * What a row costs whatever its length, forward: the intercept of a least-squares line through
 * (C, seconds per row) at PER_ROW_SHAPES. The slope is the cost of a logit in a short row.
 * Timed in CPU time (process.cpuUsage), the shapes interleaved, medians of 7 rounds of at least
 * 50 ms each: an intercept is a small difference of large times, which a shared machine's
 * wall clock drowns (on a load of 14, wall-clock medians gave a negative intercept).
 */
export function perRowCost(): { rowNs: number; logitNs: number } {
  const batches = PER_ROW_SHAPES.map(([N, C]) => {
    const logits = normal(N * C, N + C);
    const targets = new Int32Array(N).map((_, i) => (i * 7919 + 13) % C);
    return { N, C, call: (): number => crossEntropyFlat(logits, targets, C), times: [] as number[] };
  });
  const cpu = (): number => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  };
  for (let round = -1; round < REPS.fast; round++) {
    for (const b of batches) {
      const start = cpu();
      let calls = 0;
      while (calls < 3 || cpu() - start < 0.05) {
        b.call();
        calls++;
      }
      if (round >= 0) b.times.push((cpu() - start) / calls / b.N); // round -1: warm-up
    }
  }
  const points = batches.map((b) => [b.C, b.times.sort((x, y) => x - y)[Math.floor(b.times.length / 2)] * 1e9]);
  const mean = (f: (p: number[]) => number): number => points.reduce((a, p) => a + f(p), 0) / points.length;
  const [mx, my] = [mean((p) => p[0]), mean((p) => p[1])];
  const slope = mean((p) => (p[0] - mx) * (p[1] - my)) / mean((p) => (p[0] - mx) ** 2);
  return { rowNs: my - slope * mx, logitNs: slope };
}

/** crossEntropyFlat's exact float64 path (Math.exp per logit), without the kernel. */
export function benchPlainJs(logits: Float32Array, targets: Int32Array, C: number): Measure {
  const grad = new Float32Array(logits.length);
  const forward = (): number => runFlat(checkFlatCall(logits, targets, C, {}), null);
  const both = (): number => runFlat(checkFlatCall(logits, targets, C, { grad }), null);
  return {
    impl: "plainJs",
    rows: targets.length,
    forward: timeOf(forward, REPS.slow, REPS.slowWarmup),
    forwardBackward: timeOf(both, REPS.slow, REPS.slowWarmup),
    forwardGrowth: growthOf(forward),
    forwardBackwardGrowth: growthOf(both),
  };
}

export function benchNested(logits: Float32Array, targets: Int32Array, C: number): Measure {
  const rows: number[][] = [];
  for (let o = 0; o < logits.length; o += C) rows.push(Array.from(logits.subarray(o, o + C)));
  const target = Array.from(targets);
  const forward = (): number => crossEntropy(rows, target);
  return {
    impl: "nested",
    rows: rows.length,
    forward: timeOf(forward, REPS.slow, REPS.slowWarmup),
    forwardBackward: null,
    forwardGrowth: growthOf(forward),
    forwardBackwardGrowth: null,
  };
}

/** The forward on a 512 MiB batch in a fresh process: its peak RSS growth, kernel compile included. */
export function memoryChild(): Record<string, number> {
  const [N, C] = MEMORY_SHAPE;
  const logits = normal(N * C, 3);
  const targets = new Int32Array(N).map((_, i) => (i * 7919) % C);
  const grad = new Float32Array(N * C).fill(1);
  const result: Record<string, number> = { batchBytes: logits.byteLength, rssBefore: status("VmRSS") };
  result.forwardGrowth = growthOf(() => crossEntropyFlat(logits, targets, C)) ?? NaN;
  result.forwardBackwardGrowth = growthOf(() => crossEntropyFlat(logits, targets, C, { grad })) ?? NaN;
  return result;
}
