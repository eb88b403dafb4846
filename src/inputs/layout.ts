import { describe } from "./describe";
import type { Tensor } from "./types";

/**
 * Where the classes are in a logits tensor, in PyTorch's convention.
 *
 * (C): one position, unbatched.  (N, C): N positions.  (N, C, d1, ..., dk): N·d1···dk
 * positions, each with its own C logits; class dim 1, exactly as if every spatial
 * position were another row of the batch.
 */
export interface ClassLayout {
  logitsShape: number[];
  /** false for a single (C) row, whose 'none' loss is a plain number. */
  batched: boolean;
  batch: number;
  classes: number;
  /** d1, ..., dk (empty for (N, C)). */
  spatialShape: number[];
  /** d1···dk, 1 for (N, C). */
  spatial: number;
  /** N·d1···dk: how many rows of C logits there are. */
  positions: number;
}

/**
 * The class layout of a logits shape. `[]` (shape [0]) is an empty batch.
 * @throws RangeError for a single number.
 */
export function classLayout(shape: number[], name: string, value?: unknown): ClassLayout {
  if (shape.length === 0) {
    throw new RangeError(
      `${name} is a single number (${describe(value)}): expected the scores of at least one class, such as [2.0, 1.0, 0.1]`,
    );
  }
  if (shape.length === 1 && shape[0] === 0) {
    return { logitsShape: shape, batched: true, batch: 0, classes: 0, spatialShape: [], spatial: 1, positions: 0 };
  }
  // (N, 0, ...) is accepted, as PyTorch does: every target must then be ignoreIndex, and the
  // "mean" of no weight is NaN.
  const batched = shape.length >= 2;
  const classes = batched ? shape[1] : shape[0];
  const spatialShape = shape.slice(2);
  const spatial = spatialShape.reduce((a, b) => a * b, 1);
  const batch = batched ? shape[0] : 1;
  return { logitsShape: shape, batched, batch, classes, spatialShape, spatial, positions: batch * spatial };
}

/** Copy a nested tensor into a flat row-major Float64Array. */
export function flatten(tensor: Tensor | number, size: number): Float64Array {
  const out = new Float64Array(size);
  let k = 0;
  const walk = (node: Tensor | number): void => {
    if (typeof node === "number") out[k++] = node;
    else for (let i = 0; i < node.length; i++) walk(node[i]);
  };
  walk(tensor);
  return out;
}

/** Nest a flat row-major array into the given shape (a plain number for shape []). */
export function nest(flat: ArrayLike<number>, shape: readonly number[]): Tensor | number {
  if (shape.length === 0) return flat[0];
  let k = 0;
  const build = (depth: number): Tensor => {
    const n = shape[depth];
    if (depth === shape.length - 1) {
      const row = new Array<number>(n);
      for (let i = 0; i < n; i++) row[i] = flat[k++];
      return row;
    }
    const rows = new Array<Tensor>(n);
    for (let i = 0; i < n; i++) rows[i] = build(depth + 1);
    return rows as Tensor;
  };
  return build(0);
}

/**
 * The logits as `positions` rows of `classes` values: (N, C, S) is transposed to (N, S, C)
 * so that every row holds the C scores of one position.
 */
export function toRows(logits: Tensor, layout: ClassLayout): Float64Array {
  const flat = flatten(logits, layout.positions * layout.classes);
  return layout.spatial === 1 ? flat : transposeBlocks(flat, layout.batch, layout.classes, layout.spatial);
}

/** The inverse of `toRows`: rows back into the logits' own shape. */
export function fromRows(rows: Float64Array, layout: ClassLayout): Tensor {
  const flat = layout.spatial === 1 ? rows : transposeBlocks(rows, layout.batch, layout.spatial, layout.classes);
  return nest(flat, layout.logitsShape) as Tensor;
}

/** One value per position, shaped (N, d1, ..., dk), or a plain number when unbatched. */
export function fromPositions(values: ArrayLike<number>, layout: ClassLayout): Tensor | number {
  return nest(values, layout.batched ? [layout.batch, ...layout.spatialShape] : []);
}

/** Transpose each of `blocks` (rows, cols) blocks to (cols, rows). */
function transposeBlocks(src: Float64Array, blocks: number, rows: number, cols: number): Float64Array {
  const out = new Float64Array(src.length);
  const size = rows * cols;
  for (let b = 0; b < blocks; b++) {
    const base = b * size;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) out[base + c * rows + r] = src[base + r * cols + c];
    }
  }
  return out;
}
