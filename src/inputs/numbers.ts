/**
 * Boundary checks for the training and calibration code: matrices of finite numbers, class
 * indices and hyperparameters, each error naming the argument, the position and the value.
 */
import { describe } from "./describe";
import { shapeOf } from "./shape";

/**
 * A 2-D array of finite numbers; returns [rows, columns].
 *
 * @example checkMatrix([[1, 2], [3, NaN]], "features") // RangeError: features[1][1] = NaN is not finite: ...
 */
export function checkMatrix(value: unknown, name: string, columns?: number): [number, number] {
  const shape = shapeOf(value, name);
  if (shape.length !== 2 || shape[0] === 0) {
    throw new RangeError(`${name} has shape [${shape.join(", ")}]: expected a non-empty matrix (N, D), one row per example`);
  }
  if (columns !== undefined && shape[1] !== columns) {
    throw new RangeError(`${name}[0] has length ${shape[1]}: expected ${columns}`);
  }
  (value as number[][]).forEach((row, n) =>
    row.forEach((v, d) => {
      if (!Number.isFinite(v)) throw new RangeError(`${name}[${n}][${d}] = ${describe(v)} is not finite: expected a finite number`);
    }),
  );
  return [shape[0], shape[1]];
}

/** A 1-D array of finite numbers of the given length. */
export function checkVector(value: unknown, name: string, length: number): void {
  if (!Array.isArray(value)) throw new TypeError(`${name} is ${describe(value)}: expected an array of ${length} numbers`);
  if (value.length !== length) throw new RangeError(`${name} has length ${value.length}: expected ${length}`);
  value.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(`${name}[${i}] = ${describe(v)} is not finite: expected a finite number`);
    }
  });
}

/** Class indices: whole numbers in [0, numClasses), one per example. */
export function checkClassIndices(value: unknown, name: string, length: number, numClasses: number): void {
  if (!Array.isArray(value)) throw new TypeError(`${name} is ${describe(value)}: expected an array of ${length} class indices`);
  if (value.length !== length) throw new RangeError(`${name} has length ${value.length}: expected ${length}, one per example`);
  value.forEach((y, i) => {
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) {
      throw new RangeError(`${name}[${i}] = ${describe(y)} is out of range: expected a class index in [0, ${numClasses})`);
    }
  });
}

/** A finite number with lower <= value (or lower < value when `open`). */
export function checkAtLeast(value: unknown, name: string, lower: number, open = false): number {
  if (typeof value !== "number" || !Number.isFinite(value) || (open ? value <= lower : value < lower)) {
    throw new RangeError(`${name} = ${describe(value)} is out of range: expected a finite number ${open ? ">" : ">="} ${lower}`);
  }
  return value;
}

/** A whole number with value >= lower. */
export function checkWholeNumber(value: unknown, name: string, lower: number): number {
  if (!Number.isInteger(value) || (value as number) < lower) {
    throw new RangeError(`${name} = ${describe(value)} is out of range: expected a whole number >= ${lower}`);
  }
  return value as number;
}
