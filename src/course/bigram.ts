/**
 * The bigram character model of Karpathy's makemore (part 1): the next character of a word
 * depends only on the current one. "." marks both the start and the end of a word, so
 * "emma" is the five bigrams .e em mm ma a. and every word ends by predicting ".".
 * Taught in notebooks/12-a-character-language-model.ipynb.
 */
import { describe } from "../inputs/describe";

/** The token before the first character and after the last one: index 0 of every vocabulary. */
export const START_END = ".";

/**
 * The characters of a set of words: "." first, then every character that occurs, sorted.
 *
 * words (W strings) -> vocabulary (V strings of one character), vocabulary[0] = ".".
 *
 * @example characterVocabulary(["emma", "ava"]) // [".", "a", "e", "m", "v"]
 */
export function characterVocabulary(words: readonly string[]): string[] {
  checkWords(words, "words");
  const characters = new Set<string>();
  words.forEach((word, w) => {
    [...word].forEach((character, i) => {
      if (character === START_END) {
        throw new RangeError(`words[${w}] = ${describe(word)}: character ${i} is "${START_END}", the start/end token, which no word may contain`);
      }
      characters.add(character);
    });
  });
  return [START_END, ...[...characters].sort()];
}

/**
 * A word as token indices, with the start/end token on both sides.
 *
 * word (L characters) -> L + 2 indices into `vocabulary`, the first and last 0.
 *
 * @example encodeWord("ava", [".", "a", "e", "m", "v"]) // [0, 1, 4, 1, 0]
 */
export function encodeWord(word: string, vocabulary: readonly string[]): number[] {
  checkVocabulary(vocabulary);
  return encode(word, indexOf(vocabulary), "word");
}

/**
 * How often each character follows each other one, over every bigram of every word.
 *
 * words (W strings) -> counts (V, V): counts[i][j] = number of times token j follows token i.
 * Row "." counts first characters; column "." counts last characters; counts["."]["."] is 0.
 *
 * @example bigramCounts(["ab", "b"], [".", "a", "b"]) // [[0, 1, 1], [0, 0, 1], [2, 0, 0]]
 */
export function bigramCounts(words: readonly string[], vocabulary: readonly string[]): number[][] {
  checkVocabulary(vocabulary);
  checkWords(words, "words");
  const lookup = indexOf(vocabulary);
  const counts = vocabulary.map(() => vocabulary.map(() => 0));
  words.forEach((word, w) => {
    const tokens = encode(word, lookup, `words[${w}]`);
    for (let t = 0; t + 1 < tokens.length; t++) counts[tokens[t]][tokens[t + 1]]++;
  });
  return counts;
}

/**
 * Each row of counts, plus k in every cell (add-k smoothing), divided by its sum.
 *
 * counts (V, V) -> probabilities (V, V), each row summing to 1.
 * P[i][j] = (counts[i][j] + k) / (Σ_j' counts[i][j'] + V·k)
 * With k = 0 a bigram never counted gets probability 0, so its loss is infinite.
 *
 * @example bigramProbabilities([[0, 3, 1], [2, 0, 2], [1, 1, 0]], 1) // [[1/7, 4/7, 2/7], [3/7, 1/7, 3/7], [2/5, 2/5, 1/5]]
 */
export function bigramProbabilities(counts: readonly (readonly number[])[], smoothing = 0): number[][] {
  if (!Array.isArray(counts) || counts.length === 0) throw new TypeError(`counts is ${describe(counts)}: expected a (V, V) table of counts`);
  if (!(Number.isFinite(smoothing) && smoothing >= 0)) {
    throw new RangeError(`smoothing = ${describe(smoothing)} is out of range: expected a finite k >= 0`);
  }
  const V = counts.length;
  return counts.map((row, i) => {
    if (!Array.isArray(row) || row.length !== V) throw new RangeError(`counts[${i}] is ${describe(row)}: expected ${V} counts, a square table`);
    row.forEach((n, j) => {
      if (!(Number.isFinite(n) && n >= 0)) throw new RangeError(`counts[${i}][${j}] = ${describe(n)} is out of range: expected a count >= 0`);
    });
    const total = row.reduce((sum, n) => sum + n + smoothing, 0);
    if (total === 0) throw new RangeError(`counts[${i}] sums to 0 and smoothing is 0: row ${i} has no probabilities; use smoothing > 0`);
    return row.map((n) => (n + smoothing) / total);
  });
}

