import { at, describe, shapeText } from "./describe";
import { shapeOf } from "./shape";

/** How far a distribution's sum may be from 1: float rounding, not a typo like 0.33 + 0.33 + 0.33. */
export const SUM_TOLERANCE = 1e-6;

/** Distributions checked at the boundary: always as rows, and whether the caller gave one row. */
export interface CheckedDistributions {
  rows: number[][];
  single: boolean;
  shape: number[];
}

/**
 * Checks that `value` is one probability distribution (C) or a batch of them (N, C): numbers
 * in [0, 1], C >= 1, each row summing to 1 within SUM_TOLERANCE.
 *
 * @throws TypeError for anything that is not a nested array of numbers, naming the position.
 * @throws RangeError for a wrong shape, an entry outside [0, 1] (NaN included) or a row that
 *   does not sum to 1, naming the argument, the position and the value.
 * @example checkDistributions([[0.5, 0.7]], "q")
 *   // RangeError: q[0] sums to 1.2, not 1: a distribution's probabilities must add up to 1 (within 1e-6)
 */
export function checkDistributions(value: unknown, name: string): CheckedDistributions {
  const shape = shapeOf(value, name);
  if (shape.length !== 1 && shape.length !== 2) {
    throw new RangeError(
      `${name} has shape ${shapeText(shape)}: expected one distribution (C), such as [0.7, 0.2, 0.1], or a batch of them (N, C)`,
    );
  }
  const single = shape.length === 1;
  const rows = single ? [value as number[]] : (value as number[][]);
  if (shape[shape.length - 1] === 0) {
    throw new RangeError(`${name} has shape ${shapeText(shape)}: a distribution needs at least one class (C >= 1)`);
  }
  rows.forEach((row, n) => {
    const prefix = single ? [] : [n];
    let sum = 0;
    row.forEach((v, c) => {
      if (!(v >= 0 && v <= 1)) {
        throw new RangeError(`${at(name, [...prefix, c])} = ${describe(v)} is not a probability: expected a number in [0, 1]`);
      }
      sum += v;
    });
    if (Math.abs(sum - 1) > SUM_TOLERANCE) {
      const where = single ? name : at(name, prefix);
      throw new RangeError(
        `${where} sums to ${sum}, not 1: a distribution's probabilities must add up to 1 (within 1e-6)`,
      );
    }
  });
  return { rows, single, shape };
}

/** Two arguments that must describe the same classes: the same shape, checked after each on its own. */
export function checkSameShape(a: CheckedDistributions, aName: string, b: CheckedDistributions, bName: string): void {
  if (shapeText(a.shape) !== shapeText(b.shape)) {
    throw new RangeError(
      `${aName} has shape ${shapeText(a.shape)} but ${bName} has shape ${shapeText(b.shape)}: ` +
        "expected the same shape, one probability per class",
    );
  }
}
