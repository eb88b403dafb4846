/**
 * The tile loop of linearCrossEntropyFlat: the (N, C) logits are never held, only a tile of them.
 *
 * For each tile of up to 256 rows of the input:
 *   forward: for each chunk of classes, the tile's logits z = x · Wᵀ + b (matmulKernel.ts), and
 *     each row's online log-sum-exp (running max m, Σ exp(z - m): the module's `stats`, in
 *     SIMD, no Math.exp per logit), its target's logit and, with label smoothing,
 *     Σ_c w[c]·z[c]. Then each row's loss.
 *   backward: for each chunk again, the logits recomputed, their gradient
 *     G = g - softmax(z)·Σ_c g[c] (g: d loss / d logSoftmax, as lossKernels.ts's logitGradient;
 *     the module's `gradient`, then the target's term added here), then gradInput += G · W, gradLinearWeight += Gᵀ · x, gradLinearBias += Σ_rows G.
 * Recomputing the logits costs a fourth matrix product instead of keeping N × C numbers.
 *
 * Working memory: the tiles x (rows × Dp), W and its gradient (classes × Dp each), the input's
 * gradient (rows × Dp) and z (rows × classes), each at most 512 KiB, and the softmax's float64s
 * (2 per class of a chunk, 4 per row of a tile: at most 24 KiB): at most 2.5 MiB + 24 KiB
 * whatever N and C (for D up to 16384 float64 or 32768 float32 numbers; beyond, 4 rows and 4
 * classes of D each). W's gradient goes through its tile: the chunk's rows of the
 * caller's buffer copied in, Gᵀ · x added, copied back.
 */
import type { LinearFlatCall } from "./checkLinearFlat";
import type { Matmul } from "./matmulKernel";

/** Bytes of one tile of x, of W, of W's gradient, of the input's gradient and of z (at most). */
const TILE_BYTES = 1 << 19;
const MAX_ROWS = 256;
const MAX_CLASSES = 1024;
/** Bytes of a cache line: a chunk's row of z is an odd number of them (see tileLayout). */
const LINE = 64;

/** The running sums of a call, in row order as lossKernels.ts. */
export interface LinearSums {
  nllSum: number;
  smoothSum: number;
  denominator: number;
  total: number;
}

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
  const rows = Math.max(4, Math.min(MAX_ROWS, roundUp(N, 4), Math.floor(TILE_BYTES / rowBytes / 4) * 4));
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

