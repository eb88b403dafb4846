/**
 * The step both softmax-term modules (matmul.ts's float64 stats, softmaxF32.ts's float32 one)
 * take once a row a chunk, between the chunk's max and its sum of exps: the online log-sum-exp's
 * running max m[t] and sum s[t] (float64s at m + 8t and s + 8t) take the chunk's max $max.
 *
 *   $max NaN or ±Infinity -> m[t] = s[t] = NaN, for good;
 *   else, $max > m[t]     -> s[t] *= exp(m[t] - $max) (the float64 exp `exp64(d, scale)`), m[t] = $max;
 *   then `sums`, the chunk's exps added to s[t] against m[t].
 *
 * Uses the locals $t, $max, $old (f64), $d and $scale (v128).
 */

/** The address of row t's float64 in the array at `array`. */
export const rowF64 = (array: string) => `(i32.add (local.get $${array}) (i32.shl (local.get $t) (i32.const 3)))`;

export function foldMax(exp64: (d: string, out: string) => string, sums: string): string {
  return `(local.set $old (f64.load ${rowF64("m")}))
    (if (f64.ne (f64.sub (local.get $max) (local.get $max)) (f64.const 0))
      (then
        (f64.store ${rowF64("m")} (f64.const nan))
        (f64.store ${rowF64("s")} (f64.const nan)))
      (else
        (if (f64.gt (local.get $max) (local.get $old))
          (then
            (local.set $d (f64x2.splat (f64.sub (local.get $old) (local.get $max))))
            ${exp64("d", "scale")}
            (f64.store ${rowF64("s")} (f64.mul (f64.load ${rowF64("s")}) (f64x2.extract_lane 0 (local.get $scale))))
            (f64.store ${rowF64("m")} (local.get $max))))
        ${sums}))`;
}
