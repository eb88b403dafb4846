/**
 * The backward sweep, fused into the same call as the forward one: a second pass over each
 * row, still in cache, writes d loss / d logits in place of the logits.
 *
 * g[c] = alpha · exp(x[c] - M) + beta[c]
 *
 * where, for the row, alpha = -G·exp(M - logSumExp) (G = Σ_c of the upstream gradient with
 * respect to the log-probabilities) and beta[c] = the label-smoothing part of that upstream
 * gradient, -(e/C)·w[c]·k: one number (no weights) or one per class. The target's entry g[y]
 * is the one where p - 1 would cancel: rowTerms.ts forms it in float64 and it is stored last.
 * float32 logits are computed in float32.
 *
 * Two forms: scaleRows, over the exps the forward sweep left in place (the default: one
 * multiply-add per logit); gradRows and gradSegment, which compute exp(x - M) again, for
 * rows longer than a chunk that are fed to the kernel in pieces.
 */
import { expInstructions, expSetup } from "./exp";
import { VECTORS_PER_BLOCK, blockLength, locals, madd, tailMask, type Lanes } from "./lanes";
import { GRADIENT } from "./rowTerms";

export function gradFunctions(L: Lanes): string {
  return [segmentFunction(L), rowsFunction(L), scaleRowFunction(L), scaleRowsFunction(L)].join("\n\n");
}

function segmentFunction(L: Lanes): string {
  const V = L.vec;
  const scalar = (name: string): string => (L.element === "f32" ? `(f32x4.splat (f32.demote_f64 (local.get $${name})))` : `(f64x2.splat (local.get $${name}))`);
  const one = (offset: number, beta: string): string => `(local.set $d (${V}.sub (v128.load offset=${offset} (local.get $p)) (local.get $Mv)))
${expInstructions(V, "d", "e", L.relaxed, L.hoisted, L.expForm)}
(v128.store offset=${offset} (local.get $p) ${madd(V, L.relaxed, "(local.get $av)", "(local.get $e)", beta)})`;
  const loop = (weighted: boolean): string => {
    const beta = (offset: number): string => (weighted ? `(v128.load offset=${offset} (local.get $bp))` : `(local.get $bv)`);
    return `(block $partial (loop $vectors
  (br_if $partial (i32.lt_s (local.get $n) (i32.const ${2 * L.width})))
  ${one(0, beta(0))}
  ${one(16, beta(16))}
  (local.set $p (i32.add (local.get $p) (i32.const 32)))
  (local.set $bp (i32.add (local.get $bp) (i32.const 32)))
  (local.set $n (i32.sub (local.get $n) (i32.const ${2 * L.width})))
  (br $vectors)))
(block $done (loop $last
  (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
  (local.set $mask ${tailMask(L, "(local.get $n)")})
  (local.set $x (v128.load (local.get $p)))
  (local.set $d (${V}.sub (local.get $x) (local.get $Mv)))
  ${expInstructions(V, "d", "e", L.relaxed, L.hoisted, L.expForm)}
  (local.set $e ${madd(V, L.relaxed, "(local.get $av)", "(local.get $e)", beta(0))})
  (v128.store (local.get $p) (v128.bitselect (local.get $e) (local.get $x) (local.get $mask)))
  (local.set $p (i32.add (local.get $p) (i32.const 16)))
  (local.set $bp (i32.add (local.get $bp) (i32.const 16)))
  (local.set $n (i32.sub (local.get $n) (i32.const ${L.width})))
  (br $last)))`;
  };
  return `;; Overwrite the n logits at p with alpha·exp(x - M) + beta; beta from bp (weighted) or b.
(func $gradSegment (export "gradSegment") (param $p i32) (param $n i32) (param $alpha f64) (param $M f64) (param $bp i32) (param $b f64) (param $weighted i32)
  ${locals("v128", ["av", "Mv", "bv", "x", "d", "e", "k", "kn", "r", "mask"])}${expSetup(L.vec, L.hoisted, L.expForm)}
  (local.set $av ${scalar("alpha")})
  (local.set $Mv ${scalar("M")})
  (local.set $bv ${scalar("b")})
  (if (local.get $weighted)
    (then ${loop(true)})
    (else ${loop(false)})))`;
}

