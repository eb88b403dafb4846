/**
 * A worker thread of crossEntropyFlat's pool (threads.ts), with its own instance of the same
 * WebAssembly kernel. Between calls it sits in its event loop (polling its job port for a
 * millisecond after each call first: threadLayout.ts's JOB_SPIN_MS); a call posts it a Job (the
 * plan's constants) and, for as long as the call lasts, the worker takes the chunks the calling
 * thread leaves in its slots (threadLayout.ts; the logits, gradient and losses in the caller's
 * own arrays where those are shared, sharedArrays.ts) and computes each exactly as one thread would
 * (kernelSweep.ts's sweepChunk): the same rows, in the same kernel, finished by the same code,
 * its sums' terms logged so the calling thread adds them in row order. For
 * linearCrossEntropyFlat (a LinearJob) it takes a tile's range of chunks of classes instead,
 * through its own matmul memory (linearSlot.ts, linearTile.ts).
 */
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { inPlaceKernel, kernelFor, type Kernel } from "./kernel";
import { linearCompute, PHASE, type LinearJob } from "./linearSlot";
import { matmulFor } from "./matmulKernel";
import { chunkScratch, prepareKernel, sweepChunk } from "./kernelSweep";
import type { SweepOptions } from "./longRowSweep";
import type { Plan } from "./plan";
import { CONTROL, DONE, JOB_SPIN_MS, SLOTS, STATE, SLOT_WORD, slotLogits, slotViews, slotWord, spinWhile, type Job, type WorkerData } from "./threadLayout";

const { shared, done: doneBuffer, jobs } = workerData as WorkerData;
const control = new Int32Array(shared);
const done = new Int32Array(doneBuffer);
const slots = Array.from({ length: SLOTS }, (_, s) => slotViews(shared, s));
const scratch = chunkScratch();

/**
 * Faults injected for the tests of the calling thread's recovery (test/threadFailures.test.ts),
 * read once when the worker starts: "setup", every job's set-up throws (nothing computed, nothing
 * written); "refuse-backward", the worker fails on linearCrossEntropyFlat's first backward range
 * before computing it (nothing of it written); "backward", it fails right after computing that
 * range (its rows of W's gradient written). Unset, nothing changes.
 */
const FAULT = process.env.CROSS_ENTROPY_THREAD_FAULT ?? "";

/** A plan for the chunk in slot s: its rows are the slot's, from row 0; its sums start at 0 and are logged. */
function chunkPlan(job: Job, weight: Float64Array | null, s: number, rows: number): Plan {
  const v = slots[s];
  const C = job.C;
  const r0 = Atomics.load(control, slotWord(s, SLOT_WORD.FIRST));
  /** The chunk's rows in the caller's array where it is shared, else in the slot. */
  const own = <T extends Float32Array | Float64Array>(caller: T | null, perRow: number, slot: T): T =>
    (caller ? caller.subarray(r0 * perRow, (r0 + rows) * perRow) : slot.subarray(0, rows * perRow)) as T;
  return {
    logits: own(job.sharedLogits, C, slotLogits(v, job.element, job.logitsByteOffset, r0, C)),
    targets: v.targets.subarray(0, rows),
    N: rows,
    C,
    weight,
    ignoreIndex: job.ignoreIndex,
    e: job.e,
    W: job.W,
    grad: job.grad === null ? null : own(job.sharedGrad, C, job.grad === "f32" ? v.grad32 : v.grad64),
    losses: job.losses ? own(job.sharedLosses, 1, v.losses) : null,
    nllGrad: job.nllGrad,
    smoothGrad: job.smoothGrad,
    smoothGradSum: job.smoothGradSum,
    exactOnly: false,
    nllSum: 0,
    smoothSum: 0,
    denominator: 0,
    total: 0,
    terms: [],
  };
}

function compute(job: Job, weight: Float64Array | null, kernel: Kernel, options: SweepOptions, s: number): void {
  const rows = Atomics.load(control, slotWord(s, SLOT_WORD.ROWS));
  const plan = chunkPlan(job, weight, s, rows);
  sweepChunk(plan, kernel, options, 0, rows, scratch);
  const terms = plan.terms as number[];
  slots[s].terms.set(terms);
  Atomics.store(control, slotWord(s, SLOT_WORD.TERMS), terms.length);
}

function finish(s: number, state: number): void {
  Atomics.store(control, slotWord(s, SLOT_WORD.STATE), state);
  Atomics.add(done, DONE.COUNT, 1);
  if (Atomics.load(done, DONE.WAITING)) Atomics.notify(done, DONE.COUNT);
}

