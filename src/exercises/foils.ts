/**
 * Foils: the wrong versions learners write, kept here only so that the checkers can recognise
 * them. Nothing outside src/exercises should call these.
 */
import { logSoftmax, softmax } from "../softmax";
import type { Numeric } from "./compare";

/** The epsilons people add inside log(p + eps); each caps the loss at -log(eps). */
export const EPSILONS: readonly number[] = [1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-12, 1e-15];

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
