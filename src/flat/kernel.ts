/**
 * Loading the WebAssembly kernels built from ./wat (dist/flat/kernel-f32.wasm, kernel-f64.wasm,
 * and kernel-f32-relaxed.wasm, kernel-f64-relaxed.wasm where the engine has relaxed SIMD) and
 * laying out their memory; and, where the engine has multi-memory, their in-place builds
 * (kernel-*-inplace.wasm: inPlaceKernel below), which read a forward's logits from the shared
 * memory of a sharedFloat32Array instead of copying them into this memory.
 *
 * Memory map (bytes), fixed size apart from the per-class vectors at the end:
 *   [0, CHUNK_BYTES)        logits of the rows being processed; the gradient overwrites them
 *   + 64 slack              the last vector of a row may read up to 15 bytes past its end, and
 *                           a chunk may start at byte 4 (Kernel.logitsFrom4)
 *   targets  MAX_ROWS × 4   each row's target class or ignoreIndex, which the kernel rewrites
 *                           to -1 (ignored) or -2 (ignored and skipped) (int32); before a
 *                           call's first chunk, the targets' range check (firstBadTarget)
 *   stats    MAX_ROWS × 32  per row M, S, MIN, T (float64)
 *   coef     MAX_ROWS × 32  per row alpha, M, g[y], what the gradient sweep does (float64)
 *   loss     MAX_ROWS × 8   per row loss (float64)
 *   status   MAX_ROWS × 4   per row status, STATUS in wat/rowTerms.ts (int32)
 *   blocks   (CHUNK_BYTES / 256 + MAX_ROWS) × 8   each block's running max, for the backward sweep;
 *                           in place (a forward), the two 256-byte windows of shortRow.ts
 *   weights  C × 8 + 64     class weights, float64 (label smoothing with weights)
 *   beta     C × 8 + 64     the smoothing part of the gradient per class, in the logits' type
 * About 1.4 MiB in all (1 MiB of it the chunk's logits) plus 16 bytes a class: never an N × C buffer.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SharedMemory, SharedSource } from "./sharedArrays";
import { hasFusedRelaxedSimd, hasMultiMemory } from "./wat/features";

/**
 * The kernel's logits region: 1 MiB, so a row of up to 262144 float32 (131072 float64) logits
 * is swept whole, its exps stored for the backward, instead of in pieces computed twice.
 */
export const CHUNK_BYTES = 1 << 20;
/** Logits bytes copied into the kernel per call when rows are shorter: a quarter MiB, so they stay in L2 between sweeps. */
export const BATCH_BYTES = 1 << 18;
/** Rows handled per call when rows are short (C = 10: 4096 rows of 40 bytes). */
export const MAX_ROWS = 4096;

const SLACK = 64;
/** WebAssembly's 32-bit memories hold at most 65536 pages of 64 KiB: 4 GiB. */
const MAX_MEMORY_BYTES = 65536 * 65536;
const TARGETS = CHUNK_BYTES + SLACK;
const STATS = TARGETS + MAX_ROWS * 4;
const COEF = STATS + MAX_ROWS * 32;
const LOSS = COEF + MAX_ROWS * 32;
const STATUS = LOSS + MAX_ROWS * 8;
const BLOCKS = STATUS + MAX_ROWS * 4;
const WEIGHTS = BLOCKS + (CHUNK_BYTES / 256 + MAX_ROWS) * 8;

