import { checkLossInputs, roundToFloat32, type LossInputs } from "../inputs/targets";
import { fromRows } from "../inputs/layout";
import { logitGradient, logProbabilityGradient, targetGradient } from "./lossKernels";
import { logSoftmaxRows } from "./softmax";
import type { CrossEntropyOptions, NllLossOptions, Target, Tensor } from "../inputs/types";

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
  return shaped(logitGradient(l, inputs), inputs);
}

/**
 * The gradient of crossEntropy with respect to class-probability targets, as PyTorch's
 * autograd computes it for a target tensor with requires_grad.
 *
 * Same arguments as crossEntropy, with targets of the logits' shape -> an array of that shape
 * ("none": the gradient of the sum of the per-position losses).
 * "mean": d loss / d t[n][c] = -(1 - labelSmoothing) · w[c] · logSoftmax(x_n)[c] / N
 *
 * @example crossEntropyTargetBackward([[0, 0]], [[1, 0]]) // [[0.6931, 0.6931]] (= log 2)
 * @see https://pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html
 * No notebook teaches it yet; test/pytorchSuite.test.ts holds it to PyTorch's autograd.
 */
export function crossEntropyTargetBackward(logits: number[][], target: number[][], options?: CrossEntropyOptions): number[][];
export function crossEntropyTargetBackward(logits: Tensor, target: Tensor, options?: CrossEntropyOptions): Tensor;
export function crossEntropyTargetBackward(logits: Tensor, target: Tensor, options?: CrossEntropyOptions): Tensor {
  const inputs = checkLossInputs(logits, target, options, { input: "logits", allowProbabilities: true });
  if (inputs.kind !== "probabilities") {
    throw new RangeError(
      "targets are class indices, which have no gradient: crossEntropyTargetBackward needs class probabilities of the logits' shape",
    );
  }
  const l = logSoftmaxRows(inputs.rows, inputs.layout.classes);
  return shaped(targetGradient(l, inputs), inputs);
}

/**
 * The gradient of nllLoss with respect to its log-probabilities, as PyTorch's autograd
 * computes it: -w[y_n] at each target (divided by Σ w[y_n] for "mean"), 0 everywhere else and
 * on ignored positions. It does not depend on the log-probabilities' values.
 *
 * Same arguments as nllLoss -> an array of the log-probabilities' shape.
 *
 * @example nllLossBackward([[-0.7, -0.7]], [1]) // [[0, -1]]
 * @see https://pytorch.org/docs/stable/generated/torch.nn.NLLLoss.html
 * No notebook teaches it yet; test/pytorchSuite.test.ts holds it to PyTorch's autograd.
 */
export function nllLossBackward(logProbabilities: number[], target: number, options?: NllLossOptions): number[];
export function nllLossBackward(logProbabilities: number[][], target: number[], options?: NllLossOptions): number[][];
export function nllLossBackward(logProbabilities: Tensor, target: Target, options?: NllLossOptions): Tensor;
export function nllLossBackward(logProbabilities: Tensor, target: Target, options?: NllLossOptions): Tensor {
  const inputs = checkLossInputs(logProbabilities, target, options, {
    input: "logProbabilities",
    allowProbabilities: false,
    optionKeys: ["weight", "ignoreIndex", "reduction", "dtype"],
  });
  return shaped(logProbabilityGradient(inputs.rows.length, inputs), inputs);
}

/** Rows back into the input's shape, rounded once to float32 in float32 mode. */
function shaped(rows: Float64Array, inputs: LossInputs): Tensor {
  if (inputs.options.dtype === "float32") roundToFloat32(rows);
  return fromRows(rows, inputs.layout);
}
