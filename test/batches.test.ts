// Splits and mini-batches: every index exactly once, seeded, with clear errors.
import { describe, expect, it } from "vitest";
import { miniBatches, pick, trainValidationSplit } from "../src/course/batches";
import { shuffledIndices } from "../src/course/random";

describe("trainValidationSplit", () => {
  it("cuts one seeded shuffle: the first n − k indices train, the last k validate", () => {
    const order = shuffledIndices(10, 3);
    const split = trainValidationSplit(10, 3, 3);
    expect(split.train).toEqual(order.slice(0, 7));
    expect(split.validation).toEqual(order.slice(7));
    expect([...split.train, ...split.validation].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(trainValidationSplit(10, 3, 3)).toEqual(split);
  });

  it("rejects a validation set that leaves nothing to train on", () => {
    expect(() => trainValidationSplit(5, 5, 1)).toThrow("validationCount = 5 is out of range: expected fewer than n = 5");
    expect(() => trainValidationSplit(5, 0, 1)).toThrow("validationCount = 0 is out of range: expected a whole number >= 1");
  });
});

describe("miniBatches", () => {
  it("cuts 7 shuffled indices into batches of 3, 3 and 1 (7 = 3 + 3 + 1)", () => {
    const batches = miniBatches(7, 3, 5);
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(batches.flat()).toEqual(shuffledIndices(7, 5));
  });

  it("batch size 1 is one index per step, batch size n is the whole set in one step", () => {
    expect(miniBatches(4, 1, 2)).toEqual(shuffledIndices(4, 2).map((i) => [i]));
    expect(miniBatches(4, 4, 2)).toEqual([shuffledIndices(4, 2)]);
    expect(miniBatches(4, 100, 2)).toEqual([shuffledIndices(4, 2)]);
  });

  it("another seed gives another order", () => {
    expect(miniBatches(20, 20, 1)).not.toEqual(miniBatches(20, 20, 2));
  });

  it("names a bad batch size", () => {
    expect(() => miniBatches(4, 0, 1)).toThrow("batchSize = 0 is out of range: expected a whole number >= 1");
    expect(() => miniBatches(4, 2.5, 1)).toThrow("batchSize = 2.5 is out of range");
  });
});

describe("pick", () => {
  it("takes rows in the order given", () => {
    expect(pick(["a", "b", "c"], [2, 0, 2])).toEqual(["c", "a", "c"]);
  });

  it("names the position of an index out of range", () => {
    expect(() => pick([1, 2], [0, 5])).toThrow("indices[1] = 5 is out of range: expected an index in [0, 2)");
  });
});
