/**
 * The argument checks of crossEntropyFlat, done once at the boundary, with errors that name
 * the argument, the position and the value, like the nested API's.
 */
import { describe } from "../inputs/describe";
import { resolveOptions, type ResolvedOptions } from "../inputs/options";
import type { CrossEntropyOptions } from "../inputs/types";

/** Row-major (N, C) logits. */
export type FlatLogits = Float32Array | Float64Array;

/** crossEntropyFlat's options: crossEntropy's, plus the buffers it writes into. */
export interface CrossEntropyFlatOptions extends Omit<CrossEntropyOptions, "dtype"> {
  /** Receives d loss / d logits: the logits' length, float32 or float64. For "none", the gradient of the sum. */
  grad?: FlatLogits;
  /** Receives the N per-row losses (required for "none", optional otherwise). */
  losses?: Float64Array;
  /**
   * Threads to share the rows between (default 1): the calling thread and `threads - 1` worker
   * threads of a pool kept for later calls (threads.ts). Batches under THREAD_MIN_LOGITS logits
   * stay on the calling thread. The results are bit for bit those of one thread.
   */
  threads?: number;
}

/** A checked call: inner code trusts it. */
export interface FlatCall {
  logits: FlatLogits;
  targets: Int32Array;
  rows: number;
  classes: number;
  options: ResolvedOptions;
  grad: FlatLogits | null;
  losses: Float64Array | null;
  /** 1 unless options.threads says more. */
  threads: number;
}

const KEYS = ["weight", "ignoreIndex", "reduction", "labelSmoothing", "grad", "losses", "threads"] as const;

/** The most threads a call may ask for. */
export const MAX_THREADS = 64;

/**
 * The index of the first target neither a class index in [0, C) nor ignoreIndex, or -1:
 * JavaScript's loop below, or the kernel's (Kernel.firstBadTarget, wat/targetCheck.ts): on the
 * 2-core Xeon 3 µs against 16 for 8192 targets.
 */
export type TargetScan = (targets: Int32Array, C: number, ignoreIndex: number) => number;

/** @throws TypeError or RangeError naming the argument, the position and the value. */
export function checkFlatCall(logits: unknown, targets: unknown, numClasses: unknown, options: unknown, scan: TargetScan = firstBadTarget): FlatCall {
  if (!(logits instanceof Float32Array || logits instanceof Float64Array)) {
    throw new TypeError(`logits is ${describe(logits)}: expected a Float32Array or Float64Array of N × numClasses logits, row-major`);
  }
  if (typeof numClasses !== "number") {
    throw new TypeError(`numClasses is ${describe(numClasses)}: expected a positive integer, the number of classes C`);
  }
  if (!(Number.isInteger(numClasses) && numClasses > 0)) {
    throw new RangeError(`numClasses = ${describe(numClasses)} is not a positive integer: expected the number of classes C >= 1`);
  }
  const C = numClasses;
  if (logits.length % C !== 0) {
    throw new RangeError(
      `logits has length ${logits.length}, which is not a multiple of numClasses = ${C}: expected N × ${C} logits, row-major (N, C)`,
    );
  }
  const N = logits.length / C;
  if (!(targets instanceof Int32Array)) {
    throw new TypeError(`targets is ${describe(targets)}: expected an Int32Array of ${N} class indices, one per row of logits`);
  }
  if (targets.length !== N) {
    throw new RangeError(
      `targets has length ${targets.length} but logits holds ${N} rows of ${C} classes (length ${logits.length}): expected one target per row`,
    );
  }
  const resolved = resolveOptions(options, C, KEYS);
  const given = (options ?? {}) as CrossEntropyFlatOptions;
  const grad = checkGrad(given.grad, logits);
  const losses = checkLosses(given.losses, N, resolved.reduction);
  checkSeparate({ "options.grad": grad, "options.losses": losses }, { logits, targets, "options.weight": given.weight });
  checkTargets(targets, C, resolved.ignoreIndex, scan);
  return { logits, targets, rows: N, classes: C, options: resolved, grad, losses, threads: checkThreads(given.threads) };
}

