/**
 * The float32 kernel's row finish four rows at a time (statsRows.ts): where the float64 finish
 * takes two rows a vector (scalar.ts's exp64x2 and log1p64x2, a chain of some 70 float64
 * operations with two divisions per pair), four rows of float32 logits without smoothing share
 * one f32x4 chain: the exp of -|d| and the log1p of the row's argument in float32, each within
 * about a float32 rounding or two, which is what a float32 loss keeps. Eight rows that all
 * qualify (below) take two such chains side by side (octStep, one call of $log1pOct): a quad's
 * chain is long and mostly waits on its own latency, and the core did not reach far enough
 * ahead to start the next quad's while it ran. Measured, the kernel before and after
 * alternated in one process on the 2-core Xeon (two runs): the forward 1.9 to 2.0% faster at
 * (8192, 128) under Node 24, 0.5 to 1.3% under Node 20, 3.1% at (16384, 64) and 3.5 to 4.3% at
 * (65536, 10) under both; forward + backward 1.2 to 3.8% there; C = 512 and 1000 0 to 0.8%.
 *
 *   v = exp(-|d|), d = M - x[y]: exp.ts's float32 exp of degree 6 ("rr2-p6", the linear
 *     head's) of d rounded to float32, times 1 + what that rounding left off, in float64: up
 *     to |d|·2^-24 of v otherwise (4.8e-6 at |d| = 80), which a small loss log1p(S·v) keeps.
 *   u = (S - 1) + v (d > 0) or S·v (d <= 0), in float64, as rowTerms.ts forms it.
 *   log1p(u): y = 1 + u in float64 and c = u - (y - 1) what that addition rounded off;
 *     y = 2^k·m with m in [√2/2, √2) as fdlibm splits it (scalar.ts's log1p64), and
 *     f = (m - 1) + c: when k = 0, f is u itself, so a tiny u keeps its relative precision
 *     with no division and no branch; when k >= 1, c (under 2^-52) should have been c·2^-k,
 *     a difference far below float32's rounding of f. Then, in float32, musl's
 *     logf on f and k (s = f/(2 + f), a polynomial of degree 4 in s², k·ln 2 in two parts).
 *     Measured: within 1.2e-7 of log1p(u), relative (test/crossEntropyFlat.test.ts).
 *
 * A row takes its terms from its lane when it has a target, |d| < 80 (so M and x[y] are
 * finite and exp(-|d|) a normal float32), a finite S and no -Infinity among its logits; any
 * other row is finished by the float64 row terms, as before. Measured against the float64
 * finish at C = 10 to 1000, logits up to ±60: each row's loss within 1.3e-7 of it, relative;
 * the tests hold float32 losses to 1e-6 of float64 arithmetic, small ones too
 * (test/crossEntropyFlatForward.test.ts), and forward + backward's loss to the forward's, bit for bit.
 */
import { expInstructions } from "./exp";
import { GRADIENT, STATUS } from "./rowTerms";

const STATUS_FAST = STATUS.FAST;
const GRADIENT_SWEEP = GRADIENT.SWEEP;

/** A row with |d| at or above this is finished in float64: exp(-80) = 1.8e-35 is still a normal float32. */
export const QUAD_MAX_GAP = 80;

/**
 * Below this |f|, log1pQuad leaves out the terms of f² and beyond (hfsq, s·(hfsq + R)), which
 * are under 2^-25 of f there: it returns k·ln 2 + f, log1p(u) = u for k = 0. From it up, every
 * product of the polynomial stays a normal float32 (w = s⁴ >= 2^-100, w·Lg4 >= 2^-103). Below
 * it, products' exact values can lie under 2^-126: w = s⁴ and w·Lg3, w·Lg4 at |f| of about
 * 2^-30.5 to 2^-38, s·(hfsq + R) (about f³/3) a little further down, s², z·(Lg1 + ...) and
 * hfsq = f²/2 at 2^-63 to 2^-75. The 2-core Xeon computes a float32 multiply whose exact value
 * lies between 2^-126 and about 2^-158 in a microcode assist, 43 to 60 ns, even when it rounds
 * to 0 (src/commands/bench/subnormal.ts times one): confident rows, whose u = S·exp(-|d|) is
 * that small, paid 15 to 46 ns a row more at targets leading by 30 to 50; at 60 and 70 every
 * such product lay below 2^-159, which costs nothing. The results are the same bits with the
 * cut and without it (155,800 inputs, both builds).
 */
