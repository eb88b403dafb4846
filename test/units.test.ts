import { describe, expect, it } from "vitest";
import { bitsToNats, crossEntropy, natsToBits, perplexity } from "../src";

describe("nats and bits", () => {
  it("one nat is 1 / ln 2 = 1.4427 bits; log 2 nats is one bit", () => {
    expect(natsToBits(1)).toBe(1 / Math.LN2);
    expect(natsToBits(Math.log(2))).toBe(1);
    expect(bitsToNats(1)).toBe(Math.LN2);
  });

  it("converting there and back changes nothing (to rounding)", () => {
    for (const nats of [0, 1e-300, 0.3, 2.1, 40, 1e300, Infinity]) {
      const back = bitsToNats(natsToBits(nats));
      expect(back === nats || Math.abs(back - nats) <= 1e-15 * nats).toBe(true);
    }
  });

  it("the same loss in bits is the loss computed with log2", () => {
    const p = [0.2, 0.8];
    expect(natsToBits(-Math.log(p[1]))).toBeCloseTo(-Math.log2(p[1]), 15);
  });
});

describe("perplexity", () => {
  it("is e^loss: 1 for a perfect model, C for a uniform guess over C classes", () => {
    expect(perplexity(0)).toBe(1);
    expect(perplexity(2.1)).toBe(Math.exp(2.1)); // 8.166
    for (const c of [2, 6, 10, 27]) {
      const uniformLoss = crossEntropy([Array.from({ length: c }, () => 0)], [0]); // log C
      expect(perplexity(uniformLoss)).toBeCloseTo(c, 12);
    }
  });

  it("equals 2^bits for the same loss in bits", () => {
    expect(perplexity(2.1)).toBeCloseTo(2 ** natsToBits(2.1), 13);
  });

  it("an infinite loss has infinite perplexity", () => {
    expect(perplexity(Infinity)).toBe(Infinity);
  });
});

describe("bad input is named", () => {
  it.each<[string, () => unknown, ErrorConstructor, RegExp]>([
    ["a negative loss", () => perplexity(-0.5), RangeError, /^loss = -0\.5 is negative: a cross-entropy loss in nats is at least 0/],
    ["a NaN loss", () => perplexity(NaN), RangeError, /^loss = NaN: expected an amount in nats/],
    ["a string loss", () => perplexity("2.1" as unknown as number), TypeError, /^loss is "2\.1": expected a number \(an amount in nats\)$/],
    ["an array", () => natsToBits([1] as unknown as number), TypeError, /^nats is an array of length 1: expected a number/],
    ["NaN bits", () => bitsToNats(NaN), RangeError, /^bits = NaN: expected an amount in bits/],
  ])("%s", (_, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
