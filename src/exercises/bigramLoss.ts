/**
 * The bigram loss exercise: fn(probabilities: number[][], vocabulary: string[], words: string[]) => number,
 * the mean −log P[current][next] over every bigram of every word, "." before and after each word.
 * Taught in notebooks/12-a-character-language-model.ipynb.
 */
import { bigramCounts, bigramLoss, bigramProbabilities, encodeWord } from "../course/bigram";
import { SIGN_HINT } from "./crossEntropy";
import { scaled } from "./foils";
import type { Exercise } from "./types";

type Args = [probabilities: number[][], vocabulary: string[], words: string[]];

/** Each word's −log P of its bigrams, with the first (start) and last (end) bigram marked. */
function wordLosses([probabilities, vocabulary, words]: Args, read = (i: number, j: number) => probabilities[i][j]): number[][] {
  return words.map((word) => {
    const tokens = encodeWord(word, vocabulary);
    return tokens.slice(1).map((next, t) => -Math.log(read(tokens[t], next)));
  });
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
const meanOfAll = (losses: number[][]): number => sum(losses.flat()) / losses.flat().length;

// Three tokens and four: small enough to follow by hand, and no row equals its column, so a
// transposed lookup shows. Every case has words of different lengths, so each foil below
// differs from the right answer in every case.
const TABLE_3: number[][] = [
  [0, 0.7, 0.3],
  [0.4, 0.2, 0.4],
  [0.5, 0.3, 0.2],
];
const TABLE_4: number[][] = [
  [0, 0.5, 0.2, 0.3],
  [0.1, 0.1, 0.6, 0.2],
  [0.3, 0.3, 0.1, 0.3],
  [0.6, 0.2, 0.1, 0.1],
];
const NAMES = ["emma", "olivia", "ava", "mia"];
const NAMES_VOCABULARY = [".", "a", "e", "i", "l", "m", "o", "v"];

export const bigramLossExercise: Exercise<Args> = {
  name: "bigramLoss",
  signature: "fn(probabilities: number[][], vocabulary: string[], words: string[]) => number",
  argNames: ["probabilities", "vocabulary", "words"],
  cases: [
    { name: "two words", args: [TABLE_3, [".", "a", "b"], ["ab", "b"]] },
    { name: "three words", args: [TABLE_3, [".", "a", "b"], ["a", "abba", "ba"]] },
    { name: "four tokens", args: [TABLE_4, [".", "a", "b", "c"], ["cab", "abc", "c", "bb"]] },
    {
      name: "names, add-one smoothing",
      args: [
        bigramProbabilities(bigramCounts(NAMES, NAMES_VOCABULARY), 1),
        NAMES_VOCABULARY,
        ["emma", "ava", "olivia"],
      ],
    },
  ],
  expected: (probabilities, vocabulary, words) => bigramLoss(probabilities, vocabulary, words),
  mistakes: [
    {
      name: "end token forgotten",
      output: (args) => meanOfAll(wordLosses(args).map((losses) => losses.slice(0, -1))),
      hint:
        'The last bigram of each word is missing: after its last character the model must predict ".", the end ' +
        'token, and that prediction costs −log P[last]["."] too. "ab" has three bigrams: .a, ab and b.',
    },
    {
      name: "start token forgotten",
      output: (args) => meanOfAll(wordLosses(args).map((losses) => losses.slice(1))),
      hint:
        'The first bigram of each word is missing: the model also predicts the first character from ".", the start ' +
        'token, at a cost of −log P["."][first]. "ab" has three bigrams: .a, ab and b.',
    },
    {
      name: "sum instead of mean",
      output: (args) => sum(wordLosses(args).flat()),
      hint: "You returned the sum over the bigrams; the loss is the mean: divide by the number of bigrams.",
    },
    {
      name: "mean per word, then mean of the words",
      output: (args) => sum(wordLosses(args).map((losses) => sum(losses) / losses.length)) / args[2].length,
      hint:
        "You averaged each word first and then the words: long words then count as much as short ones. The loss " +
        "is one mean over all bigrams together: add every −log P, then divide once by the number of bigrams.",
    },
    {
      name: "divided by the number of characters",
      output: (args) => sum(wordLosses(args).flat()) / args[2].reduce((n, word) => n + word.length, 0),
      hint:
        "You divided by the number of characters; a word of L characters has L + 1 bigrams (one more for the end " +
        "token), and the mean is over the bigrams.",
    },
    {
      name: "table read as [next][current]",
      output: (args) => meanOfAll(wordLosses(args, (i, j) => args[0][j][i])),
      hint:
        "The table is read the wrong way round: row = the current character, column = the next one, so the " +
        "probability of bigram (i, j) is probabilities[i][j], and each row sums to 1.",
    },
    { name: "sign flipped", output: (_, expected) => scaled(expected, -1), hint: SIGN_HINT },
    {
      name: "log base 2",
      output: (_, expected) => scaled(expected, 1 / Math.LN2),
      hint: "You used log base 2, which gives bits; the loss is in nats: use Math.log, the natural logarithm.",
    },
  ],
};