export const TINY_F = 2 ** -24;

/** musl's logf: ln 2 split so that k·LN2_HI is exact, and the polynomial's coefficients Lg1-Lg4. */
const LN2_HI = 6.9313812256e-1;
const LN2_LO = 9.0580006145e-6;
export const LG = [0.66666662693, 0.40000972152, 0.28498786688, 0.24279078841];

const f32 = (value: number): string => `(v128.const f32x4 ${value} ${value} ${value} ${value})`;
const f64 = (value: number): string => `(v128.const f64x2 ${value} ${value})`;
const i64 = (value: number): string => `(v128.const i64x2 ${value} ${value})`;
const get = (name: string): string => `(local.get $${name})`;
/** Lanes 0 and 1 of a (as float32) then lanes 0 and 1 of b: two f64x2 demoted into one f32x4. */
const demotePair = (a: string, b: string): string =>
  `(i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero ${a}) (f32x4.demote_f64x2_zero ${b}))`;
/** Lanes 2 and 3 of an f32x4 as an f64x2. */
const promoteHigh = (v: string): string => `(f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 ${v} ${v}))`;

/**
 * $log1pQuad: log1p of four non-negative float64s (two f64x2) as one f32x4, and its export for
 * the tests, log1pQuad(a, b, c, d, lane), which returns lane `lane` promoted to float64.
 */
