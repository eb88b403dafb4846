/**
 * Foils: the wrong versions learners write, kept here only so that the checkers can recognise
 * them. Nothing outside src/exercises should call these.
 */
import { logSoftmax, logSumExp, softmax } from "../loss/softmax";
import type { Numeric } from "./compare";
import type { Mistake } from "./types";

/** The epsilons people add inside log(p + eps) or clamp p at; each caps the loss at -log(eps). */
export const EPSILONS: readonly number[] = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-12, 1e-15];

/** exp(x) / Σ exp(x) with no shift: Infinity / Infinity = NaN past x ≈ 709.8. */
export function naiveSoftmax(row: number[]): number[] {
  const exps = row.map(Math.exp);
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** The shift learners get wrong: a running max that starts at 0 instead of -Infinity. */
export function maxFromZero(row: number[]): number {
  return row.reduce((max, x) => Math.max(max, x), 0);
}

/** Softmax shifted by an arbitrary amount: right in exact arithmetic, NaN once every exp underflows. */
export function softmaxShiftedBy(row: number[], shift: number): number[] {
  const exps = row.map((x) => Math.exp(x - shift));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** Log-softmax down each column (over the batch) instead of along each row (over the classes). */
export function columnLogSoftmax(logits: number[][]): number[][] {
  const columns = logits[0].map((_, c) => logSoftmax(logits.map((row) => row[c])));
  return logits.map((row, n) => row.map((_, c) => columns[c][n]));
}

/** The mean over the batch of one loss per row. */
export function meanOverRows(logits: number[][], targets: number[], rowLoss: (row: number[], target: number) => number): number {
  return logits.reduce((total, row, n) => total + rowLoss(row, targets[n]), 0) / logits.length;
}

/** −Σ_c onehot[c] · l[c], which JavaScript makes NaN when some l[c] is -Infinity (0 · -Infinity). */
export function oneHotSum(logProbabilities: number[], target: number): number {
  return -logProbabilities.reduce((sum, l, c) => sum + (c === target ? 1 : 0) * l, 0);
}

/** −log(p[target] + eps), with p from the stable softmax. */
export function clippedLoss(row: number[], target: number, eps: number): number {
  return -Math.log(softmax(row)[target] + eps);
}

/** −log(max(p[target], eps)): the clamp instead of the sum; the same cap, exact above eps. */
export function clampedLoss(row: number[], target: number, eps: number): number {
  return -Math.log(Math.max(softmax(row)[target], eps));
}

/** The loss of one row with the wrong logit subtracted: row[pick(target)] (undefined gives NaN). */
export function pickedLoss(row: number[], pick: number): number {
  return logSumExp(row) - row[pick];
}

/** The loss of one row with the predicted class (the largest logit) in place of the target. */
export function predictedClassLoss(row: number[]): number {
  return logSumExp(row) - Math.max(...row);
}

/** log Σ exp(x − max) with the max never added back: logSumExp(row) − max. */
export function shiftedLogSumExp(row: number[]): number {
  const max = Math.max(...row);
  return Math.log(row.reduce((sum, x) => sum + Math.exp(x - max), 0));
}

/** The smallest entry: the shift learners take by mistake for the max. */
export function rowMin(row: number[]): number {
  return Math.min(...row);
}

/** The mean of the entries: another shift that is fine for narrow rows only. */
export function rowMean(row: number[]): number {
  return row.reduce((a, b) => a + b, 0) / row.length;
}

/**
 * A loss capped at some value (Math.min(loss, 1000), or logits clamped before the loss):
 * every failing answer is one and the same finite number, below the true loss. No single
 * output, as the cap is the learner's own; the epsilon foils, which are caps too, come
 * earlier in each list and name themselves. `example` is the case that shows the true
 * loss past the cap.
 */
export function cappedLoss<A extends unknown[]>(example: string): Mistake<A> {
  return {
    name: "loss capped",
    matches: (got, _, expected) =>
      typeof got === "number" && Number.isFinite(got) && got < (expected as number),
    sameOnEveryFailingCase: true,
    hint:
      "Your loss stops at one fixed value however wrong the prediction is: a cap " +
      "(Math.min(loss, 1000), or clamped logits) hides exactly the confident mistakes " +
      `the loss exists to punish (${example}). ` +
      "The loss has no upper bound: return it uncapped.",
  };
}

/** How far float32 arithmetic may land from the truth, in float32 roundings of the case's largest number. */
const FLOAT32_ROUNDINGS = 64;

/**
 * The mistake of computing in float32 (Math.fround, Float32Array) instead of plain numbers.
 * No single output: every implementation rounds differently. So it matches a failing answer
 * whose every number is itself a float32 value, off from the truth by no more than float32's
 * rounding allows on the case's numbers; a float64 answer (noise, an epsilon) never is.
 */
export function float32Arithmetic<A extends unknown[]>(): Mistake<A> {
  return {
    name: "float32 arithmetic",
    matches: (got, args, expected) => {
      const scale = Math.max(1, ...numbers(args).filter(Number.isFinite).map(Math.abs), ...numbers(expected).filter(Number.isFinite).map(Math.abs));
      const bound = FLOAT32_ROUNDINGS * 2 ** -24 * scale;
      const want = numbers(expected);
      return numbers(got).every((v, i) =>
        Number.isFinite(v) ? Math.fround(v) === v && Math.abs(v - want[i]) <= bound : v === want[i],
      );
    },
    hint:
      "Every number you return is a float32 value, right to about 7 significant digits and no further: you compute " +
      "in float32 (Math.fround or a Float32Array). The exercise is float64, like PyTorch's reference here: use " +
      "plain JavaScript numbers and number[] arrays throughout.",
  };
}

/** Every number inside a value, in order (NaN for anything that is not a number). */
function numbers(value: unknown): number[] {
  if (typeof value === "number") return [value];
  if (Array.isArray(value)) return value.flatMap(numbers);
  return [NaN];
}

/** One-hot rows of `numClasses` entries. */
export function oneHot(targets: number[], numClasses: number): number[][] {
  return targets.map((y) => Array.from({ length: numClasses }, (_, c) => (c === y ? 1 : 0)));
}

/** (a - b) · scale, entry by entry, for same-shape (N, C) arrays. */
export function scaledDifference(a: number[][], b: number[][], scale: number): number[][] {
  return a.map((row, n) => row.map((x, c) => (x - b[n][c]) * scale));
}

/** Every number of a value times `factor`: the sum for a mean (N), bits for nats (1 / ln 2). */
export function scaled(value: Numeric, factor: number): Numeric {
  return typeof value === "number" ? value * factor : value.map((v) => scaled(v, factor));
}

/** The 1 / (1 + e^-z) every textbook writes first: exactly 1 for z ≥ 37, exactly 0 for z ≤ -710 (e^-z overflows). */
export function naiveSigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}
