/**
 * The forward sweep's entry points: begin a row, feed it a segment (dispatch on the smoothing
 * mode and on store), and statsRows, which sweeps a chunk of rows and computes each row's
 * terms (rowTerms.ts) without leaving the kernel.
 */
import { blockLength, type Lanes } from "./lanes";
import { advanceRows, octLocals, octStep, quadLocals, quadStep, quadSums } from "./quadFinish";
import { GRADIENT, STATUS } from "./rowTerms";
import { SHORT_ROW_BYTES, SHORT_ROW_MIN_VECTORS, shortRowInline, shortRowStoreMinLogits } from "./shortRow";

/**
 * With `inPlace` (the in-place build, module.ts): statsRows reads the rows from memory $src,
 * short rows of a forward without smoothing only, through shortRows' in-place sweep.
 */
export function statsRowsFunctions(L: Lanes, inPlace = false): string[] {
  if (inPlace) return [dispatchFunction(), beginFunction(), shortRowsFunction(L, false, true), rowsFunction(L, true)];
  return [dispatchFunction(), beginFunction(), shortRowsFunction(L, false), shortRowsFunction(L, true), rowsFunction(L)];
}

function dispatchFunction(): string {
  const call = (name: string): string => `(call $${name} (local.get $p) (local.get $n) (local.get $w) (local.get $skip))`;
  const pick = (prefix: string): string => `(if (i32.eqz (local.get $mode)) (then ${call(prefix + "0")} (return)))
    (if (i32.eq (local.get $mode) (i32.const 1)) (then ${call(prefix + "1")} (return)))
    ${call(prefix + "2")}`;
  return `;; One piece of a row into the running state, leaving out index skip (-1: none); mode as in
;; segment0-2; with store, the exps overwrite the logits (segmentStore0-2).
(func $segmentAny (param $p i32) (param $n i32) (param $w i32) (param $skip i32) (param $mode i32) (param $store i32)
  (if (local.get $store) (then
    ${pick("segmentStore")}
    (return)))
  ${pick("segment")})

(func (export "segment") (param $p i32) (param $n i32) (param $w i32) (param $skip i32) (param $mode i32)
  (call $segmentAny (local.get $p) (local.get $n) (local.get $w) (local.get $skip) (local.get $mode) (i32.const 0)))`;
}

function beginFunction(): string {
  return `;; Start a row: M = -Infinity, S = 0, MIN = +Infinity, T = 0, R = the row's reference logit.
(func $begin (export "begin") (param $R f64)
  (global.set $M (f64.const -inf))
  (global.set $S (f64.const 0))
  (global.set $MIN (f64.const inf))
  (global.set $T (f64.const 0))
  (global.set $R (local.get $R)))`;
}

