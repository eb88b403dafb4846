/**
 * From a row's kernel statistics to its loss terms and its gradient coefficients, in float64.
 *
 * The kernel returns, for the classes other than the target y: M = their max and
 * S = Σ_{c≠y} exp(x[c] - M) (and T = Σ w[c]·(x[c] - R) with label smoothing). With
 * d = M - x[y], every quantity is formed from the side of the row's true max, so that no
 * large number is subtracted from another (a logit far below the rest, at any distance,
 * costs no precision):
 *
 *   target is the max (d <= 0):  u = S·exp(d);  loss = log1p(u);  logSumExp = x[y] + log1p(u)
 *                                p[y] = 1/(1 + u);  exp(M - logSumExp) = exp(d)·p[y]
 *   another class is (d > 0):    v = exp(-d);  L = log(S + v) = log1p((S - 1) + v)
 *                                loss = d + L;  logSumExp = M + L
 *                                p[y] = v/(S + v);  exp(M - logSumExp) = 1/(S + v)
 *
 * log1p keeps a confident row's tiny loss (u ≈ 1e-9) to full relative precision, where
 * (x[y] - max) - log(Σ exp) would subtract two numbers near 1 (the kernel's float32 exp has
 * a relative error of 1e-7: it must only touch u, never 1 + u). S >= 1 (the max of the other
 * classes adds exp(0) = 1), so (S - 1) + v >= 0. The old forms x[y] + log1p(u) and
 * exp(d - log1p(u)) for d > 0 subtracted two numbers the size of d: a gap of 1e4 already lost
 * 1e-12, a gap of 1e16 everything.
 *
 * The smoothing sum Σ_c w[c]·(logSumExp - x[c]) = W·(logSumExp - R) - T - w[y]·(x[y] - R) is
 * a difference: when its terms are much larger than the result (a logit far from R = the row's
 * first logit, with little weight), the row is handed to the exact float64 path instead
 * (`exact`). With weights >= 0 the terms of T are bounded by those of the difference, so the
 * test below bounds the whole error: it stays under CANCELLATION · 2.2e-16 · (C / 4) of the
 * result. (Negative weights send the whole call to the exact path, plan.ts.) Ordinary rows stay
 * in the kernel: none of N(0, σ²) logits, σ from 0.1 to 100, C from 2 to 32000, with or
 * without weights, left it when this was measured.
 */
import { CANCELLATION } from "./wat/rowTerms";

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
  /** The smoothing sum cancels (or overflows): the row must take the exact float64 path. */
  exact: boolean;
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
  const below = d > 0;
  let softplus: number;
  let lseMinusR: number;
  let u = 0;
  let v = 0;
  let ed = 0;
  if (below) {
    v = Math.exp(-d);
    const L = Math.log1p(S - 1 + v);
    softplus = d + L;
    lseMinusR = M - R + L;
  } else {
    ed = Math.exp(d);
    u = S * ed;
    softplus = Math.log1p(u);
    lseMinusR = xy - R + softplus;
  }
  into.nll = softplus * wy;
  into.smooth = 0;
  into.exact = false;
  if (e > 0) {
    // Σ_c w[c]·l[c] = Σ_c w[c]·(x[c] - R) - W·(logSumExp - R); the kernel summed all c but y.
    const A = W * lseMinusR;
    const D = weighted ? wy * (xy - R) : xy - R;
    const smooth = A - (T + D);
    into.smooth = smooth;
    into.exact = !(Number.isFinite(smooth) && Math.abs(A) + Math.abs(T) + Math.abs(D) <= CANCELLATION * smooth);
  }
  if (!withGradient) return into;
  if (below) {
    into.ratio = 1 / (S + v);
    into.pTarget = v * into.ratio;
    into.pOthers = S * into.ratio;
  } else {
    into.pTarget = 1 / (1 + u);
    into.ratio = ed * into.pTarget; // exp(d - softplus), without a second exp
    into.pOthers = u * into.pTarget;
  }
  return into;
}

/** True when the kernel's statistics can be trusted: no NaN or ±Infinity in the row. */
export function isFiniteRow(M: number, S: number, MIN: number, T: number, othersEmpty: boolean): boolean {
  if (othersEmpty) return true;
  return Number.isFinite(M) && Number.isFinite(S) && MIN !== -Infinity && Number.isFinite(T);
}
