/**
 * The matrix products of linearCrossEntropyFlat: the WebAssembly SIMD module built from
 * wat/matmul.ts (relaxed SIMD's multiply-add where the engine has it, else the exact
 * multiply-then-add), or the same two functions in plain JavaScript when it cannot be loaded.
 *
 * Both work on one memory holding the tiles (linearSweep.ts lays it out), with byte offsets.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { hasRelaxedSimd } from "./wat/features";

/** The WebAssembly API this file uses (the project's lib, ES2022 without DOM, does not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

interface MatmulExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  logits(x: number, w: number, z: number, T: number, Cc: number, Dp: number, CB: number): void;
  accumulate(a: number, rs: number, cs: number, b: number, out: number, M: number, K: number, Dp: number): void;
  stats(z: number, b: number, m: number, s: number, T: number, Cc: number): void;
  gradient(z: number, b: number, g: number, lse: number, k: number, T: number, Cc: number): void;
}

export type Element = "f32" | "f64";
export type Variant = "relaxed" | "exact" | "javascript";

/**
 * z[t][c] = Σ_d x[t][d] · w[c][d] (T × Cc, rows of Dp), and out[i][d] += Σ_k a(i, k) · b[k][d]
 * with a(i, k) at byte a + i·rs + k·cs. T and M multiples of 4, Cc of 2, Dp of two vectors.
 */
export interface Matmul {
  readonly element: Element;
  readonly variant: Variant;
  /** The memory, at least `bytes` long: grown (and so replaced) on demand. */
  buffer(bytes: number): ArrayBuffer;
  logits(x: number, w: number, z: number, T: number, Cc: number, Dp: number): void;
  accumulate(a: number, rs: number, cs: number, b: number, out: number, M: number, K: number, Dp: number): void;
  /**
   * The online log-sum-exp of each row t < T of the logits z (T × Cc) plus b (Cc numbers of the
   * logits' type, -Infinity on padding classes), into m[t] (running max) and s[t]
   * (Σ exp(v - m[t])), float64s; a row whose chunk max is NaN or ±Infinity gets
   * m[t] = s[t] = NaN (wat/matmul.ts for float64, wat/softmaxF32.ts for float32: its exps in float32).
   */
  stats(z: number, b: number, m: number, s: number, T: number, Cc: number): void;
  /** z[t][c] = g[c] - exp(z[t][c] + b[c] - lse[t]) · k[t] in place, for t < T (g as b; lse, k float64s). */
  gradient(z: number, b: number, g: number, lse: number, k: number, T: number, Cc: number): void;
}

/** The bytes of w's rows that the logits keep in the L1 cache (48 KiB a core on the machine measured). */
const L1_BYTES = 32768;

class WasmMatmul implements Matmul {
  constructor(readonly element: Element, readonly variant: Variant, private readonly exports: MatmulExports) {}
  buffer(bytes: number): ArrayBuffer {
    const memory = this.exports.memory;
    if (bytes > memory.buffer.byteLength) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    return memory.buffer;
  }
  logits(x: number, w: number, z: number, T: number, Cc: number, Dp: number): void {
    // As many classes at a time as fit 32 KiB of the L1 cache (an even number, at least 2).
    const classBlock = Math.max(2, 2 * Math.floor(L1_BYTES / (Dp * (this.element === "f32" ? 4 : 8)) / 2));
    this.exports.logits(x, w, z, T, Cc, Dp, classBlock);
  }
  accumulate(a: number, rs: number, cs: number, b: number, out: number, M: number, K: number, Dp: number): void {
    this.exports.accumulate(a, rs, cs, b, out, M, K, Dp);
  }
  stats(z: number, b: number, m: number, s: number, T: number, Cc: number): void {
    this.exports.stats(z, b, m, s, T, Cc);
  }
  gradient(z: number, b: number, g: number, lse: number, k: number, T: number, Cc: number): void {
    this.exports.gradient(z, b, g, lse, k, T, Cc);
  }
}

