/**
 * exp(d) for d <= 0 on a whole vector, without calling Math.exp per element.
 *
 * exp(d) = 2^n · exp(r),  n = round(d / ln 2),  r = d - n·ln 2 in [-ln2/2, ln2/2]
 * exp(r) from a polynomial; 2^n put into the float's exponent bits.
 *
 * float32 comes in three forms (ExpForm, named as XNNPACK names the variants of its softmax
 * kernels, src/f32-raddstoreexpminusmax: the reduction in 2 steps or 1, the polynomial's degree):
 * - "rr2-p6", linearCrossEntropyFlat's (matmul.ts, softmaxF32.ts): exp(r) = 1 + r + r²·P(r),
 *   P of degree 4 (4 multiply-adds), degree 6 in all, one degree below Cephes' expf, whose
 *   extra term changed nothing float32 can hold. P is a minimax fit (weighted least squares,
 *   Lawson's iteration) of (exp(r) - 1 - r)/r² on [-ln2/2, ln2/2] for the relative error of
 *   exp: truncation error 3.1e-9, 3.8e-9 with the coefficients rounded to float32. Max relative error 8.05e-8 (1.35 ulp of
 *   float32, the rounding of the last additions) over d in [-86, 0]; 8.06e-8 with the relaxed
 *   build's fused multiply-adds.
 * - "rr2-p5", crossEntropyFlat's exact kernel (Lanes.expForm): the same form with P of degree 3
 *   (minimax as above: truncation 1.06e-7 in float32), not XNNPACK's rr2-p5, which scales as
 *   rr1-p5 below does. Max relative error 1.79e-7 (1.5 ulp) over [-86, 0], 1.77e-7 over [-15, 0].
 * - "rr1-p5", crossEntropyFlat's relaxed kernel, XNNPACK's form: s + (r·s)·P(r) with s = 2^n
 *   as a float, P of degree 4 with its constant term free (a minimax fit of (exp(r) - 1)/r:
 *   truncation 9.5e-8 in float32),
 *   so that scaling by 2^n is the last fused multiply-add, not an integer add after it; and
 *   r = d - n·ln 2 in one step, with ln 2 as one float32, which a fused multiply-add makes
 *   enough (the constant's own error, 1.9e-9, times |n|; unfused, n·ln 2's rounding would add
 *   6e-8·|d|). Max relative error 1.87e-7 over d in [-15, 0], 3.76e-7 over [-85, 0], its
 *   clamp (at d = -84.96, where exp(d) = 1.3e-37, nothing beside a row's sum of at least 1).
 *   The "p5" forms take 20 instructions a vector instead of 22 in the exact build (a
 *   multiply-add fewer) and 11 instead of 14 in the relaxed one (a multiply-add, the
 *   reduction's second step and the integer add fewer): the README's benchmark notes give
 *   crossEntropyFlat's speed before and after, on the AMD EPYC. A row's sum of exps
 *   carries the largest relative error of its terms, so the loss stays within the 1e-6 the
 *   float32 tests hold it to (test/crossEntropyFlat.test.ts explains the bound).
 * All measured against Math.exp of the same float32 d, at 200,001 points
 * (test/crossEntropyFlat.test.ts, test/features.test.ts).
 * - f64x2 (float64 logits, and the f64 rescale factor of both kernels): the Taylor
 *   polynomial of degree 12, whose truncation error (ln2/2)^13/13! = 1.6e-16 is below one
 *   ulp; measured max relative error 3.2e-16 over d in [-708, 0].
 *
 * The rounding n = round(t) is the "magic number" trick: t + 1.5·2^23 (f32) or 1.5·2^52
 * (f64) leaves n in the low mantissa bits, so shifting that sum's bits left by 23 (52) gives
 * n already in the exponent field: no float-to-int conversion, which wasm SIMD lacks for
 * f64x2 and which V8 lowers to a long sequence for f32x4. "rr1-p5" adds 127 to the magic
 * number, so the shifted bits are 2^n itself, a float to multiply by.
 *
 * d is clamped below at -86 (f32) or -708 (f64) so 2^n stays a normal float: exp of a
 * smaller d is returned as about 4e-38 (1e-307) instead of a denormal or 0, an absolute
 * difference no loss or gradient can see. "rr1-p5" clamps at -85 instead (1.2e-37): it
 * multiplies r by s = 2^n as floats, and at -86 (n = -124, r = -0.0497) that product is
 * 2^-128.3, a subnormal float32, which Intel cores compute in a microcode assist. Every short
 * row with a target met the clamp at least once (shortRow.ts left the target out as
 * -Infinity; a row within unclampedSpread of its max now gets M - 80 there instead, and no
 * clamp), so the assist was a fixed cost per row: on the
 * 2-core Xeon, a float32 SIMD multiply with a subnormal result took 43 ns against 0.7 with a
 * normal one (src/commands/bench/subnormal.ts), and under Node 24 the forward at (8192, 32)
 * took 5.2 ns a logit with the clamp at -86 and 2.0 at -85 (the AMD EPYC, where this form
 * was measured and kept, did not show it). At -85, n = -123 and r = 0.2571: r·s = 2^-124.96,
 * a normal float (test/features.test.ts redoes this arithmetic for each form's clamp).
 * The other forms scale by adding n to the exponent's bits: no float operation sees 2^n.
 * Rows holding -Infinity among their logits never reach this code (the kernel flags them and
 * the exact float64 reference takes the row).
 * d > 0 is not supported (it overflows the exponent field): the kernels only call it on
 * d = x - max(x) <= 0, apart from the target's lane, whose value is overwritten.
 * Cephes: S. L. Moshier, Cephes Math Library, single/expf.c (the form 1 + r + r²·P(r) and the split of ln 2).
 * XNNPACK: github.com/google/XNNPACK, src/f32-raddstoreexpminusmax (the names, and the rr1-p5 form).
 */
