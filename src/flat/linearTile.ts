/**
 * One thread's share of a tile of linearCrossEntropyFlat (linearSweep.ts): a range of whole
 * chunks of classes, forward or backward, on that thread's own matmul memory. The calling
 * thread runs every chunk through it; with `threads: k`, each worker thread (threadWorker.ts,
 * linearSlot.ts) runs one range of chunks per tile through its own.
 *
 * forward(range): each row's running max m and Σ exp(z - m) over the range's classes, its target
 *   logit (where the target lies in the range) and, with label smoothing, Σ_c w[c]·z[c];
 * backward(range, lse, k): the range's logits recomputed, their gradient G, then
 *   gradLinearBias and gradLinearWeight of the range's classes (rows no other range writes) and
 *   the range's part of the tile's input gradient, G · W, left in the memory (giRow).
 */
import type { FlatArray } from "./checkLinearFlat";
import type { Matmul } from "./matmulKernel";

/** The call's numbers every thread needs: the calling thread's checked call, or a worker's job. */
export interface LinearPlan {
  element: "f32" | "f64";
  N: number;
  D: number;
  C: number;
  input: FlatArray;
  linearWeight: FlatArray;
  bias: Float64Array | null;
  weight: ArrayLike<number> | null;
  ignoreIndex: number;
  /** Label smoothing (0 for an empty batch). */
  e: number;
  /** d loss / d logSoftmax of the target's class (its weight aside), and of every class through smoothing. */
  nllGrad: number;
  smoothGrad: number;
  gradInput: boolean;
  gradLinearWeight: FlatArray | null;
  gradLinearBias: FlatArray | null;
}

/** A range's forward results, one per row of the tile. */
export interface RowPartial {
  m: Float64Array;
  s: Float64Array;
  zy: Float64Array;
  zw: Float64Array;
}

/** Bytes of one tile of x, of W, of W's gradient, of the input's gradient and of z (at most). */
const TILE_BYTES = 1 << 19;
/** The most rows of a tile; also the stride of a worker slot's partial sums (linearSlot.ts). */
export const MAX_TILE_ROWS = 256;
const MAX_CLASSES = 1024;
/** Bytes of a cache line: a chunk's row of z is an odd number of them (see tileLayout). */
const LINE = 64;

const roundUp = (value: number, step: number) => Math.ceil(value / step) * step;

/**
 * Rows and classes per tile, the padded row length, and the byte offsets of the regions.
 *
 * 256 rows a tile: W's chunks (and its gradient's) are copied in once per tile, so twice the
 * rows halves those copies (measured: 0.16 s to 0.09 s of a 1.7 s call at (1024, 256, 32000)).
 * A full chunk holds an odd number of cache lines of classes (496 float32s, not 512): Gᵀ · x
 * reads the logits' gradient down a column, and a row length of a power of two bytes puts every
 * row of that column in the same few sets of the L1 cache (Gᵀ · x at 256 rows: 40 GFLOP/s with
 * 512 classes, 47 with 496, Node 24).
 */
export function tileLayout(N: number, D: number, C: number, bytes: number) {
  const Dp = roundUp(Math.max(D, 1), 32 / bytes);
  const rowBytes = Dp * bytes;
  const rows = Math.max(4, Math.min(MAX_TILE_ROWS, roundUp(N, 4), Math.floor(TILE_BYTES / rowBytes / 4) * 4));
  let classes = Math.max(4, Math.min(MAX_CLASSES, Math.floor(TILE_BYTES / rowBytes / 4) * 4, Math.floor(TILE_BYTES / (rows * bytes) / 4) * 4));
  const perLine = LINE / bytes;
  if (classes > perLine) classes = (Math.floor(classes / perLine) - (Math.floor(classes / perLine) % 2 === 0 ? 1 : 0)) * perLine;
  classes = Math.min(classes, roundUp(C, 4));
  const x = 0;
  const w = x + rows * rowBytes;
  const gw = w + classes * rowBytes;
  const gi = gw + classes * rowBytes;
  const z = gi + rows * rowBytes;
  // The softmax's arrays (matmulKernel.ts's stats and gradient): the chunk's bias and
  // label-smoothing terms, per class, in the logits' type (room for float64s); each row's
  // running max, sum, log-sum-exp and gradient scale, float64s.
  const b = z + rows * classes * bytes;
  const g = b + classes * 8;
  const m = g + classes * 8;
  const s = m + rows * 8;
  const lse = s + rows * 8;
  const k = lse + rows * 8;
  return { Dp, rows, classes, x, w, gw, gi, z, b, g, m, s, lse, k, end: k + rows * 8 };
}

