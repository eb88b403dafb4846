/**
 * The matrix products of linearCrossEntropyFlat, as WebAssembly SIMD text, for float32 or
 * float64, with relaxed SIMD's fused multiply-add or with the exact multiply, then add.
 *
 * Two products (and the tile's softmax terms: softmaxFunctions below for float64,
 * softmaxF32.ts for float32), over tiles already in the module's memory, padded by the caller so that
 * no edge needs a special case: rows to a multiple of 4, the feature length Dp to a multiple
 * of two vectors (8 float32, 4 float64), padding zeros.
 *
 *   logits(x, w, z, T, Cc, Dp, CB)   z[t][c] = Σ_d x[t][d] · w[c][d]      (T × Dp) · (Cc × Dp)ᵀ
 *     a register block of 6 rows × 2 classes (relaxed; 4 rows exact, and blocks of 2 rows for a
 *     remainder): 12 (8) vector accumulators, 8 (6) loads per step over d, each from its own moving pointer; blocks of CB classes (even; their rows of w fit the L1
 *     cache) against all T rows before the next. Dp > 0. float32: two rows' four sums reduced
 *     together by shuffles (11 instructions, not 32 of lane extracts), in the same order.
 *   accumulate(a, rs, cs, b, out, M, K, Dp)
 *                                out[i][d] += Σ_k a(i, k) · b[k][d], a(i, k) at a + i·rs + k·cs
 *     a register block of 6 rows (relaxed; 4 exact) × 2 vectors of d: 12 (8) accumulators, 2 loads
 *     and 6 (4) splats per k. K > 0. When rs is one element (Gᵀ · X), one pointer walks a for
 *     all rows (row r at offset r · bytes): 1 address addition per k, not 6 (4).
 *     With a = the logits' gradient G (T × Cc): rs = Cc, cs = 1 gives G · W (the input's
 *     gradient), rs = 1, cs = Cc gives Gᵀ · X (the weight's gradient).
 *
 * Sums run in the element type, as PyTorch's float32 matmul accumulates in float32.
 * The relaxed variant may fuse (one rounding) or not, as the CPU has it: it is not bit for bit
 * the same on every machine, the exact one is.
 */

import { expInstructions, expSetup } from "./exp";
import { foldMax, rowF64 } from "./foldMax";
import { softmaxF32Functions } from "./softmaxF32";

export type MatmulElement = "f32" | "f64";