function shortRowsFunction(L: Lanes, store: boolean, inPlace = false): string {
  const short = shortRowInline(L, inPlace);
  const mem = inPlace ? "$src " : "";
  const load = (at: string): string => (L.element === "f32" ? `(f64.promote_f32 (f32.load ${mem}${at}))` : `(f64.load ${mem}${at})`);
  // In place: row r's target window goes to windows + 256·(r mod 2), where it waits for row r's sum pass, in the next iteration.
  const windowFor = (row: string): string => (inPlace ? `(local.set $win (i32.add (local.get $windows) (i32.shl (i32.and (local.get $${row}) (i32.const 1)) (i32.const 8))))` : "");
  const maxSlot = "(i32.shl (local.get $row) (i32.const 5))";
  const sumSlot = "(i32.shl (local.get $sumRow) (i32.const 5))";
  return `;; statsRows' sweep of \`rows\` short rows (no smoothing; shortRow.ts): its two passes
;; skewed by a row in one loop, row r's max beside row r - 1's sum. No row's sum waits for
;; the reduction of its own max (a chain of some 30 dependent vector operations, which in a
;; loop of its own left the core mostly waiting), the max's latency hides behind the sum's
;; exps, and the sum reads a row the max pass has just brought into L1. Writes what
;; statsRows' sweep writes: (M, S, MIN, T) at out, x[y] and R in coef, a 0 loss. A function
;; of its own, called once per statsRows call: inlined there, its locals slowed statsRows'
;; other loop.${
    inPlace
      ? `
;; In place: the rows are read from memory $src (the caller's shared array, kernel.ts's inPlace)
;; and nothing is written there. The block or tail that holds a row's target (its window) is
;; copied to windows + 256·(r mod 2) in the kernel's memory, where the target's logit is left
;; out as above; the sweeps read that block from there and the others from $src.`
      : ""
  }${
    store
      ? `
;; With store (a gradient is wanted): each exp(x - M) overwrites its logit, all taken against
;; the row's final max M, which goes to each of the row's block slots at blocks + 8·r·⌈C/block⌉
;; (rowBlocks bytes a row): the gradient sweep (grad.ts, scaleRow) then multiplies by alpha
;; alone, with no rescaling exp.`
      : ""
  }
(func $shortRows${store ? "Store" : ""} (param $rowAt i32) (param $rows i32) (param $C i32) (param $targets i32) (param $out i32) (param $loss i32) (param $coef i32)${
    store ? " (param $blocks i32) (param $rowBlocks i32)" : ""
  }${inPlace ? " (param $windows i32)" : ""}
  (local $y i32) (local $row i32) (local $sumRow i32) (local $sumAt i32)${store ? " (local $blockAt i32) (local $blockEnd i32) (local $Mrow f64)" : ""}
  ${short.locals}
  (local.set $row (i32.const 0))
  (loop $rowLoop
    (if (i32.lt_u (local.get $row) (local.get $rows)) (then
      (local.set $y (i32.load (i32.add (local.get $targets) (i32.shl (local.get $row) (i32.const 2)))))
      (f64.store (i32.add (local.get $loss) (i32.shl (local.get $row) (i32.const 3))) (f64.const 0))
      (f64.store offset=24 (i32.add (local.get $coef) ${maxSlot}) (f64.const ${GRADIENT.CALLER}))
      (if (i32.ne (local.get $y) (i32.const -2)) (then
        ;; R, the row's reference logit: its first (no smoothing uses no other)
        (f64.store offset=8 (i32.add (local.get $coef) ${maxSlot}) ${load("(local.get $rowAt)")})
        ;; x[y] before the sweep, which overwrites it
        (if (i32.ge_s (local.get $y) (i32.const 0)) (then
          (f64.store (i32.add (local.get $coef) ${maxSlot})
            ${load(`(i32.add (local.get $rowAt) (i32.shl (local.get $y) (i32.const ${L.shift})))`)})))
        (local.set $p (local.get $rowAt)) (local.set $n (local.get $C)) (local.set $skip (local.get $y))
        ${windowFor("row")}
        ${short.max}
        (f64.store (i32.add (local.get $out) ${maxSlot}) (local.get $rowMax))
        (f64.store offset=16 (i32.add (local.get $out) ${maxSlot}) (local.get $rowMin))
        (f64.store offset=24 (i32.add (local.get $out) ${maxSlot}) (f64.const 0))))))
    (if (local.get $row) (then
      (local.set $sumRow (i32.sub (local.get $row) (i32.const 1)))
      (local.set $y (i32.load (i32.add (local.get $targets) (i32.shl (local.get $sumRow) (i32.const 2)))))
      (if (i32.ne (local.get $y) (i32.const -2)) (then
        (local.set $p (local.get $sumAt)) (local.set $n (local.get $C)) (local.set $skip (local.get $y))
        ${windowFor("sumRow")}
        ${short.sum(`(f64.load (i32.add (local.get $out) ${sumSlot}))`, `(f64.load offset=16 (i32.add (local.get $out) ${sumSlot}))`, store)}
        (f64.store offset=8 (i32.add (local.get $out) ${sumSlot}) (local.get $Sf))${store ? `
        (local.set $Mrow (f64.load (i32.add (local.get $out) ${sumSlot})))
        (local.set $blockAt (local.get $blocks))
        (local.set $blockEnd (i32.add (local.get $blocks) (local.get $rowBlocks)))
        (loop $blockSlots
          (f64.store (local.get $blockAt) (local.get $Mrow))
          (br_if $blockSlots (i32.lt_u (local.tee $blockAt (i32.add (local.get $blockAt) (i32.const 8))) (local.get $blockEnd))))` : ""}))${store ? `
      (local.set $blocks (i32.add (local.get $blocks) (local.get $rowBlocks)))` : ""}))
    (local.set $sumAt (local.get $rowAt))
    (local.set $rowAt (i32.add (local.get $rowAt) (i32.shl (local.get $C) (i32.const ${L.shift}))))
    (local.set $row (i32.add (local.get $row) (i32.const 1)))
    (br_if $rowLoop (i32.le_u (local.get $row) (local.get $rows)))))`;
}

