/**
 * crossEntropyFlat on several threads (`options.threads`): the calling thread and a pool of
 * worker threads (threadWorker.ts), each with its own instance of the same WebAssembly kernel.
 *
 * The call stays synchronous. The batch is cut into the chunks one thread feeds its kernel
 * (kernelSweep.ts: the same rows per chunk). The calling thread computes chunks from the front,
 * straight into the caller's arrays; it hands chunks from the back to the workers, copying
 * each into a worker's shared slot (threadLayout.ts: the caller's arrays are ordinary memory,
 * which a worker cannot see) and the gradient and losses back out, except the arrays that lie
 * on a SharedArrayBuffer (sharedArrays.ts), which the workers read and write where they are;
 * when it runs out of chunks
 * it takes back those no worker has started and waits (Atomics.wait) for the rest. So a worker
 * that is slow to start, or busy, costs nothing but its share, and the first call works while
 * the pool is still starting.
 *
 * Bit for bit the same results as one thread: each chunk is the same rows in the same kernel;
 * each row's loss and gradient depend on its row only; and the sums over rows take the same
 * additions in the same order (each chunk's terms are logged, plan.ts, and added in chunk order).
 *
 * The pool is kept for later calls; its workers are unref'd, so they never keep a process (a
 * script, vitest, a tslab kernel) alive, and closeThreads() ends them. linearCrossEntropyFlat's
 * `options.threads` uses the same pool (linearThreads.ts, through `pooled` below): one pool, one
 * startThreads(k), for both functions.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { checkThreads } from "./checkFlat";
import type { Kernel } from "./kernel";
import { chunkScratch, prepareKernel, rowsPerChunkOf, sweepChunk, type ChunkScratch } from "./kernelSweep";
import type { SweepOptions } from "./longRowSweep";
import { replaySums, type Plan } from "./plan";
import { isShared, sharedSourceOf } from "./sharedArrays";
import { CONTROL, DONE, DONE_BYTES, SHARED_BYTES, SLOTS, SLOT_WORD, STATE, slotLogits, slotViews, slotWord, spinWhile, type Job, type SlotViews, type WorkerData } from "./threadLayout";

/**
 * Batches with fewer logits stay on the calling thread, whatever options.threads says: below
 * it, starting the worker on the call (a message, 25 to 80 µs before it computes, unless it is
 * still polling after the last call: threadLayout.ts's JOB_SPIN_MS) and handing it rows cost
 * more than they save. Chosen from `npm run bench`'s crossover (one thread against
 * two at C = 1000, 16K to 4M logits) and from batches of one-row chunks, on the project's
 * 2-core Xeon: two threads were faster from 64,000 to 512,000 logits on at C = 1000, depending
 * on the run, and at 513,000 logits of C = 128256 (1.25×), and slower at (8, 50257), 402,000
 * logits (0.8× to 0.93×), and (2, 128256), 257,000 (0.81×). Rows per chunk were no better a
 * rule: one-row chunks of C = 128256 paid at 513K logits where those of C = 50257 did not at
 * 804K, through a misaligned copy since fixed (threadLayout.ts's slotLogits; README's notes).
 */
export const THREAD_MIN_LOGITS = 1 << 19;

/** How long the calling thread waits for a worker that has taken a chunk before it gives up. */
const STALL_MS = 60_000;

interface PoolWorker {
  worker: Worker;
  /** The calling thread's end of the worker's job port (WorkerData.jobs): each call's Job goes here. */
  port: MessagePort;
  control: Int32Array;
  slots: SlotViews[];
  /** The chunk in each slot. */
  chunkOf: number[];
  /** Why this worker is not used any more, or null. */
  dead: string | null;
  ready: Promise<void>;
}

const doneBuffer = new SharedArrayBuffer(DONE_BYTES);
const done = new Int32Array(doneBuffer);
const pool: PoolWorker[] = [];
let jobs = 0;
/** Set when a worker failed or died: later calls stay on the calling thread (closeThreads() clears it). */
let broken = false;

/**
 * How the last threaded call shared its chunks (for the tests and the bench); `polled`: how
 * many of its workers took its Job while still polling after the call before (JOB_SPIN_MS);
 * `inPlace`: how many threads, the calling thread among them, set up a kernel that reads its
 * logits where they lie (kernelSweep.ts's sourceKernel): a worker counts once it took the call.
 */
export const lastShare = { chunks: 0, front: 0, workers: 0, takenBack: 0, copied: 0, polled: 0, inPlace: 0 };

/**
 * The pool as linearThreads.ts uses it for linearCrossEntropyFlat: the same workers, their
 * start-up, wake-up and wait, and the flag that keeps later calls on one thread after a failure.
 */