/**
 * options.threads: a whole number from 1 to MAX_THREADS; 1 when absent. `what`: what the
 * threads share (crossEntropyFlat's rows; linearCrossEntropyFlat's classes).
 */
export function checkThreads(threads: unknown, name = "options.threads", what = "rows"): number {
  if (threads === undefined || threads === null) return 1;
  if (typeof threads !== "number") {
    throw new TypeError(`${name} is ${describe(threads)}: expected a whole number of threads from 1 to ${MAX_THREADS}`);
  }
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS)) {
    throw new RangeError(`${name} = ${describe(threads)} is not a whole number from 1 to ${MAX_THREADS}: the threads to share the ${what} between, 1 for the calling thread alone`);
  }
  return threads;
}

function checkGrad(grad: unknown, logits: FlatLogits): FlatLogits | null {
  if (grad === undefined || grad === null) return null;
  // Either element type: a float32 gradient of float64 logits is rounded, the other way is exact.
  if (!(grad instanceof Float32Array || grad instanceof Float64Array)) {
    throw new TypeError(`options.grad is ${describe(grad)}: expected a Float32Array or Float64Array of length ${logits.length}, like the logits`);
  }
  if (grad.length !== logits.length) {
    throw new RangeError(`options.grad has length ${grad.length} but logits has length ${logits.length}: expected the same length`);
  }
  return grad;
}

/** options.losses: required for reduction "none", a Float64Array of one loss per row of `rowsOf` (the argument named in errors). */
export function checkLosses(losses: unknown, N: number, reduction: string, rowsOf = "logits"): Float64Array | null {
  if (losses === undefined || losses === null) {
    if (reduction === "none") {
      throw new TypeError(`options.losses is required for reduction "none": pass a Float64Array of length ${N} to receive the per-row losses`);
    }
    return null;
  }
  if (!(losses instanceof Float64Array)) {
    throw new TypeError(`options.losses is ${describe(losses)}: expected a Float64Array of length ${N}, one loss per row`);
  }
  if (losses.length !== N) {
    throw new RangeError(`options.losses has length ${losses.length} but ${rowsOf} holds ${N} rows: expected one loss per row`);
  }
  return losses;
}

/** @throws RangeError naming the first target out of range, its position and its value. */
export function checkTargets(targets: Int32Array, C: number, ignoreIndex: number, scan: TargetScan = firstBadTarget): void {
  const n = scan(targets, C, ignoreIndex);
  if (n < 0) return;
  throw new RangeError(`targets[${n}] = ${targets[n]} is out of range: expected a class index in [0, ${C}) or ignoreIndex (${ignoreIndex})`);
}

/** TargetScan in JavaScript: where no kernel is loaded, and for linearCrossEntropyFlat. */
export function firstBadTarget(targets: Int32Array, C: number, ignoreIndex: number): number {
  for (let n = 0; n < targets.length; n++) {
    const y = targets[n];
    if (!((y >= 0 && y < C) || y === ignoreIndex)) return n;
  }
  return -1;
}

/**
 * The buffers the call writes (grad, losses) must share no memory with anything it reads or
 * with each other: the inputs are read after the outputs are written, so an overlap returns
 * garbage instead of PyTorch's answer.
 */
function checkSeparate(outputs: Record<string, ArrayBufferView | null>, inputs: Record<string, unknown>): void {
  const names = Object.keys(outputs);
  names.forEach((name, i) => {
    const out = outputs[name];
    if (!out) return;
    for (const [other, view] of Object.entries(inputs)) {
      if (ArrayBuffer.isView(view) && overlaps(out, view)) {
        throw new RangeError(`${name} shares memory with ${other}: pass a separate array (${other} is read after ${name} is written)`);
      }
    }
    for (const other of names.slice(i + 1)) {
      const view = outputs[other];
      if (view && overlaps(out, view)) {
        throw new RangeError(`${name} shares memory with ${other}: pass separate arrays (the call writes both)`);
      }
    }
  });
}

function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}
