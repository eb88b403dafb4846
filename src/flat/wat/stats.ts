/**
 * The forward sweep: one pass over a row keeps a running max M and a running sum
 * S = Σ exp(x - M), the online softmax of Milakov & Gimelshein (2018), a block at a time.
 *
 * Per block of 16 vectors (64 float32 or 32 float64 logits, 256 bytes, in L1):
 *   1. the block's max and min (two accumulators each, independent chains);
 *   2. if the block max beats M: S *= exp(M - blockMax) once, M = blockMax;
 *   3. S += Σ exp(x - M) over the block, four accumulators (float32 lanes are summed per
 *      block, then widened and added to S in float64: accumulation is in float64);
 *   4. with label smoothing, T += Σ w[c]·(x[c] - R) in float64, R = the row's first logit
 *      (subtracting R keeps T the size of the logits' spread, not of their offset).
 * Rescaling once per block instead of once per element costs one scalar exp per new max.
 *
 * Non-finite logits are not handled here, only made visible: NaN or +Infinity make S NaN
 * (x - M or M itself is NaN), -Infinity shows in the running min, an all -Infinity row has
 * M = -Infinity. The caller sends such rows to the exact float64 reference.
 *
 * S sums the *other* classes only: the target's lane is masked off (the block holding it
 * is unrolled like the others, with a lane mask per vector, targetBlock; with smoothing it
 * takes the masked, vector-by-vector path, like a row's last partial block). The caller adds
 * the target's term back in float64 (loss = log1p(S·exp(M - x_y))), which keeps a confident
 * row's small loss accurate. State lives in exported globals, so a row longer than the
 * kernel's memory chunk can be fed in pieces (segments).
 */
import { expInstructions, expSetup } from "./exp";
import { VECTORS_PER_BLOCK, horizontal, lane0, locals, roundLocals, roundStores, splat, tailMask, type Lanes } from "./lanes";
import { statsRowsFunctions } from "./statsRows";
import { targetBlock } from "./targetBlock";

const SWAP_HALVES = "8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7";

/** Smoothing modes of a segment: 0 none, 1 T = Σ (x - R), 2 T = Σ w[c]·(x - R). */
export const MODES = [0, 1, 2] as const;

/** With `inPlace`, statsRows reads its rows from memory $src (module.ts's in-place build). */
export function statsFunctions(L: Lanes, inPlace = false): string {
  const segments = [false, true].flatMap((store) => MODES.map((mode) => segmentFunction(L, mode, store)));
  return [...segments, ...statsRowsFunctions(L, inPlace)].join("\n\n");
}

/**
 * With `store` (a gradient is wanted), each exp(x - M) also overwrites its logit, and each
 * block's M goes to the block list at $blockM: the backward sweep then rescales the stored
 * exps instead of computing them again (grad.ts, scaleRows).
 */
