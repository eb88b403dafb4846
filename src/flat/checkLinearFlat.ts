/**
 * The argument checks of linearCrossEntropyFlat, done once at the boundary, with errors that
 * name the argument, the position and the value, like crossEntropyFlat's.
 */
import { at, describe } from "../inputs/describe";
import { resolveOptions, type ResolvedOptions } from "../inputs/options";
import type { CrossEntropyOptions } from "../inputs/types";
import { checkLosses, checkTargets, checkThreads } from "./checkFlat";
import { isShared } from "./sharedArrays";

/** Row-major float32 or float64 data. */
export type FlatArray = Float32Array | Float64Array;

/** linearCrossEntropyFlat's options: crossEntropy's, the bias, and the buffers it writes into. */
export interface LinearCrossEntropyFlatOptions extends CrossEntropyOptions {
  /** The linear layer's bias, C numbers. */
  linearBias?: FlatArray | number[];
  /** Receives d loss / d input: N·D, float32 or float64. */
  gradInput?: FlatArray;
  /** Receives d loss / d linearWeight: C·D, float32 or float64. */
  gradLinearWeight?: FlatArray;
  /** Receives d loss / d linearBias: C, float32 or float64. */
  gradLinearBias?: FlatArray;
  /** Receives the N per-row losses (required for "none", optional otherwise). */
  losses?: Float64Array;
  /**
   * Threads to share each tile's classes between (default 1): the calling thread and
   * `threads - 1` worker threads of crossEntropyFlat's pool (linearThreads.ts). Above 1, input,
   * linearWeight and gradLinearWeight must lie on a SharedArrayBuffer (sharedFloat32Array,
   * sharedFloat64Array). Calls under LINEAR_THREAD_MIN_FLOPS operations stay on one thread.
   */
  threads?: number;
}

/** A checked call: inner code trusts it. */
export interface LinearFlatCall {
  element: "f32" | "f64";
  input: FlatArray;
  linearWeight: FlatArray;
  bias: Float64Array | null;
  targets: Int32Array;
  N: number;
  D: number;
  C: number;
  options: ResolvedOptions;
  gradInput: FlatArray | null;
  gradLinearWeight: FlatArray | null;
  gradLinearBias: FlatArray | null;
  losses: Float64Array | null;
  /** 1 unless options.threads says more. */
  threads: number;
}

const KEYS = ["weight", "ignoreIndex", "reduction", "labelSmoothing", "linearBias", "gradInput", "gradLinearWeight", "gradLinearBias", "losses", "threads"] as const;

