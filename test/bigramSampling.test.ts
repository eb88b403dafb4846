// Sampling from a bigram table: the inverse of the running sum, seeded, with clear errors.
import { describe, expect, it } from "vitest";
import { bigramCounts, bigramProbabilities, characterVocabulary } from "../src/course/bigram";
import { sampleIndex, sampleWord } from "../src/course/bigramSampling";
import { mulberry32 } from "../src/course/random";

/** A fake generator returning the given numbers in turn. */
const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++];
};

describe("sampleIndex", () => {
  it("picks the first index whose running sum passes u", () => {
    // running sums 0.2, 0.7, 1.0
    expect(sampleIndex([0.2, 0.5, 0.3], () => 0)).toBe(0);
    expect(sampleIndex([0.2, 0.5, 0.3], () => 0.19)).toBe(0);
    expect(sampleIndex([0.2, 0.5, 0.3], () => 0.2)).toBe(1);
    expect(sampleIndex([0.2, 0.5, 0.3], () => 0.6)).toBe(1);
    expect(sampleIndex([0.2, 0.5, 0.3], () => 0.7)).toBe(2);
    expect(sampleIndex([0.2, 0.5, 0.3], () => 0.9999)).toBe(2);
  });

  it("never picks an entry of probability 0, even at the ends", () => {
    expect(sampleIndex([0, 1, 0], () => 0)).toBe(1);
    expect(sampleIndex([0, 1, 0], () => 1 - 2 ** -53)).toBe(1);
  });

  it("draws each index about as often as its probability (within 4 standard errors over 1e5 draws)", () => {
    const row = [0.1, 0.6, 0.3];
    const random = mulberry32(5);
    const n = 100_000;
    const hits = [0, 0, 0];
    for (let i = 0; i < n; i++) hits[sampleIndex(row, random)]++;
    row.forEach((p, j) => expect(Math.abs(hits[j] / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n)));
  });

  it("refuses a bad row or a bad generator", () => {
    expect(() => sampleIndex([0.5, -0.1], () => 0.5)).toThrow("row[1] = -0.1 is out of range");
    expect(() => sampleIndex([0, 0], () => 0.5)).toThrow("row sums to 0");
    expect(() => sampleIndex([0.5, 0.5], () => 1)).toThrow("random() returned 1: expected a number in [0, 1)");
  });
});

describe("sampleWord", () => {
  const vocabulary = [".", "a", "b"];
  const P = [
    [0, 0.5, 0.5],
    [0.5, 0, 0.5],
    [0.5, 0.5, 0],
  ];

  it("walks the table from '.' until '.' comes back", () => {
    // u = 0.1 -> a (from .), 0.7 -> b (from a: sums 0.5, 0.5, 1), 0.2 -> . (from b)
    expect(sampleWord(P, vocabulary, sequence(0.1, 0.7, 0.2))).toBe("ab");
  });

  it("is the same for the same seed", () => {
    const words = ["emma", "olivia", "ava", "isabella", "sophia", "mia"];
    const V = characterVocabulary(words);
    const table = bigramProbabilities(bigramCounts(words, V), 1);
    const draw = (seed: number) => {
      const random = mulberry32(seed);
      return Array.from({ length: 5 }, () => sampleWord(table, V, random));
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
  });

  it("only makes words the table allows", () => {
    // From "." only "a"; after "a" only "b"; after "b" only ".": every word is "ab".
    const only = [[0, 1, 0], [0, 0, 1], [1, 0, 0]];
    const random = mulberry32(1);
    for (let i = 0; i < 20; i++) expect(sampleWord(only, vocabulary, random)).toBe("ab");
  });

  it("stops at maxLength when '.' never comes", () => {
    const never = [[0, 1, 0], [0, 0, 1], [0, 1, 0]];
    expect(sampleWord(never, vocabulary, mulberry32(1), 7)).toBe("abababa");
  });

  it("refuses bad arguments", () => {
    expect(() => sampleWord(P, vocabulary, 3 as unknown as () => number)).toThrow("random is 3: expected a function");
    expect(() => sampleWord(P, vocabulary, mulberry32(1), 0)).toThrow("maxLength = 0: expected a whole number >= 1");
    expect(() => sampleWord([[1, 0], [0, 1]], vocabulary, mulberry32(1))).toThrow("expected 3 rows");
  });
});