export const pooled = {
  workers,
  freeSlots,
  wake,
  /** Wait until a worker finishes a slot: the count it had before, read with doneCount(). */
  sleep,
  doneCount: (): number => Atomics.load(done, DONE.COUNT),
  nextJob: (): number => ++jobs,
  isBroken: (): boolean => broken,
  breakPool: (): void => {
    broken = true;
  },
  STALL_MS,
};
export type { PoolWorker };

/** The worker's script: beside this file in dist/, or in dist/flat when running from src/ (the tests). */
function workerPath(): string {
  const beside = join(__dirname, "threadWorker.js");
  return existsSync(beside) ? beside : join(__dirname, "..", "..", "dist", "flat", "threadWorker.js");
}

function spawn(): PoolWorker {
  const shared = new SharedArrayBuffer(SHARED_BYTES);
  const { port1, port2 } = new MessageChannel();
  const data: WorkerData = { shared, done: doneBuffer, jobs: port2 };
  const worker = new Worker(workerPath(), { workerData: data, transferList: [port2] });
  port1.unref();
  const w: PoolWorker = {
    worker,
    port: port1,
    control: new Int32Array(shared),
    slots: Array.from({ length: SLOTS }, (_, s) => slotViews(shared, s)),
    chunkOf: new Array<number>(SLOTS).fill(-1),
    dead: null,
    ready: Promise.resolve(),
  };
  const stop = (why: string): void => {
    if (w.dead) return;
    w.dead = why;
    broken = true;
    process.emitWarning(`crossEntropyFlat, linearCrossEntropyFlat: a worker thread stopped (${why}); its share (rows, or ranges of classes) goes to the calling thread`);
  };
  w.ready = new Promise<void>((resolve) => {
    worker.on("message", (m: { ready?: boolean; failure?: string }) => {
      if (m.ready) resolve();
      if (m.failure) {
        w.dead ??= m.failure;
        broken = true;
        process.emitWarning(
          `crossEntropyFlat, linearCrossEntropyFlat: a worker thread failed (${m.failure}); its share (rows, or ranges of classes) goes to the calling thread, ` +
            "except a range of linearCrossEntropyFlat's backward it had begun, which makes that call throw",
        );
      }
    });
    worker.on("error", (error) => {
      stop(error instanceof Error ? error.message : String(error));
      resolve();
    });
    worker.on("exit", (code) => {
      stop(`exited with code ${code}`);
      resolve();
    });
  });
  // After the listeners, which would ref it again: the pool never keeps the process alive.
  worker.unref();
  return w;
}

/** The first `count` live workers of the pool, started now where missing. */
function workers(count: number): PoolWorker[] {
  const live = pool.filter((w) => !w.dead);
  while (live.length < count) {
    const w = spawn();
    pool.push(w);
    live.push(w);
  }
  return live.slice(0, count);
}

/**
 * Start the pool's workers for calls with `options.threads = threads` (threads - 1 workers
 * beside the calling thread) ahead of the first call; resolves when they have compiled their
 * kernels. Optional: a call starts the workers it lacks, and runs on the calling thread until
 * they are ready.
 * @throws RangeError or TypeError naming `threads` when it is not a whole number from 1 to 64.
 */
export async function startThreads(threads: number): Promise<void> {
  const k = checkThreads(threads, "threads");
  // Ref'd while starting, so that a script awaiting this does not exit under it.
  await Promise.all(
    workers(k - 1).map(async (w) => {
      w.worker.ref();
      await w.ready;
      w.worker.unref();
    }),
  );
}

/** End the pool's workers (a later threaded call starts new ones). */
export async function closeThreads(): Promise<void> {
  const all = pool.splice(0, pool.length);
  for (const w of all) {
    w.dead = "closed";
    w.port.close();
  }
  broken = false;
  await Promise.all(all.map((w) => w.worker.terminate()));
}

/** Workers in the pool now, started or starting (for the tests and the bench). */
export function poolSize(): number {
  return pool.filter((w) => !w.dead).length;
}

/**
 * The whole batch on `threads` threads, or false (nothing done) when it stays on one: fewer
 * than `minLogits` logits (the bench's crossover lowers it), a single chunk, rows longer
 * than the kernel's chunk, or a pool whose worker failed (a warning said why).
 */
