/**
 * Scalar float64 exp and log1p inside the kernel, so that a row's loss and gradient scalars
 * are computed next to its sweep, without a call out to JavaScript's Math per row.
 *
 * - $exp64: exp.ts's float64 reduction and polynomial on a scalar, by Estrin's scheme
 *   (measured max relative error 6.3e-16 over [-708, 600]).
 * - $log1p64: log(1 + u) for u >= 0, fdlibm's log (as in musl and FreeBSD: y = 2^k·m with
 *   m in [√2/2, √2), log m from s = (m-1)/(m+1) and a degree-14 minimax polynomial in s,
 *   error < 1 ulp) applied to y = 1 + u, plus the rounding of 1 + u, c = (u - (y - 1))/y,
 *   which makes it log1p: a tiny u keeps its full relative precision.
 *   Measured max relative error 2.2e-16 against Math.log1p (test/crossEntropyFlat.test.ts).
 */

const LG = [
  6.666666666666735130e-1, 3.999999999940941908e-1, 2.857142874366239149e-1, 2.222219843214978396e-1,
  1.818357216161805012e-1, 1.531383769920937332e-1, 1.479819860511658591e-1,
];
const f = (v: number): string => `(f64.const ${v})`;

export function scalarFunctions(): string {
  return expFunction() + logFunction();
}

function expFunction(): string {
  return `;; exp(x) for one float64, x <= 600: exp.ts's reduction and degree-12 Taylor polynomial,
;; evaluated by Estrin's scheme (pairs, then r², r⁴, r⁸) so its latency is 5 multiply-adds
;; deep instead of 12: per row, this sits on the critical path.
(func $exp64 (export "exp64") (param $x f64) (result f64)
  (local $k f64) (local $n f64) (local $r f64) (local $r2 f64) (local $r4 f64)
  (local.set $x (f64.max (local.get $x) ${f(-708)}))
  (local.set $k (f64.add (f64.mul (local.get $x) ${f(1.4426950408889634)}) ${f(6755399441055744)}))
  (local.set $n (f64.sub (local.get $k) ${f(6755399441055744)}))
  (local.set $r (f64.sub (f64.sub (local.get $x) (f64.mul (local.get $n) ${f(6.93147180369123816490e-1)})) (f64.mul (local.get $n) ${f(1.90821492927058770002e-10)})))
  (local.set $r2 (f64.mul (local.get $r) (local.get $r)))
  (local.set $r4 (f64.mul (local.get $r2) (local.get $r2)))
  (f64.reinterpret_i64 (i64.add
    (i64.reinterpret_f64 ${estrin()})
    (i64.shl (i64.reinterpret_f64 (local.get $k)) (i64.const 52)))))

`;
}

/** Σ r^i / i! for i = 0..12 as ((q0 + q1·r²) + (q2 + q3·r²)·r⁴) + ((q4 + q5·r²) + q6·r⁴)·r⁸. */
function estrin(): string {
  const c = (i: number): string => {
    let factorial = 1;
    for (let j = 2; j <= i; j++) factorial *= j;
    return f(1 / factorial);
  };
  const q = (i: number): string => (i === 6 ? c(12) : `(f64.add ${c(2 * i)} (f64.mul ${c(2 * i + 1)} (local.get $r)))`);
  const pair = (a: string, b: string, power: string): string => `(f64.add ${a} (f64.mul ${b} ${power}))`;
  const r2 = "(local.get $r2)";
  const r4 = "(local.get $r4)";
  const r8 = "(f64.mul (local.get $r4) (local.get $r4))";
  return pair(pair(pair(q(0), q(1), r2), pair(q(2), q(3), r2), r4), pair(pair(q(4), q(5), r2), q(6), r4), r8);
}

function logFunction(): string {
  return `;; log(1 + u) for finite u >= 0.
(func $log1p64 (export "log1p64") (param $u f64) (result f64)
  (local $y f64) (local $c f64) (local $bits i64) (local $hx i64) (local $dk f64)
  (local $m f64) (local $hfsq f64) (local $s f64) (local $z f64) (local $w f64) (local $R f64)
  ;; log1p(u) = u - u²/2 + ...: below 1e-18 the second term is under u's last bit.
  (if (f64.lt (local.get $u) ${f(1e-18)}) (then (return (local.get $u))))
  (local.set $y (f64.add ${f(1)} (local.get $u)))
  (local.set $c (f64.div (f64.sub (local.get $u) (f64.sub (local.get $y) ${f(1)})) (local.get $y)))
  ;; y = 2^k · m, m in [√2/2, √2): shift the high word so the exponent rolls over at √2.
  (local.set $bits (i64.reinterpret_f64 (local.get $y)))
  (local.set $hx (i64.add (i64.shr_u (local.get $bits) (i64.const 32)) (i64.const 0x95f62)))
  (local.set $dk (f64.convert_i64_s (i64.sub (i64.shr_u (local.get $hx) (i64.const 20)) (i64.const 0x3ff))))
  (local.set $hx (i64.add (i64.and (local.get $hx) (i64.const 0xfffff)) (i64.const 0x3fe6a09e)))
  (local.set $m (f64.sub (f64.reinterpret_i64 (i64.or (i64.shl (local.get $hx) (i64.const 32)) (i64.and (local.get $bits) (i64.const 0xffffffff)))) ${f(1)}))
  (local.set $hfsq (f64.mul (f64.mul ${f(0.5)} (local.get $m)) (local.get $m)))
  (local.set $s (f64.div (local.get $m) (f64.add ${f(2)} (local.get $m))))
  (local.set $z (f64.mul (local.get $s) (local.get $s)))
  (local.set $w (f64.mul (local.get $z) (local.get $z)))
  (local.set $R (f64.add
    (f64.mul (local.get $z) (f64.add ${f(LG[0])} (f64.mul (local.get $w) (f64.add ${f(LG[2])} (f64.mul (local.get $w) (f64.add ${f(LG[4])} (f64.mul (local.get $w) ${f(LG[6])})))))))
    (f64.mul (local.get $w) (f64.add ${f(LG[1])} (f64.mul (local.get $w) (f64.add ${f(LG[3])} (f64.mul (local.get $w) ${f(LG[5])})))))))
  ;; s·(hfsq + R) + (k·ln2_lo + c) - hfsq + m + k·ln2_hi, in fdlibm's order.
  (f64.add
    (f64.add
      (f64.sub
        (f64.add (f64.mul (local.get $s) (f64.add (local.get $hfsq) (local.get $R))) (f64.add (f64.mul (local.get $dk) ${f(1.90821492927058770002e-10)}) (local.get $c)))
        (local.get $hfsq))
      (local.get $m))
    (f64.mul (local.get $dk) ${f(6.93147180369123816490e-1)})))`;
}
