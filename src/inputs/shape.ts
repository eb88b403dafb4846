import { at, describe } from "./describe";

/**
 * The shape of a nested array of numbers, checked all the way down.
 *
 * value -> shape: `3` -> [], `[1, 2]` -> [2], `[[1, 2], [3, 4], [5, 6]]` -> [3, 2].
 * Every row at one depth must have the same length and every leaf must be a number
 * (NaN and ±Infinity are numbers: they are data, and PyTorch computes with them).
 *
 * @throws TypeError for null, undefined, strings and other non-numbers, naming the position.
 * @throws RangeError for ragged rows, naming both lengths.
 * @example shapeOf([[1, 2], [3]], "logits")
 *   // RangeError: logits[1] has length 1 but logits[0] has length 2: every row must have the same length
 */
export function shapeOf(value: unknown, name: string): number[] {
  if (typeof value === "number") return [];
  if (!Array.isArray(value)) {
    throw new TypeError(`${name} is ${describe(value)}: expected a number or a nested array of numbers`);
  }
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  verify(value, 0, shape, name, []);
  return shape;
}

function verify(node: unknown[], depth: number, shape: number[], name: string, path: number[]): void {
  if (node.length !== shape[depth]) {
    const first = path.map(() => 0);
    throw new RangeError(
      `${at(name, path)} has length ${node.length} but ${at(name, first)} has length ${shape[depth]}: ` +
        `every row must have the same length`,
    );
  }
  const leaf = depth === shape.length - 1;
  for (let i = 0; i < node.length; i++) {
    const v = node[i];
    if (leaf) {
      if (typeof v === "number") continue;
      const where = at(name, [...path, i]);
      if (Array.isArray(v)) {
        throw new RangeError(
          `${where} is an array but ${at(name, [...path.map(() => 0), 0])} is a number: every row must have the same depth`,
        );
      }
      throw new TypeError(`${where} = ${describe(v)} is not a number`);
    }
    if (!Array.isArray(v)) {
      const where = at(name, [...path, i]);
      if (typeof v === "number") {
        throw new RangeError(
          `${where} = ${v} is a number but ${at(name, shape.slice(0, depth + 1).map(() => 0))} is an array: ` +
            `every row must have the same depth`,
        );
      }
      throw new TypeError(`${where} = ${describe(v)} is not a number or an array of numbers`);
    }
    path.push(i);
    verify(v, depth + 1, shape, name, path);
    path.pop();
  }
}

/** True when two shapes are equal, dimension by dimension. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}
