import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dataFile, decodeNonFinite, loadReference, REFERENCE_FORMAT } from "../src/course/reference";

describe("the reference loader", () => {
  it("turns the generator's NaN and Infinity strings back into numbers, at any depth", () => {
    expect(decodeNonFinite({ loss: "NaN", grad: [["Infinity", 1], ["-Infinity", "x"]] })).toEqual({
      loss: NaN,
      grad: [[Infinity, 1], [-Infinity, "x"]],
    });
  });

  it("refuses a file of another format, saying how to regenerate it", () => {
    const file = join(mkdtempSync(join(tmpdir(), "reference-")), "old.json");
    writeFileSync(file, JSON.stringify({ format: "cross-entropy-reference/0", cases: [] }));
    expect(() => loadReference(file)).toThrow(/has format "cross-entropy-reference\/0" but this code reads "cross-entropy-reference\/1": regenerate it with "npm run reference"/);
  });

  it("reads the committed file, whose cases carry non-finite values decoded", () => {
    const reference = loadReference();
    expect(reference.format).toBe(REFERENCE_FORMAT);
    const allIgnoredMean = reference.cases.find((c) => c.options.reduction === "mean" && Number.isNaN(c.loss));
    expect(allIgnoredMean, "a case whose mean loss is NaN").toBeDefined();
  });
});

describe("dataFile", () => {
  it("finds a file in data/ whatever the working directory, and names a missing one", () => {
    expect(dataFile("iris.csv")).toBe(join(__dirname, "..", "data", "iris.csv"));
    expect(() => dataFile("nope.csv")).toThrow(/dataFile\("nope.csv"\): .*data\/nope.csv does not exist/);
  });
});
