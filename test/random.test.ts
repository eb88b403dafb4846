// The course's one seeded generator: fixed streams, the right distributions, clear errors.
import { describe, expect, it } from "vitest";
import { gaussian, mulberry32, randomNormals, shuffledIndices } from "../src/course/random";

describe("mulberry32", () => {
  it("reproduces the reference stream, computed here with the published algorithm in BigInt arithmetic", () => {
    // The algorithm written out with explicit 32-bit masks, independent of Math.imul and >>>.
    const M = (1n << 32n) - 1n;
    const mul = (x: bigint, y: bigint) => (x * y) & M;
    let a = 42n;
    const reference = () => {
      a = (a + 0x6d2b79f5n) & M;
      let t = mul(a ^ (a >> 15n), 1n | a);
      t = ((t + mul(t ^ (t >> 7n), 61n | t)) & M) ^ t;
      return Number((t ^ (t >> 14n)) & M) / 2 ** 32;
    };
    const random = mulberry32(42);
    for (let i = 0; i < 1000; i++) expect(random()).toBe(reference());
  });

  it("gives numbers in [0, 1) with mean 1/2 and variance 1/12 (within 4 standard errors over 1e5 draws)", () => {
    const random = mulberry32(1);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const u = random();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
      sumSq += u * u;
    }
    const mean = sum / n;
    const variance = sumSq / n - mean * mean;
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
  });

  it("is the same stream for the same seed and another for another seed", () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    expect([c(), c(), c()]).not.toEqual(xs);
  });

  it("rejects a seed that is not an integer, naming it", () => {
    expect(() => mulberry32(1.5)).toThrow("seed = 1.5 must be an integer");
    expect(() => mulberry32(Number.NaN)).toThrow("seed = NaN");
  });
});

describe("gaussian and randomNormals", () => {
  it("has mean 0 and variance 1 (within 4 standard errors over 1e5 draws)", () => {
    const n = 100_000;
    const xs = randomNormals(n, 3);
    const mean = xs.reduce((s, x) => s + x, 0) / n;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    expect(xs.every(Number.isFinite)).toBe(true);
  });

  it("is Box–Muller on two consecutive uniforms", () => {
    const uniforms = mulberry32(5);
    const u1 = uniforms();
    const u2 = uniforms();
    expect(gaussian(mulberry32(5))).toBe(Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2));
    expect(randomNormals(1, 5)[0]).toBe(gaussian(mulberry32(5)));
  });
});

describe("shuffledIndices", () => {
  it("is a permutation, the same for the same seed", () => {
    const order = shuffledIndices(100, 9);
    expect([...order].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(shuffledIndices(100, 9)).toEqual(order);
    expect(shuffledIndices(100, 10)).not.toEqual(order);
  });

  it("puts each of 3 items first about a third of the time (3000 seeds, within 5 standard errors)", () => {
    const firsts = [0, 0, 0];
    for (let seed = 0; seed < 3000; seed++) firsts[shuffledIndices(3, seed)[0]]++;
    for (const count of firsts) expect(Math.abs(count - 1000)).toBeLessThan(5 * Math.sqrt(3000 * (1 / 3) * (2 / 3)));
  });

  it("handles 0 and 1 items, and rejects a bad n", () => {
    expect(shuffledIndices(0, 1)).toEqual([]);
    expect(shuffledIndices(1, 1)).toEqual([0]);
    expect(() => shuffledIndices(-1, 1)).toThrow("n = -1");
    expect(() => shuffledIndices(2.5, 1)).toThrow("n = 2.5");
  });
});