/**
 * The mean negative log-likelihood of every bigram of every word: the cross-entropy of the
 * table's predictions, start and end tokens included.
 *
 * probabilities (V, V), words (W strings) -> loss (nats).
 * loss = −(1 / B) Σ_words Σ_t log P[token_t][token_t+1], over all B bigrams
 * A bigram of probability 0 gives log 0 = −Infinity, so the loss is Infinity.
 *
 * @example bigramLoss([[0, 1], [1, 0]], [".", "a"], ["a"]) // 0: ".a" and "a." are certain
 */
export function bigramLoss(probabilities: readonly (readonly number[])[], vocabulary: readonly string[], words: readonly string[]): number {
  checkVocabulary(vocabulary);
  checkWords(words, "words");
  if (words.length === 0) throw new RangeError("words is empty: the mean over no bigrams is not defined; give at least one word");
  checkProbabilities(probabilities, vocabulary.length);
  const lookup = indexOf(vocabulary);
  let total = 0;
  let bigrams = 0;
  words.forEach((word, w) => {
    const tokens = encode(word, lookup, `words[${w}]`);
    for (let t = 0; t + 1 < tokens.length; t++) total -= Math.log(probabilities[tokens[t]][tokens[t + 1]]);
    bigrams += tokens.length - 1;
  });
  return total / bigrams;
}

/** vocabulary[0] is ".", every entry one character, none twice. Shared with the sampler. */
export function checkVocabulary(vocabulary: readonly string[]): void {
  if (!Array.isArray(vocabulary) || vocabulary.length < 2) {
    throw new TypeError(`vocabulary is ${describe(vocabulary)}: expected "${START_END}" and at least one character, e.g. characterVocabulary(words)`);
  }
  vocabulary.forEach((token, i) => {
    if (typeof token !== "string" || [...token].length !== 1) throw new RangeError(`vocabulary[${i}] = ${describe(token)}: expected one character`);
    if (vocabulary.indexOf(token) !== i) throw new RangeError(`vocabulary[${i}] = ${describe(token)} is already vocabulary[${vocabulary.indexOf(token)}]`);
  });
  if (vocabulary[0] !== START_END) throw new RangeError(`vocabulary[0] = ${describe(vocabulary[0])}: expected "${START_END}", the start/end token`);
}

/** A (V, V) table of numbers in [0, 1]. Rows need not sum to 1 exactly: an exercise may pass any table. */
export function checkProbabilities(probabilities: readonly (readonly number[])[], V: number): void {
  if (!Array.isArray(probabilities) || probabilities.length !== V) {
    throw new RangeError(`probabilities is ${describe(probabilities)}: expected ${V} rows, one per vocabulary entry`);
  }
  probabilities.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== V) throw new RangeError(`probabilities[${i}] is ${describe(row)}: expected ${V} numbers`);
    row.forEach((p, j) => {
      if (!(p >= 0 && p <= 1)) throw new RangeError(`probabilities[${i}][${j}] = ${describe(p)} is out of range: expected a probability in [0, 1]`);
    });
  });
}

function checkWords(words: readonly string[], name: string): void {
  if (!Array.isArray(words)) throw new TypeError(`${name} is ${describe(words)}: expected an array of strings`);
  words.forEach((word, w) => {
    if (typeof word !== "string" || word.length === 0) throw new RangeError(`${name}[${w}] = ${describe(word)}: expected a non-empty string`);
  });
}

function indexOf(vocabulary: readonly string[]): Map<string, number> {
  return new Map(vocabulary.map((token, i) => [token, i]));
}

function encode(word: string, lookup: Map<string, number>, name: string): number[] {
  if (typeof word !== "string" || word.length === 0) throw new RangeError(`${name} = ${describe(word)}: expected a non-empty string`);
  const tokens = [0];
  [...word].forEach((character, i) => {
    const token = lookup.get(character);
    if (token === undefined || token === 0) {
      throw new RangeError(`${name} = ${describe(word)}: character ${i} (${describe(character)}) is not a character of the vocabulary`);
    }
    tokens.push(token);
  });
  tokens.push(0);
  return tokens;
}