export type Layout = ReturnType<typeof tileLayout>;

export class TileRanges {
  readonly memory: FlatArray;
  /** The memory's m, s, lse and k regions (float64s, one per row of a tile). */
  readonly m: Float64Array;
  readonly s: Float64Array;
  readonly lse: Float64Array;
  readonly k: Float64Array;
  private readonly terms: FlatArray;
  private readonly bytes: number;
  /** Rows of the tile in x (set by loadRows). */
  private T4 = 0;
  /**
   * Logit c of a row whose product is z: the value the softmax (matmulKernel.ts's stats) used,
   * so that the loss lse - z[y] compares a logit with itself. Float32: z + b rounded to float32,
   * b in float32, as the float32 softmax and PyTorch's float32 addmm; float64: z + b.
   */
  private readonly logit: (z: number, c: number) => number;

  constructor(private readonly plan: LinearPlan, private readonly matmul: Matmul, readonly L: Layout) {
    this.bytes = plan.element === "f32" ? 4 : 8;
    const buffer = matmul.buffer(L.end);
    this.memory = plan.element === "f32" ? new Float32Array(buffer, 0, L.end / 4) : new Float64Array(buffer, 0, L.end / 8);
    this.memory.fill(0);
    const f64 = new Float64Array(buffer, 0, L.end / 8);
    // The chunk's per-class terms b and g in the logits' type (matmulKernel.ts's stats and gradient).
    this.terms = plan.element === "f32" ? this.memory : f64;
    [this.m, this.s, this.lse, this.k] = [L.m, L.s, L.lse, L.k].map((offset) => f64.subarray(offset / 8, offset / 8 + L.rows));
    const bias = plan.bias;
    this.logit = !bias ? (z) => z : plan.element === "f32" ? (z, c) => Math.fround(z + Math.fround(bias[c])) : (z, c) => z + bias[c];
  }

  private at(offset: number): number {
    return offset / this.bytes;
  }

  /** Chunks of classes of a call: chunk j is classes [j·L.classes, ...). */
  get chunks(): number {
    return Math.ceil(this.plan.C / this.L.classes);
  }

  /** Rows t0 .. t0 + T of the input into the x tile, zero rows up to a multiple of 4. */
  loadRows(t0: number, T: number): void {
    const { D, input } = this.plan;
    const { Dp } = this.L;
    const x = this.at(this.L.x);
    this.T4 = roundUp(T, 4);
    for (let t = 0; t < this.T4; t++) {
      const row = this.memory.subarray(x + t * Dp, x + t * Dp + D);
      if (t < T) row.set(input.subarray((t0 + t) * D, (t0 + t + 1) * D));
      else row.fill(0);
    }
  }

  /** The chunk's weights into the W tile (zero rows past its end), then its logits into z, and its bias (-Infinity past its end). */
  private chunkLogits(c0: number, Cc: number): number {
    const { D, linearWeight, bias } = this.plan;
    const { L, memory, terms } = this;
    const { Dp } = L;
    const Cc4 = roundUp(Cc, 4);
    const w = this.at(L.w);
    if (D === Dp) {
      memory.set(linearWeight.subarray(c0 * D, (c0 + Cc) * D), w);
      memory.fill(0, w + Cc * Dp, w + Cc4 * Dp);
    } else {
      for (let c = 0; c < Cc4; c++) {
        const row = memory.subarray(w + c * Dp, w + c * Dp + D);
        if (c < Cc) row.set(linearWeight.subarray((c0 + c) * D, (c0 + c + 1) * D));
        else row.fill(0);
      }
    }
    this.matmul.logits(L.x, L.w, L.z, this.T4, Cc4, Dp);
    const b = L.b / this.bytes;
    if (bias) terms.set(bias.subarray(c0, c0 + Cc), b);
    else terms.fill(0, b, b + Cc);
    terms.fill(-Infinity, b + Cc, b + Cc4);
    return Cc4;
  }

