/**
 * From a row's kernel statistics to its loss terms and its gradient coefficients, in float64.
 *
 * The kernel returns, for the classes other than the target y: M = their max and
 * S = Σ_{c≠y} exp(x[c] - M) (and T = Σ w[c]·(x[c] - R) with label smoothing). Then
 *   u = S · exp(M - x[y]) = Σ_{c≠y} exp(x[c] - x[y])
 *   -logSoftmax(x)[y] = log(1 + u) = log1p(u)         (the row's loss before weights)
 *   logSumExp(x) = x[y] + log1p(u)
 * log1p keeps a confident row's tiny loss (u ≈ 1e-9) to full relative precision, where
 * (x[y] - max) - log(Σ exp) would subtract two numbers near 1 (the kernel's float32 exp has
 * a relative error of 1e-7: it must only touch u, never 1 + u).
 */

/** One row's terms: the loss's, and the gradient's per-row scalars. */
export interface FastRow {
  /** -(logSoftmax[y]·w[y]) */
  nll: number;
  /** -Σ_c w[c]·logSoftmax[c] (0 without smoothing) */
  smooth: number;
  /** exp(M - logSumExp): p[c] = exp(x[c] - M)·ratio */
  ratio: number;
  /** p[y] and 1 - p[y], each without cancellation */
  pTarget: number;
  pOthers: number;
}

/**
 * M, S, T: the kernel's statistics of the row; xy = x[y]; R = the row's first logit (T's
 * reference point); wy = w[y] (1 without weights); W = Σ_c w[c] (C without weights);
 * e = label smoothing. The gradient's scalars only `withGradient`. `into` is reused to spare
 * an allocation per row.
 */
export function fastRowTerms(
  M: number,
  S: number,
  T: number,
  xy: number,
  R: number,
  wy: number,
  W: number,
  e: number,
  weighted: boolean,
  withGradient: boolean,
  into: FastRow,
): FastRow {
  const d = M - xy;
  const u = S * Math.exp(d);
  let softplus: number;
  if (u < Infinity) {
    softplus = Math.log1p(u);
  } else {
    // x[y] is so far below the max that u overflows: log(1 + u) = z + log1p(exp(-z)), z = log u.
    const z = d + Math.log(S);
    softplus = z + Math.log1p(Math.exp(-z));
  }
  into.nll = softplus * wy;
  const logSumExp = xy + softplus;
  // Σ_c w[c]·l[c] = Σ_c w[c]·(x[c] - R) - W·(logSumExp - R); the kernel summed all c but y.
  into.smooth = e > 0 ? W * (logSumExp - R) - (T + (weighted ? wy * (xy - R) : xy - R)) : 0;
  if (!withGradient) return into;
  into.ratio = Math.exp(d - softplus);
  into.pTarget = 1 / (1 + u);
  into.pOthers = u < Infinity ? u / (1 + u) : 1;
  return into;
}

/** True when the kernel's statistics can be trusted: no NaN or ±Infinity in the row. */
export function isFiniteRow(M: number, S: number, MIN: number, T: number, othersEmpty: boolean): boolean {
  if (othersEmpty) return true;
  return Number.isFinite(M) && Number.isFinite(S) && MIN !== -Infinity && Number.isFinite(T);
}
