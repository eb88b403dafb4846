/**
 * exp(d) for d <= 0 on a whole vector, without calling Math.exp per element.
 *
 * exp(d) = 2^n · exp(r),  n = round(d / ln 2),  r = d - n·ln 2 in [-ln2/2, ln2/2]
 * exp(r) from a polynomial; 2^n added straight into the float's exponent bits.
 *
 * - f32x4 (float32 logits): exp(r) = 1 + r + r²·P(r), P of degree 4 (4 multiply-adds),
 *   evaluated in float32: degree 6 in all, one degree below Cephes' expf, whose extra term
 *   changed nothing float32 can hold. P's coefficients are a minimax fit (weighted least
 *   squares, Lawson's iteration) of (exp(r) - 1 - r)/r² on [-ln2/2, ln2/2] for the relative
 *   error of exp, rounded to float32: truncation error 3.1e-9. Max relative error 8.05e-8
 *   (1.35 ulp of float32, the rounding of the last additions) over d in [-86, 0], measured
 *   against Math.exp of the same float32 d (test/crossEntropyFlat.test.ts); 8.06e-8 with the
 *   relaxed build's fused multiply-adds (test/features.test.ts).
 * - f64x2 (float64 logits, and the f64 rescale factor of both kernels): the Taylor
 *   polynomial of degree 12, whose truncation error (ln2/2)^13/13! = 1.6e-16 is below one
 *   ulp; measured max relative error 3.2e-16 over d in [-708, 0].
 *
 * The rounding n = round(t) is the "magic number" trick: t + 1.5·2^23 (f32) or 1.5·2^52
 * (f64) leaves n in the low mantissa bits, so shifting that sum's bits left by 23 (52) gives
 * n already in the exponent field: no float-to-int conversion, which wasm SIMD lacks for
 * f64x2 and which V8 lowers to a long sequence for f32x4.
 *
 * d is clamped below at -86 (f32) or -708 (f64) so 2^n stays a normal float: exp of a
 * smaller d is returned as about 4e-38 (1e-307) instead of a denormal or 0, an absolute
 * difference no loss or gradient can see. Rows holding -Infinity never reach this code
 * (the kernel flags them and the exact float64 reference takes the row).
 * d > 0 is not supported (it overflows the exponent field): the kernels only call it on
 * d = x - max(x) <= 0, apart from the target's lane, whose value is overwritten.
 * Cephes: S. L. Moshier, Cephes Math Library, single/expf.c (the form 1 + r + r²·P(r) and the split of ln 2).
 */
import { madd, nmadd, splat } from "./lanes";

/** P's coefficients, highest power first. */
const EXPF_P = [1.3814511e-3, 8.368712e-3, 4.166839e-2, 1.6666521e-1, 4.9999994e-1];

const L2E = 1.4426950408889634;
const F32_CONSTANTS = { clamp: -86, magic: 12582912, hi: 0.693359375, lo: -2.1219444e-4 };
const F64_CONSTANTS = { clamp: -708, magic: 6755399441055744, hi: 6.93147180369123816490e-1, lo: 1.90821492927058770002e-10 };
const DEGREE = 12;
const inverseFactorial = (i: number): number => {
  let f = 1;
  for (let j = 2; j <= i; j++) f *= j;
  return 1 / f;
};

/** Every constant the exp of `vec` uses, once each. */
function expConstantValues(vec: "f32x4" | "f64x2"): number[] {
  const k = vec === "f32x4" ? F32_CONSTANTS : F64_CONSTANTS;
  const poly = vec === "f32x4" ? [...EXPF_P, 1] : Array.from({ length: DEGREE + 1 }, (_, i) => inverseFactorial(DEGREE - i));
  return [...new Set([k.clamp, L2E, k.magic, k.hi, k.lo, ...poly])];
}

/**
 * With `hoisted`, the exp reads its constants from locals set once at the function's start
 * (expSetup) instead of v128.const at each use: V8 12 and later (Node 22, 24) build each
 * v128.const in the loop from two 64-bit immediates (mov, vmovq, vpunpcklqdq: three
 * instructions a constant, 244 of each in shortRow), where a local stays in a register or is
 * one load from the stack. Node 20 loads them from memory in one instruction either way.
 */