/** The WebAssembly API this file uses (the project's lib, ES2022 without DOM, does not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface WasmGlobal {
  value: number;
}

export interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  M: WasmGlobal;
  S: WasmGlobal;
  MIN: WasmGlobal;
  T: WasmGlobal;
  NLL: WasmGlobal;
  SMOOTH: WasmGlobal;
  DEN: WasmGlobal;
  TOTAL: WasmGlobal;
  /** Rows of the last statsRows call left to the caller (int32). */
  LEFT: WasmGlobal;
  begin(reference: number): void;
  segment(p: number, n: number, w: number, skip: number, mode: number): void;
  configure(e: number, W: number, C: number, nllGrad: number, smoothGrad: number, smoothGradSum: number, weighted: number, withGrad: number, ignore: number): void;
  statsRows(
    x: number, rows: number, C: number, targets: number, out: number, w: number, mode: number,
    loss: number, status: number, coef: number, store: number, blocks: number,
  ): void;
  gradSegment(p: number, n: number, alpha: number, M: number, bp: number, b: number, weighted: number): void;
  gradRows(x: number, rows: number, C: number, coef: number, targets: number, bp: number, b: number, weighted: number): void;
  scaleRows(x: number, rows: number, C: number, coef: number, targets: number, bp: number, b: number, weighted: number, blocks: number, stats: number): void;
  expLane(value: number): number;
  exp64(value: number): number;
  log1p64(value: number): number;
  exp64x2(a: number, b: number, lane: number): number;
  log1p64x2(a: number, b: number, lane: number): number;
  /** Float32 kernels only (quadFinish.ts): log1p of a, b, c, d in float32, lane `lane` as a float64. */
  log1pQuad?(a: number, b: number, c: number, d: number, lane: number): number;
  /** The first of n int32 targets at byte p neither in [0, C) (C read unsigned) nor equal to ignore, or -1 (wat/targetCheck.ts). */
  firstBadTarget(p: number, n: number, C: number, ignore: number): number;
}

/** One instantiated kernel and typed views on its memory (refreshed when the memory grows). */
export class Kernel {
  readonly element: "f32" | "f64";
  /** Built with relaxed SIMD's multiply-adds (wat/lanes.ts). */
  readonly relaxed: boolean;
  readonly exports: KernelExports;
  /**
   * The in-place build's (inPlaceKernel): the shared memory it reads the logits from, where
   * statsRows' x is the logits' byte offset; null for a kernel that reads them from its own memory.
   */
  readonly source: SharedMemory | null;
  readonly bytesPerLogit: number;
  /** Byte offsets of the regions above. */
  readonly at = { logits: 0, targets: TARGETS, stats: STATS, coef: COEF, loss: LOSS, status: STATUS, blocks: BLOCKS, weights: WEIGHTS, beta: WEIGHTS };
  logits!: Float32Array | Float64Array;
  /**
   * The logits region from byte 4: where a chunk goes whose source starts 4 bytes past an 8-byte
   * boundary (float32 rows of odd C), since V8 copies to or from a SharedArrayBuffer byte by
   * byte, 7× slower, unless source and destination agree modulo 8 (kernelSweep.ts).
   */
  logitsFrom4!: Float32Array;
  targets!: Int32Array;
  stats!: Float64Array;
  coef!: Float64Array;
  loss!: Float64Array;
  status!: Int32Array;
  weights!: Float64Array;
  beta!: Float32Array | Float64Array;
  private classes = -1;

  constructor(element: "f32" | "f64", exports: KernelExports, relaxed = false, source: SharedMemory | null = null) {
    this.element = element;
    this.relaxed = relaxed;
    this.exports = exports;
    this.source = source;
    this.bytesPerLogit = element === "f32" ? 4 : 8;
  }

  /**
   * crossEntropyFlat's range check of its targets (checkFlat.ts's TargetScan), MAX_ROWS at a
   * time through the targets region: the index of the first target neither a class index in
   * [0, C) nor ignoreIndex, or -1. Used before any row is swept, so the region is free.
   */
  readonly firstBadTarget = (targets: Int32Array, C: number, ignoreIndex: number): number => {
    // An ignoreIndex outside int32 equals no target: 0, always a class, stands for it.
    const ignore = ignoreIndex === (ignoreIndex | 0) ? ignoreIndex : 0;
    // Read unsigned by the kernel: C of 2^31 or more becomes 2^31, above every int32 index.
    const classes = Math.min(C, 2 ** 31);
    const memory = this.exports.memory;
    // Before the first call's prepare(), the memory is smaller than its fixed regions.
    if (memory.buffer.byteLength < STATS) memory.grow(Math.ceil((STATS - memory.buffer.byteLength) / 65536));
    const region = new Int32Array(memory.buffer, TARGETS, MAX_ROWS);
    for (let r0 = 0; r0 < targets.length; r0 += MAX_ROWS) {
      const n = Math.min(MAX_ROWS, targets.length - r0);
      region.set(targets.subarray(r0, r0 + n));
      const bad = this.exports.firstBadTarget(TARGETS, n, classes, ignore);
      if (bad >= 0) return r0 + bad;
    }
    return -1;
  };