/**
 * The per-row driver shared by gradRows and scaleRows: for each of `rows` rows of C values at
 * x, with (alpha, M, g[y], what) as 4 float64 at coef + 32·r (rowTerms.ts), sweep the row with
 * `sweep` and write g[y], or zero the row, or leave it (the caller's). `extra` adds the
 * driver's own parameters, locals, set-up and per-row advance.
 */
function rowDriver(
  L: Lanes,
  name: string,
  sweep: string,
  extra: { params?: string; locals?: string; setup?: string; advance?: string } = {},
): string {
  const size = (n: string): string => `(i32.shl ${n} (i32.const ${L.shift}))`;
  const target = `(i32.add (local.get $x) ${size("(local.get $y)")})`;
  const gy = "(f64.load offset=16 (local.get $coef))";
  const store = L.element === "f32" ? `(f32.store ${target} (f32.demote_f64 ${gy}))` : `(f64.store ${target} ${gy})`;
  return `(func (export "${name}") (param $x i32) (param $rows i32) (param $C i32) (param $coef i32) (param $targets i32) (param $bp i32) (param $b f64) (param $weighted i32)${extra.params ?? ""}
  (local $what f64) (local $y i32)${extra.locals ?? ""}
  ${extra.setup ?? ""}
  (block $done (loop $row
    (br_if $done (i32.eqz (local.get $rows)))
    (local.set $what (f64.load offset=24 (local.get $coef)))
    (if (f64.eq (local.get $what) (f64.const ${GRADIENT.SWEEP}))
      (then
        ${sweep}
        (local.set $y (i32.load (local.get $targets)))
        ${store}))
    (if (f64.eq (local.get $what) (f64.const ${GRADIENT.ZERO}))
      (then (memory.fill (local.get $x) (i32.const 0) ${size("(local.get $C)")})))
    (local.set $x (i32.add (local.get $x) ${size("(local.get $C)")}))
    (local.set $coef (i32.add (local.get $coef) (i32.const 32)))
    (local.set $targets (i32.add (local.get $targets) (i32.const 4)))
    ${extra.advance ?? ""}
    (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
    (br $row))))`;
}

function rowsFunction(L: Lanes): string {
  return `;; For each row: compute exp(x - M) again and write the gradient over the logits (gradSegment).
${rowDriver(
    L,
    "gradRows",
    "(call $gradSegment (local.get $x) (local.get $C) (f64.load (local.get $coef)) (f64.load offset=8 (local.get $coef)) (local.get $bp) (local.get $b) (local.get $weighted))",
  )}`;
}

/**
 * The backward sweep over exps the forward sweep stored (stats.ts with store): no exp per
 * logit, one multiply-add. The exps of block k were taken against that block's running max
 * M_k, so g[c] = alpha·exp(M_k - M)·e[c] + beta[c]; the factor changes only when M_k does
 * (a few times a row), and costs one scalar exp each time.
 */
