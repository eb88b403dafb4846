/**
 * The memory a worker thread of the pool shares with the calling thread (threads.ts,
 * threadWorker.ts): one SharedArrayBuffer per worker, never N × C. Below, crossEntropyFlat's
 * use of it; linearCrossEntropyFlat's (a range of classes a slot, its partial sums and its part
 * of a tile's input gradient) is in linearSlot.ts. The caller's arrays are
 * ordinary ArrayBuffers, which a worker cannot see, so the calling thread copies a chunk of
 * rows (the same chunk one thread would feed its kernel) into one of the worker's two slots
 * and copies the gradient and the per-row losses back out; the worker copies the slot into its
 * own kernel, as one thread copies the caller's rows. Two slots, so the worker computes one
 * while the calling thread fills or empties the other.
 *
 * Layout (bytes):
 *   [0, 256)            int32 control words: SEQ, ENDED, READY, SLEEPING, POLLED, IN_PLACE, then STATE, JOB, ROWS, TERMS, FIRST, FROM, TO, PHASE per slot
 *   [4096, ...)         SLOTS slots of SLOT_BYTES:
 *     logits   CHUNK_BYTES + 64   the chunk's logits, float32 or float64, from byte 0 or 4
 *     grad     2 × CHUNK_BYTES    its gradient (float64 for float32 logits takes twice the bytes)
 *     targets  MAX_ROWS × 4       its targets (int32)
 *     losses   MAX_ROWS × 8       its per-row losses (float64)
 *     terms    (4 + 4·MAX_ROWS) × 8   the sums' terms, in order (plan.ts, Plan.terms)
 */
import type { MessagePort } from "node:worker_threads";
import type { SharedSource } from "./sharedArrays";
import { CHUNK_BYTES, MAX_ROWS } from "./kernel";

/** Slots per worker. */
export const SLOTS = 2;

/** Control words (int32 indices). */
export const CONTROL = {
  /** Bumped by the calling thread at every slot it fills and at every call's end: the worker waits on it. */
  SEQ: 0,
  /** The id of the last call that ended: a worker working for it polls its job port (JOB_SPIN_MS), then goes back to its event loop. */
  ENDED: 1,
  /** 1 once the worker has loaded its kernel and listens for calls. */
  READY: 2,
  /**
   * 1 while the worker sleeps in Atomics.wait on SEQ: only then does the calling thread call
   * Atomics.notify, which costs it tens of microseconds when it wakes a thread on this machine.
   */
  SLEEPING: 3,
  /** The id of the last call whose Job the worker took from its job port while polling (JOB_SPIN_MS), not from its event loop. */
  POLLED: 4,
  /** The id of the last call whose logits the worker's kernel read where they lie (Job.source, kernel.ts's inPlaceKernel). */
  IN_PLACE: 5,
} as const;

/**
 * The pool's `done` words, shared by every worker: DONE is bumped at every slot a worker
 * finishes, and the calling thread waits on it; WAITING is 1 while it sleeps there, so that a
 * worker notifies only a sleeper.
 */
export const DONE = { COUNT: 0, WAITING: 1 } as const;
export const DONE_BYTES = 8;

/**
 * How long a thread that runs out of work during a call polls the word it waits for before it
 * sleeps in Atomics.wait: about a chunk's time (a chunk of 64K float32 logits takes 50 to 100
 * µs), so that within a call neither side pays a wake-up (measured on the 2-core Xeon: an
 * Atomics.notify that wakes a thread cost the notifier 30 to 85 µs, as much as copying a chunk).
 */
export const SPIN_MS = 0.2;

/** Poll `words[index]` until it is not `seen` (true) or SPIN_MS pass (false). */
export function spinWhile(words: Int32Array, index: number, seen: number): boolean {
  const end = performance.now() + SPIN_MS;
  for (;;) {
    for (let i = 0; i < 256; i++) if (Atomics.load(words, index) !== seen) return true;
    if (performance.now() > end) return false;
  }
}

/**
 * A slot's control words: CONTROL_SLOT + 8·slot + one of these. FIRST: the chunk's first row.
 * FROM, TO, PHASE: linearCrossEntropyFlat's range of chunks of classes and its pass (linearSlot.ts).
 */
export const SLOT_WORD = { STATE: 0, JOB: 1, ROWS: 2, TERMS: 3, FIRST: 4, FROM: 5, TO: 6, PHASE: 7 } as const;
const CONTROL_SLOT = 8;

/** A slot's states. */
export const STATE = {
  /** Nothing in it: the calling thread may fill it. */
  FREE: 0,
  /** Filled, waiting for the worker (or for the calling thread, which may take it back). */
  FULL: 1,
  /** The worker is computing it. */
  BUSY: 2,
  /** Computed: the calling thread copies the results out and frees it. */
  DONE: 3,
  /** The worker failed on it: the calling thread computes it and stops using that worker. */
  FAILED: 4,
  /**
   * The worker did not start it, having failed before (setting up the call, or on an earlier
   * slot): it wrote nothing of it, so the calling thread can compute it, in either pass.
   */
  REFUSED: 5,
} as const;

