import type { Reduction } from "./types";
import { at, describe } from "./describe";

/** The options with PyTorch's defaults filled in, checked against the number of classes. */
export interface ResolvedOptions {
  weight: number[] | null;
  ignoreIndex: number;
  reduction: Reduction;
  labelSmoothing: number;
}

const REDUCTIONS: readonly Reduction[] = ["mean", "sum", "none"];
const CROSS_ENTROPY_KEYS = ["weight", "ignoreIndex", "reduction", "labelSmoothing"] as const;
const PYTHON_SPELLINGS: Record<string, string> = {
  ignore_index: "ignoreIndex",
  label_smoothing: "labelSmoothing",
  weights: "weight",
  reduce: "reduction",
};

/**
 * Check `options` once, at the public boundary, and fill in PyTorch's defaults:
 * weight none, ignoreIndex -100, reduction "mean", labelSmoothing 0.
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
  };
}

/**
 * The class weights as a plain array: given as an array of numbers, or as a Float64Array or
 * Float32Array (a float32 weight is widened exactly, as PyTorch widens a float32 weight tensor
 * for float64 logits).
 */
function resolveWeight(given: unknown, numClasses: number): number[] | null {
  if (given === undefined || given === null) return null;
  const typed = given instanceof Float64Array || given instanceof Float32Array;
  if (!(Array.isArray(given) || typed)) {
    throw new TypeError(
      `options.weight is ${describe(given)}: expected an array (or a Float64Array or Float32Array) of ${numClasses} numbers, one per class`,
    );
  }
  const weight: unknown[] = typed ? Array.from(given) : given;
  if (weight.length !== numClasses) {
    throw new RangeError(
      `options.weight has ${weight.length} entries but the logits have ${numClasses} classes: give one weight per class`,
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
