import { describe } from "../inputs/describe";

/*
 * The units of a loss. The natural log (PyTorch's, and this module's) gives nats; log base 2
 * gives bits; the base only scales the number, by ln 2 = 0.693. Perplexity turns a mean loss
 * back into a count of equally likely choices.
 */

/**
 * A loss (or entropy, or KL divergence) in nats, converted to bits.
 *
 * number -> number. bits = nats / ln 2
 *
 * @example natsToBits(Math.log(2)) // 1 (chance between two classes is one bit)
 * Taught in notebooks/03-negative-log-likelihood.ipynb and 04-why-cross-entropy.ipynb.
 */
export function natsToBits(nats: number): number {
  checkAmount(nats, "nats", "nats");
  return nats / Math.LN2;
}

/**
 * A loss in bits, converted to nats.
 *
 * number -> number. nats = bits · ln 2
 *
 * @example bitsToNats(1) // 0.6931471805599453
 * Taught in notebooks/04-why-cross-entropy.ipynb.
 */
export function bitsToNats(bits: number): number {
  checkAmount(bits, "bits", "bits");
  return bits * Math.LN2;
}

/**
 * Perplexity: the mean loss turned back into a number of equally likely choices. A model
 * with perplexity k is, on average, as unsure as a fair k-sided die; a uniform guess over C
 * classes has loss log C and perplexity C.
 *
 * loss in nats (a mean over samples, >= 0) -> number >= 1. perplexity = e^loss (= 2^bits)
 * For a text, average the per-token losses first: e^mean, not the mean of the e^loss.
 *
 * @example perplexity(Math.log(27)) // 27.000000000000004 (27 equally likely characters)
 * @throws RangeError when the loss is negative or NaN: a mean −log p is never below 0.
 * Taught in notebooks/04-why-cross-entropy.ipynb.
 */
export function perplexity(loss: number): number {
  checkAmount(loss, "loss", "nats");
  if (loss < 0) {
    throw new RangeError(`loss = ${loss} is negative: a cross-entropy loss in nats is at least 0 (−log p with p ≤ 1)`);
  }
  return Math.exp(loss);
}

function checkAmount(value: unknown, name: string, unit: string): void {
  if (typeof value !== "number") throw new TypeError(`${name} is ${describe(value)}: expected a number (an amount in ${unit})`);
  if (Number.isNaN(value)) throw new RangeError(`${name} = NaN: expected an amount in ${unit}, a number`);
}
