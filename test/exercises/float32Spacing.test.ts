import { describe, expect, it } from "vitest";
import { exercises } from "../../src";
import { float32Spacing } from "../../src/exercises/float32Spacing";

const quiet = { quiet: true };

describe("float32Spacing: the gap to the next float32", () => {
  it("is 2^-23 at 1, so 1 + 2^-23 is a float32 and 1 + 2^-25 rounds back to 1", () => {
    expect(float32Spacing(1)).toBe(2 ** -23);
    expect(Math.fround(1 + 2 ** -23)).toBe(1 + 2 ** -23);
    expect(Math.fround(1 + 2 ** -25)).toBe(1);
  });

  it("doubles at each power of two, ignores the sign, and is 2^-149 among the subnormals", () => {
    expect(float32Spacing(1.7)).toBe(2 ** -23);
    expect(float32Spacing(2)).toBe(2 ** -22);
    expect(float32Spacing(-3)).toBe(2 ** -22);
    expect(float32Spacing(1000)).toBe(2 ** (9 - 23)); // 2^9 = 512 ≤ 1000 < 1024
    expect(float32Spacing(2 ** 24)).toBe(2);
    expect(float32Spacing(0)).toBe(2 ** -149);
    expect(float32Spacing(1e-40)).toBe(2 ** -149);
  });
});

describe("exercises.float32Spacing", () => {
  it("passes the textbook formula with the subnormal floor", () => {
    const good = (x: number) => Math.max(2 ** (Math.floor(Math.log2(Math.abs(x))) - 23), 2 ** -149);
    const result = exercises.float32Spacing(good, quiet);
    expect(result.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`)).toEqual([]);
  });

  it("tells 2^-149 from 2^-156: its tolerance is relative only", () => {
    const noFloor = (x: number) => 2 ** (Math.floor(Math.log2(Math.abs(x))) - 23);
    const result = exercises.float32Spacing(noFloor, quiet);
    expect(result.cases.filter((c) => !c.passed).map((c) => c.name)).toEqual(["0", "a subnormal: 1e-40"]);
    expect(result.hint).toContain("subnormal");
  });

  const e = (x: number, round = Math.floor) => round(Math.log2(Math.abs(x)));
  it.each<[string, (x: number) => number, string]>([
    ["float64's spacing", (x) => 2 ** (e(x) - 52), "float64's spacing"],
    ["half the spacing", (x) => 2 ** (e(x) - 24), "half the spacing"],
    ["half the spacing, with a floor of 2^-150", (x) => Math.max(2 ** (e(x) - 24), 2 ** -150), "half the spacing"],
    ["log2 rounded", (x) => 2 ** (e(x, Math.round) - 23), "Math.round"],
    ["log2 rounded, with the subnormal floor", (x) => Math.max(2 ** (e(x, Math.round) - 23), 2 ** -149), "Math.round"],
  ])("names %s", (_, fn, words) => {
    const result = exercises.float32Spacing(fn, quiet);
    expect(result.passed).toBe(false);
    expect(result.hint).toContain(words);
  });
});