  /** Logits that fit in one chunk: the longest row swept whole. */
  get chunkLogits(): number {
    return CHUNK_BYTES / this.bytesPerLogit;
  }

  /** Logits copied in per call when many rows fit. */
  get batchLogits(): number {
    return BATCH_BYTES / this.bytesPerLogit;
  }

  /** The most classes whose per-class vectors (8 + bytesPerLogit bytes a class) fit in the memory. */
  get maxClasses(): number {
    return Math.floor((MAX_MEMORY_BYTES - WEIGHTS - 2 * SLACK) / (8 + this.bytesPerLogit));
  }

  /**
   * Make room for the per-class vectors of C classes and (re)build the views.
   * @throws RangeError naming numClasses when they do not fit, or the memory cannot grow.
   */
  prepare(classes: number): void {
    const type = this.element === "f32" ? "float32" : "float64";
    if (classes > this.maxClasses) {
      throw new RangeError(
        `numClasses = ${classes} is too large for crossEntropyFlat's kernel: at most ${this.maxClasses} classes with ${type} logits ` +
          `(it keeps ${8 + this.bytesPerLogit} bytes a class in a WebAssembly memory of at most 4 GiB)`,
      );
    }
    const betaAt = WEIGHTS + classes * 8 + SLACK;
    const end = betaAt + classes * this.bytesPerLogit + SLACK;
    const memory = this.exports.memory;
    if (end > memory.buffer.byteLength) {
      try {
        memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
      } catch (error) {
        const mib = (end / 2 ** 20).toFixed(0);
        throw new RangeError(
          `numClasses = ${classes} needs ${mib} MiB of kernel memory with ${type} logits, which could not be allocated ` +
            `(${error instanceof Error ? error.message : String(error)}): at most ${this.maxClasses} classes fit in 4 GiB`,
        );
      }
    }
    if (classes === this.classes && this.logits.buffer === memory.buffer) return;
    const buffer = memory.buffer;
    const Logits = this.element === "f32" ? Float32Array : Float64Array;
    this.at.beta = betaAt;
    this.logits = new Logits(buffer, 0, this.chunkLogits);
    this.logitsFrom4 = new Float32Array(buffer, 4, CHUNK_BYTES / 4);
    this.targets = new Int32Array(buffer, TARGETS, MAX_ROWS);
    this.stats = new Float64Array(buffer, STATS, MAX_ROWS * 4);
    this.coef = new Float64Array(buffer, COEF, MAX_ROWS * 4);
    this.loss = new Float64Array(buffer, LOSS, MAX_ROWS);
    this.status = new Int32Array(buffer, STATUS, MAX_ROWS);
    this.weights = new Float64Array(buffer, WEIGHTS, classes);
    this.beta = new Logits(buffer, betaAt, classes);
    this.classes = classes;
  }
}

const loaded = new Map<string, Kernel | null>();
let failure = "";

/** The in-place builds, compiled once each (null: not loadable here); their instances by the memory they read, weakly. */
const inPlaceModules = new Map<string, object | null>();
const inPlaceKernels = new WeakMap<Kernel, Map<number, WeakRef<Kernel>>>();

/**
 * The in-place build of `kernel` reading from `source` (a sharedFloat32Array's or
 * sharedFloat64Array's memory): its memory 0 is `kernel`'s, so the two share their regions,
 * views and per-class vectors; it has globals of its own (prepareKernel configures it).
 * Instantiated once per source and kernel (about 25 µs), then kept as long as the engine keeps
 * it (a WeakRef: a worker's copy of the caller's memory is a new object at every call).
 * null where the engine has no multi-memory or the build cannot be loaded: the caller then copies.
 */
