/**
 * Every row through the WebAssembly kernel: copy a chunk of rows into the kernel's memory
 * (unless the kernel reads them where they lie: sourceKernel below);
 * one call sweeps each row forward (statsRows: online max and sum, then the row's loss and
 * gradient scalars in float64); with a gradient buffer, that sweep also leaves each
 * exp(x - M) in place of its logit, and one more call turns them, still in cache, into the
 * gradient (scaleRows: a multiply-add per logit, no exp), and the chunk is copied out. JavaScript only adds up
 * the chunk's sums and finishes the rare rows the kernel leaves: NaN or ±Infinity, and a
 * smoothing sum that cancels (both by the exact float64 path, rowFinish.ts).
 */
import { inPlaceKernel, MAX_ROWS, type Kernel } from "./kernel";
import { longRowSweep, type SweepOptions } from "./longRowSweep";
import { addSums, type Plan } from "./plan";
import { EXACT, FAST, finishGradient, finishRow, rowScratch, type Outcome, type RowScratch } from "./rowFinish";
import { sharedSourceOf, type SharedSource } from "./sharedArrays";
import { GRADIENT, STATUS } from "./wat/rowTerms";
import { shortRowForward } from "./wat/shortRow";

export function kernelSweep(plan: Plan, kernel: Kernel): void {
  const options = prepareKernel(plan, kernel);
  if (options.rowsPerChunk === 0) {
    longRowSweep(plan, kernel, options);
    return;
  }
  const scratch = chunkScratch();
  for (let r0 = 0; r0 < plan.N; r0 += options.rowsPerChunk) sweepChunk(plan, kernel, options, r0, Math.min(options.rowsPerChunk, plan.N - r0), scratch);
}

/**
 * The kernel for this call's rows: the in-place build of `kernel` (kernel.ts's inPlaceKernel)
 * when it can read them where they lie, which is a forward (no gradient) without label
 * smoothing, of rows short rows' two passes take (wat/shortRow.ts: 32 to 4096 float32 or 16 to
 * 2048 float64 logits), on a sharedFloat32Array's or sharedFloat64Array's memory (`source`), on an
 * engine with multi-memory; `kernel` itself otherwise. The same results, bit for bit: the
 * same instructions on the same numbers, read from another memory, in the same chunks.
 */
export function sourceKernel(plan: Plan, kernel: Kernel, source: SharedSource | null = sharedSourceOf(plan.logits)): Kernel {
  if (!source || plan.grad !== null || plan.e > 0 || !shortRowForward(plan.C, kernel.bytesPerLogit)) return kernel;
  return inPlaceKernel(kernel, source) ?? kernel;
}

/**
 * Load the call's per-class vectors and constants into the kernel, and decide how rows are
 * fed to it: `rowsPerChunk` rows per copy, or 0 when a row is longer than the kernel's chunk
 * (longRowSweep.ts). The same for every thread (threads.ts), so each chunk is the same rows.
 */
export function prepareKernel(plan: Plan, kernel: Kernel): SweepOptions {
  const { C, e, weight, grad } = plan;
  kernel.prepare(C);
  if (weight) kernel.weights.set(weight);
  const weightedBeta = grad !== null && e > 0 && weight !== null;
  if (weightedBeta) for (let c = 0; c < C; c++) kernel.beta[c] = plan.smoothGrad * (weight as ArrayLike<number>)[c];
  // An ignoreIndex outside int32 matches no target (an Int32Array): any negative value stands for it.
  const ignore = plan.ignoreIndex === (plan.ignoreIndex | 0) ? plan.ignoreIndex : -1;
  kernel.exports.configure(e, plan.W, C, plan.nllGrad, plan.smoothGrad, plan.smoothGradSum, weight ? 1 : 0, grad ? 1 : 0, ignore);
  return {
    mode: e > 0 ? (weight ? 2 : 1) : 0,
    b: e > 0 && !weight ? plan.smoothGrad : 0,
    weighted: weightedBeta ? 1 : 0,
    rowsPerChunk: rowsPerChunkOf(C, kernel),
  };
}

/** Rows copied into the kernel at a time, or 0 when a row is longer than its chunk (longRowSweep.ts). */
export function rowsPerChunkOf(C: number, kernel: Kernel): number {
  return C > kernel.chunkLogits ? 0 : Math.max(1, Math.min(MAX_ROWS, Math.floor(kernel.batchLogits / C)));
}

export interface ChunkScratch {
  out: Outcome;
  rows: RowScratch;
}

export function chunkScratch(): ChunkScratch {
  return { out: { kind: FAST, alpha: 0, gy: 0 }, rows: rowScratch() };
}

/** Rows r0 .. r0 + rows - 1 (at most rowsPerChunk) through a kernel made ready by prepareKernel. */
export function sweepChunk(plan: Plan, kernel: Kernel, { mode, b, weighted }: SweepOptions, r0: number, rows: number, scratch: ChunkScratch): void {
  const { logits, targets, C, grad, losses } = plan;
  const ex = kernel.exports;
  const at = kernel.at;
  const { stats, coef, status } = kernel;
  const { out } = scratch;
  // The kernel marks the ignored rows itself (configure's ignore): no loop over the rows here.
  kernel.targets.set(targets.subarray(r0, r0 + rows));
  const first = logits.byteOffset + r0 * C * logits.BYTES_PER_ELEMENT;
  // 4 bytes in when the source is 4 bytes off 8 (kernel.ts's logitsFrom4): a shared array's copy stays fast.
  const shift = first % 8;
  const region = shift ? kernel.logitsFrom4 : kernel.logits;
  // The in-place build (sourceKernel, a forward) reads the rows from the caller's memory, at their own offset.
  if (!kernel.source) region.set(logits.subarray(r0 * C, (r0 + rows) * C));
  ex.NLL.value = ex.SMOOTH.value = ex.DEN.value = ex.TOTAL.value = 0;
  // With a gradient wanted, the forward sweep leaves exp(x - M) in place of the logits.
  ex.statsRows(kernel.source ? first : at.logits + shift, rows, C, at.targets, at.stats, at.weights, mode, at.loss, at.status, at.coef, grad ? 1 : 0, at.blocks);
  addSums(plan, ex.NLL.value, ex.SMOOTH.value, ex.DEN.value, ex.TOTAL.value);
  if (losses) losses.set(kernel.loss.subarray(0, rows), r0);
  // LEFT counts the rows the kernel left to JavaScript (NaN or ±Infinity, a cancelling
  // smoothing sum): usually none, and then neither loop below visits the rows.
  const left = ex.LEFT.value;
  for (let i = 0; left > 0 && i < rows; i++) {
    const state = status[i];
    if (state === STATUS.FAST || state === STATUS.IGNORED) continue;
    const M = stats[4 * i];
    finishRow(plan, r0 + i, M, stats[4 * i + 1], stats[4 * i + 2], stats[4 * i + 3], out, scratch.rows);
    if (out.kind === FAST && grad) coef.set([out.alpha, M, out.gy, GRADIENT.SWEEP], 4 * i);
  }
  if (!grad) return;
  ex.scaleRows(at.logits + shift, rows, C, at.coef, at.targets, at.beta, b, weighted, at.blocks, at.stats);
  grad.set(region.subarray(0, rows * C), r0 * C);
  for (let i = 0; left > 0 && i < rows; i++) if (coef[4 * i + 3] === GRADIENT.CALLER) finishGradient(plan, r0 + i, EXACT, 0);
}
