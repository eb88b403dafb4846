// The boundary checks of the training and calibration code: each error names the argument,
// the position and the value.
import { describe, expect, it } from "vitest";
import { checkAtLeast, checkClassIndices, checkMatrix, checkVector, checkWholeNumber } from "../src/inputs/numbers";

describe("checkMatrix", () => {
  it("returns [rows, columns] of a finite matrix", () => {
    expect(checkMatrix([[1, 2, 3], [4, 5, 6]], "X")).toEqual([2, 3]);
  });

  it("names a non-finite entry, a wrong width, an empty matrix and a ragged row", () => {
    expect(() => checkMatrix([[1, 2], [3, Infinity]], "X")).toThrow("X[1][1] = Infinity is not finite: expected a finite number");
    expect(() => checkMatrix([[1, 2]], "X", 3)).toThrow("X[0] has length 2: expected 3");
    expect(() => checkMatrix([], "X")).toThrow("X has shape [0]: expected a non-empty matrix (N, D)");
    expect(() => checkMatrix([[1, 2], [3]], "X")).toThrow("X[1] has length 1 but X[0] has length 2");
  });
});

describe("checkVector and checkClassIndices", () => {
  it("name the position of a bad entry", () => {
    expect(() => checkVector([0, NaN], "bias", 2)).toThrow("bias[1] = NaN is not finite");
    expect(() => checkVector([0], "bias", 2)).toThrow("bias has length 1: expected 2");
    expect(() => checkClassIndices([0, 1.5], "targets", 2, 3)).toThrow("targets[1] = 1.5 is out of range: expected a class index in [0, 3)");
    expect(() => checkClassIndices([0], "targets", 2, 3)).toThrow("targets has length 1: expected 2, one per example");
  });
});

describe("checkAtLeast and checkWholeNumber", () => {
  it("accept the boundary when closed, reject it when open", () => {
    expect(checkAtLeast(0, "weightDecay", 0)).toBe(0);
    expect(() => checkAtLeast(0, "learningRate", 0, true)).toThrow("learningRate = 0 is out of range: expected a finite number > 0");
    expect(() => checkAtLeast(NaN, "learningRate", 0)).toThrow("learningRate = NaN is out of range");
    expect(checkWholeNumber(3, "epochs", 0)).toBe(3);
    expect(() => checkWholeNumber(-1, "epochs", 0)).toThrow("epochs = -1 is out of range: expected a whole number >= 0");
  });
});
