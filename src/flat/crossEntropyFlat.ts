import { checkFlatCall, type CrossEntropyFlatOptions, type FlatCall, type FlatLogits } from "./checkFlat";
import { kernelFor, type Kernel } from "./kernel";
import { kernelSweep, sourceKernel } from "./kernelSweep";
import { planOf } from "./plan";
import { referenceSweep } from "./referenceSweep";
import { threadSweep } from "./threads";

export type { CrossEntropyFlatOptions, FlatLogits } from "./checkFlat";

/**
 * Cross-entropy of row-major typed arrays, with its gradient in the same call: the fast
 * twin of `crossEntropy` (same options, same PyTorch semantics), for large batches.
 *
 * logits (N, C) flattened row-major, float32 or float64; targets (N) class indices or
 * ignoreIndex -> the "mean" or "sum" loss, as a float64 number. For "none" the N per-row
 * losses are written into `options.losses` (a Float64Array of length N, required) and the
 * return value is their sum. `options.losses` may also be given for "mean" and "sum".
 * With `options.grad` (the logits' type and length), d loss / d logits is written into it
 * ("none": the gradient of the sum of the losses). `grad` and `losses` must share no memory
 * with the logits, the targets, the weight or each other (an error names both arrays).
 * loss_n = -w[y_n] · logSoftmax(x_n)[y_n];  "mean" = Σ loss_n / Σ w[y_n]
 *
 * Computed by a WebAssembly SIMD kernel (src/flat/wat: online softmax, polynomial exp, the
 * backward pass fused into the same sweep; with relaxed SIMD's fused multiply-adds where the
 * engine has them, Node 22 and later, within the same bounds), accumulated in float64; a row holding NaN or
 * ±Infinity is recomputed exactly in float64, in the nested module's order of operations.
 * A logit far from the rest of its row (any finite gap) costs no precision (rowMath.ts).
 * With `options.threads = k`, the rows are shared between the calling thread and k - 1
 * worker threads of a pool kept for later calls (threads.ts; startThreads(k) starts it ahead),
 * with bit for bit the same results; batches under THREAD_MIN_LOGITS logits, and rows longer
 * than the kernel's chunk (float32: C > 262144), stay on the calling thread.
 * Extra memory: the kernel's, about 1.4 MiB plus 16 bytes a class, whatever N (kernel.ts), kept
 * between calls. Accuracy against float64 on the same numbers:
 * float64 logits 1e-12 relative (loss and gradient); float32 logits 1e-6 relative (loss), and
 * each gradient value within 1e-6 of the size of its terms u[c] and p[c]·Σu (u = d loss /
 * d logSoftmax), plus 1e-12·|Σu|: not of the value itself, which cancels near a uniform
 * softmax with label smoothing.
 *
 * @example crossEntropyFlat(new Float32Array([2, 1, 0.1]), new Int32Array([0]), 3) // 0.41703
 * @see https://pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html
 * Taught in notebooks/13-making-it-fast.ipynb.
 */
export function crossEntropyFlat(
  logits: FlatLogits,
  targets: Int32Array,
  numClasses: number,
  options?: CrossEntropyFlatOptions,
): number {
  const kernel = kernelFor(logits instanceof Float32Array ? "f32" : "f64");
  // The kernel checks the targets' range too: JavaScript's loop cost about 2 ns a row (wat/targetCheck.ts).
  const call = checkFlatCall(logits, targets, numClasses, options, kernel?.firstBadTarget);
  return runFlat(call, kernel);
}

/**
 * A checked call, computed by `kernel`, or by the exact float64 path when it is null. An empty
 * batch needs neither, whatever numClasses: "mean" NaN, "sum" 0, as PyTorch.
 */
export function runFlat(call: FlatCall, kernel: Kernel | null): number {
  const plan = planOf(call);
  if (kernel && !plan.exactOnly && plan.N > 0) {
    // Its in-place build where it can read the rows where they lie (a forward of shared logits: kernelSweep.ts).
    const reader = sourceKernel(plan, kernel);
    if (!(call.threads > 1 && threadSweep(plan, reader, call.threads))) kernelSweep(plan, reader);
  } else referenceSweep(plan);
  if (call.options.reduction === "none") return plan.total;
  const scale = call.options.reduction === "mean" ? plan.denominator : 1;
  const { e, C } = plan;
  return e > 0 ? (1 - e) * (plan.nllSum / scale) + (plan.smoothSum / scale) * (e / C) : plan.nllSum / scale;
}