import { madd, nmadd, splat, type ExpForm } from "./lanes";


/** P's coefficients, highest power first: "rr2-p6", "rr2-p5", "rr1-p5" (its last the constant term). */
const EXPF_P = [1.3814511e-3, 8.368712e-3, 4.166839e-2, 1.6666521e-1, 4.9999994e-1];
const EXPF_P5 = [8.3125057e-3, 4.1890096e-2, 1.6667114e-1, 4.9999231e-1];
const EXPF_P5_SCALED = [8.2903029e-3, 4.1897915e-2, 1.6667636e-1, 4.9999151e-1, 9.999997e-1];
/** ln 2 in one float32, for "rr1-p5"'s one-step reduction. */
export const LN2_F32 = 0.6931472;

const L2E = 1.4426950408889634;
const F32_CONSTANTS = { clamp: -86, magic: 12582912, hi: 0.693359375, lo: -2.1219444e-4 };
/** "rr1-p5"'s clamp: r·2^n stays a normal float32 there (above). */
const RR1_CLAMP = -85;

/** Where the exp of `vec` in `form` clamps d (exp of a smaller d is exp of this). */
export function expClamp(vec: "f32x4" | "f64x2", form: ExpForm): number {
  if (vec === "f64x2") return F64_CONSTANTS.clamp;
  return form === "rr1-p5" ? RR1_CLAMP : F32_CONSTANTS.clamp;
}
/** "rr1-p5"'s magic number: 1.5·2^23 + 127, the float32 exponent's bias in its low bits. */
const MAGIC_BIASED = 12582912 + 127;
const F64_CONSTANTS = { clamp: -708, magic: 6755399441055744, hi: 6.93147180369123816490e-1, lo: 1.90821492927058770002e-10 };
const DEGREE = 12;
const inverseFactorial = (i: number): number => {
  let f = 1;
  for (let j = 2; j <= i; j++) f *= j;
  return 1 / f;
};

