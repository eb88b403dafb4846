/**
 * Seeded randomness for the course: the same numbers on every machine and every run, so
 * the prose, the tests and a learner's screen agree.
 *
 * mulberry32 (Tommy Ettinger's 32-bit generator): uniform numbers in [0, 1), 2^32 of them
 * before the stream repeats. Box–Muller turns two of them into one standard normal number.
 *
 * @example const random = mulberry32(42); random(); // 0.6011037519201636
 * Used in notebooks/05-reductions-and-class-weights.ipynb, 09-training-a-classifier.ipynb and later ones.
 */
export function mulberry32(seed: number): () => number {
  if (!Number.isInteger(seed)) throw new TypeError(`seed = ${String(seed)} must be an integer`);
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A standard normal number (mean 0, variance 1) from two uniform ones: Box–Muller,
 * sqrt(-2 log(1 - u1)) * cos(2π u2). `1 - u1` lies in (0, 1], so the log is finite.
 *
 * @example gaussian(mulberry32(7)) // one draw from N(0, 1)
 */
export function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** `length` standard normal numbers from one seeded stream, like torch.randn(length). */
export function randomNormals(length: number, seed: number): number[] {
  const random = mulberry32(seed);
  return Array.from({ length }, () => gaussian(random));
}

/**
 * A seeded Fisher–Yates shuffle of 0, 1, ..., n - 1: every order equally likely.
 *
 * @example shuffledIndices(5, 1) // a permutation of [0, 1, 2, 3, 4], the same every run
 */
export function shuffledIndices(n: number, seed: number): number[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n = ${String(n)} must be a whole number >= 0`);
  const random = mulberry32(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
