/**
 * Every row through the exact float64 path (rowReference.ts): used when no kernel could be
 * loaded, and when the gradient's scale is not finite. Plain JavaScript with Math.exp: exact
 * and about ten times slower than the kernels.
 */
import type { Plan } from "./plan";
import { addIgnoredRow, addRow } from "./plan";
import { referenceRowGradient, referenceRowTerms, type RowTerms } from "./rowReference";

export function referenceSweep(plan: Plan): void {
  const { logits, targets, C, weight, e, grad } = plan;
  const terms: RowTerms = { nll: 0, smooth: 0 };
  for (let n = 0; n < plan.N; n++) {
    const y = targets[n];
    const o = n * C;
    if (y === plan.ignoreIndex) {
      addIgnoredRow(plan, n);
      if (grad) referenceRowGradient(logits, o, C, null, weight, e, plan.nllGrad, plan.smoothGrad, grad);
      continue;
    }
    referenceRowTerms(logits, o, C, y, weight, e, terms);
    addRow(plan, n, terms.nll, terms.smooth, weight ? weight[y] : 1);
    if (grad) referenceRowGradient(logits, o, C, y, weight, e, plan.nllGrad, plan.smoothGrad, grad);
  }
}
