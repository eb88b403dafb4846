import { checkAtLeast, checkClassIndices, checkMatrix } from "../inputs/numbers";
import { describe } from "../inputs/describe";
import type { Reduction } from "../inputs/types";

/*
 * The multiclass hinge (SVM) loss of CS231n, as PyTorch's multi_margin_loss: the same scores as
 * cross-entropy, a different verdict. Once the target's score beats every other by the margin,
 * the loss and its gradient are exactly 0; cross-entropy never stops pushing.
 */

export interface MultiMarginOptions {
  /** Δ, by how much the target's score must beat each other score. Default 1, as PyTorch. */
  margin?: number;
  /** 1 (the hinge) or 2 (the squared hinge). Default 1, as PyTorch. */
  p?: 1 | 2;
  /** Default "mean", as PyTorch. */
  reduction?: Reduction;
}

interface Checked {
  margin: number;
  p: 1 | 2;
  reduction: Reduction;
}

function check(logits: unknown, targets: unknown, options: MultiMarginOptions | undefined): Checked {
  const [n, c] = checkMatrix(logits, "logits");
  checkClassIndices(targets, "targets", n, c);
  const { margin = 1, p = 1, reduction = "mean" } = options ?? {};
  checkAtLeast(margin, "options.margin", 0);
  if (p !== 1 && p !== 2) throw new RangeError(`options.p = ${describe(p)} is out of range: expected 1 or 2`);
  if (!["mean", "sum", "none"].includes(reduction)) {
    throw new RangeError(`options.reduction = ${describe(reduction)} is out of range: expected "mean", "sum" or "none"`);
  }
  return { margin, p, reduction };
}

/** Each row's hinge terms max(0, Δ − x[y] + x[j]) for j ≠ y (0 at j = y). */
function hingeTerms(row: number[], target: number, margin: number): number[] {
  return row.map((x, j) => (j === target ? 0 : Math.max(0, margin - row[target] + x)));
}

/**
 * Multiclass hinge loss of scores (logits) and class targets, as `torch.nn.functional.multi_margin_loss`.
 *
 * logits (N, C), targets (N) -> a number for "mean" and "sum"; (N) for "none".
 * loss_n = Σ_{j ≠ y_n} max(0, Δ − x[n][y_n] + x[n][j])^p / C;  "mean" = Σ loss_n / N
 *
 * PyTorch divides each row by C, the number of classes; CS231n's SVM loss does not (it is C
 * times this). A row whose target beats every other score by Δ costs exactly 0.
 *
 * @example multiMarginLoss([[3.2, 5.1, -1.7]], [0]) // 0.9667 (= (2.9 + 0) / 3)
 * @see https://pytorch.org/docs/stable/generated/torch.nn.MultiMarginLoss.html
 * @throws RangeError naming the argument and position for a non-finite logit or a bad target.
 * NOTE: unlike PyTorch, there is no `weight` option.
 * Taught in notebooks/07-the-gradient.ipynb.
 */
export function multiMarginLoss(logits: number[][], targets: number[], options?: MultiMarginOptions & { reduction?: "mean" | "sum" }): number;
export function multiMarginLoss(logits: number[][], targets: number[], options: MultiMarginOptions & { reduction: "none" }): number[];
export function multiMarginLoss(logits: number[][], targets: number[], options?: MultiMarginOptions): number | number[];
export function multiMarginLoss(logits: number[][], targets: number[], options?: MultiMarginOptions): number | number[] {
  const { margin, p, reduction } = check(logits, targets, options);
  const losses = logits.map((row, n) => {
    const terms = hingeTerms(row, targets[n], margin);
    return terms.reduce((sum, t) => sum + (p === 2 ? t * t : t), 0) / row.length;
  });
  if (reduction === "none") return losses;
  const total = losses.reduce((a, b) => a + b, 0);
  return reduction === "sum" ? total : total / losses.length;
}

/**
 * The gradient of multiMarginLoss with respect to the logits, as PyTorch's autograd computes it.
 *
 * Same arguments -> (N, C). For "none" it is the gradient of the sum of the losses.
 * p = 1, "mean": d loss / d x[n][j] = [hinge_j > 0] / (C N) for j ≠ y, and minus their sum at y
 *
 * Rows sum to 0, as cross-entropy's do; a row classified right by the margin is all 0.
 *
 * @example multiMarginBackward([[3.2, 5.1, -1.7]], [0]) // [[-0.3333, 0.3333, 0]]
 * @see https://pytorch.org/docs/stable/generated/torch.nn.MultiMarginLoss.html
 * Taught in notebooks/07-the-gradient.ipynb.
 */
export function multiMarginBackward(logits: number[][], targets: number[], options?: MultiMarginOptions): number[][] {
  const { margin, p, reduction } = check(logits, targets, options);
  const scale = reduction === "mean" ? 1 / logits.length : 1;
  return logits.map((row, n) => {
    const y = targets[n];
    const C = row.length;
    // A term at exactly 0 gets gradient 0, as PyTorch's (margin − x_y + x_j > 0) test.
    const slopes = hingeTerms(row, y, margin).map((t) => (t > 0 ? (p === 2 ? 2 * t : 1) * scale / C : 0));
    const total = slopes.reduce((a, b) => a + b, 0);
    return slopes.map((s, j) => (j === y ? 0 - total : s)); // 0 − 0 is 0, not −0
  });
}