export function quadFunctions(): string {
  // The float64 reduction of one f64x2 of u: f = (m - 1) + c into $f<h>, k's low 32 bits in $k<h>.
  const reduce = (h: string): string => `(local.set $y${h} (f64x2.add ${f64(1)} ${get(`u${h}`)}))
  (local.set $c${h} (f64x2.sub ${get(`u${h}`)} (f64x2.sub ${get(`y${h}`)} ${f64(1)})))
  (local.set $hx${h} (i64x2.add (i64x2.shr_u ${get(`y${h}`)} (i32.const 32)) ${i64(0x95f62)}))
  (local.set $k${h} (i64x2.sub (i64x2.shr_u ${get(`hx${h}`)} (i32.const 20)) ${i64(0x3ff)}))
  (local.set $f${h} (f64x2.add (f64x2.sub
    (v128.or (i64x2.shl (i64x2.add (v128.and ${get(`hx${h}`)} ${i64(0xfffff)}) ${i64(0x3fe6a09e)}) (i32.const 32)) (v128.and ${get(`y${h}`)} ${i64(0xffffffff)}))
    ${f64(1)}) ${get(`c${h}`)}))`;
  // musl's logf on the four f of halves a and b (f<a>, f<b>, k<a>, k<b>), into the f32x4 locals suffixed t; returns the result's expression.
  const chain = (a: string, b: string, t: string): string => {
    const l = (name: string): string => get(name + t);
    return `(local.set $f${t} ${demotePair(get(`f${a}`), get(`f${b}`))})
  ;; k's low halves, lanes 0 and 2 of each i64x2, to float32 (k is a small exponent, exact either way).
  (local.set $dk${t} (f32x4.convert_i32x4_s (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 ${get(`k${a}`)} ${get(`k${b}`)})))
  ;; |f| < 2^-24: its terms of f² and beyond take 0 (log(1 + f) = f within 2^-25 of f); left
  ;; to the products, f·f, s·s and w = s⁴ can be subnormal, a microcode assist each on Intel.
  (local.set $ft${t} (v128.andnot ${l("f")} (f32x4.lt (f32x4.abs ${l("f")}) ${f32(TINY_F)})))
  (local.set $s${t} (f32x4.div ${l("ft")} (f32x4.add ${f32(2)} ${l("ft")})))
  (local.set $z${t} (f32x4.mul ${l("s")} ${l("s")}))
  (local.set $w${t} (f32x4.mul ${l("z")} ${l("z")}))
  (local.set $R${t} (f32x4.add
    (f32x4.mul ${l("z")} (f32x4.add ${f32(LG[0])} (f32x4.mul ${l("w")} ${f32(LG[2])})))
    (f32x4.mul ${l("w")} (f32x4.add ${f32(LG[1])} (f32x4.mul ${l("w")} ${f32(LG[3])})))))
  (local.set $hfsq${t} (f32x4.mul (f32x4.mul ${f32(0.5)} ${l("ft")}) ${l("ft")}))`;
  };
  // s·(hfsq + R) + k·ln2_lo - hfsq + f + k·ln2_hi, in musl's order.
  const result = (t: string): string => {
    const l = (name: string): string => get(name + t);
    return `(f32x4.add
    (f32x4.add
      (f32x4.sub
        (f32x4.add (f32x4.mul ${l("s")} (f32x4.add ${l("hfsq")} ${l("R")})) (f32x4.mul ${l("dk")} ${f32(LN2_LO)}))
        ${l("hfsq")})
      ${l("f")})
    (f32x4.mul ${l("dk")} ${f32(LN2_HI)}))`;
  };
  const chainLocals = (t: string): string => ["f", "ft", "dk", "s", "z", "w", "R", "hfsq"].map((n) => `(local $${n}${t} v128)`).join(" ");
  const halfLocals = (h: string): string => ["y", "c", "hx", "k", "f"].map((n) => `(local $${n}${h} v128)`).join(" ");
  return `;; log1p of the four u in uA (lanes 0, 1) and uB (lanes 2, 3), u >= 0 finite, in float32
;; (quadFinish.ts): fdlibm's split of y = 1 + u in float64, then musl's logf on f and k.
(func $log1pQuad (param $uA v128) (param $uB v128) (result v128)
  ${halfLocals("A")} ${halfLocals("B")}
  ${chainLocals("")}
  ${reduce("A")}
  ${reduce("B")}
  ${chain("A", "B", "")}
  ${result("")})

;; Eight rows' log1p as two of $log1pQuad's chains side by side (uA, uB and uC, uD): one call,
;; and the second chain runs in the first's latency (quadFinish.ts, octStep).
(func $log1pOct (param $uA v128) (param $uB v128) (param $uC v128) (param $uD v128) (result v128 v128)
  ${["A", "B", "C", "D"].map(halfLocals).join(" ")}
  ${chainLocals("1")} ${chainLocals("2")}
  ${reduce("A")}
  ${reduce("B")}
  ${reduce("C")}
  ${reduce("D")}
  ${chain("A", "B", "1")}
  ${chain("C", "D", "2")}
  ${result("1")}
  ${result("2")})

(func (export "log1pQuad") (param $a f64) (param $b f64) (param $c f64) (param $d f64) (param $lane i32) (result f64)
  (local $r v128)
  (local.set $r (call $log1pQuad
    (f64x2.replace_lane 1 (f64x2.splat ${get("a")}) ${get("b")})
    (f64x2.replace_lane 1 (f64x2.splat ${get("c")}) ${get("d")})))
  (f64.promote_f32 (f32x4.extract_lane 0 (i8x16.swizzle ${get("r")} (i8x16.add
    (i8x16.splat (i32.shl ${get("lane")} (i32.const 2)))
    (v128.const i8x16 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3))))))
`;
}

/** Move statsRows' finish-loop pointers (targets, out, loss, status, coef) on by `rows` rows, and count them off. */
export function advanceRows(rows: number): string {
  const step = (name: string, bytes: number): string => `(local.set $${name} (i32.add (local.get $${name}) (i32.const ${bytes * rows})))`;
  return `${step("targets", 4)} ${step("out", 32)} ${step("loss", 8)} ${step("status", 4)} ${step("coef", 32)}
    (local.set $rows (i32.sub (local.get $rows) (i32.const ${rows})))`;
}

