/**
 * How a bad value is named in an error message: short, exact, and never "[object Object]".
 *
 * @example describe("3") // '"3"'   describe(NaN) // 'NaN'   describe([1, 2]) // 'an array of length 2'
 * @example describe(new Int32Array(2)) // 'an Int32Array'   describe(new Float32Array(2)) // 'a Float32Array'
 */
export function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "bigint") return `${value}n (a BigInt)`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return withArticle(value.constructor.name);
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "Object"})`;
  return String(value);
}

/** `name[1][2]` for a position inside a nested argument. */
export function at(name: string, index: readonly number[]): string {
  return name + index.map((i) => `[${i}]`).join("");
}

/** `[3, 4]`, the way PyTorch prints a shape. */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** "an Int32Array", "a Float32Array", "a Uint8Array" (said "you-int"): the article as it is spoken. */
function withArticle(name: string): string {
  return `${/^[AEIO]/.test(name) ? "an" : "a"} ${name}`;
}