/** The same products in plain JavaScript, summed in the element type like the module. */
class JavaScriptMatmul implements Matmul {
  readonly variant = "javascript";
  private memory = new ArrayBuffer(0);
  private view: Float32Array | Float64Array = new Float64Array(0);
  private view64 = new Float64Array(0);
  private readonly round: (value: number) => number;
  constructor(readonly element: Element) {
    this.round = element === "f32" ? Math.fround : (value) => value;
  }
  private get size(): number {
    return this.element === "f32" ? 4 : 8;
  }
  buffer(bytes: number): ArrayBuffer {
    if (bytes > this.memory.byteLength) {
      this.memory = new ArrayBuffer(Math.ceil(bytes / 65536) * 65536);
      this.view = this.element === "f32" ? new Float32Array(this.memory) : new Float64Array(this.memory);
      this.view64 = new Float64Array(this.memory);
    }
    return this.memory;
  }
  logits(x: number, w: number, z: number, T: number, Cc: number, Dp: number): void {
    const v = this.view;
    const [xs, ws, zs] = [x / this.size, w / this.size, z / this.size];
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < Cc; c++) {
        let sum = 0;
        for (let d = 0; d < Dp; d++) sum = this.round(sum + this.round(v[xs + t * Dp + d] * v[ws + c * Dp + d]));
        v[zs + t * Cc + c] = sum;
      }
    }
  }
  accumulate(a: number, rs: number, cs: number, b: number, out: number, M: number, K: number, Dp: number): void {
    const v = this.view;
    const size = this.size;
    for (let i = 0; i < M; i++) {
      for (let k = 0; k < K; k++) {
        const g = v[(a + i * rs + k * cs) / size];
        const bo = b / size + k * Dp;
        const oo = out / size + i * Dp;
        for (let d = 0; d < Dp; d++) v[oo + d] = this.round(v[oo + d] + this.round(g * v[bo + d]));
      }
    }
  }
  stats(z: number, b: number, m: number, s: number, T: number, Cc: number): void {
    const [v, f] = [this.view, this.view64];
    const [zs, bs, ms, ss] = [z / this.size, b / this.size, m / 8, s / 8];
    const round = this.round;
    for (let t = 0; t < T; t++) {
      const o = zs + t * Cc;
      let max = -Infinity;
      for (let c = 0; c < Cc; c++) max = Math.max(max, round(v[o + c] + v[bs + c]));
      if (!Number.isFinite(max)) {
        f[ms + t] = f[ss + t] = NaN;
        continue;
      }
      if (max > f[ms + t]) {
        f[ss + t] *= Math.exp(f[ms + t] - max);
        f[ms + t] = max;
      }
      let sum = 0;
      for (let c = 0; c < Cc; c++) sum += Math.exp(round(v[o + c] + v[bs + c]) - f[ms + t]);
      f[ss + t] += sum;
    }
  }
  gradient(z: number, b: number, g: number, lse: number, k: number, T: number, Cc: number): void {
    const [v, f] = [this.view, this.view64];
    const [zs, bs, gs] = [z / this.size, b / this.size, g / this.size];
    const round = this.round;
    for (let t = 0; t < T; t++) {
      const o = zs + t * Cc;
      const [l, scale] = [f[lse / 8 + t], f[k / 8 + t]];
      for (let c = 0; c < Cc; c++) v[o + c] = v[gs + c] - Math.exp(round(v[o + c] + v[bs + c]) - l) * scale;
    }
  }
}

const loaded = new Map<string, Matmul>();

/**
 * The products for one element type: `variant` "relaxed" when the engine has relaxed SIMD
 * (the default), "exact", or "javascript". A module that cannot be loaded falls back to
 * JavaScript with a warning.
 */
export function matmulFor(element: Element, variant: Variant = hasRelaxedSimd() ? "relaxed" : "exact"): Matmul {
  const key = `${element}-${variant}`;
  let matmul = loaded.get(key);
  if (!matmul) {
    matmul = variant === "javascript" ? new JavaScriptMatmul(element) : load(element, variant);
    loaded.set(key, matmul);
  }
  return matmul;
}

/** Where a built module is: beside this file in dist/, or in dist/flat when running from src/. */
export function matmulPath(element: Element, variant: "relaxed" | "exact"): string {
  const name = `matmul-${element}${variant === "relaxed" ? "-relaxed" : ""}.wasm`;
  const beside = join(__dirname, name);
  return existsSync(beside) ? beside : join(__dirname, "..", "..", "dist", "flat", name);
}

function load(element: Element, variant: "relaxed" | "exact"): Matmul {
  const path = matmulPath(element, variant);
  try {
    if (!WebAssemblyApi) throw new Error("this engine has no WebAssembly");
    const instance = new WebAssemblyApi.Instance(new WebAssemblyApi.Module(readFileSync(path)), {});
    return new WasmMatmul(element, variant, instance.exports as unknown as MatmulExports);
  } catch (error) {
    const why = `${path}: ${error instanceof Error ? error.message : String(error)} (build it with "npm run build:wasm")`;
    process.emitWarning(`linearCrossEntropyFlat is multiplying in plain JavaScript, many times slower: ${why}`);
    return new JavaScriptMatmul(element);
  }
}