function rowsFunction(L: Lanes, inPlace = false): string {
  // In place (module.ts): only short rows of a forward without smoothing; `blocks` is where their windows go.
  const sweep = inPlace
    ? `(if (i32.or (i32.eqz (local.get $short)) (local.get $store)) (then (unreachable)))
  (call $shortRows (local.get $rowAt) (local.get $rows) (local.get $C) (local.get $targets) (local.get $out) (local.get $loss) (local.get $coef) (local.get $blocks))`
    : rowsSweep(L);
  return `;; For each of \`rows\` rows of C logits at x, with targets[r] = the row's target class
;; or the ignored rows' value (configure's ignore; rewritten in place to -1: an ignored row
;; whose gradient is wanted, -2: an ignored row to skip): the sweep, then
;; the row's terms (rowTerms.ts). Writes (M, S, MIN, T) at out + 32·r, the loss at
;; loss + 8·r, the status at status + 4·r and the gradient's scalars at coef + 32·r (LEFT: how
;; many rows the caller must finish, rowFinish.ts); with
;; store, the exps over the logits and each block's M from \`blocks\` on (row r's at
;; blocks + 8·r·⌈C/block⌉).
;; Two loops: every row's sweep, then every row's terms. A row's terms are a long chain of
;; dependent float64 operations (exp, then log1p with two divisions) but few of them; after
;; each sweep, the next row's sweep filled the core's window and the chain ran alone. In a
;; loop of their own, the chains of several rows overlap. Between the loops, x[y] and R wait
;; in the first two slots of the row's coef, which rowTerms writes only after reading them.
;; Short rows (without smoothing; with store, longer than a block) take shortRows' (or
;; shortRowsStore's) two passes instead of the first loop. Every row's terms are finished
;; two rows at a time (scalar.ts, pairFunctions), two pairs per iteration; float32 rows
;; without smoothing eight or four at a time in float32 instead (quadFinish.ts).
(func (export "statsRows") (param $rowAt i32) (param $rows i32) (param $C i32) (param $targets i32) (param $out i32) (param $w i32) (param $mode i32)
    (param $loss i32) (param $status i32) (param $coef i32) (param $store i32) (param $blocks i32)
  (local $y i32) (local $state i32) (local $rowBlocks i32) (local $short i32) (local $row i32) (local $next i32)
  (local $dv v128) (local $Sv v128) (local $pos v128) (local $ex v128) (local $lp v128)
  (local $plain i32) (local $xv v128) (local $wv v128) (local $nv v128)
  (local $Mp v128) (local $uv v128) (local $ratio v128) (local $pT v128) (local $pO v128) (local $nw v128) (local $av v128) (local $gyv v128)
  (local $quad i32) (local $dv2 v128) (local $Sv2 v128) (local $pos2 v128) (local $ex2 v128) (local $lp2 v128)${L.element === "f32" ? `\n  ${quadLocals()} ${octLocals()}` : ""}
  (local.set $plain (i32.eqz (local.get $mode)))
  ;; With store, only rows of more than one block: a row of one block pays the online sweep no
  ;; rescaling exp, and was faster there (shortRow.ts, shortRowStoreMinLogits).
  (local.set $short (i32.and (i32.eqz (local.get $mode))
    (i32.and (i32.ge_u (local.get $C) (select (i32.const ${shortRowStoreMinLogits(L)}) (i32.const ${SHORT_ROW_MIN_VECTORS * L.width}) (local.get $store)))
      (i32.le_u (local.get $C) (i32.const ${SHORT_ROW_BYTES >> L.shift})))))
  (local.set $rowBlocks (i32.shl (i32.div_u (i32.add (local.get $C) (i32.const ${blockLength(L) - 1})) (i32.const ${blockLength(L)})) (i32.const 3)))
  (global.set $LEFT (i32.const 0))
  ;; The caller's targets as they are: ignored rows become -1 (a gradient is wanted) or -2.
  (local.set $row (i32.const 0))
  (block $mapped (loop $map
    (br_if $mapped (i32.ge_u (local.get $row) (local.get $rows)))
    (local.set $next (i32.add (local.get $targets) (i32.shl (local.get $row) (i32.const 2))))
    (if (i32.eq (i32.load (local.get $next)) (global.get $ignore))
      (then (i32.store (local.get $next) (select (i32.const -1) (i32.const -2) (global.get $withGrad)))))
    (local.set $row (i32.add (local.get $row) (i32.const 1)))
    (br $map)))
  ${sweep}
  ${L.element === "f32" ? quadSums("load") : ""}
  (block $done (loop $row
    (br_if $done (i32.eqz (local.get $rows)))${L.element === "f32" ? `
    ;; Float32 logits without smoothing: eight or four rows at once in float32 (quadFinish.ts).
    (if (local.get $plain) (then
      ${octStep(L.relaxed, gradientScalars)}
      ${quadStep(L.relaxed, finishRow(0), gradientScalars)}))` : ""}
    ;; This row and the next (itself again when it is the last): d = M - x[y], then
    ;; exp64(-|d|) and log1p64 of each row's argument in the two lanes of one vector. With four
    ;; rows or more left, the next two rows' pair too, its exp and log1p called between this
    ;; pair's: each pair's chain (exp, then log1p with its divisions) is long and the loop body
    ;; too big for the core to start the next iteration's chain while this one runs.
    (local.set $next (select (i32.const 32) (i32.const 0) (i32.gt_u (local.get $rows) (i32.const 1))))
    (local.set $quad (i32.ge_u (local.get $rows) (i32.const 4)))
    (local.set $dv (f64x2.sub ${pair("(local.get $out)", "")} ${pair("(local.get $coef)", "")}))
    (local.set $Sv ${pair("(local.get $out)", "offset=8 ")})
    (local.set $pos (f64x2.gt (local.get $dv) (v128.const f64x2 0 0)))
    (if (local.get $quad)
      (then
        (local.set $dv2 (f64x2.sub ${pair("(local.get $out)", "offset=64 ")} ${pair("(local.get $coef)", "offset=64 ")}))
        (local.set $Sv2 ${pair("(local.get $out)", "offset=72 ")})
        (local.set $pos2 (f64x2.gt (local.get $dv2) (v128.const f64x2 0 0)))
        (local.set $ex ${expArgument("")})
        (local.set $ex2 ${expArgument("2")})
        (local.set $lp ${logArgument("")})
        (local.set $lp2 ${logArgument("2")}))
      (else
        (local.set $ex ${expArgument("")})
        (local.set $lp ${logArgument("")})))
    ${finishPair("pairA")}
    (if (local.get $quad) (then
      (local.set $dv (local.get $dv2)) (local.set $Sv (local.get $Sv2)) (local.set $pos (local.get $pos2))
      (local.set $ex (local.get $ex2)) (local.set $lp (local.get $lp2))
      ${finishPair("pairB")}))
    (br $row)))${L.element === "f32" ? `
  ${quadSums("store")}` : ""})`;
}

