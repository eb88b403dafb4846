/**
 * The tile loop of linearCrossEntropyFlat: the (N, C) logits are never held, only a tile of them.
 *
 * For each tile of up to 128 rows of the input:
 *   forward: for each chunk of classes, the tile's logits z = x · Wᵀ + b (matmulKernel.ts), and
 *     each row's online log-sum-exp (running max m, Σ exp(z - m)), its target's logit and, with
 *     label smoothing, Σ_c w[c]·z[c]. Then each row's loss.
 *   backward: for each chunk again, the logits recomputed, their gradient
 *     G = g - softmax(z)·Σ_c g[c] (g: d loss / d logSoftmax, as lossKernels.ts's logitGradient),
 *     then gradInput += G · W, gradLinearWeight += Gᵀ · x, gradLinearBias += Σ_rows G.
 * Recomputing the logits costs a fourth matrix product instead of keeping N × C numbers.
 *
 * Working memory: the tiles x (rows × Dp), W and its gradient (classes × Dp each) and the input's
 * gradient (rows × Dp), each at most 512 KiB, and z (at most 128 rows × 1024 classes): at most
 * 3 MiB whatever N and C (for D up to 16384 float64 or 32768 float32 numbers; beyond, 4 rows and
 * 4 classes of D each).
 */
import type { LinearFlatCall } from "./checkLinearFlat";
import type { Matmul } from "./matmulKernel";

/** Bytes of one tile of x, of W, of W's gradient and of the input's gradient (at most). */
const TILE_BYTES = 1 << 19;
const MAX_ROWS = 128;
const MAX_CLASSES = 1024;

/** The running sums of a call, in row order as lossKernels.ts. */
export interface LinearSums {
  nllSum: number;
  smoothSum: number;
  denominator: number;
  total: number;
}

const roundUp = (value: number, step: number) => Math.ceil(value / step) * step;

/** Rows and classes per tile, the padded row length, and the byte offsets of the regions. */
export function tileLayout(N: number, D: number, C: number, bytes: number) {
  const Dp = roundUp(Math.max(D, 1), 32 / bytes);
  const rowBytes = Dp * bytes;
  const rows = Math.max(4, Math.min(MAX_ROWS, roundUp(N, 4), Math.floor(TILE_BYTES / rowBytes / 4) * 4));
  const classes = Math.max(4, Math.min(MAX_CLASSES, roundUp(C, 4), Math.floor(TILE_BYTES / rowBytes / 4) * 4));
  const x = 0;
  const w = x + rows * rowBytes;
  const gw = w + classes * rowBytes;
  const gi = gw + classes * rowBytes;
  const z = gi + rows * rowBytes;
  return { Dp, rows, classes, x, w, gw, gi, z, end: z + rows * classes * bytes };
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
  const m = new Float64Array(L.rows);
  const s = new Float64Array(L.rows);
  const zy = new Float64Array(L.rows);
  const zw = new Float64Array(L.rows);
  const lse = new Float64Array(L.rows);

  /** The chunk's weights into the W tile (zero rows past its end), then its logits into z. */
  const chunkLogits = (c0: number, Cc: number, T4: number): number => {
    const Cc4 = roundUp(Cc, 4);
    for (let c = 0; c < Cc4; c++) {
      const row = memory.subarray(at(L.w) + c * Dp, at(L.w) + c * Dp + D);
      if (c < Cc) row.set(linearWeight.subarray((c0 + c) * D, (c0 + c + 1) * D));
      else row.fill(0);
    }
    matmul.logits(L.x, L.w, L.z, T4, Cc4, Dp);
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
      for (let t = 0; t < T; t++) {
        const y = targets[t0 + t];
        if (y === ignoreIndex) continue;
        const o = at(L.z) + t * Cc4;
        let chunkMax = -Infinity;
        for (let c = 0; c < Cc; c++) {
          const z = bias ? memory[o + c] + bias[c0 + c] : memory[o + c];
          if (z > chunkMax) chunkMax = z;
        }
        // The running max only grows: rescale the sum so far once per chunk, not per logit.
        if (chunkMax > m[t]) {
          s[t] *= Math.exp(m[t] - chunkMax);
          m[t] = chunkMax;
        }
        const max = m[t];
        let sum = 0;
        let smooth = 0;
        for (let c = 0; c < Cc; c++) {
          const z = bias ? memory[o + c] + bias[c0 + c] : memory[o + c];
          sum += Math.exp(z - max);
          if (e > 0) smooth += weight ? weight[c0 + c] * z : z;
        }
        s[t] += sum;
        zw[t] += smooth;
        if (y >= c0 && y < c0 + Cc) zy[t] = bias ? memory[o + y - c0] + bias[y] : memory[o + y - c0];
      }
    }
    for (let t = 0; t < T; t++) {
      const n = t0 + t;
      const y = targets[n];
      if (y === ignoreIndex) {
        if (losses) losses[n] = 0;
        continue;
      }
      lse[t] = m[t] + Math.log(s[t]);
      const wy = weight ? weight[y] : 1;
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
      for (let t = 0; t < T4; t++) {
        const o = at(L.z) + t * Cc4;
        const y = t < T ? targets[t0 + t] : ignoreIndex;
        if (y === ignoreIndex) {
          memory.fill(0, o, o + Cc4);
          continue;
        }
        const wy = weight ? weight[y] : 1;
        const gSum = smoothGradSum + nllGrad * wy;
        for (let c = 0; c < Cc; c++) {
          const z = bias ? memory[o + c] + bias[c0 + c] : memory[o + c];
          const g = e > 0 ? (weight ? smoothGrad * weight[c0 + c] : smoothGrad) : 0;
          memory[o + c] = g - Math.exp(z - lse[t]) * gSum;
        }
        if (y >= c0 && y < c0 + Cc) memory[o + y - c0] += nllGrad * wy;
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
        memory.fill(0, at(L.gw), at(L.gw) + Cc4 * Dp);
        matmul.accumulate(L.z, bytes, Cc4 * bytes, L.x, L.gw, Cc4, T4, Dp);
        for (let c = 0; c < Cc; c++) {
          const from = at(L.gw) + c * Dp;
          const to = (c0 + c) * D;
          for (let d = 0; d < D; d++) gradLinearWeight[to + d] += memory[from + d];
        }
      }
    }
    if (gradInput) {
      for (let t = 0; t < T; t++) gradInput.set(memory.subarray(at(L.gi) + t * Dp, at(L.gi) + t * Dp + D), (t0 + t) * D);
    }
  }
}