function segmentFunction(L: Lanes, mode: number, store: boolean): string {
  const V = L.vec;
  const block = VECTORS_PER_BLOCK * L.width;
  const splatM = L.element === "f32" ? `(f32x4.splat (f32.demote_f64 (global.get $M)))` : `(f64x2.splat (global.get $M))`;
  const widen = (v: string): string =>
    L.element === "f32"
      ? `(f64x2.add (f64x2.promote_low_f32x4 (local.get $${v})) (f64x2.promote_low_f32x4 (i8x16.shuffle ${SWAP_HALVES} (local.get $${v}) (local.get $${v}))))`
      : `(local.get $${v})`;
  // Nothing is summed while M is -Infinity: no rescale (and no call) for a row's first block.
  const rebase = `(if (f64.gt (local.get $bm) (global.get $M)) (then
  (if (f64.ne (global.get $M) (f64.const -inf)) (then
    (local.set $S (f64x2.mul (local.get $S) (f64x2.splat (call $exp64 (f64.sub (global.get $M) (local.get $bm))))))))
  (global.set $M (local.get $bm))
  (local.set $Mv ${splatM})))`;
  const recordM = store
    ? `(f64.store (global.get $blockM) (global.get $M))
(global.set $blockM (i32.add (global.get $blockM) (i32.const 8)))`
    : "";
  const reduceMaxMin = `${horizontal(L, "pmax", "mx0")}
${horizontal(L, "pmin", "mn0")}
(local.set $bm ${lane0(L, "mx0")})
(global.set $MIN (f64.min (global.get $MIN) ${lane0(L, "mn0")}))`;

  // 1-3 over one full block.
  const loads: string[] = [];
  for (let i = 2; i < VECTORS_PER_BLOCK; i++) {
    loads.push(`(local.set $x (v128.load offset=${16 * i} (local.get $p)))
(local.set $mx${i % 2} (${V}.pmax (local.get $mx${i % 2}) (local.get $x)))
(local.set $mn${i % 2} (${V}.pmin (local.get $mn${i % 2}) (local.get $x)))`);
  }
  const blockMaxMin = `(local.set $mx0 (v128.load (local.get $p)))
(local.set $mx1 (v128.load offset=16 (local.get $p)))
(local.set $mn0 (local.get $mx0))
(local.set $mn1 (local.get $mx1))
${loads.join("\n")}
(local.set $mx0 (${V}.pmax (local.get $mx0) (local.get $mx1)))
(local.set $mn0 (${V}.pmin (local.get $mn0) (local.get $mn1)))
${reduceMaxMin}`;
  // A block's exps as in shortRow.ts: all 16 vectors unrolled, or (L.sumGroup = 8, the exact
  // build) two rounds of 8 from $b, the accumulators starting at 0 (0 + e = e exactly).
  // Measured under Node 20: the forward 12-20% faster on long rows. With store (a gradient),
  // rounds whose stores each follow their exp were no faster; with the round's stores after
  // its last exp (Lanes.storesAfterRound), the exact build takes rounds with store too.
  const late = store && L.storesAfterRound;
  const grouped = L.sumGroup < VECTORS_PER_BLOCK && (!store || late);
  const sums: string[] = [];
  for (let i = 0; i < (grouped ? L.sumGroup : VECTORS_PER_BLOCK); i++) {
    const a = `a${i % 4}`;
    const base = grouped ? "(local.get $b)" : "(local.get $p)";
    const e = late ? `e${i}` : "e";
    sums.push(`(local.set $d (${V}.sub (v128.load offset=${16 * i} ${base}) (local.get $Mv)))
${expInstructions(V, "d", e, L.relaxed, L.hoisted, L.expForm)}
${store && !late ? `(v128.store offset=${16 * i} ${base} (local.get $e))` : ""}
(local.set $${a} ${i < 4 && !grouped ? `(local.get $${e})` : `(${V}.add (local.get $${a}) (local.get $${e}))`})`);
  }
  if (late) sums.push(roundStores(sums.length, grouped ? "(local.get $b)" : "(local.get $p)"));
  const sumBody = grouped
    ? `(local.set $a0 (v128.const i64x2 0 0)) (local.set $a1 (local.get $a0)) (local.set $a2 (local.get $a0)) (local.set $a3 (local.get $a0))
(local.set $b (local.get $p))
(local.set $g (i32.const ${VECTORS_PER_BLOCK / L.sumGroup}))
(loop $sumGroup
  ${sums.join("\n")}
  (local.set $b (i32.add (local.get $b) (i32.const ${16 * L.sumGroup})))
  (br_if $sumGroup (local.tee $g (i32.sub (local.get $g) (i32.const 1)))))`
    : sums.join("\n");
  const blockSum = `${recordM}
${sumBody}
(local.set $a0 (${V}.add (${V}.add (local.get $a0) (local.get $a1)) (${V}.add (local.get $a2) (local.get $a3))))
(local.set $S (f64x2.add (local.get $S) ${widen("a0")}))`;
  const blockSmooth: string[] = [];
  for (let i = 0; mode > 0 && i < VECTORS_PER_BLOCK; i++) blockSmooth.push(smoothTerm(L, mode, 16 * i, null));

  // A partial block (the row's last), or the block holding the target: vector by vector,
  // lanes past the end of the \`count\` logits and the target's lane masked off.
  const remaining = `(i32.sub (local.get $count) (local.get $q))`;
  const skip = `(i32.sub (local.get $skip) (local.get $q))`;
  const here = `(i32.add (local.get $p) (i32.shl (local.get $q) (i32.const ${L.shift})))`;
  const maskedLoop = (label: string, body: string): string => `(local.set $q (i32.const 0))
(loop $${label}
  (local.set $mask ${tailMask(L, remaining, skip)})
  (local.set $x (v128.load ${here}))
  ${body}
  (br_if $${label} (i32.lt_s (local.tee $q (i32.add (local.get $q) (i32.const ${L.width}))) (local.get $count))))`;
  const masked = `(local.set $mx0 ${splat(V, -Infinity)})
(local.set $mn0 ${splat(V, Infinity)})
${maskedLoop("maskedMax", `(local.set $mx0 (${V}.pmax (local.get $mx0) (v128.bitselect (local.get $x) ${splat(V, -Infinity)} (local.get $mask))))
  (local.set $mn0 (${V}.pmin (local.get $mn0) (v128.bitselect (local.get $x) ${splat(V, Infinity)} (local.get $mask))))`)}
${reduceMaxMin}
${rebase}
${mode > 0 ? maskedLoop("maskedSmooth", smoothTerm(L, mode, 0, here)) : ""}
${recordM}
(local.set $a0 (v128.const i64x2 0 0))
${maskedLoop("maskedSum", `(local.set $d (${V}.sub (local.get $x) (local.get $Mv)))
  ${expInstructions(V, "d", "e", L.relaxed, L.hoisted, L.expForm)}
  ${store ? `(v128.store ${here} (v128.bitselect (local.get $e) (local.get $x) (local.get $mask)))` : ""}
  (local.set $a0 (${V}.add (local.get $a0) (v128.bitselect (local.get $e) (v128.const i64x2 0 0) (local.get $mask))))`)}
(local.set $S (f64x2.add (local.get $S) ${widen("a0")}))`;

  return `;; Online max and sum over the n logits at p (weights at w), leaving out the one at
;; index skip (-1: none); smoothing mode ${mode}.
(func $segment${store ? "Store" : ""}${mode} (param $p i32) (param $n i32) (param $w i32) (param $skip i32)
  ${locals("v128", ["S", "t0", "t1", "R", "Mv", "mx0", "mx1", "mn0", "mn1", "a0", "a1", "a2", "a3", "x", "d", "e", "k", "kn", "r", "mask", "lo", "hi", "sk"])}
  (local $q i32) (local $count i32) (local $bm f64)${grouped ? " (local $b i32) (local $g i32)" : ""}${late ? ` ${roundLocals(L)}` : ""}${expSetup(L.vec, L.hoisted, L.expForm)}
  (local.set $S (f64x2.replace_lane 0 (v128.const i64x2 0 0) (global.get $S)))
  (local.set $t0 (f64x2.replace_lane 0 (v128.const i64x2 0 0) (global.get $T)))
  (local.set $R (f64x2.splat (global.get $R)))
  (local.set $Mv ${splatM})
  (block $partial (loop $blocks
    (br_if $partial (i32.lt_u (local.get $n) (i32.const ${block})))
    ;; unsigned: true only for 0 <= skip < block
    (if (i32.lt_u (local.get $skip) (i32.const ${block}))
      (then
        ${mode === 0 ? targetBlock(L, store, `${reduceMaxMin}\n${rebase}\n${recordM}`, widen("a0")) : `(local.set $count (i32.const ${block}))\n${masked}`})
      (else
        ${blockMaxMin}
        ${rebase}
        ${blockSmooth.join("\n")}
        ${blockSum}))
    (local.set $p (i32.add (local.get $p) (i32.const ${16 * VECTORS_PER_BLOCK})))
    (local.set $w (i32.add (local.get $w) (i32.const ${8 * block})))
    (local.set $n (i32.sub (local.get $n) (i32.const ${block})))
    (local.set $skip (i32.sub (local.get $skip) (i32.const ${block})))
    (br $blocks)))
  (if (i32.gt_s (local.get $n) (i32.const 0)) (then
    (local.set $count (local.get $n))
    ${masked}))
  (global.set $S (f64.add (f64x2.extract_lane 0 (local.get $S)) (f64x2.extract_lane 1 (local.get $S))))
  (local.set $t0 (f64x2.add (local.get $t0) (local.get $t1)))
  (global.set $T (f64.add (f64x2.extract_lane 0 (local.get $t0)) (f64x2.extract_lane 1 (local.get $t0)))))`;
}