function scaleRowFunction(L: Lanes): string {
  const V = L.vec;
  const block = blockLength(L);
  const splat = (v: string): string => (L.element === "f32" ? `(f32x4.splat (f32.demote_f64 ${v}))` : `(f64x2.splat ${v})`);
  const at = `(i32.add (local.get $p) (i32.shl (local.get $q) (i32.const ${L.shift})))`;
  const beta = `(if (result v128) (local.get $weighted)
      (then (v128.load (i32.add (local.get $bp) (i32.shl (local.get $q) (i32.const ${L.shift})))))
      (else (local.get $bv)))`;
  // A full block: unrolled, unmasked (the target's lane gets a value the caller overwrites with g[y]).
  const fullBlock = (weighted: boolean): string =>
    Array.from({ length: VECTORS_PER_BLOCK }, (_, i) => {
      const b = weighted ? `(v128.load offset=${16 * i} (local.get $bp))` : "(local.get $bv)";
      return `(v128.store offset=${16 * i} (local.get $p) ${madd(V, L.relaxed, "(local.get $fv)", `(v128.load offset=${16 * i} (local.get $p))`, b)})`;
    }).join("\n");
  // Vector by vector, the lanes past the row's end stored back as they were; e is what multiplies.
  const vectorLoop = (e: string): string => `(local.set $q (i32.const 0))
        (loop $vector
          (local.set $x (v128.load ${at}))
          (local.set $g ${madd(V, L.relaxed, "(local.get $fv)", e, beta)})
          (v128.store ${at} (v128.bitselect (local.get $g) (local.get $x) ${tailMask(L, "(i32.sub (local.get $count) (local.get $q))")}))
          (br_if $vector (i32.lt_s (local.tee $q (i32.add (local.get $q) (i32.const ${L.width}))) (local.get $count))))`;
  // The row block by block: the factor alpha·exp(M_k - M) in $fk and $fv (then `onFactor`) when M_k changes, then `body`.
  const blockLoop = (onFactor: string, body: string): string => `(local.set $bv ${splat("(local.get $b)")})
  (local.set $last (f64.const nan))
  (block $done (loop $block
    (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
    (local.set $count (select (i32.const ${block}) (local.get $n) (i32.gt_s (local.get $n) (i32.const ${block}))))
    (local.set $Mk (f64.load (local.get $blocks)))
    (if (f64.ne (local.get $Mk) (local.get $last)) (then
      (local.set $last (local.get $Mk))
      ;; exp(0) = 1 for blocks swept at the row's final max (the last block, and every block after the max)
      (local.set $fk (if (result f64) (f64.eq (local.get $Mk) (local.get $M)) (then (local.get $alpha)) (else (f64.mul (local.get $alpha) (call $exp64 (f64.sub (local.get $Mk) (local.get $M)))))))
      (local.set $fv ${splat("(local.get $fk)")})${onFactor}))
    ${body}
    (local.set $p (i32.add (local.get $p) (i32.shl (local.get $count) (i32.const ${L.shift}))))
    (local.set $bp (i32.add (local.get $bp) (i32.shl (local.get $count) (i32.const ${L.shift}))))
    (local.set $n (i32.sub (local.get $n) (local.get $count)))
    (local.set $blocks (i32.add (local.get $blocks) (i32.const 8)))
    (br $block)))`;
  return `;; Overwrite the n stored exps at p with alpha·exp(M_k - M)·e + beta, block by block.
(func $scaleRow (param $p i32) (param $n i32) (param $alpha f64) (param $M f64) (param $bp i32) (param $b f64) (param $weighted i32) (param $blocks i32) (param $stats i32)
  (local $Mk f64) (local $last f64) (local $fk f64) (local $count i32) (local $q i32)
  ${locals("v128", ["fv", "bv", "x", "g"])}
  ;; A row with |alpha| >= 2^-${QUICK_ALPHA_LOG2[L.element]} goes on at once, as every row of ordinary data does
  ;; (QUICK_ALPHA_LOG2: its products can still be subnormal for logits far below M, which it
  ;; leaves). Else: the row's smallest product, |alpha|·exp(MIN - M) (MIN, the row's min, from
  ;; stats), is at least 2^(E + (MIN - M)·log2 e) with E = floor(log2 |alpha|), read off alpha's
  ;; exponent bits (-1023 for 0 or a subnormal alpha, which then counts as tiny); scaleRowTiny
  ;; takes the row when that bound is under 2^${minNormalLog2(L) + 1}, a power of 2 to spare.
  (if (f64.lt (f64.abs (local.get $alpha)) (f64.const ${2 ** -QUICK_ALPHA_LOG2[L.element]})) (then
    (if (f64.lt
          (f64.add
            (f64.convert_i64_s (i64.sub (i64.shr_u (i64.reinterpret_f64 (f64.abs (local.get $alpha))) (i64.const 52)) (i64.const 1023)))
            (f64.mul (f64.sub (f64.load offset=16 (local.get $stats)) (local.get $M)) (f64.const ${Math.LOG2E})))
          (f64.const ${minNormalLog2(L) + 1}))
      (then
        (call $scaleRowTiny (local.get $p) (local.get $n) (local.get $alpha) (local.get $M) (local.get $bp) (local.get $b) (local.get $weighted) (local.get $blocks))
        (return)))))
  ${blockLoop("", `(if (i32.eq (local.get $count) (i32.const ${block}))
      (then (if (local.get $weighted) (then ${fullBlock(true)}) (else ${fullBlock(false)})))
      (else
        ${vectorLoop("(local.get $x)")}))`)})

;; scaleRow for a row some of whose products alpha·exp(x - M) may lie under the smallest
;; normal float (scaleRow tells): vector by vector, each e whose product would lie there taken
;; as 0. A float multiply whose exact result lies there costs Intel cores a microcode assist
;; (src/commands/bench/subnormal.ts), in a confident row's every logit far below its max; the
;; value it would give is within any tolerance of 0 (PyTorch's gradient holds the subnormal).
(func $scaleRowTiny (param $p i32) (param $n i32) (param $alpha f64) (param $M f64) (param $bp i32) (param $b f64) (param $weighted i32) (param $blocks i32)
  (local $Mk f64) (local $last f64) (local $fk f64) (local $count i32) (local $q i32)
  ${locals("v128", ["fv", "bv", "x", "g", "thr"])}
  ${blockLoop(`
      ;; e under thr = the smallest normal / |factor| would make a product under the smallest normal.
      (local.set $thr ${splat(`(f64.div (f64.const ${2 ** minNormalLog2(L)}) (f64.abs (local.get $fk)))`)})`, vectorLoop(`(v128.andnot (local.get $x) (${V}.lt (local.get $x) (local.get $thr)))`))})`;
}

