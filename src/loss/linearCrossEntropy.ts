import { checkLinearHead, type LinearHead } from "../inputs/linear";
import { checkLossInputs, type LossInputs } from "../inputs/targets";
import { fromPositions } from "../inputs/layout";
import { logitGradient, lossFromLogProbabilities } from "./lossKernels";
import { logSoftmaxRows } from "./softmax";
import type { CrossEntropyOptions, Target, Tensor } from "../inputs/types";

/** crossEntropy's options, plus the linear layer's bias. */
export interface LinearCrossEntropyOptions extends CrossEntropyOptions {
  /** The bias of the linear layer, one per class (length C). Default: none. */
  linearBias?: number[] | Float64Array | Float32Array;
}

/** d loss / d each argument of linearCrossEntropy, in the arguments' shapes. */
export interface LinearCrossEntropyGradients {
  /** (N, D), or (D) for an unbatched input row. */
  gradInput: number[][] | number[];
  /** (C, D), like linearWeight. */
  gradLinearWeight: number[][];
  /** (C), or null when no linearBias was given. */
  gradLinearBias: number[] | null;
}

const KEYS = ["weight", "ignoreIndex", "reduction", "labelSmoothing", "linearBias"] as const;

/**
 * The loss of a linear layer's output, exactly as PyTorch 2.13's
 * `torch.nn.functional.linear_cross_entropy` computes it on its reference path (options=None):
 * crossEntropy(input · linearWeightᵀ + linearBias, targets, options).
 *
 * input (N, D) or (D); linearWeight (C, D), PyTorch's layout (torch.nn.Linear(D, C).weight);
 * targets as crossEntropy's: class indices (N) or (), or class probabilities (N, C) or (C).
 * logits[n][c] = Σ_d input[n][d] · linearWeight[c][d] + linearBias[c]
 * -> a number for "mean" and "sum", one loss per row for "none".
 * NOTE: unlike PyTorch, linearWeight is (C, D) only: no K-dimensional (C, d1, ..., dk, D) weight.
 *
 * The logits are computed in float64 and then handed to the same kernels as crossEntropy.
 * The fast path that never holds all N × C logits is linearCrossEntropyFlat.
 *
 * @example linearCrossEntropy([[1, 0]], [[2, 0], [1, 0], [0.1, 0]], [0]) // 0.41702
 * @see https://pytorch.org/docs/main/generated/torch.nn.functional.linear_cross_entropy.html
 * Taught in notebooks/14-the-loss-at-llm-scale.ipynb.
 */
export function linearCrossEntropy(
  input: number[][] | number[],
  linearWeight: number[][],
  targets: Target,
  options?: LinearCrossEntropyOptions,
): number | number[] {
  const { head, inputs, l } = prepare(input, linearWeight, targets, options);
  const { losses, loss } = lossFromLogProbabilities(l, inputs);
  if (inputs.options.reduction !== "none") return loss;
  return head.batched ? Array.from(losses) : (fromPositions(losses, inputs.layout) as number);
}

/**
 * The gradients of linearCrossEntropy with respect to the input, the weight and the bias,
 * as PyTorch's autograd computes them. For "none", the gradients of the sum of the losses.
 *
 * With G = d loss / d logits (crossEntropyBackward's gradient, (N, C)):
 * gradInput = G · linearWeight;  gradLinearWeight = Gᵀ · input;  gradLinearBias[c] = Σ_n G[n][c]
 *
 * @example linearCrossEntropyBackward([[1, 0]], [[0, 0], [0, 0]], [0]).gradLinearWeight // [[-0.5, 0], [0.5, 0]]
 * @see https://pytorch.org/docs/main/generated/torch.nn.functional.linear_cross_entropy.html
 * Taught in notebooks/14-the-loss-at-llm-scale.ipynb.
 */
export function linearCrossEntropyBackward(
  input: number[][] | number[],
  linearWeight: number[][],
  targets: Target,
  options?: LinearCrossEntropyOptions,
): LinearCrossEntropyGradients {
  const { head, inputs, l } = prepare(input, linearWeight, targets, options);
  const G = logitGradient(l, inputs);
  const { N, D, C, x, W } = head;
  const gradInput = new Float64Array(N * D);
  const gradWeight = new Float64Array(C * D);
  const gradBias = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const g = G[n * C + c];
      gradBias[c] += g;
      for (let d = 0; d < D; d++) {
        gradInput[n * D + d] += g * W[c * D + d];
        gradWeight[c * D + d] += g * x[n * D + d];
      }
    }
  }
  const rows = (flat: Float64Array, count: number) => Array.from({ length: count }, (_, r) => Array.from(flat.subarray(r * D, (r + 1) * D)));
  return {
    gradInput: head.batched ? rows(gradInput, N) : Array.from(gradInput),
    gradLinearWeight: rows(gradWeight, C),
    gradLinearBias: head.b ? Array.from(gradBias) : null,
  };
}

/** The checked head, its logits as crossEntropy's checked inputs, and their log-softmax. */
function prepare(input: unknown, linearWeight: unknown, targets: Target, options: unknown): { head: LinearHead; inputs: LossInputs; l: Float64Array } {
  const given = options !== null && typeof options === "object" ? (options as LinearCrossEntropyOptions) : {};
  const head = checkLinearHead(input, linearWeight, given.linearBias);
  const logits = linearLogits(head);
  const inputs = checkLossInputs(logits, targets, options, { input: "input · linearWeightᵀ", allowProbabilities: true, optionKeys: KEYS });
  return { head, inputs, l: logSoftmaxRows(inputs.rows, inputs.layout.classes) };
}

/** input · Wᵀ + b, as nested rows (or one row for an unbatched input). */
function linearLogits({ batched, N, D, C, x, W, b }: LinearHead): Tensor {
  const logits: number[][] = [];
  for (let n = 0; n < N; n++) {
    const row = new Array<number>(C);
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let d = 0; d < D; d++) sum += x[n * D + d] * W[c * D + d];
      row[c] = b ? sum + b[c] : sum;
    }
    logits.push(row);
  }
  return batched ? logits : logits[0];
}