/** Every constant the exp of `vec` uses, once each. */
function expConstantValues(vec: "f32x4" | "f64x2", form: ExpForm): number[] {
  if (vec === "f64x2") {
    const k = F64_CONSTANTS;
    return [...new Set([k.clamp, L2E, k.magic, k.hi, k.lo, ...Array.from({ length: DEGREE + 1 }, (_, i) => inverseFactorial(DEGREE - i))])];
  }
  const k = F32_CONSTANTS;
  if (form === "rr1-p5") return [RR1_CLAMP, L2E, MAGIC_BIASED, LN2_F32, ...EXPF_P5_SCALED];
  return [...new Set([k.clamp, L2E, k.magic, k.hi, k.lo, ...(form === "rr2-p5" ? EXPF_P5 : EXPF_P), 1])];
}

/**
 * With `hoisted`, the exp reads its constants from locals set once at the function's start
 * (expSetup) instead of v128.const at each use: V8 12 and later (Node 22, 24) build each
 * v128.const in the loop from two 64-bit immediates (mov, vmovq, vpunpcklqdq: three
 * instructions a constant, 244 of each in shortRow), where a local stays in a register or is
 * one load from the stack. Node 20 loads them from memory in one instruction either way.
 */
function constant(vec: "f32x4" | "f64x2", value: number, hoisted: boolean, form: ExpForm): string {
  if (!hoisted) return splat(vec, value);
  const index = expConstantValues(vec, form).indexOf(value);
  if (index < 0) throw new Error(`exp.ts: constant ${value} is not among the hoisted ones of ${vec} ${form}`);
  return `(local.get $exp${index})`;
}

/**
 * What a function whose exps are `hoisted` appends to its local declarations: the constants'
 * locals, then (its first instructions) their values. Nothing when not hoisted.
 */
export function expSetup(vec: "f32x4" | "f64x2", hoisted: boolean, form: ExpForm): string {
  if (!hoisted) return "";
  const values = expConstantValues(vec, form);
  return ` ${values.map((_, i) => `(local $exp${i} v128)`).join(" ")}\n  ${values.map((v, i) => `(local.set $exp${i} ${splat(vec, v)})`).join("\n  ")}`;
}

/**
 * WAT that sets vector local `out` to exp of vector local `d` (clobbered); uses locals $k $kn $r.
 * `relaxed`: every multiply-add a relaxed_madd (lanes.ts), one rounding fewer in each (and
 * "rr1-p5" is only as accurate as documented with them fused: features.ts, hasFusedRelaxedSimd). float32 instructions a vector,
 * clamp and scaling included: "rr2-p6" 22 exact and 14 relaxed, "rr2-p5" 20 exact and 13
 * relaxed, "rr1-p5" relaxed 11. `form` only matters for float32 (`hoisted`: expSetup's
 * locals, which must be set up with the same form). `clamped` false leaves out the clamp (one
 * instruction fewer): only for a d known to be at least -unclampedSpread(vec) (below).
 */
export function expInstructions(vec: "f32x4" | "f64x2", d: string, out: string, relaxed: boolean, hoisted: boolean, form: ExpForm, clamped = true): string {
  if (vec === "f64x2") return expF64(d, out, relaxed, hoisted, clamped);
  return form === "rr1-p5" ? expF32Scaled(d, out, relaxed, hoisted, clamped) : expF32(d, out, relaxed, hoisted, form, clamped);
}

/**
 * How far below 0 a d may lie for the exp without its clamp: float32 80, float64 700. Without
 * it, the exp of d is exp(d) down to about -87.3 (float32) and -708.4 (float64), where 2^n
 * leaves the normal floats (and "rr1-p5"'s product r·2^n can be subnormal from -85 down, in
 * narrow bands from -74: above); these leave a margin for the rounding of d = x - M and of the
 * target's M - 80 (shortRow.ts). Short rows whose logits all lie within this of their max take
 * their sum pass without the clamp.
 */
export function unclampedSpread(vec: "f32x4" | "f64x2"): number {
  return vec === "f32x4" ? 80 : 700;
}

/** The clamp of d, or nothing when not `clamped`. */
function clampLine(vec: "f32x4" | "f64x2", d: string, clamp: string, clamped: boolean): string {
  return clamped ? `(local.set $${d} (${vec}.pmax (local.get $${d}) ${clamp}))\n` : "";
}

