// The bigram helpers against arithmetic written out here, and their errors.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { START_END, bigramCounts, bigramLoss, bigramProbabilities, characterVocabulary, encodeWord } from "../src/course/bigram";
import { dataFile } from "../src/course/reference";
import { expectAllClose } from "./helpers/allclose";

const EXACT = { rtol: 1e-15, atol: 0 };

describe("characterVocabulary", () => {
  it('puts "." first, then the characters that occur, sorted', () => {
    expect(characterVocabulary(["emma", "ava"])).toEqual([".", "a", "e", "m", "v"]);
    expect(START_END).toBe(".");
  });

  it("gives the 27 tokens of makemore for the course's names: '.' and a to z", () => {
    const names = readFileSync(dataFile("names.txt"), "utf8").trim().split("\n");
    expect(characterVocabulary(names)).toEqual([".", ..."abcdefghijklmnopqrstuvwxyz"]);
  });

  it("refuses a word holding the start/end token, naming the word and the position", () => {
    expect(() => characterVocabulary(["ab", "a.b"])).toThrow('words[1] = "a.b": character 1 is ".", the start/end token');
    expect(() => characterVocabulary(["ab", ""])).toThrow('words[1] = "": expected a non-empty string');
  });
});

describe("data/names.txt", () => {
  it("holds one lower-case name a line, letters a to z only, each once, sorted", () => {
    const text = readFileSync(dataFile("names.txt"), "utf8");
    expect(text.endsWith("\n")).toBe(true);
    const names = text.slice(0, -1).split("\n");
    const bad = names.map((name, i) => [i, name] as const).filter(([, name]) => !/^[a-z]+$/.test(name));
    expect(bad).toEqual([]);
    expect(names).toEqual([...new Set(names)].sort());
    expect(names.length).toBeGreaterThan(8000); // two lists of thousands of names (data/names.md)
  });
});

describe("encodeWord", () => {
  it("wraps the word in the start/end token, index 0", () => {
    expect(encodeWord("ava", [".", "a", "e", "m", "v"])).toEqual([0, 1, 4, 1, 0]);
  });

  it("names the character that is not in the vocabulary", () => {
    expect(() => encodeWord("anne-marie", [".", ..."abcdefghijklmnopqrstuvwxyz"])).toThrow(
      'word = "anne-marie": character 4 ("-") is not a character of the vocabulary',
    );
    expect(() => encodeWord("a.", [".", "a"])).toThrow('character 1 (".") is not a character');
  });

  it("checks the vocabulary", () => {
    expect(() => encodeWord("a", ["a", "."])).toThrow('vocabulary[0] = "a": expected ".", the start/end token');
    expect(() => encodeWord("a", [".", "a", "a"])).toThrow('vocabulary[2] = "a" is already vocabulary[1]');
    expect(() => encodeWord("a", [".", "ab"])).toThrow('vocabulary[1] = "ab": expected one character');
  });
});

describe("bigramCounts", () => {
  it('counts .a ab b. and .b b. for ["ab", "b"]', () => {
    // rows = current token, columns = next token, in the order . a b
    expect(bigramCounts(["ab", "b"], [".", "a", "b"])).toEqual([
      [0, 1, 1], // .a once, .b once
      [0, 0, 1], // ab once
      [2, 0, 0], // b. twice
    ]);
  });

  it("has one bigram per character plus one per word", () => {
    const words = ["emma", "olivia", "ava"];
    const counts = bigramCounts(words, characterVocabulary(words));
    const total = counts.flat().reduce((a, b) => a + b, 0);
    expect(total).toBe(4 + 6 + 3 + words.length);
    expect(counts[0].reduce((a, b) => a + b, 0)).toBe(words.length); // every word starts once
    expect(counts.reduce((sum, row) => sum + row[0], 0)).toBe(words.length); // and ends once
  });

  it("names the word with an unknown character", () => {
    expect(() => bigramCounts(["ab", "ac"], [".", "a", "b"])).toThrow('words[1] = "ac": character 1 ("c")');
  });
});