/**
 * The sums over rows NLL, DEN and TOTAL, which quadStep adds to in locals of the same names
 * (a float64 add a row, where the globals cost a store and a load on each sum's chain): "load"
 * them from the globals before statsRows' finish loop, "store" them back after it and around
 * a row finished by rowTerms, which adds to the globals. The same additions in the same order.
 * Without `plain` (smoothing) the loop adds to the globals only, so nothing is stored back.
 */
export function quadSums(way: "load" | "store"): string {
  const sums = ["NLL", "DEN", "TOTAL"];
  if (way === "load") return sums.map((s) => `(local.set $${s} (global.get $${s}))`).join(" ");
  return `(if (local.get $plain) (then ${sums.map((s) => `(global.set $${s} (local.get $${s}))`).join(" ")}))`;
}

/** The locals quadStep uses in statsRows (beside the pair finish's). */
export function quadLocals(): string {
  const v128 = ["xA", "xB", "MA", "MB", "SA", "SB", "dA", "dB", "posA", "posB", "okA", "okB", "q", "e32", "exA", "exB", "LA", "LB", "wA", "wB", "nA", "nB", "avA", "avB", "gyA", "gyB", "k", "kn", "r"];
  return `${v128.map((n) => `(local $${n} v128)`).join(" ")} (local $n4 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $d1 f64) (local $e1 f64) (local $S1 f64) (local $NLL f64) (local $DEN f64) (local $TOTAL f64)`;
}

/** Whether each lane of the f64x2 `v` is finite (NaN and ±Infinity give v - v = NaN). */
const finite = (v: string): string => `(f64x2.eq (f64x2.sub ${v} ${v}) ${f64(0)})`;
/** -|d| of half h's two rows, from $d<h> and its sign in $pos<h>. */
const minusAbs = (h: string): string => `(v128.bitselect (f64x2.neg ${get(`d${h}`)}) ${get(`d${h}`)} ${get(`pos${h}`)})`;
/** log1p's argument of half h's two rows: (S - 1) + v (d > 0) or S·v (d <= 0), as rowTerms.ts. */
const argument = (h: string): string =>
  `(v128.bitselect (f64x2.add (f64x2.sub ${get(`S${h}`)} ${f64(1)}) ${get(`ex${h}`)}) (f64x2.mul ${get(`S${h}`)} ${get(`ex${h}`)}) ${get(`pos${h}`)})`;
/**
 * v = exp(-|d|) of halves lo and hi as two f64x2, from the float32 exps in $<e> of -|d| rounded
 * to float32 in $<q>: times 1 + what that rounding left off. Without it, v would be off by up to
 * |d|·2^-24 relative, 4.8e-6 at |d| = 80, and so would a small loss log1p(S·v).
 */
const widen = (e: string, q: string, lo: string, hi: string): string => `(local.set $ex${lo} (f64x2.mul (f64x2.promote_low_f32x4 ${get(e)})
        (f64x2.add ${f64(1)} (f64x2.sub ${minusAbs(lo)} (f64x2.promote_low_f32x4 ${get(q)})))))
      (local.set $ex${hi} (f64x2.mul ${promoteHigh(get(e))}
        (f64x2.add ${f64(1)} (f64x2.sub ${minusAbs(hi)} ${promoteHigh(get(q))}))))`;
/** Half h's two rows added to the sums NLL, DEN and TOTAL, row by row. */
const halfSums = (h: string): string =>
  [0, 1].map((i) => ["NLL", "DEN", "TOTAL"].map((sum) => `(local.set $${sum} (f64.add (local.get $${sum}) (f64x2.extract_lane ${i} ${get((sum === "DEN" ? "w" : "n") + h)})))`).join(" ")).join("\n          ");
