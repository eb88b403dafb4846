/**
 * The argument checks of linearCrossEntropy: the input rows, the linear layer's weight in
 * PyTorch's (C, D) layout and its optional bias, each error naming the argument, the position
 * and the value.
 */
import { at, describe, shapeText } from "./describe";
import { shapeOf } from "./shape";

/** A checked linear head: x (N, D) and W (C, D) row-major, b (C) or null. Inner code trusts it. */
export interface LinearHead {
  /** false for a single unbatched input row of shape (D): N is then 1. */
  batched: boolean;
  N: number;
  D: number;
  C: number;
  x: Float64Array;
  W: Float64Array;
  b: Float64Array | null;
}

/**
 * @throws TypeError or RangeError naming the argument, the position and the value.
 * @example checkLinearHead([[1, 2]], [[1, 2, 3]], undefined)
 *   // RangeError: input has 2 features per row (input shape [1, 2]) but linearWeight has 3 (shape [1, 3]): ...
 */
export function checkLinearHead(input: unknown, linearWeight: unknown, linearBias: unknown): LinearHead {
  const weightShape = shapeOf(linearWeight, "linearWeight");
  if (weightShape.length !== 2 || weightShape[0] === 0) {
    throw new RangeError(
      `linearWeight has shape ${shapeText(weightShape)}: expected (C, D), one row of D weights per class, as torch.nn.Linear(D, C).weight`,
    );
  }
  const [C, D] = weightShape;
  const inputShape = shapeOf(input, "input");
  if (inputShape.length !== 1 && inputShape.length !== 2) {
    throw new RangeError(`input has shape ${shapeText(inputShape)}: expected (N, D) rows of features, or one row (D)`);
  }
  const features = inputShape[inputShape.length - 1];
  if (features !== D) {
    throw new RangeError(
      `input has ${features} features per row (input shape ${shapeText(inputShape)}) but linearWeight has ${D} ` +
        `(shape ${shapeText(weightShape)}): expected input (N, ${D}) or (${D})`,
    );
  }
  const batched = inputShape.length === 2;
  const N = batched ? inputShape[0] : 1;
  const x = new Float64Array(N * D);
  if (batched) (input as number[][]).forEach((row, n) => x.set(row, n * D));
  else x.set(input as number[]);
  const W = new Float64Array(C * D);
  (linearWeight as number[][]).forEach((row, c) => W.set(row, c * D));
  return { batched, N, D, C, x, W, b: checkBias(linearBias, C) };
}

function checkBias(linearBias: unknown, C: number): Float64Array | null {
  if (linearBias === undefined || linearBias === null) return null;
  const typed = linearBias instanceof Float64Array || linearBias instanceof Float32Array;
  if (!(Array.isArray(linearBias) || typed)) {
    throw new TypeError(`options.linearBias is ${describe(linearBias)}: expected an array of ${C} numbers, one per class`);
  }
  const bias = linearBias as ArrayLike<unknown>;
  if (bias.length !== C) {
    throw new RangeError(`options.linearBias has ${bias.length} entries but linearWeight has ${C} rows (classes): expected one bias per class`);
  }
  for (let c = 0; c < C; c++) {
    if (typeof bias[c] !== "number") throw new TypeError(`${at("options.linearBias", [c])} = ${describe(bias[c])} is not a number`);
  }
  return Float64Array.from(bias as ArrayLike<number>);
}