/** statsRows' first loop, reading the rows from the kernel's memory: short rows' two passes (shortRows, shortRowsStore) or each row's online sweep. */
function rowsSweep(L: Lanes): string {
  const load = (at: string): string => (L.element === "f32" ? `(f64.promote_f32 (f32.load ${at}))` : `(f64.load ${at})`);
  return `  (if (local.get $short)
    (then (if (local.get $store)
      (then (call $shortRowsStore (local.get $rowAt) (local.get $rows) (local.get $C) (local.get $targets) (local.get $out) (local.get $loss) (local.get $coef)
        (local.get $blocks) (local.get $rowBlocks)))
      (else (call $shortRows (local.get $rowAt) (local.get $rows) (local.get $C) (local.get $targets) (local.get $out) (local.get $loss) (local.get $coef)))))
    (else
  (local.set $row (i32.const 0))
  (block $swept (loop $sweep
    (br_if $swept (i32.ge_u (local.get $row) (local.get $rows)))
    (local.set $y (i32.load (i32.add (local.get $targets) (i32.shl (local.get $row) (i32.const 2)))))
    (f64.store (i32.add (local.get $loss) (i32.shl (local.get $row) (i32.const 3))) (f64.const 0))
    (f64.store offset=24 (i32.add (local.get $coef) (i32.shl (local.get $row) (i32.const 5))) (f64.const ${GRADIENT.CALLER}))
    (if (i32.ne (local.get $y) (i32.const -2)) (then
      (call $begin ${load("(local.get $rowAt)")})
      (global.set $blockM (local.get $blocks))
      (f64.store offset=8 (i32.add (local.get $coef) (i32.shl (local.get $row) (i32.const 5))) (global.get $R))
      ;; x[y] before the sweep, which may overwrite it
      (if (i32.ge_s (local.get $y) (i32.const 0)) (then
        (f64.store (i32.add (local.get $coef) (i32.shl (local.get $row) (i32.const 5)))
          ${load(`(i32.add (local.get $rowAt) (i32.shl (local.get $y) (i32.const ${L.shift})))`)})))
      (call $segmentAny (local.get $rowAt) (local.get $C) (local.get $w) (local.get $y) (local.get $mode) (local.get $store))
      (f64.store (i32.add (local.get $out) (i32.shl (local.get $row) (i32.const 5))) (global.get $M))
      (f64.store offset=8 (i32.add (local.get $out) (i32.shl (local.get $row) (i32.const 5))) (global.get $S))
      (f64.store offset=16 (i32.add (local.get $out) (i32.shl (local.get $row) (i32.const 5))) (global.get $MIN))
      (f64.store offset=24 (i32.add (local.get $out) (i32.shl (local.get $row) (i32.const 5))) (global.get $T))))
    (local.set $rowAt (i32.add (local.get $rowAt) (i32.shl (local.get $C) (i32.const ${L.shift}))))
    (local.set $blocks (i32.add (local.get $blocks) (local.get $rowBlocks)))
    (local.set $row (i32.add (local.get $row) (i32.const 1)))
    (br $sweep)))))`;
}