/** Half h's two rows' gradient scalars, stored in their coef slots from `offset` bytes on. */
const halfCoefs = (h: string, offset: number): string =>
  [0, 1].map((i) => `(f64.store offset=${offset + 32 * i} (local.get $coef) (f64x2.extract_lane ${i} ${get("av" + h)}))
            (f64.store offset=${offset + 32 * i + 8} (local.get $coef) (f64x2.extract_lane ${i} ${get("M" + h)}))
            (f64.store offset=${offset + 32 * i + 16} (local.get $coef) (f64x2.extract_lane ${i} ${get("gy" + h)}))
            (f64.store offset=${offset + 32 * i + 24} (local.get $coef) (f64.const ${GRADIENT_SWEEP}))`).join("\n            ");

/** The names gradientScalars (statsRows.ts) reads and sets. */
type GradientScalars = (n: { S: string; v: string; pos: string; w: string; alpha: string; gy: string }) => string;

/**
 * One step of statsRows' finish loop for float32 logits without smoothing: the next
 * n = min(rows, 4) rows as the four lanes of one chain (lanes past the last row repeat it).
 * Each row's terms come from its own lane alone, so a row's loss and gradient are the same
 * bits whatever rows share its quad (test/crossEntropyFlatForward.test.ts: a row in a batch
 * and alone). A row qualifies when it has a target, |d| < QUAD_MAX_GAP, a finite S and no
 * -Infinity (MIN); its terms are written from its lane, as finishPlainPair writes them. A row
 * that does not qualify (an ignored row, NaN or ±Infinity, a wider gap) is finished by
 * `slowRow` (statsRows' finishRow on lane 0) with the float64 exp64 and log1p64 of its own
 * d, which equal the pairs' lane by lane. Every pointer moves on row by row; the step ends
 * with a branch back to the loop `row`.
 */