function reduce(vec: "f32x4" | "f64x2", relaxed: boolean, hoisted: boolean, d: string, form: ExpForm, clamped: boolean): string {
  const { clamp, magic, hi, lo } = vec === "f32x4" ? F32_CONSTANTS : F64_CONSTANTS;
  const c = (value: number): string => constant(vec, value, hoisted, form);
  const get = (name: string): string => `(local.get $${name})`;
  return `${clampLine(vec, d, c(clamp), clamped)}(local.set $k ${madd(vec, relaxed, get(d), c(L2E), c(magic))})
(local.set $kn (${vec}.sub (local.get $k) ${c(magic)}))
(local.set $r ${nmadd(vec, relaxed, get("kn"), c(lo), nmadd(vec, relaxed, get("kn"), c(hi), get(d)))})`;
}

function expF32(d: string, out: string, relaxed: boolean, hoisted: boolean, form: ExpForm, clamped: boolean): string {
  // Cody-Waite: ln 2 = 0.693359375 (9 significant bits, so n·hi is exact) - 2.12194440e-4.
  const c = (value: number): string => constant("f32x4", value, hoisted, form);
  const P = form === "rr2-p5" ? EXPF_P5 : EXPF_P;
  let text = reduce("f32x4", relaxed, hoisted, d, form, clamped);
  text += `\n(local.set $${out} ${c(P[0])})`;
  for (const p of P.slice(1)) {
    text += `\n(local.set $${out} ${madd("f32x4", relaxed, `(local.get $${out})`, "(local.get $r)", c(p))})`;
  }
  // exp(r) = 1 + r + r²·P(r), added in that order so the small terms are not lost.
  text += `\n(local.set $${out} (f32x4.add ${madd("f32x4", relaxed, `(f32x4.mul (local.get $${out}) (local.get $r))`, "(local.get $r)", "(local.get $r)")} ${c(1)}))`;
  text += `\n(local.set $${out} (i32x4.add (local.get $${out}) (i32x4.shl (local.get $k) (i32.const 23))))`;
  return text;
}

/** "rr1-p5": s = 2^n from the biased magic number, exp = s + (r·s)·P(r). */
function expF32Scaled(d: string, out: string, relaxed: boolean, hoisted: boolean, clamped: boolean): string {
  const c = (value: number): string => constant("f32x4", value, hoisted, "rr1-p5");
  const get = (name: string): string => `(local.get $${name})`;
  let text = `${clampLine("f32x4", d, c(RR1_CLAMP), clamped)}(local.set $k ${madd("f32x4", relaxed, get(d), c(L2E), c(MAGIC_BIASED))})
(local.set $kn (f32x4.sub ${get("k")} ${c(MAGIC_BIASED)}))
(local.set $r ${nmadd("f32x4", relaxed, get("kn"), c(LN2_F32), get(d))})
(local.set $k (i32x4.shl ${get("k")} (i32.const 23)))
(local.set $${out} ${c(EXPF_P5_SCALED[0])})`;
  for (const p of EXPF_P5_SCALED.slice(1)) text += `\n(local.set $${out} ${madd("f32x4", relaxed, get(out), get("r"), c(p))})`;
  return `${text}\n(local.set $${out} ${madd("f32x4", relaxed, `(f32x4.mul ${get("r")} ${get("k")})`, get(out), get("k"))})`;
}

function expF64(d: string, out: string, relaxed: boolean, hoisted: boolean, clamped: boolean): string {
  // fdlibm's split of ln 2: hi has 32 significant bits, so n·hi is exact for |n| < 2^20.
  const c = (value: number): string => constant("f64x2", value, hoisted, "rr2-p6");
  let text = reduce("f64x2", relaxed, hoisted, d, "rr2-p6", clamped);
  text += `\n(local.set $${out} ${c(inverseFactorial(DEGREE))})`;
  for (let i = DEGREE - 1; i >= 0; i--) {
    text += `\n(local.set $${out} ${madd("f64x2", relaxed, `(local.get $${out})`, "(local.get $r)", c(inverseFactorial(i)))})`;
  }
  text += `\n(local.set $${out} (i64x2.add (local.get $${out}) (i64x2.shl (local.get $k) (i32.const 52))))`;
  return text;
}