/** exp64(-|d|) of a pair of rows (locals $dv, $pos with the suffix). */
function expArgument(suffix: string): string {
  return `(call $exp64x2 (v128.bitselect (f64x2.neg (local.get $dv${suffix})) (local.get $dv${suffix}) (local.get $pos${suffix})))`;
}

/** log1p64 of (S - 1) + exp(-d) (d > 0) or S·exp(d), for a pair of rows. */
function logArgument(suffix: string): string {
  return `(call $log1p64x2 (v128.bitselect
      (f64x2.add (f64x2.sub (local.get $Sv${suffix}) (v128.const f64x2 1 1)) (local.get $ex${suffix}))
      (f64x2.mul (local.get $Sv${suffix}) (local.get $ex${suffix}))
      (local.get $pos${suffix})))`;
}

/** The pair in $dv, $Sv, $pos, $ex, $lp: both rows at once (finishPlainPair) or one by one (finishRow). */
function finishPair(label: string): string {
  return `(block $${label}
      (if (i32.and (local.get $plain) (i32.and (i32.ge_u (local.get $rows) (i32.const 2))
            (i32.and (i32.ge_s (i32.load (local.get $targets)) (i32.const 0)) (i32.ge_s (i32.load offset=4 (local.get $targets)) (i32.const 0)))))
        (then ${finishPlainPair(label)}))
      ${finishRow(0)}
      (if (local.get $rows) (then
        ${finishRow(1)})))`;
}

/**
 * Both rows of the pair, without smoothing (plain), both with a target: when
 * every statistic is finite, their terms in the pair's two lanes, as rowTerms computes them
 * (sp = d + lp or lp, nll = loss = sp·w[y]; the sums added row by row, in order), without its
 * call, its globals and its branches; with a gradient, pairGradient's scalars too. Otherwise
 * (NaN or ±Infinity) it leaves the pair to finishRow.
 */
