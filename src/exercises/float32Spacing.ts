/**
 * The float32 spacing exercise: fn(x: number) => number, the gap between the float32 number
 * nearest x and the next float32 above it in magnitude (one "ulp"), which sets how far apart a
 * float64 and a float32 computation can land. Taught in notebooks/A1-side-by-side-with-pytorch.ipynb.
 */
import type { Exercise } from "./types";

/**
 * The distance from |fround(x)| to the next float32 up, read off the bits: adding 1 to a
 * float32's bit pattern gives the next float32 (for finite, non-negative values).
 *
 * @example float32Spacing(1) // 2 ** -23 = 1.1920928955078125e-7
 * @example float32Spacing(0) // 2 ** -149, the smallest subnormal
 */
export function float32Spacing(x: number): number {
  const here = new Float32Array([Math.abs(x)]);
  const bits = new Uint32Array(here.buffer);
  const value = here[0];
  bits[0] += 1;
  return here[0] - value;
}

/** 2^(floor(log2 |x|) − mantissaBits): the textbook formula for a normal number. */
const powerOfTwoSpacing = (x: number, mantissaBits: number, round = Math.floor): number =>
  2 ** (round(Math.log2(Math.abs(x))) - mantissaBits);
/** The same, never below `floor`: the subnormals handled, the other mistake kept. */
const withFloor = (value: number, floor: number): number => Math.max(value, floor);

const HALF =
  "That is half the spacing, the largest rounding error (2^-24 next to 1). The spacing itself, from one " +
  "float32 to the next, is twice that: 2^(floor(log2 |x|) − 23).";
const ROUNDED =
  "Use Math.floor(Math.log2(|x|)), not Math.round: every number in [1, 2), 1.7 included, has the spacing of 1, " +
  "2^-23; rounding log2(1.7) up gives the spacing of 2.";

export const float32SpacingExercise: Exercise<[x: number]> = {
  name: "float32Spacing",
  signature: "fn(x: number) => number",
  argNames: ["x"],
  cases: [
    { name: "1", args: [1] },
    { name: "1.7 (closer to 2 than to 1)", args: [1.7] },
    { name: "0.5", args: [0.5] },
    { name: "1000", args: [1000] },
    { name: "0.001", args: [0.001] },
    { name: "a negative number: -3", args: [-3] },
    { name: "2^24 = 16777216", args: [16777216] },
    { name: "0", args: [0] },
    { name: "a subnormal: 1e-40", args: [1e-40] },
  ],
  expected: (x) => float32Spacing(x),
  // Every answer is a power of two from 2^-149 to 2: only a relative tolerance can tell them apart.
  tolerance: { rtol: 1e-6, atol: 0 },
  mistakes: [
    {
      name: "machine epsilon everywhere",
      output: () => 2 ** -23,
      hint:
        "2^-23 is the spacing next to 1 only. Float32 numbers are spaced in proportion to their size: between 2^e " +
        "and 2^(e+1) they are 2^(e − 23) apart, so scale by the power of two below |x|.",
    },
    {
      name: "float64's spacing",
      output: ([x]) => powerOfTwoSpacing(x, 52),
      hint: "That is float64's spacing (52 fraction bits). Float32 keeps 23 fraction bits: 2^(floor(log2 |x|) − 23).",
    },
    { name: "half the spacing", output: ([x]) => powerOfTwoSpacing(x, 24), hint: HALF },
    { name: "half the spacing, subnormals halved too", output: ([x]) => withFloor(powerOfTwoSpacing(x, 24), 2 ** -150), hint: HALF },
    { name: "log2 rounded instead of floored", output: ([x]) => powerOfTwoSpacing(x, 23, Math.round), hint: ROUNDED },
    {
      name: "log2 rounded, subnormals right",
      output: ([x]) => withFloor(powerOfTwoSpacing(x, 23, Math.round), 2 ** -149),
      hint: ROUNDED,
    },
    {
      name: "no subnormals",
      output: ([x]) => powerOfTwoSpacing(x, 23),
      hint:
        "Below 2^-126, the smallest normal float32, the exponent stops shrinking: the subnormal numbers, and 0, " +
        "are evenly spaced 2^-149 apart. Take the largest of 2^(floor(log2 |x|) − 23) and 2^-149.",
    },
  ],
};
