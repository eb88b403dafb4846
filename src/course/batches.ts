import { checkAtLeast, checkWholeNumber } from "../inputs/numbers";
import { shuffledIndices } from "./random";

/**
 * A seeded split of the examples 0 … n − 1 into a training set and a validation set.
 *
 * (n, validationCount, seed) -> { train (n − validationCount), validation (validationCount) }:
 * one seeded shuffle, the first indices train, the rest are held out.
 *
 * @example trainValidationSplit(5, 2, 1) // two disjoint index lists covering 0 … 4, the same every run
 * Used in notebooks/10-training-on-digits.ipynb.
 */
export function trainValidationSplit(n: number, validationCount: number, seed: number): { train: number[]; validation: number[] } {
  checkWholeNumber(n, "n", 2);
  checkWholeNumber(validationCount, "validationCount", 1);
  if (validationCount >= n) {
    throw new RangeError(`validationCount = ${validationCount} is out of range: expected fewer than n = ${n}, so some examples train`);
  }
  const order = shuffledIndices(n, seed);
  return { train: order.slice(0, n - validationCount), validation: order.slice(n - validationCount) };
}

/**
 * One epoch's mini-batches: a seeded shuffle of 0 … n − 1 cut into batches of `batchSize`;
 * the last batch holds the remainder when batchSize does not divide n.
 *
 * (n, batchSize, seed) -> ceil(n / batchSize) lists of indices; every index exactly once.
 * batchSize = 1 is stochastic gradient descent, batchSize = n full-batch gradient descent.
 *
 * @example miniBatches(5, 2, 1).map((b) => b.length) // [2, 2, 1]
 * NOTE: like torch.utils.data.DataLoader(shuffle=True, drop_last=False).
 * Used in notebooks/10-training-on-digits.ipynb.
 */
export function miniBatches(n: number, batchSize: number, seed: number): number[][] {
  checkWholeNumber(n, "n", 1);
  checkWholeNumber(batchSize, "batchSize", 1);
  checkAtLeast(seed, "seed", -(2 ** 53));
  const order = shuffledIndices(n, seed);
  const batches: number[][] = [];
  for (let start = 0; start < n; start += batchSize) batches.push(order.slice(start, start + batchSize));
  return batches;
}

/** The rows of `values` at `indices`, in that order: a batch's features or targets. */
export function pick<T>(values: readonly T[], indices: readonly number[]): T[] {
  return indices.map((i, k) => {
    if (!Number.isInteger(i) || i < 0 || i >= values.length) {
      throw new RangeError(`indices[${k}] = ${i} is out of range: expected an index in [0, ${values.length})`);
    }
    return values[i];
  });
}