function finishPlainPair(label: string): string {
  const weight = (offset: string): string =>
    `(if (result f64) (global.get $weighted) (then (f64.load (i32.add (local.get $w) (i32.shl (i32.load ${offset}(local.get $targets)) (i32.const 3))))) (else (f64.const 1)))`;
  const finite = (v: string): string => `(f64x2.eq (f64x2.sub ${v} ${v}) (v128.const f64x2 0 0))`;
  const add = (sum: string, v: string, lane: number): string => `(global.set $${sum} (f64.add (global.get $${sum}) (f64x2.extract_lane ${lane} ${v})))`;
  return `(local.set $xv ${pair("(local.get $coef)", "")})
      (if (i64x2.all_true (v128.and (v128.and ${finite("(local.get $xv)")} ${finite(pair("(local.get $out)", ""))})
            (v128.and ${finite("(local.get $Sv)")} (f64x2.ne ${pair("(local.get $out)", "offset=16 ")} (v128.const f64x2 -inf -inf)))))
        (then
          (local.set $wv (f64x2.replace_lane 1 (f64x2.splat ${weight("")}) ${weight("offset=4 ")}))
          (local.set $nv (f64x2.mul (v128.bitselect (f64x2.add (local.get $dv) (local.get $lp)) (local.get $lp) (local.get $pos)) (local.get $wv)))
          ${add("NLL", "(local.get $nv)", 0)} ${add("DEN", "(local.get $wv)", 0)} ${add("TOTAL", "(local.get $nv)", 0)}
          ${add("NLL", "(local.get $nv)", 1)} ${add("DEN", "(local.get $wv)", 1)} ${add("TOTAL", "(local.get $nv)", 1)}
          (v128.store (local.get $loss) (local.get $nv))
          (i64.store (local.get $status) (i64.const ${STATUS.FAST})) ;; both rows' status, FAST = 0
          (if (local.get $store) (then ${pairGradient()}))
          ${advanceRows(2)}
          (br $${label})))`;
}

/**
 * With a gradient (no smoothing): the pair's gradient scalars, as rowTerms computes them,
 * both sides of the max computed and the side of each lane's d kept:
 *   d > 0:   ratio = 1/(S + v);  pT = v·ratio;  pO = S·ratio       (v = exp(-d))
 *   d <= 0:  pT = 1/(1 + u);  ratio = exp(d)·pT;  pO = u·pT       (u = S·exp(d))
 *   alpha = -(G·ratio), G = smoothGradSum + nllGrad·w[y];  g[y] = (0 - pT·smoothGradSum) + (nllGrad·w[y])·pO
 * written to each row's coef as (alpha, M, g[y], SWEEP).
 */
function pairGradient(): string {
  const row = (lane: number, offset: number): string => `(f64.store offset=${offset} (local.get $coef) (f64x2.extract_lane ${lane} (local.get $av)))
            (f64.store offset=${offset + 8} (local.get $coef) (f64x2.extract_lane ${lane} (local.get $Mp)))
            (f64.store offset=${offset + 16} (local.get $coef) (f64x2.extract_lane ${lane} (local.get $gyv)))
            (f64.store offset=${offset + 24} (local.get $coef) (f64.const ${GRADIENT.SWEEP}))`;
  return `
            (local.set $Mp ${pair("(local.get $out)", "")})
            ${gradientScalars({ S: "Sv", v: "ex", pos: "pos", w: "wv", alpha: "av", gy: "gyv" })}
            ${row(0, 0)}
            ${row(1, 32)}`;
}

