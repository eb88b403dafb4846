// The shipped digits file: the UCI set as scikit-learn ships it, read with clear errors.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDigits, pixelFeatures } from "../src/course/digits";

describe("loadDigits", () => {
  const digits = loadDigits();

  it("reads 1,797 images of 8 × 8 whole-number pixels 0–16 and a digit 0–9 each", () => {
    expect(digits.images).toHaveLength(1797);
    expect(digits.labels).toHaveLength(1797);
    for (const image of digits.images) {
      expect(image).toHaveLength(64);
      for (const v of image) expect(Number.isInteger(v) && v >= 0 && v <= 16).toBe(true);
    }
  });

  it("has every digit between 174 and 183 times (data/digits.md), and the first image is a 0", () => {
    const counts = Array.from({ length: 10 }, (_, d) => digits.labels.filter((y) => y === d).length);
    expect(Math.min(...counts)).toBe(174);
    expect(Math.max(...counts)).toBe(183);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1797);
    expect(digits.labels[0]).toBe(0);
    // scikit-learn's digits.images[0][0] is [0, 0, 5, 13, 9, 1, 0, 0]: the top of a zero.
    expect(digits.images[0].slice(0, 8)).toEqual([0, 0, 5, 13, 9, 1, 0, 0]);
  });

  it("names the line and the column of a bad value", () => {
    const dir = mkdtempSync(join(tmpdir(), "digits-"));
    const header = [...Array.from({ length: 64 }, (_, i) => `pixel_${Math.floor(i / 8)}_${i % 8}`), "digit"].join(",");
    const row = (pixel: string, digit = "3") => [pixel, ...new Array(63).fill("0"), digit].join(",");
    const file = join(dir, "bad.csv");
    writeFileSync(file, `${header}\n${row("0")}\n${row("17")}\n`);
    expect(() => loadDigits(file)).toThrow(/line 3, column pixel_0_0 = 17: expected a whole number in \[0, 16\]/);
    writeFileSync(file, `${header}\n${row("0", "10")}\n`);
    expect(() => loadDigits(file)).toThrow(/line 2, column digit = 10: expected a whole number in \[0, 9\]/);
  });
});

describe("pixelFeatures", () => {
  it("divides by 16: 0 → 0, 8 → 0.5, 16 → 1", () => {
    expect(pixelFeatures([[0, 8, 16], [4, 12, 2]])).toEqual([[0, 0.5, 1], [0.25, 0.75, 0.125]]);
  });
});
