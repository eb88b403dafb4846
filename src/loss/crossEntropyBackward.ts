import { checkLossInputs } from "../inputs/targets";
import { fromRows } from "../inputs/layout";
import { logitGradient } from "./lossKernels";
import { logSoftmaxRows } from "./softmax";
import type { CrossEntropyOptions, Target, Tensor } from "../inputs/types";

/**
 * The gradient of crossEntropy with respect to the logits, as PyTorch's autograd computes it.
 *
 * Same arguments as crossEntropy -> an array of the logits' shape. For "none" it is the
 * gradient of the sum of the per-position losses.
 * index targets, "mean": d loss / d x[n][c] = w[y_n] · (softmax(x_n)[c] - [c = y_n]) / Σ w[y_n]
 *
 * Every row of an unweighted, unsmoothed gradient sums to 0; ignored positions get 0.
 *
 * @example crossEntropyBackward([[0, 0]], [0]) // [[-0.5, 0.5]]
 * @see https://pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html
 * Taught in notebooks/07-the-gradient.ipynb.
 */
export function crossEntropyBackward(logits: number[], target: number | number[], options?: CrossEntropyOptions): number[];
export function crossEntropyBackward(logits: number[][], target: number[] | number[][], options?: CrossEntropyOptions): number[][];
export function crossEntropyBackward(logits: Tensor, target: Target, options?: CrossEntropyOptions): Tensor;
export function crossEntropyBackward(logits: Tensor, target: Target, options?: CrossEntropyOptions): Tensor {
  const inputs = checkLossInputs(logits, target, options, { input: "logits", allowProbabilities: true });
  const l = logSoftmaxRows(inputs.rows, inputs.layout.classes);
  return fromRows(logitGradient(l, inputs), inputs.layout);
}