/** The module text for one element type; `relaxed` uses f32x4/f64x2.relaxed_madd. */
export function matmulModule(element: MatmulElement, relaxed: boolean): string {
  const vec = element === "f32" ? "f32x4" : "f64x2";
  const bytes = element === "f32" ? 4 : 8;
  const splatLoad = element === "f32" ? "v128.load32_splat" : "v128.load64_splat";
  const madd = (a: string, b: string, acc: string) =>
    relaxed ? `(${vec}.relaxed_madd ${a} ${b} ${acc})` : `(${vec}.add ${acc} (${vec}.mul ${a} ${b}))`;
  const hsum = (v: string) => {
    const lane = (i: number) => `(${vec}.extract_lane ${i} (local.get $${v}))`;
    return element === "f32" ? `(f32.add (f32.add ${lane(0)} ${lane(1)}) (f32.add ${lane(2)} ${lane(3)}))` : `(f64.add ${lane(0)} ${lane(1)})`;
  };
  const acc = (r: number, c: number) => `s${r}${c}`;
  const v128Locals = (names: string[]) => names.map((n) => `(local $${n} v128)`).join(" ");
  const i32Locals = (names: string[]) => names.map((n) => `(local $${n} i32)`).join(" ");
  const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);
  // Rows a register block: 6 × 2 vectors = 12 accumulators where the multiply-add is one fused
  // instruction (its latency needs more independent sums in flight: 15-20% faster on Node 24,
  // measured), 4 × 2 = 8 with the exact multiply, then add (6 rows measured slower on Node 20).
  // A remainder of 2 or 4 rows (every count is a multiple of 4) takes blocks of 2.
  const R = relaxed ? 6 : 4;
  const rowLocals = (prefix: string) => upTo(R).map((r) => `${prefix}${r}`);
  const accumulators = upTo(R).flatMap((r) => [0, 1].map((c) => acc(r, c)));
  /** Rows (t, up by `rows` while `rows` of them remain) of T, each running `body(rows)`. */
  const rowBlocks = (counter: string, limit: string, label: string, body: (rows: number) => string) =>
    (R === 4 ? [4] : [R, 2])
      .map(
        (rows) => `
    (block $${label}${rows}Done (loop $${label}${rows}
      (br_if $${label}${rows}Done (i32.gt_u (i32.add (local.get $${counter}) (i32.const ${rows})) (local.get $${limit})))
      ${body(rows)}
      (local.set $${counter} (i32.add (local.get $${counter}) (i32.const ${rows})))
      (br $${label}${rows})))`,
      )
      .join("");

  // float32: the four sums of rows r and r+1 (two classes each) by shuffles, each summed in the
  // same order as hsum, (l0 + l1) + (l2 + l3): [s_r0, s_r1, s_r+1,0, s_r+1,1], stored 8 bytes a row.
  const evenLanes = "0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27";
  const oddLanes = "4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31";
  const pairSum = (a: string, b: string) => `(f32x4.add (i8x16.shuffle ${evenLanes} ${a} ${b}) (i8x16.shuffle ${oddLanes} ${a} ${b}))`;
  const rowAddress = (r: number) => `(i32.add (local.get $zp) (i32.mul (i32.const ${r * bytes}) (local.get $Cc)))`;
  const sumPairOfRows = (r: number) => `(local.set $b0 ${pairSum(`(local.get $${acc(r, 0)})`, `(local.get $${acc(r, 1)})`)})
        (local.set $b1 ${pairSum(`(local.get $${acc(r + 1, 0)})`, `(local.get $${acc(r + 1, 1)})`)})
        (local.set $a ${pairSum("(local.get $b0)", "(local.get $b1)")})
        (v128.store64_lane 0 ${rowAddress(r)} (local.get $a))
        (v128.store64_lane 1 ${rowAddress(r + 1)} (local.get $a))`;

  /** The classes cb..cend of rows t..t+rows: the dot products of the block, then their sums stored. */
  const logitsBlock = (rows: number) => `
      (local.set $c (local.get $cb))
      (block $classesDone${rows} (loop $classes${rows}
        (br_if $classesDone${rows} (i32.ge_u (local.get $c) (local.get $cend)))
        ;; One pointer a row, each moved one vector a step: no address arithmetic in the loads.
        (local.set $x0 (i32.add (local.get $x) (i32.mul (local.get $t) (local.get $row))))
        ${upTo(rows).slice(1).map((r) => `(local.set $x${r} (i32.add (local.get $x${r - 1}) (local.get $row)))`).join("\n        ")}
        (local.set $xend (i32.add (local.get $x0) (local.get $row)))
        (local.set $w0 (i32.add (local.get $w) (i32.mul (local.get $c) (local.get $row))))
        (local.set $w1 (i32.add (local.get $w0) (local.get $row)))
        ${upTo(rows).flatMap((r) => [0, 1].map((c) => `(local.set $${acc(r, c)} (v128.const i32x4 0 0 0 0))`)).join("\n        ")}
        (loop $features${rows}
          (local.set $b0 (v128.load (local.get $w0)))
          (local.set $b1 (v128.load (local.get $w1)))
          ${upTo(rows).map((r) => `(local.set $a (v128.load (local.get $x${r})))\n          ${[0, 1].map((c) => `(local.set $${acc(r, c)} ${madd("(local.get $a)", `(local.get $b${c})`, `(local.get $${acc(r, c)})`)})`).join("\n          ")}`).join("\n          ")}
          ${[...upTo(rows).map((r) => `x${r}`), "w0", "w1"].map((p) => `(local.set $${p} (i32.add (local.get $${p}) (i32.const 16)))`).join("\n          ")}
          (br_if $features${rows} (i32.lt_u (local.get $x0) (local.get $xend))))
        (local.set $zp (i32.add (local.get $z) (i32.mul (i32.add (i32.mul (local.get $t) (local.get $Cc)) (local.get $c)) (i32.const ${bytes}))))
        ${element === "f32" ? upTo(rows / 2).map((p) => sumPairOfRows(2 * p)).join("\n        ") : upTo(rows).flatMap((r) => [0, 1].map((c) => `(${element}.store offset=${c * bytes} (i32.add (local.get $zp) (i32.mul (i32.const ${r * bytes}) (local.get $Cc))) ${hsum(acc(r, c))})`)).join("\n        ")}
        (local.set $c (i32.add (local.get $c) (i32.const 2)))
        (br $classes${rows})))`;

  const logits = `
;; z[t][c] = Σ_d x[t][d] · w[c][d], ${R} rows × 2 classes at a time, CB classes (whose rows of w
;; fit the L1 cache) against every row of x before the next CB.
(func (export "logits") (param $x i32) (param $w i32) (param $z i32) (param $T i32) (param $Cc i32) (param $Dp i32) (param $CB i32)
  ${i32Locals(["t", "c", "cb", "cend", "xend", "row", ...rowLocals("x"), "w0", "w1", "zp"])}
  ${v128Locals([...accumulators, "a", "b0", "b1"])}
  (local.set $row (i32.mul (local.get $Dp) (i32.const ${bytes})))
  (local.set $cb (i32.const 0))
  (block $blocksDone (loop $blocks
    (br_if $blocksDone (i32.ge_u (local.get $cb) (local.get $Cc)))
    (local.set $cend (i32.add (local.get $cb) (local.get $CB)))
    (local.set $cend (select (local.get $cend) (local.get $Cc) (i32.lt_u (local.get $cend) (local.get $Cc))))
    (local.set $t (i32.const 0))
    ${rowBlocks("t", "T", "rows", logitsBlock)}
    (local.set $cb (local.get $cend))
    (br $blocks)))
)`;

  /** Rows i..i+rows of out, two vectors of d at a time, each summed over every k. */
  const accumulateBlock = (rows: number, unit: boolean) => {
    // unit: a's rows are adjacent (rs = one element, as in Gᵀ · X): one pointer, row r at offset r · bytes.
    const n = unit ? "u" : "";
    const aRows = unit ? [0] : upTo(rows);
    const aOf = (r: number) => (unit ? `offset=${r * bytes} (local.get $a0)` : `(local.get $a${r})`);
    return `
      (local.set $dv (i32.const 0))
      (block $vectorsDone${n}${rows} (loop $vectors${n}${rows}
        (br_if $vectorsDone${n}${rows} (i32.ge_u (local.get $dv) (local.get $row)))
        (local.set $o0 (i32.add (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $row))) (local.get $dv)))
        ${upTo(rows).slice(1).map((r) => `(local.set $o${r} (i32.add (local.get $o${r - 1}) (local.get $row)))`).join("\n        ")}
        ${upTo(rows).flatMap((r) => [0, 1].map((c) => `(local.set $${acc(r, c)} (v128.load offset=${c * 16} (local.get $o${r})))`)).join("\n        ")}
        (local.set $a0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rs))))
        ${aRows.slice(1).map((r) => `(local.set $a${r} (i32.add (local.get $a${r - 1}) (local.get $rs)))`).join("\n        ")}
        (local.set $bp (i32.add (local.get $b) (local.get $dv)))
        (local.set $bend (i32.add (local.get $bp) (i32.mul (local.get $K) (local.get $row))))
        (loop $terms${n}${rows}
          (local.set $b0 (v128.load (local.get $bp)))
          (local.set $b1 (v128.load offset=16 (local.get $bp)))
          ${upTo(rows).map((r) => `(local.set $g (${splatLoad} ${aOf(r)}))\n          ${[0, 1].map((c) => `(local.set $${acc(r, c)} ${madd("(local.get $g)", `(local.get $b${c})`, `(local.get $${acc(r, c)})`)})`).join("\n          ")}`).join("\n          ")}
          ${aRows.map((r) => `(local.set $a${r} (i32.add (local.get $a${r}) (local.get $cs)))`).join("\n          ")}
          (local.set $bp (i32.add (local.get $bp) (local.get $row)))
          (br_if $terms${n}${rows} (i32.lt_u (local.get $bp) (local.get $bend))))
        ${upTo(rows).flatMap((r) => [0, 1].map((c) => `(v128.store offset=${c * 16} (local.get $o${r}) (local.get $${acc(r, c)}))`)).join("\n        ")}
        (local.set $dv (i32.add (local.get $dv) (i32.const 32)))
        (br $vectors${n}${rows})))`;
  };

  const accumulate = `
;; out[i][d] += Σ_k a(i, k) · b[k][d], a(i, k) at a + i·rs + k·cs (byte strides): ${R} rows × 2 vectors at a time.
(func (export "accumulate") (param $a i32) (param $rs i32) (param $cs i32) (param $b i32) (param $out i32) (param $M i32) (param $K i32) (param $Dp i32)
  ${i32Locals(["i", "dv", "row", ...rowLocals("a"), "bp", "bend", ...rowLocals("o")])}
  ${v128Locals([...accumulators, "g", "b0", "b1"])}
  (local.set $row (i32.mul (local.get $Dp) (i32.const ${bytes})))
  (local.set $i (i32.const 0))
  (if (i32.eq (local.get $rs) (i32.const ${bytes}))
    (then ${rowBlocks("i", "M", "unitRows", (rows) => accumulateBlock(rows, true))})
    (else ${rowBlocks("i", "M", "rows", (rows) => accumulateBlock(rows, false))}))
)`;

  return `;; linearCrossEntropyFlat's matrix products for ${element} (${vec}), ${relaxed ? "relaxed_madd" : "exact mul then add"}.
;; Generated by src/flat/wat/matmul.ts: edit that, not this.
(module
  (memory (export "memory") 1)
${logits}
${accumulate}
${element === "f32" ? softmaxF32Functions(relaxed) : softmaxFunctions(relaxed)}
)
`;
}