/** The gradient scalars alpha and g[y] of two rows (pairGradient's formulas) from the named f64x2 locals; uses $uv, $ratio, $pT, $pO, $nw. */
function gradientScalars(n: { S: string; v: string; pos: string; w: string; alpha: string; gy: string }): string {
  const g = (name: string): string => `(f64x2.splat (global.get $${name}))`;
  const l = (name: string): string => `(local.get $${name})`;
  const one = "(v128.const f64x2 1 1)";
  return `(local.set $uv (f64x2.mul ${l(n.S)} ${l(n.v)}))
            (local.set $ratio (f64x2.div ${one} (f64x2.add ${l(n.S)} ${l(n.v)})))
            (local.set $pT (f64x2.div ${one} (f64x2.add ${one} (local.get $uv))))
            (local.set $pO (v128.bitselect (f64x2.mul ${l(n.S)} (local.get $ratio)) (f64x2.mul (local.get $uv) (local.get $pT)) ${l(n.pos)}))
            (local.set $ratio (v128.bitselect (local.get $ratio) (f64x2.mul ${l(n.v)} (local.get $pT)) ${l(n.pos)}))
            (local.set $pT (v128.bitselect (f64x2.mul ${l(n.v)} (local.get $ratio)) (local.get $pT) ${l(n.pos)}))
            (local.set $nw (f64x2.mul ${g("nllGrad")} ${l(n.w)}))
            (local.set $${n.alpha} (f64x2.neg (f64x2.mul (f64x2.add ${g("smoothGradSum")} (local.get $nw)) (local.get $ratio))))
            (local.set $${n.gy} (f64x2.add (f64x2.sub (v128.const f64x2 0 0) (f64x2.mul ${l("pT")} ${g("smoothGradSum")})) (f64x2.mul (local.get $nw) (local.get $pO))))`;
}

/** A float64 at `offset` from `at` (lane 0) and from `at` + $next (lane 1), as an f64x2. */
function pair(at: string, offset: string): string {
  return `(f64x2.replace_lane 1 (f64x2.splat (f64.load ${offset}${at})) (f64.load ${offset}(i32.add ${at} (local.get $next))))`;
}

/** One row's terms (rowTerms.ts) from the pair's lane `lane`; moves every pointer to the next row. */
function finishRow(lane: number): string {
  return `(local.set $y (i32.load (local.get $targets)))
    (local.set $state (i32.const ${STATUS.IGNORED}))
    (if (i32.ne (local.get $y) (i32.const -2)) (then
      (global.set $M (f64.load (local.get $out)))
      (global.set $S (f64.load offset=8 (local.get $out)))
      (global.set $MIN (f64.load offset=16 (local.get $out)))
      (global.set $T (f64.load offset=24 (local.get $out)))
      (if (i32.ge_s (local.get $y) (i32.const 0))
        (then
          (local.set $state (call $rowTerms
            (f64.load (local.get $coef))
            (f64.load offset=8 (local.get $coef))
            (if (result f64) (global.get $weighted) (then (f64.load (i32.add (local.get $w) (i32.shl (local.get $y) (i32.const 3))))) (else (f64.const 1)))
            (i32.eq (local.get $C) (i32.const 1))
            (local.get $loss)
            (local.get $coef)
            (f64x2.extract_lane ${lane} (local.get $ex))
            (f64x2.extract_lane ${lane} (local.get $lp)))))
        (else
          ;; An ignored row: its gradient is 0, unless NaN or ±Infinity make it NaN (the caller's).
          (if (i32.and (f64.eq (f64.sub (global.get $S) (global.get $S)) (f64.const 0))
                (i32.and (f64.eq (f64.sub (global.get $M) (global.get $M)) (f64.const 0)) (f64.ne (global.get $MIN) (f64.const -inf))))
            (then (f64.store offset=24 (local.get $coef) (f64.const ${GRADIENT.ZERO}))))))))
    (i32.store (local.get $status) (local.get $state))
    ;; Left to the caller: a row for the exact path or for rowFinish.ts (status EXACT or PIECES),
    ;; or an ignored row whose gradient is not zero (NaN or ±Infinity in it).
    (if (i32.or (i32.ge_u (local.get $state) (i32.const ${STATUS.EXACT}))
          (i32.and (i32.eq (local.get $y) (i32.const -1)) (f64.eq (f64.load offset=24 (local.get $coef)) (f64.const ${GRADIENT.CALLER}))))
      (then (global.set $LEFT (i32.add (global.get $LEFT) (i32.const 1)))))
    ${advanceRows(1)}`;
}
