/**
 * The tile's softmax terms of linearCrossEntropyFlat for float32 logits, four a step (f32x4),
 * with exp.ts's float32 exp "rr2-p6" (max relative error 8.05e-8, 1.35 ulp): the same two functions as
 * matmul.ts's float64 ones, twice the lanes and a polynomial of degree 6 instead of 12
 * (measured at (1024, 256, 32000) on Node 24: 0.19 s of a 1.7 s call in float64).
 *
 *   stats(z, b, m, s, T, Cc)     for each row t < T of z (T × Cc, Cc a multiple of 4), with
 *     v[c] = z[t][c] + b[c] in float32, as PyTorch's addmm (b: Cc float32s, -Infinity on
 *     padding classes): the chunk's max M; if M > m[t], s[t] *= exp(m[t] - M) (float64) and
 *     m[t] = M; then s[t] += Σ_c exp(v[c] - m[t]), each exp in float32, summed in float64
 *     (a float32 sum of 500 terms could lose 3e-5 of it). A chunk whose max is ±Infinity makes
 *     m[t] and s[t] NaN for good; a NaN logit makes s[t] NaN for good (its exp is NaN).
 *   gradient(z, b, g, lse, k, T, Cc)   z[t][c] = g[c] - exp(v[c] - lse[t]) · k[t], in float32
 *     (g: Cc float32s). lse[t] (float64) is split into a float32 hi and the float32 rest lo,
 *     and v - lse taken as (v - hi) - lo: a float32 lse alone would be off by up to half an ulp
 *     of itself (5e-7 at lse = 10), which exp turns into a relative error of 5e-7 in every
 *     probability.
 * m, s, lse, k: T float64s each. Padding classes get exp(-86) (4e-38), not 0; the caller
 * zeroes their gradient.
 */

import { expInstructions, expSetup } from "./exp";
import { foldMax, rowF64 } from "./foldMax";

/** The float32 stats and gradient functions; `relaxed` uses relaxed_madd in the exps. */
export function softmaxF32Functions(relaxed: boolean): string {
  const exp32 = (d: string, out: string) => expInstructions("f32x4", d, out, relaxed, relaxed, "rr2-p6").split("\n").join("\n      ");
  // The rescale of a row's sum, once a row a chunk at most: the float64 exp, its constants inline
  // (the hoisted locals are the float32 exp's).
  const exp64 = (d: string, out: string) => expInstructions("f64x2", d, out, relaxed, false, "rr2-p6").split("\n").join("\n            ");
  const i32Locals = ["t", "zp", "bp", "gp", "end", "row"].map((n) => `(local $${n} i32)`).join(" ");
  const v128Locals = ["v", "mx", "acc0", "acc1", "d", "e", "k", "kn", "r", "sub", "lo", "scale"].map((n) => `(local $${n} v128)`).join(" ");
  const rowLoop = (body: string) => `
  (local.set $row (i32.shl (local.get $Cc) (i32.const 2)))
  (local.set $t (i32.const 0))
  (block $rowsDone (loop $rows
    (br_if $rowsDone (i32.ge_u (local.get $t) (local.get $T)))
    (local.set $zp (i32.add (local.get $z) (i32.mul (local.get $t) (local.get $row))))
    (local.set $end (i32.add (local.get $zp) (local.get $row)))
    ${body}
    (local.set $t (i32.add (local.get $t) (i32.const 1)))
    (br $rows)))`;
  // Four logits a step: zp walks the row, bp (and gp) the class arrays, 16 bytes each.
  const classLoop = (name: string, body: string) => `
    (local.set $bp (local.get $b))
    (local.set $gp (local.get $g))
    (block $${name}Done (loop $${name}
      (br_if $${name}Done (i32.ge_u (local.get $zp) (local.get $end)))
      (local.set $v (f32x4.add (v128.load (local.get $zp)) (v128.load (local.get $bp))))
      ${body}
      (local.set $zp (i32.add (local.get $zp) (i32.const 16)))
      (local.set $bp (i32.add (local.get $bp) (i32.const 16)))
      (local.set $gp (i32.add (local.get $gp) (i32.const 16)))
      (br $${name})))
    (local.set $zp (i32.sub (local.get $zp) (local.get $row)))`;
  const swapHalves = "8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7";
  const swapPairs = "4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11";
  const highHalf = "8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15";
  const stats = `
;; The chunk's online log-sum-exp terms of each row, float32 logits (see softmaxF32.ts).
(func (export "stats") (param $z i32) (param $b i32) (param $m i32) (param $s i32) (param $T i32) (param $Cc i32)
  ${i32Locals} (local $g i32) ${v128Locals} (local $max f64) (local $old f64)${expSetup("f32x4", relaxed, "rr2-p6")}
  ${rowLoop(`(local.set $mx (v128.const f32x4 -inf -inf -inf -inf))
    ;; pmax (one maxps; max is eight instructions in a chain of dependent steps, for its NaN rule):
    ;; a NaN logit is skipped here, and its exp below makes s[t] NaN.
    ${classLoop("maxes", "(local.set $mx (f32x4.pmax (local.get $mx) (local.get $v)))")}
    (local.set $mx (f32x4.pmax (local.get $mx) (i8x16.shuffle ${swapHalves} (local.get $mx) (local.get $mx))))
    (local.set $mx (f32x4.pmax (local.get $mx) (i8x16.shuffle ${swapPairs} (local.get $mx) (local.get $mx))))
    (local.set $max (f64.promote_f32 (f32x4.extract_lane 0 (local.get $mx))))
    ${foldMax(exp64, `;; m[t] is a float32 (a max of float32 sums), so its float32 splat is exact.
        (local.set $sub (f32x4.splat (f32.demote_f64 (f64.load ${rowF64("m")}))))
        (local.set $acc0 (v128.const f64x2 0 0))
        (local.set $acc1 (local.get $acc0))
        ${classLoop(
          "sums",
          `(local.set $d (f32x4.sub (local.get $v) (local.get $sub)))
      ${exp32("d", "e")}
      (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.promote_low_f32x4 (local.get $e))))
      (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.promote_low_f32x4 (i8x16.shuffle ${highHalf} (local.get $e) (local.get $e)))))`,
        )}
        (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
        (f64.store ${rowF64("s")} (f64.add (f64.load ${rowF64("s")}) (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0)))))`)}`)}
)`;
  const gradient = `
;; The logits' gradient of each row, in place, float32 (see softmaxF32.ts).
(func (export "gradient") (param $z i32) (param $b i32) (param $g i32) (param $lse i32) (param $kk i32) (param $T i32) (param $Cc i32)
  ${i32Locals} ${v128Locals} (local $l f64) (local $hi f32)${expSetup("f32x4", relaxed, "rr2-p6")}
  ${rowLoop(`(local.set $l (f64.load ${rowF64("lse")}))
    (local.set $hi (f32.demote_f64 (local.get $l)))
    (local.set $sub (f32x4.splat (local.get $hi)))
    (local.set $lo (f32x4.splat (f32.demote_f64 (f64.sub (local.get $l) (f64.promote_f32 (local.get $hi))))))
    (local.set $scale (f32x4.splat (f32.demote_f64 (f64.load ${rowF64("kk")}))))
    ${classLoop(
      "terms",
      `(local.set $d (f32x4.sub (f32x4.sub (local.get $v) (local.get $sub)) (local.get $lo)))
      ${exp32("d", "e")}
      (v128.store (local.get $zp) (f32x4.sub (v128.load (local.get $gp)) (f32x4.mul (local.get $e) (local.get $scale))))`,
    )}`)}
)`;
  return stats + "\n" + gradient;
}
