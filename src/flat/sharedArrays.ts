/**
 * Typed arrays on a SharedArrayBuffer, for crossEntropyFlat with `options.threads`, and for
 * linearCrossEntropyFlat's, which needs its input, W and W's gradient on them (linearThreads.ts).
 *
 * A worker thread cannot read an ordinary ArrayBuffer, so for ordinary arrays the calling
 * thread copies each chunk of logits it hands a worker into the worker's shared slot, and the
 * gradient and losses back out (threads.ts): on the 2-core Xeon that copy costs the calling
 * thread 0.25 to 0.45 ns a logit, a third of what computing the chunk itself costs. Logits,
 * grad and losses allocated here (or on any SharedArrayBuffer) are read and written by the
 * workers where they are, and the calling thread copies nothing. One thread, or no threads
 * option, takes them like any other typed array, with the same results.
 *
 * sharedFloat32Array(n) -> a Float32Array of n zeros on its own SharedArrayBuffer.
 *
 * @example
 * const logits = sharedFloat32Array(N * C); // fill it with the model's logits
 * const grad = sharedFloat32Array(N * C);
 * crossEntropyFlat(logits, targets, C, { grad, threads: 2 });
 */
import { describe } from "../inputs/describe";
import { checkWholeNumber } from "../inputs/numbers";

/** A Float32Array of `length` zeros on a SharedArrayBuffer of its own. */
export function sharedFloat32Array(length: number): Float32Array {
  return new Float32Array(sharedBuffer(length, 4, "sharedFloat32Array"));
}

/** A Float64Array of `length` zeros on a SharedArrayBuffer of its own. */
export function sharedFloat64Array(length: number): Float64Array {
  return new Float64Array(sharedBuffer(length, 8, "sharedFloat64Array"));
}

/** `length` elements of `bytes` each, checked first; the engine's refusal said in the call's terms. */
function sharedBuffer(length: unknown, bytes: number, caller: string): SharedArrayBuffer {
  if (typeof length !== "number") throw new TypeError(`length is ${describe(length)}: expected a whole number >= 0`);
  checkWholeNumber(length, "length", 0);
  try {
    return new SharedArrayBuffer(length * bytes);
  } catch (error) {
    throw new RangeError(`length = ${length} is too large: ${caller} could not allocate ${length * bytes} bytes (${(error as Error).message})`);
  }
}

/** Whether a worker thread can read and write `array` where it is: it lies on a SharedArrayBuffer. */
export function isShared(array: ArrayBufferView | null): boolean {
  return array !== null && array.buffer instanceof SharedArrayBuffer;
}
