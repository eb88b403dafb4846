/**
 * Comparing what a learner's function returned with what the module computes: the shape
 * first (with a message in the learner's words when it is not even an array of numbers),
 * then every number within an explicit tolerance.
 */
import { describe } from "../inputs/describe";
import { formatNumber } from "../display/table";

/** |got - expected| <= atol + rtol · |expected|, as numpy.isclose and torch.allclose. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/**
 * Any correct float64 formula lands within ~1e-15 relative, so rtol 1e-6 never fails a right
 * answer; log(p + 1e-7) still fails, but only where p is tiny: on a confident mistake.
 * atol covers values that should be ~0 (a gradient entry of e^-40).
 */
export const TOLERANCE: Readonly<Tolerance> = Object.freeze({ rtol: 1e-6, atol: 1e-9 });

/**
 * For exercises whose answer is float64 arithmetic and nothing else. Correct float64 formulas
 * agree to ~1e-15 relative (~1e-13 absolute on logits near 1000); float32 arithmetic carries
 * only 24 bits (~6e-8 relative per operation), so rtol 1e-9 fails it where TOLERANCE would let
 * it pass (binary cross-entropy in float32 is within 1e-6 of the truth on every input).
 */
export const FLOAT64_TOLERANCE: Readonly<Tolerance> = Object.freeze({ rtol: 1e-9, atol: 1e-12 });

/** What the exercises return: a number, a row of numbers, or a batch of rows. */
export type Numeric = number | Numeric[];

/** The tolerance as the learner reads it in a verdict. */
export function toleranceText(t: Tolerance): string {
  return `|got − expected| ≤ ${formatNumber(t.atol)} + ${formatNumber(t.rtol)}·|expected|`;
}

/** NaN is close only to NaN and an infinity only to itself, as torch.allclose(equal_nan=True). */
export function isClose(x: number, y: number, t: Tolerance): boolean {
  if (Number.isNaN(y)) return Number.isNaN(x);
  if (!Number.isFinite(y)) return x === y;
  return Math.abs(x - y) <= t.atol + t.rtol * Math.abs(y);
}

/**
 * The learner's value as plain nested arrays of the expected shape, or what is wrong with it.
 * A typed array (Float64Array) is accepted wherever an array is expected.
 *
 * @example conform(undefined, [0.5, 0.5]) // { message: 'returned undefined — did you forget "return"?' }
 */
export function conform(got: unknown, expected: Numeric, path = "got"): { value: Numeric } | { message: string } {
  const subject = path === "got" ? "returned" : `${path} is`;
  if (typeof expected === "number") {
    if (typeof got === "number") return { value: got };
    return { message: `${subject} ${describeValue(got)}, expected ${shapeWords(expected)}${advice(got, path)}` };
  }
  const items = asArray(got);
  if (items === undefined) {
    return { message: `${subject} ${describeValue(got)}, expected ${shapeWords(expected)}${advice(got, path)}` };
  }
  if (items.length !== expected.length) {
    return { message: `${subject} an array of length ${items.length}, expected ${shapeWords(expected)}` };
  }
  const value: Numeric[] = [];
  for (let i = 0; i < items.length; i++) {
    const inner = conform(items[i], expected[i], `${path}[${i}]`);
    if ("message" in inner) return inner;
    value.push(inner.value);
  }
  return { value };
}

/** Every number close, for values of the same shape (both conformed). */
export function allClose(got: Numeric, expected: Numeric, t: Tolerance): boolean {
  return firstDifference(got, expected, t) === undefined;
}

/**
 * The first number that is not close, and how many are not, in words:
 * "got[0][2] = NaN, expected 0.6652409558 (2 of 3 values differ)".
 */
export function firstDifference(got: Numeric, expected: Numeric, t: Tolerance): string | undefined {
  const g = flatten(got, "got");
  const e = flatten(expected, "got");
  let first = -1;
  let count = 0;
  e.forEach(([y], i) => {
    if (isClose(g[i][0], y, t)) return;
    count++;
    if (first < 0) first = i;
  });
  if (first < 0) return undefined;
  const [x, where] = g[first];
  const y = e[first][0];
  const label = typeof got === "number" ? "got" : `${where} =`;
  const tally = e.length > 1 ? ` (${count} of ${e.length} values differ)` : "";
  return `${label} ${formatNumber(x, 10)}, expected ${formatNumber(y, 10)}${tally}`;
}

/** A learner's value in a few words: "a string "0.42"", "an array of length 3", "NaN". */
export function describeValue(value: unknown): string {
  if (typeof value === "number") return `a number (${describe(value)})`;
  if (typeof value === "string") return `a string ${describe(value)}`;
  if (typeof value === "boolean") return `a boolean (${value})`;
  if (isThenable(value)) return "a Promise";
  return describe(value);
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

function shapeWords(expected: Numeric): string {
  if (typeof expected === "number") return "a number";
  const first = expected[0];
  if (Array.isArray(first)) {
    const rows = `${expected.length} row${expected.length === 1 ? "" : "s"}`;
    return `an array of ${rows} of ${first.length} numbers (shape [${expected.length}, ${first.length}])`;
  }
  return `an array of ${expected.length} number${expected.length === 1 ? "" : "s"}`;
}

/** The likely cause of a value that is not even the right kind of thing. */
function advice(got: unknown, path: string): string {
  if (got === undefined) return path === "got" ? ' — did you forget "return"?' : " — was every entry filled in?";
  if (isThenable(got)) return " — make the function synchronous (drop async/await)";
  if (typeof got === "string" && got.trim() !== "" && !Number.isNaN(Number(got))) {
    return " — return the number itself, not text (toFixed and String turn numbers into text)";
  }
  return "";
}

/** The entries of an array or a typed array (Float64Array), else undefined. */
export function asArray(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  return undefined;
}

function flatten(value: Numeric, path: string, out: Array<[number, string]> = []): Array<[number, string]> {
  if (typeof value === "number") out.push([value, path]);
  else value.forEach((v, i) => flatten(v, `${path}[${i}]`, out));
  return out;
}