export function threadSweep(plan: Plan, kernel: Kernel, threads: number, minLogits = THREAD_MIN_LOGITS): boolean {
  const { N, C } = plan;
  const R = rowsPerChunkOf(C, kernel);
  const chunks = R > 0 ? Math.ceil(N / R) : 0;
  if (threads < 2 || R === 0 || chunks < 2 || N * C < minLogits || broken) return false;
  const team = workers(Math.min(threads - 1, chunks - 1));
  const options = prepareKernel(plan, kernel);
  const job: Job = {
    id: ++jobs,
    element: kernel.element,
    relaxed: kernel.relaxed,
    C,
    weight: plan.weight ? Float64Array.from(plan.weight) : null,
    ignoreIndex: plan.ignoreIndex,
    e: plan.e,
    W: plan.W,
    nllGrad: plan.nllGrad,
    smoothGrad: plan.smoothGrad,
    smoothGradSum: plan.smoothGradSum,
    grad: plan.grad === null ? null : plan.grad instanceof Float32Array ? "f32" : "f64",
    losses: plan.losses !== null,
    sharedLogits: isShared(plan.logits) ? plan.logits : null,
    logitsByteOffset: plan.logits.byteOffset,
    sharedGrad: isShared(plan.grad) ? plan.grad : null,
    sharedLosses: isShared(plan.losses) ? plan.losses : null,
    source: kernel.source ? sharedSourceOf(plan.logits) : null,
  };
  for (const w of team) {
    freeSlots(w);
    w.port.postMessage(job);
  }
  try {
    share(plan, kernel, options, job, team, R, chunks);
  } finally {
    for (const w of team) {
      Atomics.store(w.control, CONTROL.ENDED, job.id);
      wake(w);
    }
  }
  return true;
}

/**
 * Slots left by a call that threw: wait for a chunk still being computed, then free them all.
 * Freed by compare-and-swap from the state just read, so a worker of the old call that takes
 * a FULL slot (FULL to BUSY) between the read and the write is waited for, never freed under it.
 */
function freeSlots(w: PoolWorker): void {
  for (let s = 0; s < SLOTS; s++) {
    const state = slotWord(s, SLOT_WORD.STATE);
    const start = Date.now();
    for (;;) {
      const now = Atomics.load(w.control, state);
      if (now === STATE.BUSY && Date.now() - start < STALL_MS) {
        Atomics.wait(done, DONE.COUNT, Atomics.load(done, DONE.COUNT), 10);
        continue;
      }
      if (Atomics.compareExchange(w.control, state, now, STATE.FREE) === now) break;
    }
  }
}

function share(plan: Plan, kernel: Kernel, options: SweepOptions, job: Job, team: PoolWorker[], R: number, chunks: number): void {
  const { N, C } = plan;
  const rowsOf = (c: number): number => Math.min(R, N - c * R);
  /** The logged terms of each chunk not computed from the front. */
  const logs: Array<ArrayLike<number>> = new Array(chunks);
  const scratch = chunkScratch();
  let lo = 0; // the next chunk the calling thread computes, from the front
  let hi = chunks - 1; // the next chunk handed to a worker, from the back
  let outstanding = 0; // chunks in slots
  let waitedSince = 0;
  let byWorkers = 0;
  let takenBack = 0;
  copied = 0;
  for (;;) {
    const seen = Atomics.load(done, DONE.COUNT);
    for (const w of team) {
      for (let s = 0; s < SLOTS; s++) {
        const word = slotWord(s, SLOT_WORD.STATE);
        let state = Atomics.load(w.control, word);
        if (state === STATE.DONE || state === STATE.FAILED || state === STATE.REFUSED) {
          const c = w.chunkOf[s];
          if (state === STATE.DONE) {
            logs[c] = collect(plan, job, w.control, w.slots[s], s, c * R, rowsOf(c));
            byWorkers++;
          } else {
            // Quietly: the worker posts why, and its message is the warning.
            w.dead ??= "it failed on a chunk";
            broken = true;
            logs[c] = apart(plan, kernel, options, c * R, rowsOf(c), scratch);
          }
          Atomics.store(w.control, word, (state = STATE.FREE));
          outstanding--;
        }
        if (state === STATE.FREE && !w.dead && lo <= hi) {
          fill(plan, job, w, s, hi, rowsOf(hi), R);
          w.chunkOf[s] = hi--;
          outstanding++;
        }
      }
    }
    if (lo <= hi) {
      sweepChunk(plan, kernel, options, lo * R, rowsOf(lo), scratch);
      lo++;
      continue;
    }
    if (outstanding === 0) break;
    // Nothing left to hand out: take back the chunks no worker has started.
    let tookBack = false;
    for (const w of team) {
      for (let s = 0; s < SLOTS; s++) {
        if (Atomics.compareExchange(w.control, slotWord(s, SLOT_WORD.STATE), STATE.FULL, STATE.FREE) !== STATE.FULL) continue;
        const c = w.chunkOf[s];
        logs[c] = apart(plan, kernel, options, c * R, rowsOf(c), scratch);
        outstanding--;
        takenBack++;
        tookBack = true;
      }
    }
    if (tookBack) continue;
    if (sleep(seen) === "timed-out") {
      waitedSince ||= Date.now();
      if (Date.now() - waitedSince > STALL_MS) {
        // A stalled worker is stopped and left out of later calls: it must not go on writing a
        // chunk into the caller's arrays (a shared grad or losses) after the call has thrown.
        for (const w of team) {
          if (w.slots.every((_, s) => Atomics.load(w.control, slotWord(s, SLOT_WORD.STATE)) !== STATE.BUSY)) continue;
          w.dead = `stalled over ${STALL_MS / 1000} s in a chunk`;
          void w.worker.terminate();
        }
        throw new Error(
          `crossEntropyFlat: a worker thread has not finished its chunk in ${STALL_MS / 1000} s; it was stopped ` +
            `(with grad or losses on a SharedArrayBuffer, its chunk's rows may be written until it has exited)`,
        );
      }
    } else waitedSince = 0;
  }
  const polled = team.filter((w) => Atomics.load(w.control, CONTROL.POLLED) === job.id).length;
  const inPlace = (kernel.source ? 1 : 0) + team.filter((w) => Atomics.load(w.control, CONTROL.IN_PLACE) === job.id).length;
  Object.assign(lastShare, { chunks, front: lo, workers: byWorkers, takenBack, copied, polled, inPlace });
  // The chunks from the front are in the sums already; the rest follow in chunk order.
  for (let c = lo; c < chunks; c++) replaySums(plan, logs[c]);
}

