/**
 * Typed arrays on shared memory, for crossEntropyFlat with `options.threads`, and for
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
 * Where the engine has WebAssembly's multi-memory (Node 22 and later), each array's buffer is
 * the buffer of a shared WebAssembly.Memory of its own, rounded up to whole pages of 64 KiB
 * with at least SHARED_SLACK bytes past the array's end (so `array.buffer.byteLength` is more
 * than `array.byteLength`), and a forward's kernel reads such logits where they lie, on every
 * thread, instead of copying each chunk into its own memory (kernel.ts's inPlaceKernel): the
 * same results, bit for bit, and no copy. Don't write the logits from another thread during a
 * call: its two passes over a row read them twice. Elsewhere (Node 20), and for an array too
 * large for one memory (4 GiB), the array lies on a plain SharedArrayBuffer of its own and is
 * copied as before.
 * The engine reserves address space for each memory (about 8 GiB under Node 24): with some
 * 16,000 such arrays alive at once (measured on the project's Xeon), a new memory cannot be had,
 * and V8 collects garbage and tries again before it says so (65 to 240 ms an array). After such
 * a refusal, the next MEMORY_PAUSE arrays lie on plain SharedArrayBuffers without asking.
 *
 * sharedFloat32Array(n) -> a Float32Array of n zeros on shared memory of its own.
 *
 * @example
 * const logits = sharedFloat32Array(N * C); // fill it with the model's logits
 * const grad = sharedFloat32Array(N * C);
 * crossEntropyFlat(logits, targets, C, { grad, threads: 2 });
 */
import { describe } from "../inputs/describe";
import { checkWholeNumber } from "../inputs/numbers";
import { hasMultiMemory } from "./wat/features";

/**
 * Bytes a shared array's memory holds past the array's end: the in-place kernel reads the last
 * vector of a row whole, and copies the block or tail that holds a row's target whole (256
 * bytes from its start: wat/shortRow.ts), up to 252 bytes past the row's end.
 */
export const SHARED_SLACK = 256;

const PAGE_BYTES = 65536;
/** A 32-bit WebAssembly memory's most pages: 4 GiB. */
const MAX_PAGES = 65536;

/** A shared WebAssembly.Memory, as this file uses it (the project's lib, ES2022 without DOM, does not declare WebAssembly). */
export interface SharedMemory {
  readonly buffer: SharedArrayBuffer;
}
const WebAssemblyApi = (globalThis as unknown as {
  WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => SharedMemory };
}).WebAssembly;

/** An array's memory and its number, unique in the thread that made it (a worker's cache of kernels goes by it: threadWorker.ts). */
export interface SharedSource {
  memory: SharedMemory;
  id: number;
}

/** The memory under each buffer made here. */
const sources = new WeakMap<ArrayBufferLike, SharedSource>();
let made = 0;
/** Arrays to put on plain SharedArrayBuffers after the engine refused a memory, before asking again. */
export const MEMORY_PAUSE = 4096;
let paused = 0;

/** A Float32Array of `length` zeros on shared memory of its own. */
export function sharedFloat32Array(length: number): Float32Array {
  return new Float32Array(sharedBuffer(length, 4, "sharedFloat32Array"), 0, length);
}

/** A Float64Array of `length` zeros on shared memory of its own. */
export function sharedFloat64Array(length: number): Float64Array {
  return new Float64Array(sharedBuffer(length, 8, "sharedFloat64Array"), 0, length);
}

/**
 * `length` elements of `bytes` each, checked first: a shared WebAssembly.Memory's buffer with
 * SHARED_SLACK bytes to spare where the engine has multi-memory; otherwise (and past 4 GiB, or
 * during a pause after a refused memory) a SharedArrayBuffer of exactly that size; the engine's
 * refusal said in the call's terms.
 */
function sharedBuffer(length: unknown, bytes: number, caller: string): SharedArrayBuffer {
  if (typeof length !== "number") throw new TypeError(`length is ${describe(length)}: expected a whole number >= 0`);
  checkWholeNumber(length, "length", 0);
  const pages = Math.ceil((length * bytes + SHARED_SLACK) / PAGE_BYTES);
  if (paused > 0) paused--;
  else if (pages <= MAX_PAGES && hasMultiMemory()) {
    try {
      const memory = new WebAssemblyApi.Memory({ initial: pages, maximum: pages, shared: true });
      sources.set(memory.buffer, { memory, id: ++made });
      return memory.buffer;
    } catch {
      // No room for a memory of its own (address space): a plain SharedArrayBuffer may still fit.
      paused = MEMORY_PAUSE;
    }
  }
  try {
    return new SharedArrayBuffer(length * bytes);
  } catch (error) {
    throw new RangeError(`length = ${length} is too large: ${caller} could not allocate ${length * bytes} bytes (${(error as Error).message})`);
  }
}

/**
 * The shared WebAssembly.Memory `array` lies on, made by sharedFloat32Array or
 * sharedFloat64Array, when it holds SHARED_SLACK bytes past the array's end (a view that reaches
 * into the slack does not); null otherwise.
 */
export function sharedSourceOf(array: ArrayBufferView): SharedSource | null {
  const source = sources.get(array.buffer);
  if (!source) return null;
  return array.byteOffset + array.byteLength + SHARED_SLACK <= array.buffer.byteLength ? source : null;
}

/** Whether a worker thread can read and write `array` where it is: it lies on a SharedArrayBuffer. */
export function isShared(array: ArrayBufferView | null): boolean {
  return array !== null && array.buffer instanceof SharedArrayBuffer;
}
