import { checkAtLeast, checkClassIndices, checkMatrix } from "../inputs/numbers";
import { describe } from "../inputs/describe";
import type { Reduction } from "../inputs/types";
import { logSoftmax } from "./softmax";

/*
 * Focal loss (Lin et al. 2017, "Focal Loss for Dense Object Detection") on softmax logits: each
 * sample's cross-entropy scaled by (1 − p_y)^γ, so that the many easy, well-classified samples
 * stop drowning out the few hard ones. γ = 0 is cross-entropy.
 */

export interface FocalLossOptions {
  /** γ ≥ 0, how hard easy samples are turned down. Default 2, Lin et al.'s choice. */
  gamma?: number;
  /** Default "mean". */
  reduction?: Reduction;
}

interface RowParts {
  /** log p_y */
  logPy: number;
  /** 1 − p_y, computed as −expm1(log p_y) so that it keeps its digits when p_y is near 1 */
  miss: number;
  probabilities: number[];
}

function check(logits: unknown, targets: unknown, options: FocalLossOptions | undefined) {
  const [n, c] = checkMatrix(logits, "logits");
  checkClassIndices(targets, "targets", n, c);
  const { gamma = 2, reduction = "mean" } = options ?? {};
  checkAtLeast(gamma, "options.gamma", 0);
  if (!["mean", "sum", "none"].includes(reduction)) {
    throw new RangeError(`options.reduction = ${describe(reduction)} is out of range: expected "mean", "sum" or "none"`);
  }
  return { gamma, reduction };
}

function rowParts(row: number[], target: number): RowParts {
  const logProbabilities = logSoftmax(row);
  const logPy = logProbabilities[target];
  return { logPy, miss: -Math.expm1(logPy), probabilities: logProbabilities.map(Math.exp) };
}

/**
 * Softmax focal loss of logits and class targets.
 *
 * logits (N, C), targets (N) -> a number for "mean" and "sum"; (N) for "none".
 * loss_n = −(1 − p_{n,y})^γ · log p_{n,y}, with p = softmax(x_n);  "mean" = Σ loss_n / N
 *
 * @example focalLoss([[2, 0]], [0]) // 0.00215 (cross-entropy 0.1269 times (1 − 0.8808)²)
 * @see https://arxiv.org/abs/1708.02002 (PyTorch has no softmax focal loss; torchvision's
 *   sigmoid_focal_loss is the binary form; the tests build this one from F.cross_entropy)
 * @throws RangeError naming the argument and position for a non-finite logit or a bad target.
 * NOTE: Lin et al.'s α class balance is left out: pass the losses ("none") to your own weights.
 * Taught in notebooks/05-reductions-and-class-weights.ipynb.
 */
export function focalLoss(logits: number[][], targets: number[], options?: FocalLossOptions & { reduction?: "mean" | "sum" }): number;
export function focalLoss(logits: number[][], targets: number[], options: FocalLossOptions & { reduction: "none" }): number[];
export function focalLoss(logits: number[][], targets: number[], options?: FocalLossOptions): number | number[];
export function focalLoss(logits: number[][], targets: number[], options?: FocalLossOptions): number | number[] {
  const { gamma, reduction } = check(logits, targets, options);
  const losses = logits.map((row, n) => {
    const { logPy, miss } = rowParts(row, targets[n]);
    return -(miss ** gamma) * logPy;
  });
  if (reduction === "none") return losses;
  const total = losses.reduce((a, b) => a + b, 0);
  return reduction === "sum" ? total : total / losses.length;
}

/**
 * The gradient of focalLoss with respect to the logits: cross-entropy's p − onehot, each row
 * scaled by its own factor (1 − p_y)^γ + γ (1 − p_y)^(γ−1) p_y (−log p_y).
 *
 * Same arguments -> (N, C); divided by N for "mean". Rows sum to 0.
 *
 * @example focalBackward([[0, 0]], [0], { gamma: 0 }) // [[-0.5, 0.5]], cross-entropy's
 * Taught in notebooks/05-reductions-and-class-weights.ipynb.
 */
export function focalBackward(logits: number[][], targets: number[], options?: FocalLossOptions): number[][] {
  const { gamma, reduction } = check(logits, targets, options);
  const scale = reduction === "mean" ? 1 / logits.length : 1;
  return logits.map((row, n) => {
    const y = targets[n];
    const { logPy, miss, probabilities } = rowParts(row, y);
    // At p_y = 1 exactly, (1 − p_y)^(γ−1) · log p_y is 0 · ∞ for γ < 1; its limit is 0.
    const slope = miss === 0 ? (gamma === 0 ? 1 : 0) : miss ** gamma - gamma * miss ** (gamma - 1) * Math.exp(logPy) * logPy;
    return probabilities.map((p, c) => scale * slope * (p - (c === y ? 1 : 0)));
  });
}