export function inPlaceKernel(kernel: Kernel, { memory, id }: SharedSource): Kernel | null {
  if (kernel.source) return kernel;
  let byId = inPlaceKernels.get(kernel);
  if (!byId) inPlaceKernels.set(kernel, (byId = new Map()));
  const cached = byId.get(id)?.deref();
  if (cached) return cached;
  const module = inPlaceModule(kernel.element, kernel.relaxed);
  if (!module) return null;
  let instance: { exports: object };
  try {
    instance = new WebAssemblyApi.Instance(module, { kernel: { memory: kernel.exports.memory, logits: memory } });
  } catch (error) {
    process.emitWarning(`crossEntropyFlat copies these shared logits into its kernel: its in-place build did not instantiate (${error instanceof Error ? error.message : String(error)})`);
    return null;
  }
  const inPlace = new Kernel(kernel.element, instance.exports as unknown as KernelExports, kernel.relaxed, memory);
  for (const [key, ref] of byId) if (!ref.deref()) byId.delete(key);
  byId.set(id, new WeakRef(inPlace));
  return inPlace;
}

function inPlaceModule(element: "f32" | "f64", relaxed: boolean): object | null {
  const key = `${element}${relaxed ? "-relaxed" : ""}`;
  if (!inPlaceModules.has(key)) {
    let module: object | null = null;
    if (hasMultiMemory()) {
      try {
        module = new WebAssemblyApi.Module(readFileSync(kernelPath(element, relaxed, true)));
      } catch (error) {
        process.emitWarning(`crossEntropyFlat copies shared logits into its kernel: its in-place build did not load (${error instanceof Error ? error.message : String(error)})`);
      }
    }
    inPlaceModules.set(key, module);
  }
  return inPlaceModules.get(key) ?? null;
}

/**
 * The kernel for float32 or float64 logits, compiled once; null when it cannot be loaded
 * (not built, or no WebAssembly SIMD), in which case the caller computes in plain JavaScript.
 * With `relaxed` (by default, when the engine has relaxed SIMD, Node 22 and later, and the
 * machine fuses its multiply-adds: features.ts), the build whose multiply-adds are relaxed_madd:
 * faster, and not bit for bit the same as the other, which stays for engines without it
 * (Node 20), for machines without FMA (its float32 exp needs the fused ones: exp.ts "rr1-p5")
 * and for the tests.
 */
export function kernelFor(element: "f32" | "f64", relaxed = hasFusedRelaxedSimd()): Kernel | null {
  const key = `${element}${relaxed ? "-relaxed" : ""}`;
  if (!loaded.has(key)) loaded.set(key, load(element, relaxed));
  return loaded.get(key) ?? null;
}

/** Why the last kernel failed to load, or "" (shown by the tests and the benchmark). */
export function kernelFailure(): string {
  return failure;
}

/** Where the built kernel (or its in-place build) is: beside this file in dist/, or in dist/flat when running from src/. */
export function kernelPath(element: "f32" | "f64", relaxed = false, inPlace = false): string {
  const name = `kernel-${element}${relaxed ? "-relaxed" : ""}${inPlace ? "-inplace" : ""}.wasm`;
  const beside = join(__dirname, name);
  return existsSync(beside) ? beside : join(__dirname, "..", "..", "dist", "flat", name);
}

function load(element: "f32" | "f64", relaxed: boolean): Kernel | null {
  const path = kernelPath(element, relaxed);
  try {
    const module = new WebAssemblyApi.Module(readFileSync(path));
    const instance = new WebAssemblyApi.Instance(module, {});
    return new Kernel(element, instance.exports as unknown as KernelExports, relaxed);
  } catch (error) {
    failure = `${path}: ${error instanceof Error ? error.message : String(error)} (build it with "npm run build:wasm")`;
    process.emitWarning(`crossEntropyFlat is computing in plain JavaScript, about 10x slower: ${failure}`);
    return null;
  }
}
