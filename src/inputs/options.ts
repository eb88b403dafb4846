import type { Dtype, Reduction } from "./types";
import { at, describe, shapeText } from "./describe";
import { shapeOf } from "./shape";

/** The options with PyTorch's defaults filled in, checked against the number of classes. */
export interface ResolvedOptions {
  weight: number[] | null;
  ignoreIndex: number;
  reduction: Reduction;
  labelSmoothing: number;
  /** "float32": inputs and results rounded to float32, as a float32 tensor holds them. */
  dtype: Dtype;
}

const REDUCTIONS: readonly Reduction[] = ["mean", "sum", "none"];
const DTYPES: readonly Dtype[] = ["float64", "float32"];
const CROSS_ENTROPY_KEYS = ["weight", "ignoreIndex", "reduction", "labelSmoothing", "dtype"] as const;
const PYTHON_SPELLINGS: Record<string, string> = {
  ignore_index: "ignoreIndex",
  label_smoothing: "labelSmoothing",
  weights: "weight",
  reduce: "reduction",
};

/**
 * Check `options` once, at the public boundary, and fill in PyTorch's defaults:
 * weight none, ignoreIndex -100, reduction "mean", labelSmoothing 0, dtype "float64".
 *
 * `allowed` lists the option names the calling function takes (nllLoss has no smoothing).
 * @throws TypeError or RangeError naming the option and its value.
 */
export function resolveOptions(
  options: unknown,
  numClasses: number,
  allowed: readonly string[] = CROSS_ENTROPY_KEYS,
): ResolvedOptions {
  if (options === undefined || options === null) options = {};
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`options is ${describe(options)}: expected an object such as { reduction: "sum" }`);
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (allowed.includes(key)) continue;
    const hint = PYTHON_SPELLINGS[key] ? ` (did you mean ${PYTHON_SPELLINGS[key]}?)` : "";
    throw new TypeError(`options.${key} is not an option here${hint}: expected one of ${allowed.join(", ")}`);
  }
  return {
    weight: resolveWeight(given.weight, numClasses),
    ignoreIndex: resolveIgnoreIndex(given.ignoreIndex),
    reduction: resolveReduction(given.reduction),
    labelSmoothing: resolveLabelSmoothing(given.labelSmoothing),
    dtype: resolveDtype(given.dtype),
  };
}

/**
 * The class weights as a plain array: given as an array of numbers, or as a Float64Array or
 * Float32Array of either element type, whatever the logits' type.
 * NOTE: unlike PyTorch, which raises "expected scalar type Double but found Float" when the
 * weight's dtype is not the logits': a Float32Array's values are widened exactly, and a
 * Float64Array's values are used as they are (the float32 paths accumulate in float64).
 */
function resolveWeight(given: unknown, numClasses: number): number[] | null {
  if (given === undefined || given === null) return null;
  const typed = given instanceof Float64Array || given instanceof Float32Array;
  if (!(Array.isArray(given) || typed)) {
    throw new TypeError(
      `options.weight is ${describe(given)}: expected an array (or a Float64Array or Float32Array) of ${numClasses} numbers, one per class`,
    );
  }
  if (Array.isArray(given) && given.some(Array.isArray)) {
    const shape = shapeOf(given, "options.weight");
    throw new RangeError(
      `options.weight has shape ${shapeText(shape)}: expected a 1-D array of ${numClasses} numbers, one weight per class`,
    );
  }
  const weight: unknown[] = typed ? Array.from(given) : given;
  if (weight.length !== numClasses) {
    const entries = weight.length === 1 ? "1 entry" : `${weight.length} entries`;
    throw new RangeError(
      `options.weight has ${entries} but the logits have ${numClasses} classes: give one weight per class`,
    );
  }
  weight.forEach((w, c) => {
    if (typeof w !== "number") throw new TypeError(`${at("options.weight", [c])} = ${describe(w)} is not a number`);
    // NOTE: unlike PyTorch, which would quietly turn every loss into NaN.
    if (!Number.isFinite(w)) throw new RangeError(`${at("options.weight", [c])} = ${w} is not a finite number`);
  });
  return weight as number[];
}

function resolveIgnoreIndex(ignoreIndex: unknown): number {
  if (ignoreIndex === undefined) return -100;
  if (typeof ignoreIndex !== "number") {
    throw new TypeError(`options.ignoreIndex is ${describe(ignoreIndex)}: expected an integer such as -100`);
  }
  if (!Number.isInteger(ignoreIndex)) {
    throw new RangeError(`options.ignoreIndex = ${describe(ignoreIndex)} is not an integer: expected an integer such as -100`);
  }
  return ignoreIndex;
}

function resolveReduction(reduction: unknown): Reduction {
  if (reduction === undefined) return "mean";
  if (REDUCTIONS.includes(reduction as Reduction)) return reduction as Reduction;
  const message = `options.reduction = ${describe(reduction)} is not a valid value: expected "mean", "sum" or "none"`;
  throw typeof reduction === "string" ? new RangeError(message) : new TypeError(message);
}

function resolveLabelSmoothing(labelSmoothing: unknown): number {
  if (labelSmoothing === undefined) return 0;
  if (typeof labelSmoothing !== "number") {
    throw new TypeError(`options.labelSmoothing is ${describe(labelSmoothing)}: expected a number in [0, 1]`);
  }
  // NOTE: unlike PyTorch, which silently treats a negative value as 0 (pytorch/pytorch#134767).
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new RangeError(`options.labelSmoothing = ${describe(labelSmoothing)} is out of range: expected a number in [0, 1]`);
  }
  return labelSmoothing;
}

function resolveDtype(dtype: unknown): Dtype {
  if (dtype === undefined) return "float64";
  if (DTYPES.includes(dtype as Dtype)) return dtype as Dtype;
  const message = `options.dtype = ${describe(dtype)} is not a valid value: expected "float64" or "float32"`;
  throw typeof dtype === "string" ? new RangeError(message) : new TypeError(message);
}
