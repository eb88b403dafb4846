/*
 * Half precision, as mixed-precision training stores logits: float16 (IEEE binary16: 10
 * mantissa bits, largest 65504) and bfloat16 (float32's exponent, 7 mantissa bits). Node 20 has
 * Math.fround for float32 but nothing for these, so each value is rounded here by hand.
 */

interface HalfFormat {
  /** Bits after the binary point of a normal number's mantissa. */
  mantissaBits: number;
  /** The exponent of the smallest normal number; below it the spacing stays 2^(minExponent − mantissaBits). */
  minExponent: number;
  largest: number;
}

const FLOAT16: HalfFormat = { mantissaBits: 10, minExponent: -14, largest: 65504 };
const BFLOAT16: HalfFormat = { mantissaBits: 7, minExponent: -126, largest: (2 - 2 ** -7) * 2 ** 127 };

function roundTo(x: number, format: HalfFormat): number {
  // Through float32 first, as PyTorch converts a double: c10::Half is built from a float.
  const f = Math.fround(x);
  if (!Number.isFinite(f) || f === 0) return f;
  const a = Math.abs(f);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e -= 1;
  if (2 ** (e + 1) <= a) e += 1;
  const spacing = 2 ** (Math.max(e, format.minExponent) - format.mantissaBits);
  const steps = a / spacing;
  const whole = Math.floor(steps);
  const rest = steps - whole;
  // Round half to even, as the hardware does.
  const rounded = (rest > 0.5 || (rest === 0.5 && whole % 2 === 1) ? whole + 1 : whole) * spacing;
  const magnitude = rounded > format.largest ? Infinity : rounded;
  return f < 0 ? -magnitude : magnitude;
}

/**
 * The float16 value nearest to x (ties to even), as `torch.tensor(x).to(torch.float16)`.
 *
 * number -> number. Above 65504 (from 65520 on) it is Infinity; below 2^−25 it is 0.
 *
 * @example toFloat16(0.1) // 0.0999755859375
 * @example toFloat16(Math.exp(11.1)) // Infinity (e^11.09 is already past 65504)
 * @see https://pytorch.org/docs/stable/tensor_attributes.html#torch.dtype
 * Taught in notebooks/A1-side-by-side-with-pytorch.ipynb.
 */
export function toFloat16(x: number): number {
  return roundTo(x, FLOAT16);
}

/**
 * The bfloat16 value nearest to x (ties to even), as `torch.tensor(x).to(torch.bfloat16)`.
 *
 * number -> number. float32's range (largest about 3.39e38) with 8 significant bits: 257 is 256.
 *
 * @example toBfloat16(257) // 256
 * @see https://pytorch.org/docs/stable/tensor_attributes.html#torch.dtype
 * Taught in notebooks/A1-side-by-side-with-pytorch.ipynb.
 */
export function toBfloat16(x: number): number {
  return roundTo(x, BFLOAT16);
}