export function quadStep(relaxed: boolean, slowRow: string, scalars: GradientScalars): string {
  const lane = (base: string, offset: number, at: string): string =>
    `(f64.load offset=${offset} ${at === "0" ? `(local.get $${base})` : `(i32.add (local.get $${base}) (local.get $${at}))`})`;
  const pairAt = (base: string, offset: number, a: string, b: string): string =>
    `(f64x2.replace_lane 1 (f64x2.splat ${lane(base, offset, a)}) ${lane(base, offset, b)})`;
  const quad = (base: string, offset: number): [string, string] => [pairAt(base, offset, "0", "o1"), pairAt(base, offset, "o2", "o3")];
  const [minA, minB] = quad("out", 16);
  const ok = (h: string, min: string): string =>
    `(v128.and (v128.and (f64x2.lt (f64x2.abs ${get(`d${h}`)}) ${f64(QUAD_MAX_GAP)}) ${finite(get(`S${h}`))}) (f64x2.ne ${min} (v128.const f64x2 -inf -inf)))`;
  // An ignored lane's target is negative: its weight is read from just below w (inside the
  // kernel's memory, no trap) and never used, as that lane's terms are not written.
  const weight = (at: string): string =>
    `(if (result f64) (global.get $weighted) (then (f64.load (i32.add (local.get $w) (i32.shl (i32.load ${at}) (i32.const 3))))) (else (f64.const 1)))`;
  const target = (o: string): string => (o === "0" ? "(local.get $targets)" : `(i32.add (local.get $targets) (i32.shr_u (local.get $${o}) (i32.const 3)))`);
  const next = advanceRows(1);
  // Row i's terms from lane i (of the A or B half): loss, status FAST, the sums, and with a gradient its coef.
  const write = (i: number): string => {
    const h = i < 2 ? "A" : "B";
    const x = (v: string): string => `(f64x2.extract_lane ${i % 2} ${get(v + h)})`;
    const add = (sum: string, v: string): string => `(local.set $${sum} (f64.add (local.get $${sum}) ${x(v)}))`;
    return `(f64.store (local.get $loss) ${x("n")})
          (i32.store (local.get $status) (i32.const ${STATUS_FAST}))
          ${add("NLL", "n")} ${add("DEN", "w")} ${add("TOTAL", "n")}
          (if (local.get $store) (then
            (f64.store (local.get $coef) ${x("av")})
            (f64.store offset=8 (local.get $coef) ${x("M")})
            (f64.store offset=16 (local.get $coef) ${x("gy")})
            (f64.store offset=24 (local.get $coef) (f64.const ${GRADIENT_SWEEP}))))
          ${next}`;
  };
  // A row that does not qualify: exp64 and log1p64 of its own d, then the float64 row terms.
  // An ignored row (target < 0) needs neither: finishRow reads them only for a row with a target.
  const slow = `(if (i32.ge_s (i32.load (local.get $targets)) (i32.const 0)) (then
          (local.set $d1 (f64.sub (f64.load (local.get $out)) (f64.load (local.get $coef))))
          (local.set $S1 (f64.load offset=8 (local.get $out)))
          (local.set $e1 (call $exp64 (select (f64.neg (local.get $d1)) (local.get $d1) (f64.gt (local.get $d1) (f64.const 0)))))
          (local.set $ex (f64x2.splat (local.get $e1)))
          (local.set $lp (f64x2.splat (call $log1p64 (select
            (f64.add (f64.sub (local.get $S1) (f64.const 1)) (local.get $e1))
            (f64.mul (local.get $S1) (local.get $e1))
            (f64.gt (local.get $d1) (f64.const 0))))))))
          ${quadSums("store")}
          ${slowRow}
          ${quadSums("load")}`;
  // The four rows at once: what write(0) to write(3) would write, with whole-vector stores.
  const fastFour = `${halfSums("A")}
          ${halfSums("B")}
          (v128.store (local.get $loss) ${get("nA")})
          (v128.store offset=16 (local.get $loss) ${get("nB")})
          (v128.store (local.get $status) (v128.const i32x4 ${STATUS_FAST} ${STATUS_FAST} ${STATUS_FAST} ${STATUS_FAST}))
          (if (local.get $store) (then
            ${halfCoefs("A", 0)}
            ${halfCoefs("B", 64)}))
          ${advanceRows(4)}`;
  const oneByOne = [0, 1, 2, 3]
    .map((i) => {
      const qualifies = `(i32.and (i32.ge_s (i32.load (local.get $targets)) (i32.const 0)) (i64.ne (i64x2.extract_lane ${i % 2} ${get(i < 2 ? "okA" : "okB")}) (i64.const 0)))`;
      const body = `(if ${qualifies}
          (then ${write(i)})
          (else ${slow}))`;
      return i === 0 ? body : `(if (i32.gt_u (local.get $n4) (i32.const ${i})) (then ${body}))`;
    })
    .join("\n      ");
  const [xA, xB] = quad("coef", 0);
  const [MA, MB] = quad("out", 0);
  const [SA, SB] = quad("out", 8);
  return `(local.set $n4 (select (local.get $rows) (i32.const 4) (i32.lt_u (local.get $rows) (i32.const 4))))
      ;; Byte offsets of lanes 1-3's rows (32 bytes a row in out and coef): past the last row, the last row again.
      (local.set $o1 (select (i32.const 32) (i32.const 0) (i32.gt_u (local.get $n4) (i32.const 1))))
      (local.set $o2 (select (i32.const 64) (local.get $o1) (i32.gt_u (local.get $n4) (i32.const 2))))
      (local.set $o3 (select (i32.const 96) (local.get $o2) (i32.gt_u (local.get $n4) (i32.const 3))))
      (local.set $xA ${xA}) (local.set $xB ${xB})
      (local.set $MA ${MA}) (local.set $MB ${MB})
      (local.set $SA ${SA}) (local.set $SB ${SB})
      (local.set $dA (f64x2.sub ${get("MA")} ${get("xA")})) (local.set $dB (f64x2.sub ${get("MB")} ${get("xB")}))
      (local.set $okA ${ok("A", minA)}) (local.set $okB ${ok("B", minB)})
      (local.set $posA (f64x2.gt ${get("dA")} ${f64(0)})) (local.set $posB (f64x2.gt ${get("dB")} ${f64(0)}))
      ;; v = exp(-|d|) for the four rows in float32, then back to two f64x2.
      (local.set $q ${demotePair(minusAbs("A"), minusAbs("B"))})
      ${expInstructions("f32x4", "q", "e32", relaxed, false, "rr2-p6")}
      ;; Times 1 + (what rounding -|d| to float32 left off): widen's comment.
      ${widen("e32", "q", "A", "B")}
      ;; L = log1p((S - 1) + v) (d > 0) or log1p(S·v) (d <= 0), as rowTerms.ts.
      (local.set $e32 (call $log1pQuad ${argument("A")} ${argument("B")}))
      (local.set $LA (f64x2.promote_low_f32x4 ${get("e32")})) (local.set $LB ${promoteHigh(get("e32"))})
      (local.set $wA (f64x2.replace_lane 1 (f64x2.splat ${weight(target("0"))}) ${weight(target("o1"))}))
      (local.set $wB (f64x2.replace_lane 1 (f64x2.splat ${weight(target("o2"))}) ${weight(target("o3"))}))
      ;; nll = loss = (d + L or L)·w[y]
      (local.set $nA (f64x2.mul (v128.bitselect (f64x2.add ${get("dA")} ${get("LA")}) ${get("LA")} ${get("posA")}) ${get("wA")}))
      (local.set $nB (f64x2.mul (v128.bitselect (f64x2.add ${get("dB")} ${get("LB")}) ${get("LB")} ${get("posB")}) ${get("wB")}))
      (if (local.get $store) (then
        ${scalars({ S: "SA", v: "exA", pos: "posA", w: "wA", alpha: "avA", gy: "gyA" })}
        ${scalars({ S: "SB", v: "exB", pos: "posB", w: "wB", alpha: "avB", gy: "gyB" })}))
      (if (i32.and (i32.eq (local.get $n4) (i32.const 4))
            (i32.and (i32.ge_s (i32.or (i32.or (i32.load (local.get $targets)) (i32.load offset=4 (local.get $targets)))
                (i32.or (i32.load offset=8 (local.get $targets)) (i32.load offset=12 (local.get $targets)))) (i32.const 0))
              (i64x2.all_true (v128.and ${get("okA")} ${get("okB")}))))
        (then
          ;; All four qualify: their terms, the sums row by row in order.
          ${fastFour}
          (br $row)))
      ;; Row by row: each from its lane where it qualifies, else by the float64 row terms.
      ${oneByOne}
      (br $row)`;
}