/**
 * Nothing in the slots: poll SEQ for a while (the calling thread is most likely filling one),
 * then sleep until it changes. SLEEPING is set before SEQ is read again, and the calling
 * thread bumps SEQ before it reads SLEEPING, so one of the two always sees the other.
 */
function idle(seen: number): void {
  if (spinWhile(control, CONTROL.SEQ, seen)) return;
  Atomics.store(control, CONTROL.SLEEPING, 1);
  Atomics.wait(control, CONTROL.SEQ, seen);
  Atomics.store(control, CONTROL.SLEEPING, 0);
}

/** crossEntropyFlat's side of a job: compute the chunk of rows in slot s. */
function rowsCompute(job: Job): (s: number) => void {
  const weight = job.weight;
  const base: Kernel | null = kernelFor(job.element, job.relaxed);
  if (!base) throw new Error(`no ${job.element} kernel could be loaded in the worker thread`);
  // Where the caller reads the logits in place, so does the worker (the same bits either way).
  const kernel = job.source ? (inPlaceKernel(base, job.source) ?? base) : base;
  if (kernel.source) Atomics.store(control, CONTROL.IN_PLACE, job.id);
  const options: SweepOptions = prepareKernel(chunkPlan(job, weight, 0, 0), kernel);
  return (s) => compute(job, weight, kernel, options, s);
}

/**
 * One call, of crossEntropyFlat (a Job) or of linearCrossEntropyFlat (a LinearJob, linearSlot.ts):
 * compute every slot of this job, until the calling thread ends the call.
 */
function run(job: Job | LinearJob): void {
  // A call that ended before this worker got to it (it was slow to wake): nothing to set up.
  if (Atomics.load(control, CONTROL.ENDED) >= job.id) return;
  let slotCompute: ((s: number) => void) | null = null;
  let failure = "";
  let told = false;
  try {
    slotCompute = "kind" in job ? linearCompute(job, control, slots) : rowsCompute(job);
    if (FAULT === "setup") throw new Error("a fault injected in the set-up (CROSS_ENTROPY_THREAD_FAULT)");
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  }
  for (;;) {
    const seen = Atomics.load(control, CONTROL.SEQ);
    if (Atomics.load(control, CONTROL.ENDED) >= job.id) return;
    let took = false;
    for (let s = 0; s < SLOTS; s++) {
      const state = slotWord(s, SLOT_WORD.STATE);
      if (Atomics.load(control, slotWord(s, SLOT_WORD.JOB)) !== job.id) continue;
      if (Atomics.compareExchange(control, state, STATE.FULL, STATE.BUSY) !== STATE.FULL) continue;
      took = true;
      const backward = "kind" in job && Atomics.load(control, slotWord(s, SLOT_WORD.PHASE)) === PHASE.BACKWARD;
      if (FAULT === "refuse-backward" && backward) failure ||= "a fault injected before a backward range (CROSS_ENTROPY_THREAD_FAULT)";
      if (failure || !slotCompute) {
        finish(s, STATE.REFUSED);
        continue;
      }
      try {
        slotCompute(s);
        if (FAULT === "backward" && backward) throw new Error("a fault injected after a backward range was computed (CROSS_ENTROPY_THREAD_FAULT)");
        finish(s, STATE.DONE);
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
        finish(s, STATE.FAILED);
      }
    }
    if (failure && !told) {
      told = true;
      parentPort?.postMessage({ failure });
    }
    if (!took) idle(seen);
  }
}

/**
 * A call's Job from the event loop, then every Job posted within JOB_SPIN_MS of the last call's
 * end, taken from the port as it polls, with no trip through the event loop.
 */
function runAndPoll(job: Job | LinearJob): void {
  run(job);
  let until = performance.now() + JOB_SPIN_MS;
  while (performance.now() < until) {
    const next = receiveMessageOnPort(jobs);
    if (!next) continue;
    const job = next.message as Job | LinearJob;
    Atomics.store(control, CONTROL.POLLED, job.id);
    run(job);
    until = performance.now() + JOB_SPIN_MS;
  }
}

jobs.on("message", runAndPoll);
// Compile both kernels and both matmul modules now, so that the pool's start-up (threads.ts startThreads) includes them.
kernelFor("f32");
kernelFor("f64");
matmulFor("f32");
matmulFor("f64");
Atomics.store(control, CONTROL.READY, 1);
parentPort?.postMessage({ ready: true });