/** Logits, gradient values and losses the calling thread copied into or out of slots in the current call. */
let copied = 0;

/** Copy chunk c's targets, and its rows unless the worker reads them where they are, into a worker's slot, and wake the worker. */
function fill(plan: Plan, job: Job, w: PoolWorker, s: number, c: number, rows: number, R: number): void {
  const { C } = plan;
  const r0 = c * R;
  const v = w.slots[s];
  v.targets.set(plan.targets.subarray(r0, r0 + rows));
  if (!job.sharedLogits) {
    slotLogits(v, job.element, job.logitsByteOffset, r0, C).set(plan.logits.subarray(r0 * C, (r0 + rows) * C));
    copied += rows * C;
  }
  Atomics.store(w.control, slotWord(s, SLOT_WORD.FIRST), r0);
  Atomics.store(w.control, slotWord(s, SLOT_WORD.JOB), job.id);
  Atomics.store(w.control, slotWord(s, SLOT_WORD.ROWS), rows);
  Atomics.store(w.control, slotWord(s, SLOT_WORD.STATE), STATE.FULL);
  wake(w);
}

/** Tell a worker its slots or the call changed: bump SEQ, and notify it only if it sleeps (threadWorker.ts's idle). */
function wake(w: PoolWorker): void {
  Atomics.add(w.control, CONTROL.SEQ, 1);
  if (Atomics.load(w.control, CONTROL.SLEEPING)) Atomics.notify(w.control, CONTROL.SEQ);
}

/** Wait until a worker finishes a slot (DONE.COUNT moves from `seen`): a poll first, then Atomics.wait for up to a second. */
function sleep(seen: number): "ok" | "not-equal" | "timed-out" {
  if (spinWhile(done, DONE.COUNT, seen)) return "ok";
  Atomics.store(done, DONE.WAITING, 1);
  const result = Atomics.wait(done, DONE.COUNT, seen, 1000);
  Atomics.store(done, DONE.WAITING, 0);
  return result;
}

/** A computed slot's gradient and losses into the caller's arrays, unless the worker wrote them there; returns its terms. */
function collect(plan: Plan, job: Job, control: Int32Array, v: SlotViews, s: number, r0: number, rows: number): Float64Array {
  const { C, grad, losses } = plan;
  if (grad && !job.sharedGrad) {
    grad.set((grad instanceof Float32Array ? v.grad32 : v.grad64).subarray(0, rows * C), r0 * C);
    copied += rows * C;
  }
  if (losses && !job.sharedLosses) {
    losses.set(v.losses.subarray(0, rows), r0);
    copied += rows;
  }
  return v.terms.slice(0, Atomics.load(control, slotWord(s, SLOT_WORD.TERMS)));
}

/** A chunk computed by the calling thread out of order: its terms logged, not yet added. */
function apart(plan: Plan, kernel: Kernel, options: SweepOptions, r0: number, rows: number, scratch: ChunkScratch): number[] {
  const { C } = plan;
  const part: Plan = {
    ...plan,
    logits: plan.logits.subarray(r0 * C, (r0 + rows) * C),
    targets: plan.targets.subarray(r0, r0 + rows),
    N: rows,
    grad: plan.grad ? plan.grad.subarray(r0 * C, (r0 + rows) * C) : null,
    losses: plan.losses ? plan.losses.subarray(r0, r0 + rows) : null,
    nllSum: 0,
    smoothSum: 0,
    denominator: 0,
    total: 0,
    terms: [],
  };
  sweepChunk(part, kernel, options, 0, rows, scratch);
  return part.terms as number[];
}