  /**
   * Chunks [from, to) of the loaded tile forward; `targets` are the tile's T targets. Results
   * into `out` (out.m and out.s may be this.m and this.s, where the module leaves them).
   */
  forward(targets: Int32Array, T: number, from: number, to: number, out: RowPartial): void {
    const { C, ignoreIndex, weight } = this.plan;
    const { L, memory, logit } = this;
    this.m.fill(-Infinity);
    this.s.fill(0);
    out.zy.fill(0, 0, T);
    out.zw.fill(0, 0, T);
    const z0 = this.at(L.z);
    for (let j = from; j < to; j++) {
      const c0 = j * L.classes;
      const Cc = Math.min(L.classes, C - c0);
      const Cc4 = this.chunkLogits(c0, Cc);
      this.matmul.stats(L.z, L.b, L.m, L.s, T, Cc4);
      for (let t = 0; t < T; t++) {
        const y = targets[t];
        if (y === ignoreIndex) continue;
        const o = z0 + t * Cc4;
        if (y >= c0 && y < c0 + Cc) out.zy[t] = logit(memory[o + y - c0], y);
        if (this.plan.e > 0) {
          let smooth = 0;
          for (let c = 0; c < Cc; c++) {
            const z = logit(memory[o + c], c0 + c);
            smooth += weight ? weight[c0 + c] * z : z;
          }
          out.zw[t] += smooth;
        }
      }
    }
    if (out.m !== this.m) out.m.set(this.m.subarray(0, T));
    if (out.s !== this.s) out.s.set(this.s.subarray(0, T));
  }

  /**
   * Chunks [from, to) of the loaded tile backward, each row's log-sum-exp and gradient scale in
   * lse and k (copied into the memory unless they are this.lse and this.k). The range's part of
   * the tile's input gradient is left in the memory: giRow(t).
   */
  backward(targets: Int32Array, T: number, from: number, to: number, lse: Float64Array, k: Float64Array): void {
    const { C, ignoreIndex, weight, e, nllGrad, smoothGrad, gradInput, gradLinearWeight, gradLinearBias, D } = this.plan;
    const { L, memory, terms, bytes, T4 } = this;
    const { Dp } = L;
    if (lse !== this.lse) this.lse.set(lse.subarray(0, T));
    if (k !== this.k) this.k.set(k.subarray(0, T));
    const [z0, g0, gi0, gw0] = [this.at(L.z), L.g / bytes, this.at(L.gi), this.at(L.gw)];
    if (gradInput) memory.fill(0, gi0, gi0 + T4 * Dp);
    for (let j = from; j < to; j++) {
      const c0 = j * L.classes;
      const Cc = Math.min(L.classes, C - c0);
      const Cc4 = this.chunkLogits(c0, Cc);
      if (e > 0) for (let c = 0; c < Cc; c++) terms[g0 + c] = weight ? smoothGrad * weight[c0 + c] : smoothGrad;
      else terms.fill(0, g0, g0 + Cc);
      terms.fill(0, g0 + Cc, g0 + Cc4);
      this.matmul.gradient(L.z, L.b, L.g, L.lse, L.k, T, Cc4);
      for (let t = 0; t < T4; t++) {
        const o = z0 + t * Cc4;
        const y = t < T ? targets[t] : ignoreIndex;
        if (y === ignoreIndex) {
          memory.fill(0, o, o + Cc4);
          continue;
        }
        // A row with a NaN or infinite logit: NaN throughout, as exp(z - NaN) gives.
        if (Number.isNaN(this.lse[t])) memory.fill(NaN, o, o + Cc);
        else if (y >= c0 && y < c0 + Cc) memory[o + y - c0] += nllGrad * (weight ? weight[y] : 1);
        // Past the chunk z is x · 0: 0, or NaN where x holds an infinity.
        memory.fill(0, o + Cc, o + Cc4);
      }
      if (gradLinearBias) {
        for (let c = 0; c < Cc; c++) {
          let sum = 0;
          for (let t = 0; t < T; t++) sum += memory[z0 + t * Cc4 + c];
          gradLinearBias[c0 + c] += sum;
        }
      }
      if (gradInput) this.matmul.accumulate(L.z, Cc4 * bytes, bytes, L.w, L.gi, T4, Cc4, Dp);
      if (gradLinearWeight) {
        // The chunk's rows of the caller's gradient into the tile, the tile's products added, and back.
        if (D === Dp) memory.set(gradLinearWeight.subarray(c0 * D, (c0 + Cc) * D), gw0);
        else for (let c = 0; c < Cc; c++) memory.set(gradLinearWeight.subarray((c0 + c) * D, (c0 + c + 1) * D), gw0 + c * Dp);
        this.matmul.accumulate(L.z, bytes, Cc4 * bytes, L.x, L.gw, Cc4, T4, Dp);
        if (D === Dp) gradLinearWeight.set(memory.subarray(gw0, gw0 + Cc * D), c0 * D);
        else for (let c = 0; c < Cc; c++) gradLinearWeight.set(memory.subarray(gw0 + c * Dp, gw0 + c * Dp + D), (c0 + c) * D);
      }
    }
  }

  /** Row t of the tile's input gradient from the last backward: D numbers. */
  giRow(t: number): FlatArray {
    const o = this.at(this.L.gi) + t * this.L.Dp;
    return this.memory.subarray(o, o + this.plan.D);
  }
}
