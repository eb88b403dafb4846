/**
 * Finishing one row in JavaScript from its kernel statistics: for rows fed to the kernel in
 * pieces (longer than a chunk) and the rare row the kernel leaves (its smoothing sum cancels,
 * rowMath.ts); and the exact path for rows with NaN or ±Infinity, or whose smoothing sum
 * would cancel.
 */
import type { Plan } from "./plan";
import { addIgnoredRow, addRow } from "./plan";
import { fastRowTerms, isFiniteRow, type FastRow } from "./rowMath";
import { referenceRowGradient, referenceRowTerms, type RowTerms } from "./rowReference";

/** How a row's gradient is finished after the backward sweep. */
export const FAST = 0; // the kernel writes it; the target's entry g[y] is written in float64
export const ZERO = 1; // an ignored row: zeros
export const EXACT = 2; // the exact path writes the whole row

export interface Outcome {
  kind: number;
  alpha: number;
  gy: number;
}

export interface RowScratch {
  fast: FastRow;
  terms: RowTerms;
}

export function rowScratch(): RowScratch {
  return { fast: { nll: 0, smooth: 0, ratio: 0, pTarget: 0, pOthers: 0, exact: false }, terms: { nll: 0, smooth: 0 } };
}

/** Row n's loss from its statistics (or the exact path), and what its gradient needs. */
export function finishRow(plan: Plan, n: number, M: number, S: number, MIN: number, T: number, out: Outcome, scratch: RowScratch): void {
  const { logits, C, weight, e } = plan;
  const y = plan.targets[n];
  const o = n * C;
  out.alpha = 0;
  out.gy = 0;
  if (y === plan.ignoreIndex) {
    addIgnoredRow(plan, n);
    out.kind = !plan.grad || isFiniteRow(M, S, MIN, 0, false) ? ZERO : EXACT;
    return;
  }
  const xy = logits[o + y];
  const wy = weight ? weight[y] : 1;
  const finite = Number.isFinite(xy) && isFiniteRow(M, S, MIN, T, C === 1);
  const fast = finite ? fastRowTerms(M, S, T, xy, logits[o], wy, plan.W, e, weight !== null, plan.grad !== null, scratch.fast) : null;
  if (fast === null || fast.exact) {
    const terms = referenceRowTerms(logits, o, C, y, weight, e, scratch.terms);
    addRow(plan, n, terms.nll, terms.smooth, wy);
    out.kind = EXACT;
    return;
  }
  addRow(plan, n, fast.nll, fast.smooth, wy);
  out.kind = FAST;
  if (!plan.grad) return;
  // g[c] = beta[c] + [c = y]·nllGrad·w[y] - p[c]·G, G = Σ_c beta[c] + nllGrad·w[y]:
  // the kernel writes alpha·exp(x[c] - M) + beta[c] with alpha = -G·ratio; for c = y,
  // p[y] - 1 = -pOthers is formed without cancellation.
  const G = plan.smoothGradSum + plan.nllGrad * wy;
  out.alpha = -G * fast.ratio;
  const betaY = e > 0 ? (weight ? plan.smoothGrad * wy : plan.smoothGrad) : 0;
  out.gy = betaY - fast.pTarget * plan.smoothGradSum + plan.nllGrad * wy * fast.pOthers;
}

export function finishGradient(plan: Plan, n: number, kind: number, gy: number): void {
  const grad = plan.grad as NonNullable<Plan["grad"]>;
  const { C } = plan;
  const o = n * C;
  const y = plan.targets[n];
  if (kind === FAST) grad[o + y] = gy;
  else if (kind === ZERO) grad.fill(0, o, o + C);
  else {
    const target = y === plan.ignoreIndex ? null : y;
    referenceRowGradient(plan.logits, o, C, target, plan.weight, plan.e, plan.nllGrad, plan.smoothGrad, grad);
  }
}
