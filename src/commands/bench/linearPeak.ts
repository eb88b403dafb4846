/**
 * The ceiling of `npm run bench:linear`: how many floating-point operations a second this
 * engine's 128-bit WebAssembly SIMD can do on this machine, with nothing else in the way.
 *
 * A loop of `chains` independent chains a += b · x on f32x4 vectors (relaxed SIMD's
 * `f32x4.relaxed_madd` where the engine has it, as linearCrossEntropyFlat's products use it;
 * else `f32x4.mul` then `f32x4.add`, as its exact build), b loaded from memory: 8 operations a
 * vector a step, one load per multiply-add (the products' register blocks load 8 for 12), no
 * other instruction but the loop's counter. Each chain waits for its last addition, so the
 * loop runs at the CPU's throughput only with enough chains in flight: it is timed with 8, 10,
 * 12 and 14 and the fastest kept. What bounds it is the multiply-add units' throughput, which a
 * product shares: a product does the same multiply-adds, with its addressing and the rest of
 * the call besides, so on this engine it is not expected to beat this figure. The report sets
 * what each of issue 22's time goals needs beside it (linearReport.ts).
 *
 * Timed on 1 worker thread, then on `threads` at once (the sum of their operations over the
 * time from the first one's start to the last one's end): what k threads of products could
 * reach at best on the cores the machine gives at the time. benchLinear.ts runs it in a child
 * with V8's --no-liftoff, so every timed call runs optimised code (the warm-up makes sure of it
 * without the flag too).
 */
import { Worker } from "node:worker_threads";
import { hasRelaxedSimd } from "../../flat/wat/features";
import { assemble } from "./assemble";

/** The chain counts tried. */
const CHAINS = [8, 10, 12, 14];
/** Seconds each timed loop runs, about. */
const SECONDS = 0.3;

/**
 * The module's text: `run(iterations)` steps `chains` chains that many times and returns lane 0
 * of their sum. Each step of chain i is the kernel's own step, a += b · x with b loaded from
 * memory (b = 0.001, stored at the call's start; x = 0.999): one relaxed_madd, or f32x4.mul then
 * f32x4.add, with only the addition on the chain, as in matmul.ts's products. The load keeps the
 * multiply inside the loop (a loop-invariant product is computed once, outside it, by V8).
 */
export function peakModule(chains: number, relaxed: boolean): string {
  const b = (i: number) => `(v128.load offset=${16 * i} (i32.const 0))`;
  const step = (i: number) =>
    relaxed
      ? `(local.set $a${i} (f32x4.relaxed_madd ${b(i)} (local.get $x) (local.get $a${i})))`
      : `(local.set $a${i} (f32x4.add (local.get $a${i}) (f32x4.mul ${b(i)} (local.get $x))))`;
  const ids = Array.from({ length: chains }, (_, i) => i);
  const sum = ids.map((i) => `(local.get $a${i})`).reduce((a, c) => `(f32x4.add ${a} ${c})`);
  return `(module (memory 1)
  (func (export "run") (param $iterations i32) (result f32)
    (local $x v128) ${ids.map((i) => `(local $a${i} v128)`).join(" ")}
    (local.set $x (f32x4.splat (f32.const 0.999)))
    ${ids.map((i) => `(v128.store offset=${16 * i} (i32.const 0) (f32x4.splat (f32.const 0.001)))`).join("\n    ")}
    ${ids.map((i) => `(local.set $a${i} (f32x4.splat (f32.const ${(1 + i / 64).toFixed(6)})))`).join("\n    ")}
    (loop $step
      ${ids.map(step).join("\n      ")}
      (local.set $iterations (i32.sub (local.get $iterations) (i32.const 1)))
      (br_if $step (local.get $iterations)))
    (f32x4.extract_lane 0 ${sum})))`;
}

/** Operations of one step of the loop: 4 lanes, a multiply and an add each, per chain. */
export const opsPerStep = (chains: number): number => chains * 8;

/**
 * A worker: compiles the module, warms it up, waits at the barrier for its siblings, runs, posts
 * when it started and ended on process.hrtime's clock, one monotonic clock for every thread of the process.
 */
const WORKER = `const { parentPort, workerData } = require("node:worker_threads");
const { bytes, iterations, barrier, threads } = workerData;
const run = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports.run;
// V8 first runs a function in its baseline compiler and swaps in the optimised code between
// calls, never inside one: short calls for 0.2 s, so that the timed call runs optimised code.
const warm = Date.now() + 200;
while (Date.now() < warm) run(1 << 14);
const gate = new Int32Array(barrier);
Atomics.add(gate, 0, 1);
while (Atomics.load(gate, 0) < threads) {}
const start = process.hrtime.bigint();
const result = run(iterations);
const end = process.hrtime.bigint();
parentPort.postMessage({ start, end, finite: Number.isFinite(result) });`;

/**
 * `threads` workers running `iterations` steps of the module at once: seconds from the first
 * one's start to the last one's end. Workers that did not overlap (one descheduled after the
 * barrier) then count as the time they took in all, never as running side by side.
 */
async function together(bytes: Uint8Array, iterations: number, threads: number): Promise<number> {
  const barrier = new SharedArrayBuffer(4);
  const spans = await Promise.all(
    Array.from({ length: threads }, () =>
      new Promise<{ start: bigint; end: bigint }>((resolve, reject) => {
        new Worker(WORKER, { eval: true, workerData: { bytes, iterations, barrier, threads } })
          .once("message", (m: { start: bigint; end: bigint; finite: boolean }) => (m.finite ? resolve(m) : reject(new Error("the peak loop's sum is not finite"))))
          .once("error", reject);
      }),
    ),
  );
  const first = spans.reduce((a, s) => (s.start < a ? s.start : a), spans[0].start);
  const last = spans.reduce((a, s) => (s.end > a ? s.end : a), spans[0].end);
  return Number(last - first) / 1e9;
}

export interface Peak {
  node: string;
  variant: "relaxed" | "exact";
  /** The chain count kept (the fastest on one thread). */
  chains: number;
  /** GFLOP/s of one thread. */
  one: number;
  /** Threads timed at once, and their GFLOP/s together. */
  threads: number;
  together: number;
}

/** The peak on this engine: 3 timings of each chain count on one thread, then 3 of `threads` at once; the fastest of each. */
export async function measurePeak(threads: number): Promise<Peak> {
  const relaxed = hasRelaxedSimd();
  let best = { chains: 0, one: 0, bytes: new Uint8Array(0), iterations: 0 };
  for (const chains of CHAINS) {
    const bytes = await assemble("peak.wat", peakModule(chains, relaxed), relaxed);
    // A short run to size the timed ones at about SECONDS each.
    const probe = 1 << 20;
    const probeSeconds = await together(bytes, probe, 1);
    const iterations = Math.min(2 ** 31 - 1, Math.max(probe, Math.round((probe * SECONDS) / probeSeconds)));
    for (let round = 0; round < 3; round++) {
      const gflops = (iterations * opsPerStep(chains)) / (await together(bytes, iterations, 1)) / 1e9;
      if (gflops > best.one) best = { chains, one: gflops, bytes, iterations };
    }
  }
  let all = 0;
  for (let round = 0; round < 3; round++) {
    all = Math.max(all, (threads * best.iterations * opsPerStep(best.chains)) / (await together(best.bytes, best.iterations, threads)) / 1e9);
  }
  return { node: process.version, variant: relaxed ? "relaxed" : "exact", chains: best.chains, one: best.one, threads, together: all };
}
