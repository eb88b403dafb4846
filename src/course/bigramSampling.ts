/**
 * Drawing words from a bigram model: start at ".", draw the next character from the current
 * character's row of probabilities, stop when "." is drawn again.
 * Taught in notebooks/12-a-character-language-model.ipynb.
 */
import { checkProbabilities, checkVocabulary } from "./bigram";
import { describe } from "../inputs/describe";

/**
 * One index drawn from a row of probabilities, by the inverse of its running sum: the
 * first j whose cumulative probability exceeds u = random() · (row's sum).
 *
 * row (V) -> an index in [0, V) with probability row[j] / Σ row.
 * Scaling u by the sum keeps a row that sums to 0.9999999 from running off its end.
 *
 * @example sampleIndex([0.2, 0.5, 0.3], () => 0.6) // 1: 0.2 <= 0.6 < 0.2 + 0.5
 */
export function sampleIndex(row: readonly number[], random: () => number): number {
  if (!Array.isArray(row) || row.length === 0) throw new TypeError(`row is ${describe(row)}: expected an array of probabilities`);
  let sum = 0;
  row.forEach((p, j) => {
    if (!(Number.isFinite(p) && p >= 0)) throw new RangeError(`row[${j}] = ${describe(p)} is out of range: expected a probability >= 0`);
    sum += p;
  });
  if (sum === 0) throw new RangeError("row sums to 0: there is nothing to draw");
  const u = random();
  if (!(u >= 0 && u < 1)) throw new RangeError(`random() returned ${describe(u)}: expected a number in [0, 1), e.g. from mulberry32(seed)`);
  let cumulative = 0;
  const target = u * sum;
  for (let j = 0; j < row.length; j++) {
    cumulative += row[j];
    if (target < cumulative) return j;
  }
  // Rounding can leave target a hair above the last running sum: the last non-zero entry is meant.
  let last = row.length - 1;
  while (row[last] === 0) last--;
  return last;
}

/**
 * A word drawn from a bigram table, one character at a time, until "." comes back.
 *
 * probabilities (V, V), vocabulary (V), random () -> [0, 1) -> a word without the "." tokens.
 * A word reaching `maxLength` characters is cut there (a very high temperature makes "."
 * as rare as any letter, and words very long); a table that lets "." follow "." at once
 * (smoothing does) can give the empty word "".
 *
 * @example sampleWord(bigramProbabilities(bigramCounts(names, vocabulary), 1), vocabulary, mulberry32(3)) // a name-like string
 */
export function sampleWord(
  probabilities: readonly (readonly number[])[],
  vocabulary: readonly string[],
  random: () => number,
  maxLength = 30,
): string {
  checkVocabulary(vocabulary);
  checkProbabilities(probabilities, vocabulary.length);
  if (typeof random !== "function") throw new TypeError(`random is ${describe(random)}: expected a function such as mulberry32(seed)`);
  if (!(Number.isInteger(maxLength) && maxLength >= 1)) throw new RangeError(`maxLength = ${describe(maxLength)}: expected a whole number >= 1`);
  let word = "";
  let current = 0;
  while (word.length < maxLength) {
    current = sampleIndex(probabilities[current], random);
    if (current === 0) break;
    word += vocabulary[current];
  }
  return word;
}