function constant(vec: "f32x4" | "f64x2", value: number, hoisted: boolean): string {
  return hoisted ? `(local.get $exp${expConstantValues(vec).indexOf(value)})` : splat(vec, value);
}

/**
 * What a function whose exps are `hoisted` appends to its local declarations: the constants'
 * locals, then (its first instructions) their values. Nothing when not hoisted.
 */
export function expSetup(vec: "f32x4" | "f64x2", hoisted: boolean): string {
  if (!hoisted) return "";
  const values = expConstantValues(vec);
  return ` ${values.map((_, i) => `(local $exp${i} v128)`).join(" ")}\n  ${values.map((v, i) => `(local.set $exp${i} ${splat(vec, v)})`).join("\n  ")}`;
}

/**
 * WAT that sets vector local `out` to exp of vector local `d` (clobbered); uses locals $k $kn $r.
 * `relaxed`: every multiply-add a relaxed_madd (lanes.ts): float32, 14 instructions a vector
 * instead of 22 (clamp and scaling included), and one rounding fewer in each multiply-add.
 */
export function expInstructions(vec: "f32x4" | "f64x2", d: string, out: string, relaxed = false, hoisted = false): string {
  return vec === "f32x4" ? expF32(d, out, relaxed, hoisted) : expF64(d, out, relaxed, hoisted);
}

function reduce(vec: "f32x4" | "f64x2", relaxed: boolean, hoisted: boolean, d: string): string {
  const { clamp, magic, hi, lo } = vec === "f32x4" ? F32_CONSTANTS : F64_CONSTANTS;
  const c = (value: number): string => constant(vec, value, hoisted);
  const get = (name: string): string => `(local.get $${name})`;
  return `(local.set $${d} (${vec}.pmax (local.get $${d}) ${c(clamp)}))
(local.set $k ${madd(vec, relaxed, get(d), c(L2E), c(magic))})
(local.set $kn (${vec}.sub (local.get $k) ${c(magic)}))
(local.set $r ${nmadd(vec, relaxed, get("kn"), c(lo), nmadd(vec, relaxed, get("kn"), c(hi), get(d)))})`;
}

function expF32(d: string, out: string, relaxed: boolean, hoisted: boolean): string {
  // Cody-Waite: ln 2 = 0.693359375 (9 significant bits, so n·hi is exact) - 2.12194440e-4.
  const c = (value: number): string => constant("f32x4", value, hoisted);
  let text = reduce("f32x4", relaxed, hoisted, d);
  text += `\n(local.set $${out} ${c(EXPF_P[0])})`;
  for (const p of EXPF_P.slice(1)) {
    text += `\n(local.set $${out} ${madd("f32x4", relaxed, `(local.get $${out})`, "(local.get $r)", c(p))})`;
  }
  // exp(r) = 1 + r + r²·P(r), added in that order so the small terms are not lost.
  text += `\n(local.set $${out} (f32x4.add ${madd("f32x4", relaxed, `(f32x4.mul (local.get $${out}) (local.get $r))`, "(local.get $r)", "(local.get $r)")} ${c(1)}))`;
  text += `\n(local.set $${out} (i32x4.add (local.get $${out}) (i32x4.shl (local.get $k) (i32.const 23))))`;
  return text;
}

function expF64(d: string, out: string, relaxed: boolean, hoisted: boolean): string {
  // fdlibm's split of ln 2: hi has 32 significant bits, so n·hi is exact for |n| < 2^20.
  const c = (value: number): string => constant("f64x2", value, hoisted);
  let text = reduce("f64x2", relaxed, hoisted, d);
  text += `\n(local.set $${out} ${c(inverseFactorial(DEGREE))})`;
  for (let i = DEGREE - 1; i >= 0; i--) {
    text += `\n(local.set $${out} ${madd("f64x2", relaxed, `(local.get $${out})`, "(local.get $r)", c(inverseFactorial(i)))})`;
  }
  text += `\n(local.set $${out} (i64x2.add (local.get $${out}) (i64x2.shl (local.get $k) (i32.const 52))))`;
  return text;
}
