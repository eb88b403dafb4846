import { describe } from "../inputs/describe";

/*
 * Gradient accumulation over padded micro-batches: a batch too large for memory is run as K
 * micro-batches, and their gradients are added before one step. With padding ignored, each
 * micro-batch holds a different number of real tokens, so the mean of the K micro-batch means
 * is not the batch's token mean: short sequences' tokens count for more.
 */

function check(losses: unknown, targets: unknown, ignoreIndex: number): void {
  if (!Array.isArray(losses) || losses.length === 0) {
    throw new RangeError(`losses is ${describe(losses)}: expected a non-empty array of micro-batches`);
  }
  if (!Array.isArray(targets) || targets.length !== losses.length) {
    throw new RangeError(`targets has ${Array.isArray(targets) ? targets.length : describe(targets)} micro-batches: expected ${losses.length}`);
  }
  losses.forEach((batch: unknown, k) => {
    const ys = targets[k];
    if (!Array.isArray(batch) || !Array.isArray(ys) || batch.length !== ys.length) {
      throw new RangeError(`losses[${k}] and targets[${k}] must be arrays of the same length, one entry per token`);
    }
    batch.forEach((l: unknown, t) => {
      if (ys[t] !== ignoreIndex && (typeof l !== "number" || !Number.isFinite(l))) {
        throw new RangeError(`losses[${k}][${t}] = ${describe(l)} is not finite: expected a finite token loss`);
      }
    });
  });
}

/**
 * The token mean of a batch run as micro-batches: Σ over every real token of its loss, divided
 * by the count of real tokens in the whole batch (not micro-batch by micro-batch).
 *
 * losses (K)(T_k) per-token losses, targets (K)(T_k) with ignoreIndex at padding -> number.
 * token mean = Σ_k Σ_{t: y ≠ ignore} ℓ_kt / Σ_k #{t: y_kt ≠ ignore}
 *
 * Equals crossEntropy on the whole batch at once. To accumulate it, scale micro-batch k's
 * summed loss by 1 / (the batch's real-token count), not its own mean by 1 / K.
 *
 * @example accumulatedTokenMean([[1, 1, 0], [4]], [[0, 2, -100], [1]]) // 2 (the mean of means is 2.5)
 * @throws RangeError naming the position of a real token whose loss is not finite.
 * Taught in notebooks/A1-side-by-side-with-pytorch.ipynb.
 */
export function accumulatedTokenMean(losses: number[][], targets: number[][], ignoreIndex = -100): number {
  check(losses, targets, ignoreIndex);
  let total = 0;
  let count = 0;
  losses.forEach((batch, k) =>
    batch.forEach((l, t) => {
      if (targets[k][t] === ignoreIndex) return;
      total += l;
      count += 1;
    }),
  );
  return total / count; // every token ignored: 0 / 0 = NaN, as PyTorch's mean
}
