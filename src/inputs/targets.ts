import { classLayout, flatten, toRows, type ClassLayout } from "./layout";
import type { Target, Tensor } from "./types";
import { at, describe, shapeText } from "./describe";
import { resolveOptions, type ResolvedOptions } from "./options";
import { sameShape, shapeOf } from "./shape";

/**
 * A loss call after every check: the logits as rows, the targets flat, the options resolved.
 * Inner code trusts this object.
 */
export interface LossInputs {
  layout: ClassLayout;
  /** (positions, C) rows of the first argument: logits, or log-probabilities for nllLoss. */
  rows: Float64Array;
  kind: "index" | "probabilities";
  /** index targets: one class index (or ignoreIndex) per position. */
  classIndex: Float64Array;
  /** probability targets: (positions, C) rows, like `rows`. */
  probabilities: Float64Array;
  options: ResolvedOptions;
}

/**
 * Check a loss call once, at the public boundary, and lay it out for the kernels.
 *
 * Dispatch is by shape, as in PyTorch: targets of the logits' shape are class probabilities,
 * anything else must be class indices of the logits' shape without the class dim.
 */
export function checkLossInputs(
  input: Tensor,
  target: Target,
  options: unknown,
  names: { input: string; allowProbabilities: boolean; optionKeys?: readonly string[] },
): LossInputs {
  const inputShape = shapeOf(input, names.input);
  const layout = classLayout(inputShape, names.input, input);
  if (target === undefined || target === null) {
    throw new TypeError(`targets is ${describe(target)}: expected class indices such as [3, 1, 1], or class probabilities`);
  }
  const targetShape = shapeOf(target, "targets");
  // An empty batch [] says nothing of its classes: its targets [] are read as class indices.
  const emptyBatch = layout.batch === 0 && layout.classes === 0;
  const isProbabilities = names.allowProbabilities && !emptyBatch && sameShape(targetShape, inputShape);
  const expected = layout.batched ? [layout.batch, ...layout.spatialShape] : [];
  if (!isProbabilities && !sameShape(targetShape, expected)) {
    throw new RangeError(targetShapeMessage(names.input, inputShape, targetShape, expected, layout, names.allowProbabilities));
  }
  // An empty batch [] has no class count of its own: a weight, plain or typed, supplies it.
  const weight = (options as { weight?: unknown } | undefined)?.weight;
  const weightLength = Array.isArray(weight) || weight instanceof Float64Array || weight instanceof Float32Array ? weight.length : null;
  const classes = emptyBatch && weightLength !== null ? weightLength : layout.classes;
  const resolved = resolveOptions(options, classes, names.optionKeys);
  const rows = toRows(input, layout);
  if (resolved.dtype === "float32") toFloat32(rows, resolved);
  if (isProbabilities) {
    if (resolved.ignoreIndex >= 0) {
      throw new RangeError(
        `options.ignoreIndex = ${resolved.ignoreIndex} cannot be used with class-probability targets ` +
          `(targets has the logits' shape ${shapeText(targetShape)}): PyTorch says "ignore_index is not supported for floating point target"`,
      );
    }
    const probabilities = toRows(target as Tensor, layout);
    if (resolved.dtype === "float32") roundToFloat32(probabilities);
    return { layout, rows, kind: "probabilities", classIndex: new Float64Array(0), probabilities, options: resolved };
  }
  const classIndex = flatten(target, layout.positions);
  checkClassIndices(classIndex, targetShape, layout.classes, resolved.ignoreIndex);
  return { layout, rows, kind: "index", classIndex, probabilities: new Float64Array(0), options: resolved };
}

/** The values a float32 tensor would hold: each rounded to the nearest float32, in place. */
export function roundToFloat32(values: Float64Array | number[]): void {
  for (let k = 0; k < values.length; k++) values[k] = Math.fround(values[k]);
}

function toFloat32(rows: Float64Array, options: ResolvedOptions): void {
  roundToFloat32(rows);
  if (options.weight) {
    options.weight = options.weight.slice();
    roundToFloat32(options.weight);
  }
}

function checkClassIndices(classIndex: Float64Array, shape: number[], classes: number, ignoreIndex: number): void {
  const expected = `expected a class index in [0, ${classes}) or ignoreIndex (${ignoreIndex})`;
  for (let k = 0; k < classIndex.length; k++) {
    const y = classIndex[k];
    if (y === ignoreIndex) continue;
    if (Number.isInteger(y) && y >= 0 && y < classes) continue;
    const where = shape.length === 0 ? "targets" : at("targets", unravel(k, shape));
    if (!Number.isInteger(y)) throw new RangeError(`${where} = ${describe(y)} is not a class index: ${expected}`);
    throw new RangeError(`${where} = ${y} is out of range: ${expected}`);
  }
}

function targetShapeMessage(
  name: string,
  inputShape: number[],
  targetShape: number[],
  expected: number[],
  layout: ClassLayout,
  allowProbabilities: boolean,
): string {
  const shapes = `(${name} shape ${shapeText(inputShape)}, targets shape ${shapeText(targetShape)})`;
  const accepted = allowProbabilities
    ? `class indices of shape ${shapeText(expected)} or class probabilities of shape ${shapeText(inputShape)}`
    : `class indices of shape ${shapeText(expected)}`;
  if (inputShape.length === 1 && layout.classes === 0) {
    return `${name} is an empty batch [], so targets must be an empty array too ${shapes}`;
  }
  if (!layout.batched) {
    const one = allowProbabilities ? `one class index or ${layout.classes} probabilities` : "one class index";
    return `${name} is a single row of ${layout.classes} class scores, so targets must be ${one}, not an array of shape ${shapeText(targetShape)}`;
  }
  if (targetShape.length === 0) {
    return `targets is a single number but ${name} holds a batch of ${layout.batch}: expected ${accepted} ${shapes}`;
  }
  if (targetShape[0] !== layout.batch) {
    return `targets has batch size ${targetShape[0]} but ${name} has batch size ${layout.batch} ${shapes}`;
  }
  return `targets has shape ${shapeText(targetShape)} but ${name} of shape ${shapeText(inputShape)} needs ${accepted}`;
}

function unravel(k: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = k % shape[d];
    k = Math.floor(k / shape[d]);
  }
  return index;
}