const DATA = 4096;
/** The logits may start at byte 4 of the slot (SlotViews.logits32From4), so 64 bytes of slack. */
const GRAD = CHUNK_BYTES + 64;
const TARGETS = GRAD + 2 * CHUNK_BYTES;
const LOSSES = TARGETS + MAX_ROWS * 4;
const TERMS = LOSSES + MAX_ROWS * 8;
/** The most terms a chunk logs: its kernel sums, then one set per row finished in JavaScript. */
export const MAX_TERMS = 4 + 4 * MAX_ROWS;
export const SLOT_BYTES = TERMS + MAX_TERMS * 8;
/** One worker's shared memory: about 6.3 MiB, whatever the batch. */
export const SHARED_BYTES = DATA + SLOTS * SLOT_BYTES;

/** Index of slot s's control word `word`. */
export const slotWord = (slot: number, word: number): number => CONTROL_SLOT + 8 * slot + word;

/** Typed views on one slot. */
export interface SlotViews {
  logits32: Float32Array;
  /** From byte 4: where float32 rows go whose source starts 4 bytes off 8 (kernel.ts's logitsFrom4). */
  logits32From4: Float32Array;
  logits64: Float64Array;
  grad32: Float32Array;
  grad64: Float64Array;
  targets: Int32Array;
  losses: Float64Array;
  terms: Float64Array;
}

export function slotViews(shared: SharedArrayBuffer, slot: number): SlotViews {
  const at = DATA + slot * SLOT_BYTES;
  return {
    logits32: new Float32Array(shared, at, CHUNK_BYTES / 4),
    logits32From4: new Float32Array(shared, at + 4, CHUNK_BYTES / 4),
    logits64: new Float64Array(shared, at, CHUNK_BYTES / 8),
    grad32: new Float32Array(shared, at + GRAD, CHUNK_BYTES / 4),
    grad64: new Float64Array(shared, at + GRAD, CHUNK_BYTES / 4),
    targets: new Int32Array(shared, at + TARGETS, MAX_ROWS),
    losses: new Float64Array(shared, at + LOSSES, MAX_ROWS),
    terms: new Float64Array(shared, at + TERMS, MAX_TERMS),
  };
}

/** What the calling thread posts to each worker at the start of a call: the plan's constants. */
export interface Job {
  id: number;
  element: "f32" | "f64";
  relaxed: boolean;
  C: number;
  /** A typed array: structured-cloned as one copy, where an array of C numbers costs a worker milliseconds a call. */
  weight: Float64Array | null;
  ignoreIndex: number;
  e: number;
  W: number;
  nllGrad: number;
  smoothGrad: number;
  smoothGradSum: number;
  /** The gradient's element type, or null without a gradient. */
  grad: "f32" | "f64" | null;
  losses: boolean;
  /**
   * The caller's arrays that lie on a SharedArrayBuffer (sharedArrays.ts), posted as views on the
   * same memory: the worker reads the chunk's logits and writes its gradient and losses there,
   * not through its slot. Null for an array that goes through the slot.
   */
  sharedLogits: Float32Array | Float64Array | null;
  /** The caller's logits' byteOffset: a chunk goes into the slot 4 bytes in when its rows start 4 bytes off 8 (slotLogits). */
  logitsByteOffset: number;
  sharedGrad: Float32Array | Float64Array | null;
  sharedLosses: Float64Array | null;
  /**
   * The memory of the caller's logits when the caller's kernel reads them where they lie (its
   * in-place build: kernelSweep.ts's sourceKernel), and its number: the worker's kernel reads
   * them there too (kernel.ts's inPlaceKernel, which keeps its instance by that number).
   */
  source: SharedSource | null;
}

/** What a worker gets when it starts. */
export interface WorkerData {
  shared: SharedArrayBuffer;
  /** The pool's int32 word that every worker bumps when it finishes a slot. */
  done: SharedArrayBuffer;
  /** Where the calling thread posts each call's Job: the worker also polls it for JOB_SPIN_MS after a call (threadWorker.ts). */
  jobs: MessagePort;
}

/**
 * How long a worker polls its job port after a call before it goes back to its event loop to
 * wait. A call posted meanwhile starts at once, where one posted to a worker that waits in its
 * event loop starts 25 to 80 µs later (measured on the EPYC, Node 20 and 24): back-to-back calls,
 * as in a training loop over batches, find the worker polling. OpenMP's threads, PyTorch's,
 * spin after a parallel region the same way before they sleep. A millisecond of one core at
 * most, after each threaded call.
 */
export const JOB_SPIN_MS = 1;

/**
 * Where chunk rows r0.. of logits (starting `byteOffset` into their buffer) go in a slot: from
 * byte 0, or from byte 4 when they start 4 bytes off 8, so that the copies into and out of the
 * slot, which is a SharedArrayBuffer, keep source and destination aligned alike (V8 copies
 * them byte by byte otherwise).
 */
export function slotLogits(v: SlotViews, element: "f32" | "f64", byteOffset: number, r0: number, C: number): Float32Array | Float64Array {
  if (element === "f64") return v.logits64;
  return (byteOffset + r0 * C * 4) % 8 ? v.logits32From4 : v.logits32;
}
