/**
 * One row of the loss and its gradient in float64, in exactly the order of operations of
 * the nested module (lossKernels.ts, logSoftmaxRows): the flat API's exact path.
 *
 * The kernels take every row whose numbers are finite; this takes the others (NaN, ±Infinity
 * anywhere in the row), so that they come out as PyTorch's do: NaN, +Infinity, or a finite
 * loss with a 0 gradient for a -Infinity logit. Without a kernel (not built) it takes all rows.
 */
import type { FlatLogits } from "./checkFlat";

/** What a row adds to the loss: its negative log-likelihood term and its smoothing term. */
export interface RowTerms {
  nll: number;
  smooth: number;
}

/**
 * The row's max and log Σ exp(x - max): l[c] = (x[c] - max) - logSum. As logSoftmaxRows in
 * the nested module: the max's own term 1 is added back by log1p when the max is finite, so a
 * confident row's tiny loss keeps its full relative precision.
 */
function rowLogSum(x: FlatLogits, o: number, C: number): { max: number; logSum: number } {
  let max = -Infinity;
  for (let c = 0; c < C; c++) max = Math.max(max, x[o + c]);
  let others = 0;
  let skip = Number.isFinite(max);
  for (let c = 0; c < C; c++) {
    if (skip && x[o + c] === max) skip = false;
    else others += Math.exp(x[o + c] - max);
  }
  return { max, logSum: Number.isFinite(max) ? Math.log1p(others) : Math.log(others) };
}

/**
 * nll = -(l[y]·w[y]); smooth = -Σ_c l[c]·w[c] (only when e > 0), as lossKernels.ts.
 * `into` is reused to spare an allocation per row.
 */
export function referenceRowTerms(
  x: FlatLogits,
  o: number,
  C: number,
  y: number,
  weight: ArrayLike<number> | null,
  e: number,
  into: RowTerms,
): RowTerms {
  const { max, logSum } = rowLogSum(x, o, C);
  const wy = weight ? weight[y] : 1;
  into.nll = -((x[o + y] - max - logSum) * wy);
  let smooth = 0;
  if (e > 0) {
    for (let c = 0; c < C; c++) {
      const l = x[o + c] - max - logSum;
      smooth += weight ? l * weight[c] : l;
    }
    smooth = -smooth;
  }
  into.smooth = smooth;
  return into;
}

/**
 * d loss / d logits of one row into grad[o .. o + C), as logitGradient in lossKernels.ts:
 * g[c] = smoothGrad·w[c] (+ nllGrad·w[y] at c = y), then g[c] -= exp(l[c])·Σ g.
 * An ignored row (y = null) has g = 0, so it is 0, or NaN where exp(l) is NaN (as PyTorch).
 */
export function referenceRowGradient(
  x: FlatLogits,
  o: number,
  C: number,
  y: number | null,
  weight: ArrayLike<number> | null,
  e: number,
  nllGrad: number,
  smoothGrad: number,
  grad: FlatLogits,
): void {
  const { max, logSum } = rowLogSum(x, o, C);
  const upstream = (c: number): number => {
    if (y === null) return 0;
    let g = e > 0 ? (weight ? smoothGrad * weight[c] : smoothGrad) : 0;
    if (c === y) g += weight ? nllGrad * weight[y] : nllGrad;
    return g;
  };
  let sum = 0;
  for (let c = 0; c < C; c++) sum += upstream(c);
  for (let c = 0; c < C; c++) grad[o + c] = upstream(c) - Math.exp(x[o + c] - max - logSum) * sum;
}