export function linearSweep(call: LinearFlatCall, matmul: Matmul): LinearSums {
  const { N, D, C, input, linearWeight, targets, bias, gradInput, gradLinearWeight, gradLinearBias, losses } = call;
  const { weight, ignoreIndex, reduction } = call.options;
  const e = N > 0 ? call.options.labelSmoothing : 0;
  const bytes = call.element === "f32" ? 4 : 8;
  const L = tileLayout(N, D, C, bytes);
  const { Dp } = L;
  const buffer = matmul.buffer(L.end);
  const View = call.element === "f32" ? Float32Array : Float64Array;
  const memory = new View(buffer, 0, L.end / bytes);
  memory.fill(0);
  const at = (offset: number) => offset / bytes;

  let W = C;
  if (weight) W = weight.reduce((s, w) => s + w, 0);
  let denominator = 1;
  if (reduction === "mean") {
    denominator = 0;
    for (const y of targets) if (y !== ignoreIndex) denominator += weight ? weight[y] : 1;
  }
  const nllGrad = -((e > 0 ? 1 - e : 1) / denominator);
  const smoothGrad = -(e / C / denominator);
  let smoothGradSum = 0;
  if (e > 0) for (let c = 0; c < C; c++) smoothGradSum += weight ? smoothGrad * weight[c] : smoothGrad;
  const withGrad = !!(gradInput || gradLinearWeight || gradLinearBias);
  gradInput?.fill(0);
  gradLinearWeight?.fill(0);
  gradLinearBias?.fill(0);

  const sums: LinearSums = { nllSum: 0, smoothSum: 0, denominator: 0, total: 0 };
  const f64 = new Float64Array(buffer, 0, L.end / 8);
  // The chunk's per-class terms b and g in the logits' type (matmulKernel.ts's stats and gradient).
  const terms = call.element === "f32" ? memory : f64;
  const [m, s, lse, k] = [L.m, L.s, L.lse, L.k].map((offset) => f64.subarray(offset / 8, offset / 8 + L.rows));
  const zy = new Float64Array(L.rows);
  /**
   * Logit c of a row whose product is z: the value the softmax (matmulKernel.ts's stats) used,
   * so that the loss lse - z[y] compares a logit with itself. Float32: z + b rounded to float32,
   * b in float32, as the float32 softmax and PyTorch's float32 addmm; float64: z + b.
   */
  const logit =
    !bias ? (z: number) => z : call.element === "f32" ? (z: number, c: number) => Math.fround(z + Math.fround(bias[c])) : (z: number, c: number) => z + bias[c];
  const zw = new Float64Array(L.rows);

  /** The chunk's weights into the W tile (zero rows past its end), then its logits into z, and its bias (-Infinity past its end). */
  const chunkLogits = (c0: number, Cc: number, T4: number): number => {
    const Cc4 = roundUp(Cc, 4);
    if (D === Dp) {
      memory.set(linearWeight.subarray(c0 * D, (c0 + Cc) * D), at(L.w));
      memory.fill(0, at(L.w) + Cc * Dp, at(L.w) + Cc4 * Dp);
    } else {
      for (let c = 0; c < Cc4; c++) {
        const row = memory.subarray(at(L.w) + c * Dp, at(L.w) + c * Dp + D);
        if (c < Cc) row.set(linearWeight.subarray((c0 + c) * D, (c0 + c + 1) * D));
        else row.fill(0);
      }
    }
    matmul.logits(L.x, L.w, L.z, T4, Cc4, Dp);
    if (bias) terms.set(bias.subarray(c0, c0 + Cc), L.b / bytes);
    else terms.fill(0, L.b / bytes, L.b / bytes + Cc);
    terms.fill(-Infinity, L.b / bytes + Cc, L.b / bytes + Cc4);
    return Cc4;
  };

  for (let t0 = 0; t0 < N; t0 += L.rows) {
    const T = Math.min(L.rows, N - t0);
    const T4 = roundUp(T, 4);
    for (let t = 0; t < T4; t++) {
      const row = memory.subarray(at(L.x) + t * Dp, at(L.x) + t * Dp + D);
      if (t < T) row.set(input.subarray((t0 + t) * D, (t0 + t + 1) * D));
      else row.fill(0);
    }
    m.fill(-Infinity);
    s.fill(0);
    zy.fill(0);
    zw.fill(0);
    for (let c0 = 0; c0 < C; c0 += L.classes) {
      const Cc = Math.min(L.classes, C - c0);
      const Cc4 = chunkLogits(c0, Cc, T4);
      matmul.stats(L.z, L.b, L.m, L.s, T, Cc4);
      for (let t = 0; t < T; t++) {
        const y = targets[t0 + t];
        if (y === ignoreIndex) continue;
        const o = at(L.z) + t * Cc4;
        if (y >= c0 && y < c0 + Cc) zy[t] = logit(memory[o + y - c0], y);
        if (e > 0) {
          let smooth = 0;
          for (let c = 0; c < Cc; c++) {
            const z = logit(memory[o + c], c0 + c);
            smooth += weight ? weight[c0 + c] * z : z;
          }
          zw[t] += smooth;
        }
      }
    }
    for (let t = 0; t < T; t++) {
      const n = t0 + t;
      const y = targets[n];
      if (y === ignoreIndex) {
        if (losses) losses[n] = 0;
        lse[t] = 0;
        k[t] = 0;
        continue;
      }
      lse[t] = m[t] + Math.log(s[t]);
      const wy = weight ? weight[y] : 1;
      k[t] = smoothGradSum + nllGrad * wy;
      const nll = -((zy[t] - lse[t]) * wy);
      const smooth = e > 0 ? -(zw[t] - lse[t] * W) : 0;
      const loss = e > 0 ? (1 - e) * nll + smooth * (e / C) : nll;
      sums.nllSum += nll;
      sums.smoothSum += smooth;
      sums.denominator += wy;
      sums.total += loss;
      if (losses) losses[n] = loss;
    }
    if (withGrad) backwardTile(t0, T, T4);
  }
  return sums;

  function backwardTile(t0: number, T: number, T4: number): void {
    if (gradInput) memory.fill(0, at(L.gi), at(L.gi) + T4 * Dp);
    for (let c0 = 0; c0 < C; c0 += L.classes) {
      const Cc = Math.min(L.classes, C - c0);
      const Cc4 = chunkLogits(c0, Cc, T4);
      if (e > 0) for (let c = 0; c < Cc; c++) terms[L.g / bytes + c] = weight ? smoothGrad * weight[c0 + c] : smoothGrad;
      else terms.fill(0, L.g / bytes, L.g / bytes + Cc);
      terms.fill(0, L.g / bytes + Cc, L.g / bytes + Cc4);
      matmul.gradient(L.z, L.b, L.g, L.lse, L.k, T, Cc4);
      for (let t = 0; t < T4; t++) {
        const o = at(L.z) + t * Cc4;
        const y = t < T ? targets[t0 + t] : ignoreIndex;
        if (y === ignoreIndex) {
          memory.fill(0, o, o + Cc4);
          continue;
        }
        // A row with a NaN or infinite logit: NaN throughout, as exp(z - NaN) gives.
        if (Number.isNaN(lse[t])) memory.fill(NaN, o, o + Cc);
        else if (y >= c0 && y < c0 + Cc) memory[o + y - c0] += nllGrad * (weight ? weight[y] : 1);
        // Past the chunk z is x · 0: 0, or NaN where x holds an infinity.
        memory.fill(0, o + Cc, o + Cc4);
      }
      if (gradLinearBias) {
        for (let c = 0; c < Cc; c++) {
          let sum = 0;
          for (let t = 0; t < T; t++) sum += memory[at(L.z) + t * Cc4 + c];
          gradLinearBias[c0 + c] += sum;
        }
      }
      if (gradInput) matmul.accumulate(L.z, Cc4 * bytes, bytes, L.w, L.gi, T4, Cc4, Dp);
      if (gradLinearWeight) {
        // The chunk's rows of the caller's gradient into the tile, the tile's products added, and back.
        if (D === Dp) memory.set(gradLinearWeight.subarray(c0 * D, (c0 + Cc) * D), at(L.gw));
        else for (let c = 0; c < Cc; c++) memory.set(gradLinearWeight.subarray((c0 + c) * D, (c0 + c + 1) * D), at(L.gw) + c * Dp);
        matmul.accumulate(L.z, bytes, Cc4 * bytes, L.x, L.gw, Cc4, T4, Dp);
        if (D === Dp) gradLinearWeight.set(memory.subarray(at(L.gw), at(L.gw) + Cc * D), c0 * D);
        else for (let c = 0; c < Cc; c++) gradLinearWeight.set(memory.subarray(at(L.gw) + c * Dp, at(L.gw) + c * Dp + D), (c0 + c) * D);
      }
    }
    if (gradInput) {
      for (let t = 0; t < T; t++) gradInput.set(memory.subarray(at(L.gi) + t * Dp, at(L.gi) + t * Dp + D), (t0 + t) * D);
    }
  }
}
