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
  return expFunction() + logFunction() + pairFunctions();
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
function estrin(t: "f64" | "f64x2" = "f64"): string {
  const k = t === "f64" ? f : v;
  const c = (i: number): string => {
    let factorial = 1;
    for (let j = 2; j <= i; j++) factorial *= j;
    return k(1 / factorial);
  };
  const q = (i: number): string => (i === 6 ? c(12) : `(${t}.add ${c(2 * i)} (${t}.mul ${c(2 * i + 1)} (local.get $r)))`);
  const pair = (a: string, b: string, power: string): string => `(${t}.add ${a} (${t}.mul ${b} ${power}))`;
  const r2 = "(local.get $r2)";
  const r4 = "(local.get $r4)";
  const r8 = `(${t}.mul (local.get $r4) (local.get $r4))`;
  return pair(pair(pair(q(0), q(1), r2), pair(q(2), q(3), r2), r4), pair(pair(q(4), q(5), r2), q(6), r4), r8);
}

/** A float64 constant in both lanes of a vector. */
const v = (value: number): string => `(v128.const f64x2 ${value} ${value})`;
/** An i64 constant in both lanes. */
const vi = (value: number): string => `(v128.const i64x2 ${value} ${value})`;

/**
 * $exp64 and $log1p64 on two numbers at once (f64x2): the same operations in the same order,
 * lane by lane, so each lane is bit for bit the scalar function's result (IEEE operations
 * round the same in a lane as in a scalar; test/crossEntropyFlat.test.ts compares them). Two
 * rows' finishes then share one chain of instructions (statsRows.ts). The scalar's early
 * return for u < 1e-18 becomes a select; i64 to f64 conversion, which SIMD lacks, goes
 * through the low 32 bits of each lane (k is a small exponent, exact either way).
 * exp64x2 and log1p64x2 (exports, for the tests) return lane `lane` of the pair (a, b).
 */
function pairFunctions(): string {
  return `;; exp64 on both lanes of x.
(func $exp64x2 (param $x v128) (result v128)
  (local $k v128) (local $n v128) (local $r v128) (local $r2 v128) (local $r4 v128)
  (local.set $x (f64x2.max (local.get $x) ${v(-708)}))
  (local.set $k (f64x2.add (f64x2.mul (local.get $x) ${v(1.4426950408889634)}) ${v(6755399441055744)}))
  (local.set $n (f64x2.sub (local.get $k) ${v(6755399441055744)}))
  (local.set $r (f64x2.sub (f64x2.sub (local.get $x) (f64x2.mul (local.get $n) ${v(6.93147180369123816490e-1)})) (f64x2.mul (local.get $n) ${v(1.90821492927058770002e-10)})))
  (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
  (local.set $r4 (f64x2.mul (local.get $r2) (local.get $r2)))
  (i64x2.add ${estrin("f64x2")} (i64x2.shl (local.get $k) (i32.const 52))))

;; log1p64 on both lanes of u.
(func $log1p64x2 (param $u v128) (result v128)
  (local $y v128) (local $c v128) (local $bits v128) (local $hx v128) (local $dk v128)
  (local $m v128) (local $hfsq v128) (local $s v128) (local $z v128) (local $w v128) (local $R v128)
  (local.set $y (f64x2.add ${v(1)} (local.get $u)))
  (local.set $c (f64x2.div (f64x2.sub (local.get $u) (f64x2.sub (local.get $y) ${v(1)})) (local.get $y)))
  (local.set $bits (local.get $y))
  (local.set $hx (i64x2.add (i64x2.shr_u (local.get $bits) (i32.const 32)) ${vi(0x95f62)}))
  ;; (hx >> 20) - 0x3ff fits in 32 bits: its low halves, lanes 0 and 2 of i32x4, to float64.
  (local.set $dk (f64x2.convert_low_i32x4_s (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11
    (i64x2.sub (i64x2.shr_u (local.get $hx) (i32.const 20)) ${vi(0x3ff)}) (local.get $hx))))
  (local.set $hx (i64x2.add (v128.and (local.get $hx) ${vi(0xfffff)}) ${vi(0x3fe6a09e)}))
  (local.set $m (f64x2.sub (v128.or (i64x2.shl (local.get $hx) (i32.const 32)) (v128.and (local.get $bits) ${vi(0xffffffff)})) ${v(1)}))
  (local.set $hfsq (f64x2.mul (f64x2.mul ${v(0.5)} (local.get $m)) (local.get $m)))
  (local.set $s (f64x2.div (local.get $m) (f64x2.add ${v(2)} (local.get $m))))
  (local.set $z (f64x2.mul (local.get $s) (local.get $s)))
  (local.set $w (f64x2.mul (local.get $z) (local.get $z)))
  (local.set $R (f64x2.add
    (f64x2.mul (local.get $z) (f64x2.add ${v(LG[0])} (f64x2.mul (local.get $w) (f64x2.add ${v(LG[2])} (f64x2.mul (local.get $w) (f64x2.add ${v(LG[4])} (f64x2.mul (local.get $w) ${v(LG[6])})))))))
    (f64x2.mul (local.get $w) (f64x2.add ${v(LG[1])} (f64x2.mul (local.get $w) (f64x2.add ${v(LG[3])} (f64x2.mul (local.get $w) ${v(LG[5])})))))))
  ;; u < 1e-18: u itself, as the scalar's early return.
  (v128.bitselect (local.get $u)
    (f64x2.add
      (f64x2.add
        (f64x2.sub
          (f64x2.add (f64x2.mul (local.get $s) (f64x2.add (local.get $hfsq) (local.get $R))) (f64x2.add (f64x2.mul (local.get $dk) ${v(1.90821492927058770002e-10)}) (local.get $c)))
          (local.get $hfsq))
        (local.get $m))
      (f64x2.mul (local.get $dk) ${v(6.93147180369123816490e-1)}))
    (f64x2.lt (local.get $u) ${v(1e-18)})))

(func (export "exp64x2") (param $a f64) (param $b f64) (param $lane i32) (result f64)
  (local $r v128)
  (local.set $r (call $exp64x2 (f64x2.replace_lane 1 (f64x2.splat (local.get $a)) (local.get $b))))
  (if (result f64) (local.get $lane) (then (f64x2.extract_lane 1 (local.get $r))) (else (f64x2.extract_lane 0 (local.get $r)))))

(func (export "log1p64x2") (param $a f64) (param $b f64) (param $lane i32) (result f64)
  (local $r v128)
  (local.set $r (call $log1p64x2 (f64x2.replace_lane 1 (f64x2.splat (local.get $a)) (local.get $b))))
  (if (result f64) (local.get $lane) (then (f64x2.extract_lane 1 (local.get $r))) (else (f64x2.extract_lane 0 (local.get $r)))))
`;
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
