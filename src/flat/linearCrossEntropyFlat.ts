import { checkLinearFlatCall, type FlatArray, type LinearCrossEntropyFlatOptions, type LinearFlatCall } from "./checkLinearFlat";
import { linearSweep } from "./linearSweep";
import { LINEAR_THREAD_MIN_FLOPS } from "./linearThreads";
import { matmulFor, type Matmul } from "./matmulKernel";

export type { LinearCrossEntropyFlatOptions } from "./checkLinearFlat";

/**
 * The loss of a linear head on row-major typed arrays, with its gradients in the same call,
 * never holding the (N, C) logits: the fast twin of linearCrossEntropy (PyTorch 2.13's
 * `F.linear_cross_entropy`), for language-model heads.
 *
 * input (N, D) flattened row-major, float32 or float64; linearWeight (C, D) row-major, the
 * same type; targets (N) class indices or ignoreIndex -> the "mean" or "sum" loss, a float64
 * number. For "none" the N losses go into `options.losses` (required) and their sum is returned.
 * With `options.gradInput` (N·D), `gradLinearWeight` (C·D), `gradLinearBias` (C), the gradients
 * are written into them ("none": of the sum of the losses).
 * logits[n][c] = Σ_d input[n][d] · linearWeight[c][d] + linearBias[c];  loss as crossEntropyFlat's
 *
 * The logits are computed tile by tile (linearSweep.ts) by WebAssembly SIMD matrix products
 * (relaxed SIMD's multiply-add where the engine has it: Node 22 and later), summed in the
 * input's type, as PyTorch's matmul does; log-sum-exp, losses and sums in float64 (the exps in
 * the same module, in SIMD of the logits' type, float32 ones summed in float64: matmulKernel.ts).
 * Working memory at most 2.5 MiB + 24 KiB whatever N and C (linearSweep.ts), beside the caller's buffers.
 * With `options.threads = k`, each tile's chunks of classes are split between the calling thread
 * and k - 1 workers of crossEntropyFlat's pool (linearThreads.ts; startThreads(k) starts it
 * ahead), each with a tile of its own; input, linearWeight and gradLinearWeight must then lie on
 * SharedArrayBuffers (sharedFloat32Array, sharedFloat64Array: the workers read and write them
 * where they are), or the call throws naming the array. Calls under LINEAR_THREAD_MIN_FLOPS
 * operations, or of one chunk of classes, stay on one thread. The results are not one thread's bit
 * for bit: each range's running max and Σ exp, its smoothing sums and its part of gradInput are
 * combined in range order, not in one running sum. Tested bounds against one thread: the loss
 * within 1e-13 relative in float64 and 1.2e-7 in float32 (a float32 exp rounds against another
 * max); each gradient within K roundings of its largest value (K terms per value: C for
 * gradInput, N for W and b). A call gives the same bits whichever thread computed each range.
 * NOTE: unlike PyTorch, only class-index targets (Int32Array), like crossEntropyFlat; and a
 * row whose logits hold NaN or ±Infinity gets a NaN loss, without PyTorch's exact pattern.
 *
 * @example linearCrossEntropyFlat(new Float32Array([1, 0]), new Float32Array([2, 0, 1, 0, 0.1, 0]), new Int32Array([0]), 3) // 0.41703
 * @see https://pytorch.org/docs/main/generated/torch.nn.functional.linear_cross_entropy.html
 * Taught in notebooks/14-the-loss-at-llm-scale.ipynb.
 */
export function linearCrossEntropyFlat(
  input: FlatArray,
  linearWeight: FlatArray,
  targets: Int32Array,
  numClasses: number,
  options?: LinearCrossEntropyFlatOptions,
): number {
  const call = checkLinearFlatCall(input, linearWeight, targets, numClasses, options);
  return runLinearFlat(call, matmulFor(call.element));
}

/**
 * A checked call, its products computed by `matmul` (the tests pass each variant); with
 * call.threads > 1, on threads from `minFlops` operations (the tests lower it).
 */
export function runLinearFlat(call: LinearFlatCall, matmul: Matmul, minFlops = LINEAR_THREAD_MIN_FLOPS): number {
  const sums = linearSweep(call, matmul, call.threads, minFlops);
  const { reduction } = call.options;
  if (reduction === "none") return sums.total;
  const e = call.N > 0 ? call.options.labelSmoothing : 0;
  const scale = reduction === "mean" ? sums.denominator : 1;
  return e > 0 ? (1 - e) * (sums.nllSum / scale) + (sums.smoothSum / scale) * (e / call.C) : sums.nllSum / scale;
}