/** log2 of the smallest normal float of the lanes' type: 2^-126 or 2^-1022. */
function minNormalLog2(L: Lanes): number {
  return L.element === "f32" ? -126 : -1022;
}
/**
 * scaleRow's quick test: a row with |alpha| >= 2^-60 (float64: 2^-300) goes on at once, as
 * every row of ordinary data does. alpha is -G·exp(M - lse), M the max of the classes but the
 * target's: a confident row's alpha is what is tiny (about exp(-90) at a target leading the
 * others by 90). A row
 * whose products are tiny for its logits far below M alone, with alpha above the bound, keeps
 * the assists (as PyTorch's gradient pays them there): a test of every row's spread cost
 * ordinary rows 2 to 3% at C = 10.
 */
const QUICK_ALPHA_LOG2 = { f32: 60, f64: 300 } as const;

function scaleRowsFunction(L: Lanes): string {
  const block = blockLength(L);
  return `;; gradRows for rows swept with store: block maxima from \`blocks\` as statsRows wrote them.
${rowDriver(
    L,
    "scaleRows",
    "(call $scaleRow (local.get $x) (local.get $C) (f64.load (local.get $coef)) (f64.load offset=8 (local.get $coef)) (local.get $bp) (local.get $b) (local.get $weighted) (local.get $blocks) (local.get $stats))",
    {
      params: " (param $blocks i32) (param $stats i32)",
      locals: " (local $rowBlocks i32)",
      setup: `(local.set $rowBlocks (i32.shl (i32.div_u (i32.add (local.get $C) (i32.const ${block - 1})) (i32.const ${block})) (i32.const 3)))`,
      advance: "(local.set $blocks (i32.add (local.get $blocks) (local.get $rowBlocks))) (local.set $stats (i32.add (local.get $stats) (i32.const 32)))",
    },
  )}`;
}
