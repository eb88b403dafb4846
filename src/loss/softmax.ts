import { shapeOf } from "../inputs/shape";
import { classLayout, fromRows, toRows } from "../inputs/layout";
import type { Tensor } from "../inputs/types";

/**
 * log(Σ exp(values)), without overflow: max + log(Σ exp(v - max)).
 *
 * (C) -> number. Empty input gives -Infinity (log 0), as torch.logsumexp does; an infinite
 * max is not subtracted (∞ - ∞ would be NaN), again as torch.logsumexp does.
 *
 * @example logSumExp([1000, 1000]) // 1000.6931471805599 (= 1000 + log 2)
 * @see https://pytorch.org/docs/stable/generated/torch.logsumexp.html
 * Taught in notebooks/03-negative-log-likelihood.ipynb.
 */
export function logSumExp(values: number[]): number {
  const shape = shapeOf(values, "values");
  if (shape.length !== 1) {
    throw new RangeError(`values has shape [${shape.join(", ")}]: expected a flat array of numbers such as [1, 2, 3]`);
  }
  let max = -Infinity;
  for (const v of values) max = Math.max(max, v);
  const shift = max === Infinity || max === -Infinity ? 0 : max;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - shift);
  return shift + Math.log(sum);
}

/**
 * Softmax over the class dimension: dim 1 when the input has 2 or more dims, else dim 0.
 *
 * logits (C), (N, C) or (N, C, d1, ..., dk) -> same shape; each position's C values sum to 1.
 * softmax(x)[c] = exp(x[c] - max(x)) / Σ_j exp(x[j] - max(x))
 *
 * @example softmax([[1000, 1001, 1002]]) // [[0.0900, 0.2447, 0.6652]]
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Softmax.html
 * Taught in notebooks/02-softmax.ipynb.
 */
export function softmax(logits: number[]): number[];
export function softmax(logits: number[][]): number[][];
export function softmax(logits: Tensor): Tensor;
export function softmax(logits: Tensor): Tensor {
  return mapRows(logits, "logits", softmaxRows);
}

/**
 * Log-softmax over the class dimension, stable for any logit scale.
 *
 * logits (C), (N, C) or (N, C, d1, ..., dk) -> same shape; each position's exponentials sum to 1.
 * logSoftmax(x)[c] = x[c] - max(x) - log1p(Σ_{j ≠ argmax} exp(x[j] - max(x)))
 * (the max's own term, 1, is added by log1p: a confident row keeps its full precision).
 *
 * @example logSoftmax([[1000, 1001]]) // [[-1.3133, -0.3133]]
 * @see https://pytorch.org/docs/stable/generated/torch.nn.LogSoftmax.html
 * Taught in notebooks/03-negative-log-likelihood.ipynb.
 */
export function logSoftmax(logits: number[]): number[];
export function logSoftmax(logits: number[][]): number[][];
export function logSoftmax(logits: Tensor): Tensor;
export function logSoftmax(logits: Tensor): Tensor {
  return mapRows(logits, "logits", logSoftmaxRows);
}

function mapRows(logits: Tensor, name: string, kernel: (x: Float64Array, classes: number) => Float64Array): Tensor {
  const layout = classLayout(shapeOf(logits, name), name, logits);
  if (layout.positions === 0) return fromRows(new Float64Array(0), layout);
  return fromRows(kernel(toRows(logits, layout), layout.classes), layout);
}

/**
 * The largest of x[o], ..., x[o + classes - 1]. It starts at -Infinity, and Math.max lets a
 * NaN through, so a row with a NaN, a +Infinity or only -Infinity comes out NaN downstream,
 * as in PyTorch.
 */
function rowMax(x: Float64Array, o: number, classes: number): number {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, x[o + c]);
  return max;
}

/**
 * Log-softmax of every row of a flat (positions, C) array, in PyTorch's order of operations,
 * (x - max) - log(Σ exp(x - max)), except for one step: the max's own term exp(0) = 1 is left
 * out of the sum and added back by log1p, log(1 + s) = log1p(s). A confident row (the others'
 * sum s ≈ 1e-12) then keeps its tiny loss to full relative precision, where log(1 + s) would
 * keep only 2.2e-16 / s of it (PyTorch's float64 loses it so). A row whose max is not finite
 * (NaN, ±Infinity) takes PyTorch's form unchanged, so its NaN and ±Infinity stay PyTorch's.
 */
export function logSoftmaxRows(x: Float64Array, classes: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let o = 0; o < x.length; o += classes) {
    const max = rowMax(x, o, classes);
    const logSum = rowLogSum(x, o, classes, max);
    for (let c = 0; c < classes; c++) out[o + c] = x[o + c] - max - logSum;
  }
  return out;
}

/** log Σ_c exp(x[c] - max): log1p of the sum without the (first) max's term when max is finite. */
function rowLogSum(x: Float64Array, o: number, classes: number, max: number): number {
  let others = 0;
  let skip = Number.isFinite(max);
  for (let c = 0; c < classes; c++) {
    if (skip && x[o + c] === max) skip = false;
    else others += Math.exp(x[o + c] - max);
  }
  return Number.isFinite(max) ? Math.log1p(others) : Math.log(others);
}

/** Softmax of every row of a flat (positions, C) array: exp(x - max) / Σ exp(x - max). */
export function softmaxRows(x: Float64Array, classes: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let o = 0; o < x.length; o += classes) {
    const max = rowMax(x, o, classes);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += out[o + c] = Math.exp(x[o + c] - max);
    for (let c = 0; c < classes; c++) out[o + c] /= sum;
  }
  return out;
}