/** @throws TypeError or RangeError naming the argument, the position and the value. */
export function checkLinearFlatCall(input: unknown, linearWeight: unknown, targets: unknown, numClasses: unknown, options: unknown): LinearFlatCall {
  if (!(input instanceof Float32Array || input instanceof Float64Array)) {
    throw new TypeError(`input is ${describe(input)}: expected a Float32Array or Float64Array of N × D features, row-major`);
  }
  if (!(linearWeight instanceof Float32Array || linearWeight instanceof Float64Array)) {
    throw new TypeError(`linearWeight is ${describe(linearWeight)}: expected a Float32Array or Float64Array of C × D weights, row-major (C, D)`);
  }
  if (linearWeight.constructor !== input.constructor) {
    throw new TypeError(`linearWeight is ${describe(linearWeight)} but input is ${describe(input)}: expected both float32 or both float64`);
  }
  if (typeof numClasses !== "number") {
    throw new TypeError(`numClasses is ${describe(numClasses)}: expected a positive integer, the number of classes C`);
  }
  if (!(Number.isInteger(numClasses) && numClasses > 0)) {
    throw new RangeError(`numClasses = ${describe(numClasses)} is not a positive integer: expected the number of classes C >= 1`);
  }
  const C = numClasses;
  if (linearWeight.length % C !== 0 || linearWeight.length === 0) {
    throw new RangeError(
      `linearWeight has length ${linearWeight.length}, which is not a positive multiple of numClasses = ${C}: expected C × D weights, row-major (C, D)`,
    );
  }
  const D = linearWeight.length / C;
  if (input.length % D !== 0) {
    throw new RangeError(`input has length ${input.length}, which is not a multiple of D = ${D} (linearWeight's length / numClasses): expected N × ${D} features`);
  }
  const N = input.length / D;
  if (!(targets instanceof Int32Array)) {
    throw new TypeError(`targets is ${describe(targets)}: expected an Int32Array of ${N} class indices, one per row of input`);
  }
  if (targets.length !== N) {
    throw new RangeError(`targets has length ${targets.length} but input holds ${N} rows of ${D} features (length ${input.length}): expected one target per row`);
  }
  const resolved = resolveOptions(options, C, KEYS);
  const given = (options ?? {}) as LinearCrossEntropyFlatOptions;
  const bias = checkBias(given.linearBias, C);
  const gradInput = checkBuffer(given.gradInput, "gradInput", input.length, "input", [input, linearWeight]);
  const gradLinearWeight = checkBuffer(given.gradLinearWeight, "gradLinearWeight", linearWeight.length, "linearWeight", [input, linearWeight, gradInput]);
  const gradLinearBias = checkBuffer(given.gradLinearBias, "gradLinearBias", C, "linearBias (numClasses)", [input, linearWeight, gradInput, gradLinearWeight]);
  const losses = checkLosses(given.losses, N, resolved.reduction, "input");
  checkTargets(targets, C, resolved.ignoreIndex);
  const element = input instanceof Float32Array ? "f32" : "f64";
  const threads = checkThreads(given.threads, "options.threads", "classes");
  if (threads > 1) {
    const shared = element === "f32" ? "sharedFloat32Array" : "sharedFloat64Array";
    const arrays: [string, FlatArray | null, string, string][] = [
      ["input", input, "N * D", "read"],
      ["linearWeight", linearWeight, "C * D", "read"],
      ["options.gradLinearWeight", gradLinearWeight, "C * D", "write"],
    ];
    for (const [name, array, length, use] of arrays) {
      if (array && !isShared(array)) {
        throw new TypeError(
          `${name} is ${describe(array)} on an ordinary ArrayBuffer but options.threads = ${threads}: the worker threads ${use} it where it is, ` +
            `so allocate it with ${shared}(${length}) (length ${array.length}), or pass threads: 1`,
        );
      }
    }
  }
  return { element, input, linearWeight, bias, targets, N, D, C, options: resolved, gradInput, gradLinearWeight, gradLinearBias, losses, threads };
}

function checkBias(bias: unknown, C: number): Float64Array | null {
  if (bias === undefined || bias === null) return null;
  if (!(Array.isArray(bias) || bias instanceof Float32Array || bias instanceof Float64Array)) {
    throw new TypeError(`options.linearBias is ${describe(bias)}: expected a Float32Array, Float64Array or array of ${C} numbers, one per class`);
  }
  if (bias.length !== C) {
    throw new RangeError(`options.linearBias has length ${bias.length} but numClasses = ${C}: expected one bias per class`);
  }
  for (let c = 0; c < C; c++) {
    if (typeof bias[c] !== "number") throw new TypeError(`${at("options.linearBias", [c])} = ${describe(bias[c])} is not a number`);
  }
  return Float64Array.from(bias as ArrayLike<number>);
}

function checkBuffer(buffer: unknown, name: string, length: number, like: string, others: (FlatArray | null)[]): FlatArray | null {
  if (buffer === undefined || buffer === null) return null;
  if (!(buffer instanceof Float32Array || buffer instanceof Float64Array)) {
    throw new TypeError(`options.${name} is ${describe(buffer)}: expected a Float32Array or Float64Array of length ${length}, like ${like}`);
  }
  if (buffer.length !== length) {
    throw new RangeError(`options.${name} has length ${buffer.length} but ${like} has length ${length}: expected the same length`);
  }
  for (const other of others) {
    if (other && other.buffer === buffer.buffer && buffer.byteOffset < other.byteOffset + other.byteLength && other.byteOffset < buffer.byteOffset + buffer.byteLength) {
      throw new RangeError(`options.${name} shares memory with another argument: pass a separate array (it is written while the others are read)`);
    }
  }
  return buffer;
}