/** The locals octStep uses beside quadStep's (quadLocals). */
export function octLocals(): string {
  const v128 = ["xC", "xD", "MC", "MD", "SC", "SD", "dC", "dD", "posC", "posD", "okC", "okD", "q2", "e32b", "exC", "exD", "LC", "LD", "wC", "wD", "nC", "nD", "avC", "avD", "gyC", "gyD"];
  return v128.map((n) => `(local $${n} v128)`).join(" ");
}

/**
 * With eight rows or more left, all eight qualifying (as quadStep's rows: a target, |d| <
 * QUAD_MAX_GAP, a finite S, no -Infinity): two quads' terms at once, their exps and their log1p
 * (one call of $log1pOct) side by side, so that the second quad's chain runs in the first's
 * latency instead of after it. The same operations on each lane as quadStep's, so the same
 * bits. Ends with a branch back to the loop `row`; when any of the eight does not qualify it
 * does nothing, and quadStep takes the rows four at a time.
 */
export function octStep(relaxed: boolean, scalars: GradientScalars): string {
  const halves = ["A", "B", "C", "D"];
  /** Rows 2h and 2h + 1's float64 at `offset` of their 32-byte slots from `base`, as an f64x2. */
  const pair = (base: string, offset: number, h: number): string =>
    `(f64x2.replace_lane 1 (f64x2.splat (f64.load offset=${offset + 64 * h} (local.get $${base}))) (f64.load offset=${offset + 64 * h + 32} (local.get $${base})))`;
  const weight = (row: number): string =>
    `(if (result f64) (global.get $weighted) (then (f64.load (i32.add (local.get $w) (i32.shl (i32.load offset=${4 * row} (local.get $targets)) (i32.const 3))))) (else (f64.const 1)))`;
  const loads = halves
    .map((h, i) => `(local.set $x${h} ${pair("coef", 0, i)}) (local.set $M${h} ${pair("out", 0, i)}) (local.set $S${h} ${pair("out", 8, i)})
      (local.set $d${h} (f64x2.sub ${get(`M${h}`)} ${get(`x${h}`)}))
      (local.set $ok${h} (v128.and (v128.and (f64x2.lt (f64x2.abs ${get(`d${h}`)}) ${f64(QUAD_MAX_GAP)}) ${finite(get(`S${h}`))}) (f64x2.ne ${pair("out", 16, i)} (v128.const f64x2 -inf -inf))))`)
    .join("\n      ");
  const terms = halves
    .map((h, i) => `(local.set $w${h} (f64x2.replace_lane 1 (f64x2.splat ${weight(2 * i)}) ${weight(2 * i + 1)}))
      (local.set $n${h} (f64x2.mul (v128.bitselect (f64x2.add ${get(`d${h}`)} ${get(`L${h}`)}) ${get(`L${h}`)} ${get(`pos${h}`)}) ${get(`w${h}`)}))`)
    .join("\n      ");
  const sums = halves.map(halfSums).join("\n        ");
  const coefs = halves.map((h, j) => halfCoefs(h, 64 * j)).join("\n            ");
  return `(if (i32.ge_u (local.get $rows) (i32.const 8)) (then
      ${loads}
      (if (i32.and
            (i32.eqz (i32x4.bitmask (v128.or (v128.load (local.get $targets)) (v128.load offset=16 (local.get $targets)))))
            (i64x2.all_true (v128.and (v128.and ${get("okA")} ${get("okB")}) (v128.and ${get("okC")} ${get("okD")}))))
        (then
      ${halves.map((h) => `(local.set $pos${h} (f64x2.gt ${get(`d${h}`)} ${f64(0)}))`).join(" ")}
      ;; v = exp(-|d|) for the eight rows in float32, then back to four f64x2 (as quadStep).
      (local.set $q ${demotePair(minusAbs("A"), minusAbs("B"))})
      (local.set $q2 ${demotePair(minusAbs("C"), minusAbs("D"))})
      ${expInstructions("f32x4", "q", "e32", relaxed, false, "rr2-p6")}
      ${expInstructions("f32x4", "q2", "e32b", relaxed, false, "rr2-p6")}
      ${widen("e32", "q", "A", "B")}
      ${widen("e32b", "q2", "C", "D")}
      (call $log1pOct ${argument("A")} ${argument("B")} ${argument("C")} ${argument("D")})
      (local.set $e32b) (local.set $e32)
      (local.set $LA (f64x2.promote_low_f32x4 ${get("e32")})) (local.set $LB ${promoteHigh(get("e32"))})
      (local.set $LC (f64x2.promote_low_f32x4 ${get("e32b")})) (local.set $LD ${promoteHigh(get("e32b"))})
      ${terms}
      (if (local.get $store) (then
        ${halves.map((h) => scalars({ S: `S${h}`, v: `ex${h}`, pos: `pos${h}`, w: `w${h}`, alpha: `av${h}`, gy: `gy${h}` })).join("\n        ")}))
        ;; The eight rows' terms, the sums row by row in order.
        ${sums}
        ${halves.map((h, i) => `(v128.store offset=${16 * i} (local.get $loss) ${get("n" + h)})`).join(" ")}
        (v128.store (local.get $status) (v128.const i32x4 ${STATUS_FAST} ${STATUS_FAST} ${STATUS_FAST} ${STATUS_FAST}))
        (v128.store offset=16 (local.get $status) (v128.const i32x4 ${STATUS_FAST} ${STATUS_FAST} ${STATUS_FAST} ${STATUS_FAST}))
        (if (local.get $store) (then
            ${coefs}))
        ${advanceRows(8)}
        (br $row)))))`;
}
