import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crossEntropy, crossEntropyOfDistributions, entropy, klDivergence, loadInformationReference, softmax } from "../src";
import { expectAllClose } from "./helpers/allclose";

// float64 against float64 PyTorch: the sums run in another order, nothing else differs.
const FLOAT64 = { rtol: 1e-12, atol: 1e-15 };

describe("by hand", () => {
  it("entropy: a fair coin is log 2, a fair die log 6, a certain outcome 0", () => {
    expect(entropy([0.5, 0.5])).toBe(Math.log(2)); // −2 · ½ log ½ = log 2
    expect(entropy([1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6])).toBeCloseTo(Math.log(6), 15);
    expect(entropy([0, 1, 0])).toBe(0); // 0 · log 0 = 0, not NaN
  });

  it("entropy of [0.7, 0.2, 0.1], term by term", () => {
    const terms = -(0.7 * Math.log(0.7)) - 0.2 * Math.log(0.2) - 0.1 * Math.log(0.1); // 0.2497 + 0.3219 + 0.2303
    expect(entropy([0.7, 0.2, 0.1])).toBeCloseTo(terms, 15);
    expect(entropy([0.7, 0.2, 0.1])).toBeCloseTo(0.8018185525433373, 15);
  });

  it("cross-entropy with a one-hot q is −log p[target], the loss of notebook 3", () => {
    expect(crossEntropyOfDistributions([0, 1], [0.2, 0.8])).toBe(-Math.log(0.8));
    const logits = [[2, 1, 0.1], [0.5, 2.5, 0.3]];
    const oneHot = [[1, 0, 0], [0, 1, 0]];
    expectAllClose(crossEntropyOfDistributions(oneHot, softmax(logits)), crossEntropy(logits, [0, 1], { reduction: "none" }), FLOAT64, "H(onehot, p)");
  });

  it("KL of two coins: ½ log(½ / 0.9) + ½ log(½ / 0.1)", () => {
    const byHand = 0.5 * Math.log(0.5 / 0.9) + 0.5 * Math.log(0.5 / 0.1); // = ½ log(25 / 9) = 0.5108
    expect(klDivergence([0.5, 0.5], [0.9, 0.1])).toBeCloseTo(byHand, 15);
    expect(klDivergence([0.9, 0.1], [0.5, 0.5])).toBeCloseTo(0.9 * Math.log(1.8) + 0.1 * Math.log(0.2), 15); // not symmetric
  });

  it("a class p rules out but q does not costs Infinity; one both rule out costs 0", () => {
    expect(klDivergence([0.5, 0.5], [1, 0])).toBe(Infinity);
    expect(crossEntropyOfDistributions([0.5, 0.5], [1, 0])).toBe(Infinity);
    expect(klDivergence([0.5, 0.5, 0], [0.5, 0.5, 0])).toBe(0);
    expect(crossEntropyOfDistributions([0.5, 0.5, 0], [0.5, 0.5, 0])).toBe(Math.log(2));
  });

  it("batches give one value per row; one row gives a number", () => {
    expect(entropy([[0.5, 0.5], [1, 0]])).toEqual([Math.log(2), 0]);
    expect(klDivergence([[0.5, 0.5]], [[0.5, 0.5]])).toEqual([0]);
  });
});

describe("properties", () => {
  const distribution = (c: number) =>
    fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: c, maxLength: c }).map((x) => softmax(x));
  const pair = fc.integer({ min: 1, max: 12 }).chain((c) => fc.tuple(distribution(c), distribution(c)));

  it("H(q, p) = H(q) + KL(q‖p) ≥ H(q), and KL(q‖q) = 0", () => {
    fc.assert(
      fc.property(pair, ([q, p]) => {
        const h = entropy(q);
        const ce = crossEntropyOfDistributions(q, p);
        const kl = klDivergence(q, p);
        if (!Number.isFinite(ce)) return;
        expect(Math.abs(ce - (h + kl))).toBeLessThanOrEqual(1e-12 * Math.max(1, ce));
        expect(kl).toBeGreaterThanOrEqual(-1e-15);
        expect(Math.abs(klDivergence(q, q))).toBeLessThanOrEqual(1e-15);
      }),
    );
  });

  it("0 ≤ H(q) ≤ log C, with log C for the uniform distribution", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }).chain(distribution), (q) => {
        expect(entropy(q)).toBeGreaterThanOrEqual(0);
        expect(entropy(q)).toBeLessThanOrEqual(Math.log(q.length) + 1e-12);
      }),
    );
    for (const c of [1, 2, 10, 27]) expect(entropy(Array.from({ length: c }, () => 1 / c))).toBeCloseTo(Math.log(c), 14);
  });

  it("crossEntropy with probability targets q and logits log p is H(q, p)", () => {
    fc.assert(
      fc.property(pair, ([q, p]) => {
        if (p.some((pc) => pc === 0)) return;
        const logits = p.map(Math.log);
        expect(crossEntropy([logits], [q])).toBeCloseTo(crossEntropyOfDistributions(q, p), 12);
      }),
    );
  });
});