/**
 * The tile's softmax terms of float64 logits (float32: softmaxF32.ts), f64x2, two logits a
 * step, with exp.ts's f64x2 exp (relative error 3.2e-16):
 *
 *   stats(z, b, m, s, T, Cc)     for each row t < T of z (T × Cc, Cc a multiple of 4), with
 *     v[c] = z[t][c] + b[c] (b: Cc float64, -Infinity on padding classes): the chunk's max
 *     M = max_c v[c]; if M > m[t], s[t] *= exp(m[t] - M) and m[t] = M; then
 *     s[t] += Σ_c exp(v[c] - m[t]). A chunk whose max is NaN or ±Infinity makes m[t] and s[t]
 *     NaN for good (the row's loss is NaN, as a NaN or infinite logit gives in PyTorch).
 *   gradient(z, b, g, lse, k, T, Cc)   z[t][c] = g[c] - exp(v[c] - lse[t]) · k[t]
 *     (g: Cc float64, the label-smoothing term or zeros).
 * m, s, lse, k: T float64 each. Padding classes get exp(-708) (1e-307), not 0: below anything
 * a sum of at least 1 holds; the caller zeroes their gradient.
 */
function softmaxFunctions(relaxed: boolean): string {
  const bytes = 8;
  const load = (address: string, h: number) => `(v128.load offset=${16 * h} ${address})`;
  const store = (address: string, h: number, value: string) => `(v128.store offset=${16 * h} ${address} ${value})`;
  const exp = (d: string, out: string) => expInstructions("f64x2", d, out, relaxed, relaxed, "rr2-p6").split("\n").join("\n        ");
  const i32Locals = ["t", "c", "zp", "end", "row"].map((n) => `(local $${n} i32)`).join(" ");
  const v128Locals = ["v0", "v1", "mx0", "mx1", "acc0", "acc1", "d", "e", "k", "kn", "r", "sub", "scale"].map((n) => `(local $${n} v128)`).join(" ");
  const rowLoop = (body: string) => `
  (local.set $row (i32.mul (local.get $Cc) (i32.const ${bytes})))
  (local.set $t (i32.const 0))
  (block $rowsDone (loop $rows
    (br_if $rowsDone (i32.ge_u (local.get $t) (local.get $T)))
    (local.set $zp (i32.add (local.get $z) (i32.mul (local.get $t) (local.get $row))))
    (local.set $end (i32.add (local.get $zp) (local.get $row)))
    ${body}
    (local.set $t (i32.add (local.get $t) (i32.const 1)))
    (br $rows)))`;
  // Four logits a step, two halves of two, each with its own running max or sum (two chains of
  // dependent additions in flight, not one): c walks the float64 arrays b (and g) 32 bytes a
  // step, zp the logits 4 · bytes. Cc is a multiple of 4.
  const classLoop = (name: string, body: (h: number) => string) => `
    (local.set $c (i32.const 0))
    (block $${name}Done (loop $${name}
      (br_if $${name}Done (i32.ge_u (local.get $zp) (local.get $end)))
      ${[0, 1].map((h) => `(local.set $v${h} (f64x2.add ${load("(local.get $zp)", h)} (v128.load offset=${16 * h} (i32.add (local.get $b) (local.get $c)))))\n      ${body(h)}`).join("\n      ")}
      (local.set $zp (i32.add (local.get $zp) (i32.const ${4 * bytes})))
      (local.set $c (i32.add (local.get $c) (i32.const 32)))
      (br $${name})))
    (local.set $zp (i32.sub (local.get $zp) (local.get $row)))`;
  const stats = `
;; The chunk's online log-sum-exp terms of each row (see matmul.ts).
(func (export "stats") (param $z i32) (param $b i32) (param $m i32) (param $s i32) (param $T i32) (param $Cc i32)
  ${i32Locals} ${v128Locals} (local $max f64) (local $old f64)${expSetup("f64x2", relaxed, "rr2-p6")}
  ${rowLoop(`(local.set $mx0 (v128.const f64x2 -inf -inf))
    (local.set $mx1 (local.get $mx0))
    ${classLoop("maxes", (h) => `(local.set $mx${h} (f64x2.max (local.get $mx${h}) (local.get $v${h})))`)}
    (local.set $mx0 (f64x2.max (local.get $mx0) (local.get $mx1)))
    (local.set $max (f64.max (f64x2.extract_lane 0 (local.get $mx0)) (f64x2.extract_lane 1 (local.get $mx0))))
    ${foldMax(exp, `(local.set $sub (f64x2.splat (f64.load ${rowF64("m")})))
        (local.set $acc0 (v128.const f64x2 0 0))
        (local.set $acc1 (local.get $acc0))
        ${classLoop("sums", (h) => `(local.set $d (f64x2.sub (local.get $v${h}) (local.get $sub)))
      ${exp("d", "e")}
      (local.set $acc${h} (f64x2.add (local.get $acc${h}) (local.get $e)))`)}
        (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
        (f64.store ${rowF64("s")} (f64.add (f64.load ${rowF64("s")}) (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0)))))`)}`)}
)`;
  const gradient = `
;; The logits' gradient of each row, in place (see matmul.ts).
(func (export "gradient") (param $z i32) (param $b i32) (param $g i32) (param $lse i32) (param $kk i32) (param $T i32) (param $Cc i32)
  ${i32Locals} ${v128Locals} (local $scaleBy v128)${expSetup("f64x2", relaxed, "rr2-p6")}
  ${rowLoop(`(local.set $sub (f64x2.splat (f64.load ${rowF64("lse")})))
    (local.set $scaleBy (f64x2.splat (f64.load ${rowF64("kk")})))
    ${classLoop("terms", (h) => `(local.set $d (f64x2.sub (local.get $v${h}) (local.get $sub)))
      ${exp("d", "e")}
      ${store("(local.get $zp)", h, `(f64x2.sub (v128.load offset=${16 * h} (i32.add (local.get $g) (local.get $c))) (f64x2.mul (local.get $e) (local.get $scaleBy)))`)}`)}`)}
)`;
  return stats + "\n" + gradient;
}

/** The four variants build.ts (buildMatmul) writes into dist/flat/: matmul-f32, matmul-f64, and their -relaxed twins. */
export const MATMUL_VARIANTS: readonly { element: MatmulElement; relaxed: boolean; name: string }[] = [
  { element: "f32", relaxed: false, name: "matmul-f32" },
  { element: "f64", relaxed: false, name: "matmul-f64" },
  { element: "f32", relaxed: true, name: "matmul-f32-relaxed" },
  { element: "f64", relaxed: true, name: "matmul-f64-relaxed" },
];
