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
 * classes of D each; tileLayout in linearTile.ts). W's gradient goes through its tile: the
 * chunk's rows of the caller's buffer copied in, Gᵀ · x added, copied back.
 *
 * With `threads: k` (linearThreads.ts) each of the k threads has such a tile of its own, in its
 * own matmul memory (at most 2.5 MiB + 24 KiB each), and splits each tile's chunks with the
 * others. Beside them: each worker's shared slots (threadLayout.ts, about 6.3 MiB a worker,
 * kept by the pool), and for the call the calling thread's sum of the tile's input gradient
 * (rows × D, at most 512 KiB), its partial sums (8 float64s a row of a tile: 16 KiB), and C
 * numbers each for the bias and class weights posted to each worker and, when gradLinearBias is
 * an ordinary array, its shared copy. Nothing of size N × C, N × D or C × D.
 */
import type { LinearFlatCall } from "./checkLinearFlat";
import { LINEAR_THREAD_MIN_FLOPS, linearTeam } from "./linearThreads";
import { tileLayout, TileRanges, type LinearPlan, type RowPartial } from "./linearTile";
import type { Matmul } from "./matmulKernel";
import { meanDenominator } from "./plan";

/** The running sums of a call, in row order as lossKernels.ts. */
export interface LinearSums {
  nllSum: number;
  smoothSum: number;
  denominator: number;
  total: number;
}

/**
 * The call's tiles, on one thread or, with `threads` > 1 and at least `minFlops` operations, on
 * the calling thread and threads - 1 workers (linearThreads.ts).
 */
export function linearSweep(call: LinearFlatCall, matmul: Matmul, threads = 1, minFlops = LINEAR_THREAD_MIN_FLOPS): LinearSums {
  const { N, D, C, input, linearWeight, targets, bias, gradInput, gradLinearWeight, gradLinearBias, losses } = call;
  const { weight, ignoreIndex, reduction } = call.options;
  const e = N > 0 ? call.options.labelSmoothing : 0;
  const L = tileLayout(N, D, C, call.element === "f32" ? 4 : 8);

  let W = C;
  if (weight) W = weight.reduce((s, w) => s + w, 0);
  const denominator = reduction === "mean" ? meanDenominator(targets, weight, ignoreIndex) : 1;
  const nllGrad = -((e > 0 ? 1 - e : 1) / denominator);
  const smoothGrad = -(e / C / denominator);
  let smoothGradSum = 0;
  if (e > 0) for (let c = 0; c < C; c++) smoothGradSum += weight ? smoothGrad * weight[c] : smoothGrad;
  const withGrad = !!(gradInput || gradLinearWeight || gradLinearBias);
  gradInput?.fill(0);
  gradLinearWeight?.fill(0);
  gradLinearBias?.fill(0);

  const plan: LinearPlan = {
    element: call.element,
    N,
    D,
    C,
    input,
    linearWeight,
    bias,
    weight,
    ignoreIndex,
    e,
    nllGrad,
    smoothGrad,
    gradInput: !!gradInput,
    gradLinearWeight,
    gradLinearBias,
  };
  const tiles = new TileRanges(plan, matmul, L);
  const team = linearTeam(plan, tiles, matmul.variant, threads, minFlops);
  const { lse, k } = tiles;
  const part: RowPartial = { m: tiles.m, s: tiles.s, zy: new Float64Array(L.rows), zw: new Float64Array(L.rows) };
  const sums: LinearSums = { nllSum: 0, smoothSum: 0, denominator: 0, total: 0 };
  try {
    for (let t0 = 0; t0 < N; t0 += L.rows) {
      const T = Math.min(L.rows, N - t0);
      const tileTargets = targets.subarray(t0, t0 + T);
      tiles.loadRows(t0, T);
      if (team) team.forward(t0, T, tileTargets, part);
      else tiles.forward(tileTargets, T, 0, tiles.chunks, part);
      const { m, s, zy, zw } = part;
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
      if (!withGrad) continue;
      if (team) team.backward(t0, T, tileTargets, gradInput);
      else {
        tiles.backward(tileTargets, T, 0, tiles.chunks, lse, k);
        if (gradInput) for (let t = 0; t < T; t++) gradInput.set(tiles.giRow(t), (t0 + t) * D);
      }
    }
  } finally {
    team?.end();
  }
  return sums;
}