describe("against PyTorch (data/reference/information.json)", () => {
  const reference = loadInformationReference();

  it("reads float64 cases written by the generator", () => {
    expect(reference.dtype).toBe("float64");
    expect(reference.cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(reference.cases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    // Categorical clamps probabilities to [eps, 1 − eps] before the log, so a certain class
    // has entropy 2.2e-16 there and 0 here: atol 1e-15 covers it.
    expectAllClose(entropy(c.q), c.entropyQ, FLOAT64, "entropy(q)");
    expectAllClose(entropy(c.p), c.entropyP, FLOAT64, "entropy(p)");
    // Where q and p are both 0 in one class PyTorch computes 0 · −Infinity = NaN; the
    // convention 0 · log 0 = 0 gives a number. Those rows are compared with the sum over q > 0.
    const nanRows = c.klQP.flatMap((v, n) => (Number.isNaN(v) ? [n] : []));
    const expectedCe = c.crossEntropy.map((v, n) => (nanRows.includes(n) ? sumWhereQ(c.q[n], (qc, k) => -qc * Math.log(c.p[n][k])) : v));
    const expectedKl = c.klQP.map((v, n) => (nanRows.includes(n) ? sumWhereQ(c.q[n], (qc, k) => qc * Math.log(qc / c.p[n][k])) : v));
    expectAllClose(crossEntropyOfDistributions(c.q, c.p), expectedCe, FLOAT64, "H(q, p)");
    expectAllClose(klDivergence(c.q, c.p), expectedKl, FLOAT64, "KL(q‖p)");
    const reverseNan = c.klPQ.flatMap((v, n) => (Number.isNaN(v) ? [n] : []));
    const expectedReverse = c.klPQ.map((v, n) => (reverseNan.includes(n) ? sumWhereQ(c.p[n], (pc, k) => pc * Math.log(pc / c.q[n][k])) : v));
    expectAllClose(klDivergence(c.p, c.q), expectedReverse, FLOAT64, "KL(p‖q)");
  });

  it("holds the rows where PyTorch gives NaN and the convention gives a number", () => {
    const shared = reference.cases.find((c) => c.name.startsWith("q and p share a zero"))!;
    expect(shared.klQP.every(Number.isNaN)).toBe(true);
    expect(klDivergence(shared.q, shared.p).every(Number.isFinite)).toBe(true);
  });
});

describe("bad input is named: argument, position, value", () => {
  it.each<[string, () => unknown, RegExp]>([
    ["a negative probability", () => entropy([0.5, -0.1, 0.6]), /^probabilities\[1\] = -0\.1 is not a probability: expected a number in \[0, 1\]$/],
    ["NaN", () => entropy([[0.5, 0.5], [NaN, 1]]), /^probabilities\[1\]\[0\] = NaN is not a probability/],
    ["a row that does not sum to 1", () => entropy([[0.5, 0.5], [0.33, 0.33, 0.33]].slice(1)), /^probabilities\[0\] sums to 0\.99, not 1/],
    ["a single row that does not sum to 1", () => klDivergence([0.5, 0.7], [0.5, 0.5]), /^q sums to 1\.2, not 1: a distribution's probabilities must add up to 1 \(within 1e-6\)$/],
    ["p out of range", () => klDivergence([0.5, 0.5], [2, -1]), /^p\[0\] = 2 is not a probability/],
    ["shapes differ", () => crossEntropyOfDistributions([0.5, 0.5], [0.2, 0.3, 0.5]), /^q has shape \[2\] but p has shape \[3\]: expected the same shape/],
    ["three dimensions", () => entropy([[[1]]] as unknown as number[]), /^probabilities has shape \[1, 1, 1\]: expected one distribution \(C\)/],
    ["no classes", () => entropy([]), /^probabilities has shape \[0\]: a distribution needs at least one class/],
    ["ragged rows", () => entropy([[1], [0.5, 0.5]]), /^probabilities\[1\] has length 2 but probabilities\[0\] has length 1/],
  ])("%s", (_, call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });

  it("a string is a TypeError naming its position", () => {
    expect(() => entropy([0.5, "0.5"] as unknown as number[])).toThrow(TypeError);
    expect(() => entropy([0.5, "0.5"] as unknown as number[])).toThrow(/^probabilities\[1\] = "0\.5" is not a number$/);
  });
});

function sumWhereQ(q: number[], term: (qc: number, c: number) => number): number {
  return q.reduce((sum, qc, c) => (qc === 0 ? sum : sum + term(qc, c)), 0);
}