/**
 * T += w·(x - R) for one vector, in float64: at byte offset `offset` of the block, or (tail)
 * at address `at` with lanes past the end masked off. Weights are float64, 8 bytes a class.
 */
function smoothTerm(L: Lanes, mode: number, offset: number, at: string | null): string {
  const weightAt = (byte: number): string =>
    at ? `(v128.load offset=${byte} (i32.add (local.get $w) (i32.shl (local.get $q) (i32.const 3))))` : `(v128.load offset=${offset * (8 / (1 << L.shift)) + byte} (local.get $w))`;
  const term = (value: string, byte: number): string => {
    const centred = `(f64x2.sub ${value} (local.get $R))`;
    return mode === 2 ? `(f64x2.mul ${centred} ${weightAt(byte)})` : centred;
  };
  const masked = (value: string, mask: string): string => (at ? `(v128.bitselect ${value} (v128.const i64x2 0 0) ${mask})` : value);
  const x = at ? `(local.get $x)` : `(v128.load offset=${offset} (local.get $p))`;
  if (L.element === "f64") {
    return `(local.set $t${(offset / 16) % 2} (f64x2.add (local.get $t${(offset / 16) % 2}) ${masked(term(x, 0), "(local.get $mask)")}))`;
  }
  return `(local.set $x ${x})
(local.set $lo ${masked(term("(f64x2.promote_low_f32x4 (local.get $x))", 0), "(i64x2.extend_low_i32x4_s (local.get $mask))")})
(local.set $hi ${masked(term(`(f64x2.promote_low_f32x4 (i8x16.shuffle ${SWAP_HALVES} (local.get $x) (local.get $x)))`, 16), "(i64x2.extend_high_i32x4_s (local.get $mask))")})
(local.set $t0 (f64x2.add (local.get $t0) (local.get $lo)))
(local.set $t1 (f64x2.add (local.get $t1) (local.get $hi)))`;
}