describe("bigramProbabilities", () => {
  const counts = [
    [0, 3, 1],
    [2, 0, 2],
    [1, 1, 0],
  ];

  it("divides each row by its sum", () => {
    expectAllClose(bigramProbabilities(counts), [[0, 3 / 4, 1 / 4], [2 / 4, 0, 2 / 4], [1 / 2, 1 / 2, 0]], EXACT, "k = 0");
  });

  it("adds k to every count first: (n + k) / (row sum + V·k)", () => {
    expectAllClose(bigramProbabilities(counts, 1), [[1 / 7, 4 / 7, 2 / 7], [3 / 7, 1 / 7, 3 / 7], [2 / 5, 2 / 5, 1 / 5]], EXACT, "k = 1");
    // As k grows every row tends to the uniform 1/V.
    for (const row of bigramProbabilities(counts, 1e9)) expectAllClose(row, [1 / 3, 1 / 3, 1 / 3], { rtol: 1e-8, atol: 0 }, "k = 1e9");
  });

  it("refuses bad counts and smoothing with the position and the value", () => {
    expect(() => bigramProbabilities([[1, 2], [3, -1]])).toThrow("counts[1][1] = -1 is out of range: expected a count >= 0");
    expect(() => bigramProbabilities([[1, 2], [3]])).toThrow("counts[1] is an array of length 1: expected 2 counts, a square table");
    expect(() => bigramProbabilities([[1, 2], [0, 0]])).toThrow("counts[1] sums to 0 and smoothing is 0");
    expect(() => bigramProbabilities([[1, 2], [0, 1]], -1)).toThrow("smoothing = -1 is out of range");
    expect(() => bigramProbabilities([[1, 2], [0, 1]], NaN)).toThrow("smoothing = NaN is out of range");
  });
});

describe("bigramLoss", () => {
  const vocabulary = [".", "a", "b"];
  const P = [
    [0, 0.7, 0.3],
    [0.4, 0.2, 0.4],
    [0.5, 0.3, 0.2],
  ];

  it('is the mean −log P over .a ab b. and .b b. for ["ab", "b"]', () => {
    const byHand = -(Math.log(0.7) + Math.log(0.4) + Math.log(0.5) + Math.log(0.3) + Math.log(0.5)) / 5;
    expect(bigramLoss(P, vocabulary, ["ab", "b"])).toBeCloseTo(byHand, 15);
  });

  it("is log V for a uniform table, whatever the words", () => {
    const uniform = vocabulary.map(() => vocabulary.map(() => 1 / 3));
    expect(bigramLoss(uniform, vocabulary, ["abba", "b", "ab"])).toBeCloseTo(Math.log(3), 15);
  });

  it("is Infinity when a bigram has probability 0", () => {
    expect(bigramLoss(P, vocabulary, ["ab", "b"])).toBeLessThan(Infinity);
    const noBB = [[0, 0.7, 0.3], [0.4, 0.2, 0.4], [0.5, 0.5, 0]];
    expect(bigramLoss(noBB, vocabulary, ["ab", "abba"])).toBe(Infinity);
  });

  it("is smallest for the table of the words' own frequencies (maximum likelihood)", () => {
    const words = ["emma", "olivia", "ava", "isabella", "sophia"];
    const V = characterVocabulary(words);
    const counts = bigramCounts(words, V);
    const best = bigramLoss(bigramProbabilities(counts), V, words);
    for (const k of [0.01, 0.1, 1]) expect(bigramLoss(bigramProbabilities(counts, k), V, words)).toBeGreaterThan(best);
  });

  it("refuses a table of the wrong shape or with a value that is not a probability", () => {
    expect(() => bigramLoss([[1, 0], [0, 1]], vocabulary, ["a"])).toThrow("probabilities is an array of length 2: expected 3 rows");
    expect(() => bigramLoss([[0, 1, 0], [0, 1.5, 0], [1, 0, 0]], vocabulary, ["a"])).toThrow(
      "probabilities[1][1] = 1.5 is out of range: expected a probability in [0, 1]",
    );
    expect(() => bigramLoss(P, vocabulary, ["a", 3 as unknown as string])).toThrow("words[1] = 3: expected a non-empty string");
    expect(() => bigramLoss(P, vocabulary, [])).toThrow("words is empty");
  });
});
