import { checkLossInputs, roundToFloat32, type LossInputs } from "../inputs/targets";
import { fromPositions } from "../inputs/layout";
import { lossFromLogProbabilities } from "./lossKernels";
import { logSoftmaxRows } from "./softmax";
import type { CrossEntropyOptions, NllLossOptions, Target, Tensor } from "../inputs/types";

/**
 * Cross-entropy loss between logits and targets, exactly as `torch.nn.functional.cross_entropy`.
 *
 * logits (C), (N, C) or (N, C, d1, ..., dk); targets: class indices of shape (), (N) or
 * (N, d1, ..., dk), or class probabilities of the logits' shape.
 * -> a number for "mean" and "sum"; for "none", one loss per position: (N, d1, ..., dk),
 * or a number when the logits are a single unbatched row.
 * loss_n = -w[y_n] · logSoftmax(x_n)[y_n];  "mean" = Σ loss_n / Σ w[y_n]
 *
 * Computed in float64 from logSoftmax, never as log(softmax(x)) and never as log(p + eps).
 * With `dtype: "float32"` the inputs are read as float32 tensors hold them and the result is
 * rounded to float32 once (NOTE: unlike PyTorch's float32, which rounds every step).
 *
 * @example crossEntropy([[2, 1, 0.1]], [0]) // 0.41702
 * @see https://pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html
 * Taught in notebooks/03-negative-log-likelihood.ipynb, 05-reductions-and-class-weights.ipynb and
 * 06-ignore-index-smoothing-and-soft-targets.ipynb.
 */
export function crossEntropy(logits: Tensor, target: Target, options?: CrossEntropyOptions & { reduction?: "mean" | "sum" }): number;
export function crossEntropy(logits: number[][], target: number[] | number[][], options: CrossEntropyOptions & { reduction: "none" }): number[];
export function crossEntropy(logits: number[], target: number | number[], options: CrossEntropyOptions & { reduction: "none" }): number;
export function crossEntropy(logits: Tensor, target: Target, options?: CrossEntropyOptions): number | Tensor;
export function crossEntropy(logits: Tensor, target: Target, options?: CrossEntropyOptions): number | Tensor {
  const inputs = checkLossInputs(logits, target, options, { input: "logits", allowProbabilities: true });
  const l = logSoftmaxRows(inputs.rows, inputs.layout.classes);
  return result(lossFromLogProbabilities(l, inputs), inputs);
}

/**
 * Negative log-likelihood loss from log-probabilities, exactly as `torch.nn.functional.nll_loss`.
 *
 * logProbabilities (C), (N, C) or (N, C, d1, ..., dk); targets: class indices of shape (),
 * (N) or (N, d1, ..., dk). Same weight, ignoreIndex and reduction rules as crossEntropy,
 * which is nllLoss(logSoftmax(logits), targets).
 * loss_n = -w[y_n] · logProbabilities[n][y_n]
 *
 * @example nllLoss(logSoftmax([[2, 1, 0.1]]), [0]) // 0.41702
 * @see https://pytorch.org/docs/stable/generated/torch.nn.NLLLoss.html
 * Taught in notebooks/03-negative-log-likelihood.ipynb.
 */
export function nllLoss(logProbabilities: Tensor, target: Target, options?: NllLossOptions & { reduction?: "mean" | "sum" }): number;
export function nllLoss(logProbabilities: number[][], target: number[], options: NllLossOptions & { reduction: "none" }): number[];
export function nllLoss(logProbabilities: Tensor, target: Target, options?: NllLossOptions): number | Tensor;
export function nllLoss(logProbabilities: Tensor, target: Target, options?: NllLossOptions): number | Tensor {
  const inputs = checkLossInputs(logProbabilities, target, options, {
    input: "logProbabilities",
    allowProbabilities: false,
    optionKeys: ["weight", "ignoreIndex", "reduction", "dtype"],
  });
  return result(lossFromLogProbabilities(inputs.rows, inputs), inputs);
}

/** The loss as the caller asked: per position for "none", rounded once to float32 in float32 mode. */
function result({ losses, loss }: { losses: Float64Array; loss: number }, inputs: LossInputs): number | Tensor {
  const float32 = inputs.options.dtype === "float32";
  if (inputs.options.reduction !== "none") return float32 ? Math.fround(loss) : loss;
  if (float32) roundToFloat32(losses);
  return fromPositions(losses, inputs.layout);
}
