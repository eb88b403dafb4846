/**
 * Part of the forward sweep (stats.ts): a short row without label smoothing, in two passes
 * instead of the online one. The row was just copied into the kernel's memory (or, in place,
 * is read from the caller's: below) and is at most SHORT_ROW_BYTES long, so it is still in L1
 * for the second pass:
 *   1. the row's max M and min over the other classes (four accumulators each, so the
 *      chains of max and min do not wait on each other's latency; vectors reduced once per
 *      row, not once per block, and no rescaling exp when a later block beats M);
 *   2. S = Σ exp(x - M) over the other classes, summed per block in the logits' type and
 *      added to S in float64, exactly as the online sweep does.
 * The target's lane is left out without a mask per vector: the target's logit is first
 * overwritten by another logit of the row (which changes neither max nor min), then by
 * -Infinity, whose exp (the clamped exp: 4.5e-38, 1.2e-37 in the relaxed build, 3.3e-308 in
 * float64) vanishes beside S >= 1
 * (statsRows has read x[y] before). NaN and ±Infinity show in M, S and MIN as in stats.ts.
 * Each overwrite stores the target's whole vector, its lane replaced (a bitselect), not the one
 * float: a vector load right after a scalar store into its 16 bytes cannot take them from the
 * store, and waits until the store reaches the cache. Measured on the 2-core Xeon (load 1.0 to
 * 1.3) with the kernel before and after alternated in one process (the same bits), the old time
 * over the new, forward, Node 24 /
 * Node 20: 1.03 / 1.02 at (8192, 128), 1.09 to 1.10 / 1.05 to 1.07 at (16384, 64), 1.30 / 1.19
 * to 1.21 at (8192, 32), 1.00 at (4096, 1000); forward + backward 1.04 / 1.01 at (8192, 128).
 * In place (the in-place build, module.ts, for a forward of a sharedFloat32Array's logits), the
 * row is read from memory $src, the caller's, where nothing is written: the block that holds the
 * target, or the row's tail past its last full block, is copied (16 vectors) into a window in
 * the kernel's memory, the overwrites go there, and both passes read that block from the window
 * and every other from $src. The same instructions on the same numbers: the same bits. A row
 * of two full blocks (128 to 191 float32 or 64 to 95 float64 logits) whose target lies in one
 * takes the window's block first and then the other, picked by arithmetic: the choice of memory
 * block by block was a branch that the target's place decides, which the predictor missed
 * about once a row (the same bits all the same: the comment in sweep below says why).
 * Measured on the 2-core Xeon under Node 24, the build before and after alternated in one
 * process (load 0.3 to 0.7), the old time over the new: 1.03 to 1.04 at (8192, 128) on one
 * thread, 1.03 to 1.08 on two; 0.99 to 1.02 at (4096, 160), two blocks and a tail, where the
 * branch on whether the target lies in the tail is left (one row in five), and at (16384, 64),
 * (8192, 100) and (8192, 32), whose rows take the natural order.
 * A row whose logits all lie within unclampedSpread of M (80 float32, 700 float64: exp.ts) and
 * whose |M| is under 2^24 (2^52), as nearly every row's, takes a second copy of the sum pass
 * whose exps leave out their clamp, one instruction of 14 a vector in the relaxed build and of
 * 23 in the exact one (the load, the subtraction and the sum's add counted), and the target's
 * logit becomes M - 80 (M - 700) instead, whose exp (1.8e-35, 9.9e-305) vanishes as well. The
 * lanes past the row's end keep the clamp. Measured, the kernel before and after alternated in
 * one process: see the README's benchmark notes.
 * With a gradient (store), the second pass also leaves each exp(x - M) in place of its logit,
 * all against the row's final max (the target's slot gets 0, then g[y] from the gradient sweep):
 * the gradient sweep then has no block maxima to rescale by, no exp64 per row, and the loss
 * is bit for bit the forward-only call's. The gradient's last bits differ from the online
 * sweep's, whose exps of a block before the row's max were exp(x - M_k)·exp(M_k - M), two
 * roundings instead of one (within the tested bounds: test/crossEntropyFlat.test.ts).
 * Inlined in the loops over rows of statsRows.ts's shortRows rather than called once a row: the
 * relaxed build's hoisted exp constants are then set once per call, not once per row, and no
 * call is paid per row (measured: about 4 ns a row less under Node 20, 5 under Node 24). The
 * two passes run in two loops, every row's max before any row's sum, so no sum waits for the
 * reduction of its own row's max (3 to 8% less time at C = 64 to 1000 under Node 24, 1 to 3%
 * under Node 20).
 */
import { expInstructions, expSetup, unclampedSpread } from "./exp";
import { VECTORS_PER_BLOCK, horizontal, lane0, locals, roundLocals, roundStores, splat, tailMask, type Lanes } from "./lanes";

/** Rows of at most this many bytes (4096 float32 or 2048 float64 logits) take the two passes. */
export const SHORT_ROW_BYTES = 1 << 14;
/**
 * ... and of at least this many vectors (32 float32 or 16 float64 logits): below, the two
 * passes' fixed costs outweigh what they save (measured: C = 10 float32 15% slower, C = 16
 * 9%, C = 24 3%, C = 32 1% faster, C = 40 6% faster than the online sweep).
 */
export const SHORT_ROW_MIN_VECTORS = 8;

/**
 * Whether a forward without smoothing sweeps rows of C logits of `bytesPerLogit` bytes through
 * the two passes: statsRows' test of C without a gradient (statsRows.ts), asked in JavaScript by
 * kernelSweep.ts's sourceKernel, since the in-place build's statsRows takes no other rows.
 */
export function shortRowForward(C: number, bytesPerLogit: number): boolean {
  return C >= SHORT_ROW_MIN_VECTORS * (16 / bytesPerLogit) && C * bytesPerLogit <= SHORT_ROW_BYTES;
}

/**
 * With a gradient (store), rows of more than one block (65 float32 or 33 float64 logits) take
 * the two passes: the online sweep's cost there is the rescale of S when a later block beats
 * the running max (a scalar exp, and another in the gradient sweep, each about half the rows),
 * which a row of one block never pays. Measured under Node 20 (Node 24), the two passes
 * against the online sweep, forward + backward: C = 32 11% (5%) slower, C = 64 6% slower
 * (5% faster), C = 96 13% (25%), C = 128 11% (17%), C = 256 11% (25%) faster.
 */
export function shortRowStoreMinLogits(L: Lanes): number {
  return VECTORS_PER_BLOCK * L.width + 1;
}

/*
 * The sum pass of the exact build takes a block's 16 vectors as two rounds of 8 (a loop,
 * Lanes.sumGroup), not 16 unrolled: V8 11 (Node 20) interleaves the 16 independent exps of an
 * unrolled block and spills most of their temporaries to the stack (570 stack accesses in
 * 1409 instructions of the old shortRow); 8 at a time measured 10-15% less time a logit there,
 * with the same sums in the same order (bit for bit). The relaxed build, loaded by V8 12 and
 * later, keeps 16: 2-4% faster there than 8. With a gradient, the exact build stores a round's
 * exps after the round's last exp, from locals of their own (Lanes.storesAfterRound): the
 * stores between the exps cost Node 20 about a sixth of its forward + backward.
 */
const SWAP_HALVES = "8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7";

/**
 * The two passes as text to inline in shortRows' loops over rows (statsRows.ts): their local
 * declarations (with the exp's hoisted constants, set once per call instead of once per row,
 * and in place $two, from the function's parameter $C), the first pass and the second (given
 * the row's max M), which read the row from locals $p, $n and $skip.
 */
export function shortRowInline(L: Lanes, inPlace = false): { locals: string; max: string; sum: (M: string, MIN: string, store: boolean) => string } {
  const V = L.vec;
  const block = VECTORS_PER_BLOCK * L.width;
  // In place, the row's logits are read from memory $src (the caller's array) and nothing is
  // written there: the target's window (below) is read from its copy in the kernel's memory.
  const src = inPlace ? "$src " : "";
  const at = (index: string): string => `(i32.add (local.get $p) (i32.shl ${index} (i32.const ${L.shift})))`;
  const scalar = L.element === "f32" ? "f32" : "f64";
  const widen =
    L.element === "f32"
      ? `(f64x2.add (f64x2.promote_low_f32x4 (local.get $a0)) (f64x2.promote_low_f32x4 (i8x16.shuffle ${SWAP_HALVES} (local.get $a0) (local.get $a0))))`
      : `(local.get $a0)`;
  const remaining = `(i32.sub (local.get $n) (local.get $q))`;
  const hereFrom = (base: string): string => `(i32.add (local.get ${base}) (i32.shl (local.get $q) (i32.const ${L.shift})))`;
  const here = hereFrom("$p");
  // Full blocks from q = 0, then whole vectors one at a time, then the last partial vector
  // (if any) with the lanes past the end masked off.
  // In place, the block or tail that holds the target (its window, from q = $ws) is read from
  // the window's copy at $win in the kernel's memory, the rest from $src: the same
  // instructions in the same order on the same numbers, from two memories.
  const sweep = (label: string, fullBlock: (offset: number, mem: string) => string, vector: string, masked: string, afterBlock: string, beforeTail: string, afterTail: string, group = VECTORS_PER_BLOCK, afterRound = "", beforeRounds = ""): string => {
    const body = (mem: string): string => {
      const unrolled = Array.from({ length: group }, (_, i) => fullBlock(16 * i, mem)).join("\n") + (afterRound ? `\n${afterRound}` : "");
      return group === VECTORS_PER_BLOCK
        ? unrolled
        : `${beforeRounds}
  (local.set $g (i32.const ${VECTORS_PER_BLOCK / group}))
  (loop $${label}Group
    ${unrolled}
    (local.set $b (i32.add (local.get $b) (i32.const ${16 * group})))
    (br_if $${label}Group (local.tee $g (i32.sub (local.get $g) (i32.const 1)))))`;
    };
    const fullBlocks = inPlace
      ? `(if (i32.eq (local.get $q) (local.get $ws))
    (then
      (local.set $b (local.get $win))
      ${body("")})
    (else
      (local.set $b ${here})
      ${body(src)}))`
      : `(local.set $b ${here})
  ${body("")}`;
    const tail = (mem: string, base: string): string => `${beforeTail}
  (block $${label}Vectors (loop $${label}Vector
    (br_if $${label}Vectors (i32.gt_s (i32.add (local.get $q) (i32.const ${L.width})) (local.get $n)))
    (local.set $x (v128.load ${mem}${hereFrom(base)}))
    ${vector}
    (local.set $q (i32.add (local.get $q) (i32.const ${L.width})))
    (br $${label}Vector)))
  (if (i32.lt_s (local.get $q) (local.get $n)) (then
    (local.set $mask ${tailMask(L, remaining)})
    (local.set $x (v128.load ${mem}${hereFrom(base)}))
    ${masked}))
  ${afterTail}`;
    const natural = `(local.set $q (i32.const 0))
(block $${label}Blocks (loop $${label}Block
  (br_if $${label}Blocks (i32.gt_s (i32.add (local.get $q) (i32.const ${block})) (local.get $n)))
  ${fullBlocks}
  ${afterBlock}
  (local.set $q (i32.add (local.get $q) (i32.const ${block})))
  (br $${label}Block)))
(if (i32.lt_s (local.get $q) (local.get $n)) (then
  ${inPlace ? `(if (i32.eq (local.get $q) (local.get $ws)) (then ${tail("", "$pw")}) (else ${tail(src, "$p")}))` : tail("", "$p")}))`;
    if (!inPlace) return natural;
    // In place, a row of two full blocks (and maybe a tail: $two, set once a call) whose target
    // lies in one of them: the window's block first, then the other from $src, then the tail,
    // with no branch a block on which memory to read (the target's place decides that branch,
    // and the predictor misses it about once a row). The same bits as the natural order: a
    // row's sums start from 0, so b1 + b0 is b0 + b1, then the tail is added to it as before;
    // max and min are exact whatever their order, but for the sign of a max (or min) of ±0,
    // which pmax and pmin take from their first operand on a tie. No output sees that sign: M
    // enters the sums through x - M, whose ±0 has the exp 1, and the finish through M - x[y]
    // (tested > 0, and exp(-|d|)) and M - 80.
    return `(if (i32.and (local.get $two) (i32.lt_u (local.get $ws) (i32.const ${2 * block})))
  (then
    (local.set $b (local.get $win))
    ${body("")}
    ${afterBlock}
    (local.set $b (i32.add (local.get $p) (i32.and (i32.const ${block << L.shift}) (i32.sub (i32.const 0) (i32.eqz (local.get $ws))))))
    ${body(src)}
    ${afterBlock}
    (local.set $q (i32.const ${2 * block}))
    (if (i32.lt_s (local.get $q) (local.get $n)) (then
      ${tail(src, "$p")})))
  (else
    ${natural}))`;
  };
  const maxMin = (offset: number, mem: string): string => {
    const i = (offset / 16) % 4;
    return `(local.set $x (v128.load ${mem}offset=${offset} (local.get $b)))
(local.set $mx${i} (${V}.pmax (local.get $mx${i}) (local.get $x)))
(local.set $mn${i} (${V}.pmin (local.get $mn${i}) (local.get $x)))`;
  };
  const vectorMaxMin = `(local.set $mx0 (${V}.pmax (local.get $mx0) (local.get $x)))
    (local.set $mn0 (${V}.pmin (local.get $mn0) (local.get $x)))`;
  const maskedMaxMin = `(local.set $mx0 (${V}.pmax (local.get $mx0) (v128.bitselect (local.get $x) ${splat(V, -Infinity)} (local.get $mask))))
  (local.set $mn0 (${V}.pmin (local.get $mn0) (v128.bitselect (local.get $x) ${splat(V, Infinity)} (local.get $mask))))`;
  // With store in the exact build, a round's exps wait in $e0 ... and are stored after it (Lanes.storesAfterRound).
  const late = (store: boolean): boolean => store && L.storesAfterRound;
  const expSum = (store: boolean, clamped: boolean) => (offset: number, mem: string): string => {
    const i = offset / 16;
    const a = `a${i % 4}`;
    const e = late(store) ? `e${i}` : "e";
    // In rounds (sumGroup < 16): the accumulators start at 0 each block, and 0 + e = e exactly.
    return `(local.set $d (${V}.sub (v128.load ${mem}offset=${offset} (local.get $b)) (local.get $Mv)))
${expInstructions(V, "d", e, L.relaxed, L.hoisted, L.expForm, clamped)}
${store && !late(store) ? `(v128.store offset=${offset} (local.get $b) (local.get $e))` : ""}
(local.set $${a} ${i < 4 && L.sumGroup === VECTORS_PER_BLOCK ? `(local.get $${e})` : `(${V}.add (local.get $${a}) (local.get $${e}))`})`;
  };
  const blockSum = `(local.set $a0 (${V}.add (${V}.add (local.get $a0) (local.get $a1)) (${V}.add (local.get $a2) (local.get $a3))))
  (local.set $S (f64x2.add (local.get $S) ${widen}))`;
  const vectorSum = (store: boolean, clamped: boolean): string => `(local.set $d (${V}.sub (local.get $x) (local.get $Mv)))
    ${expInstructions(V, "d", "e", L.relaxed, L.hoisted, L.expForm, clamped)}
    ${store ? `(v128.store ${here} (local.get $e))` : ""}
    (local.set $a0 (${V}.add (local.get $a0) (local.get $e)))`;
  // The lanes past the row's end belong to the next row: stored back unchanged. Their exps keep
  // the clamp, since those logits may lie anywhere below M.
  const maskedSum = (store: boolean): string => `(local.set $d (${V}.sub (local.get $x) (local.get $Mv)))
  ${expInstructions(V, "d", "e", L.relaxed, L.hoisted, L.expForm)}
  ${store ? `(v128.store ${here} (v128.bitselect (local.get $e) (local.get $x) (local.get $mask)))` : ""}
  (local.set $a0 (${V}.add (local.get $a0) (v128.bitselect (local.get $e) (v128.const i64x2 0 0) (local.get $mask))))`;

  const spread = unclampedSpread(V);
  // The target's slot gets M - spread in the logits' type, within 1 of it while |M| < 2^24
  // (float32) or 2^52 (float64), where M's ulp is at most 1: larger, it may round past the
  // exp's reach (to M - 96 just above 2^28 in float32, M - 128 above 2^30; M - 768 above 2^60
  // in float64), so such rows keep the clamp.
  const exactBelow = L.element === "f32" ? 2 ** 24 : 2 ** 52;
  // The sum pass's sweep, its exps with or without the clamp (in full blocks and whole vectors).
  const sumSweep = (label: string, clamped: boolean, store: boolean): string =>
    sweep(label, expSum(store, clamped), vectorSum(store, clamped), maskedSum(store), blockSum, "(local.set $a0 (v128.const i64x2 0 0))", `(local.set $S (f64x2.add (local.get $S) ${widen}))`, L.sumGroup, late(store) ? roundStores(L.sumGroup, "(local.get $b)") : "",
      "(local.set $a0 (v128.const i64x2 0 0)) (local.set $a1 (local.get $a0)) (local.set $a2 (local.get $a0)) (local.set $a3 (local.get $a0))");

  // In place: the target's window is its block, or the row's tail past its last full block
  // (which starts at a multiple of the block too); $ws its first index (-1: no target), $pw the
  // address that index i of the row has in the window's copy at $win (256 bytes, 16 vectors, in
  // the kernel's memory: for a tail, the logits past the row's end too, which its masks leave out).
  const windowOf = `(local.set $ws (i32.and (local.get $skip) (i32.const ${-block})))
    (local.set $pw (i32.sub (local.get $win) (i32.shl (local.get $ws) (i32.const ${L.shift}))))`;
  const copyWindow = Array.from({ length: VECTORS_PER_BLOCK }, (_, i) => `(v128.store offset=${16 * i} (local.get $win) (v128.load $src offset=${16 * i} ${at("(local.get $ws)")}))`).join("\n    ");
  // The target's lane is replaced by a whole vector's store, not a scalar's: a vector load right
  // after a scalar store into it cannot take its bytes from the store (it waits for the store to
  // reach the cache), where it can from a store of the same 16 bytes.
  const vectorOf = (base: string): string => `(i32.add (local.get ${base}) (i32.shl (i32.and (local.get $skip) (i32.const ${-L.width})) (i32.const ${L.shift})))`;
  const laneOf =
    L.element === "f32"
      ? `(i32x4.eq (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.and (local.get $skip) (i32.const 3))))`
      : `(i64x2.eq (v128.const i64x2 0 1) (i64x2.splat (i64.extend_i32_u (i32.and (local.get $skip) (i32.const 1)))))`;
  const patched = (value: string, vector: string): string => `(v128.bitselect (${V}.splat ${value}) ${vector} ${laneOf})`;
  // Where the target's vector is patched: the window's copy in place, the row itself otherwise.
  const patchAt = inPlace ? "$pw" : "$p";
  const patchWith = (value: string, vector: string): string => `(v128.store ${vectorOf(patchAt)} ${patched(value, vector)})`;
  // Each pass's start for a row with a target (in place: $ws, -1 for none, and $pw first).
  const forTarget = (body: string): string =>
    `${inPlace ? "(local.set $ws (i32.const -1))\n  " : ""}(if (i32.ge_s (local.get $skip) (i32.const 0)) (then
    ${inPlace ? `${windowOf}\n    ` : ""}${body}))`;
  // The max pass: the target's logit becomes another logit of the row (its first, or its second
  // when the target is the first), after the window's copy in place.
  const leaveOut = forTarget(
    `${inPlace ? `${copyWindow}\n    ` : ""}${patchWith(`(${scalar}.load ${src}${at("(i32.eqz (local.get $skip))")})`, `(v128.load ${src}${vectorOf("$p")})`)}`,
  );
  // The sum pass's value for the target's lane: into the row, or into the window's copy.
  const leaveOutAs = (value: string): string => patchWith(value, `(v128.load ${vectorOf(patchAt)})`);
  const windowAgain = inPlace ? forTarget("") : "";

  return {
    locals: `${roundLocals(L)}
  ${locals("v128", ["S", "Mv", "mx0", "mx1", "mx2", "mx3", "mn0", "mn1", "mn2", "mn3", "a0", "a1", "a2", "a3", "x", "d", "e", "k", "kn", "r", "mask"])}
  (local $p i32) (local $n i32) (local $skip i32) (local $q i32) (local $b i32) (local $g i32) (local $Sf f64) (local $rowMax f64) (local $rowMin f64)${inPlace ? " (local $win i32) (local $ws i32) (local $pw i32) (local $two i32)" : ""}${expSetup(L.vec, L.hoisted, L.expForm)}${
      inPlace ? `\n  (local.set $two (i32.and (i32.ge_s (local.get $C) (i32.const ${2 * block})) (i32.lt_s (local.get $C) (i32.const ${3 * block}))))` : ""
    }`,
    max: `;; The max and min over the n >= 2 logits at p but the one at index skip (-1: none),
;; which is overwritten by another logit of the row. Sets $rowMax and $rowMin, locals, not
;; the globals M and MIN the online sweep keeps (and no call to begin() a row: 3% of the forward
;; at (8192, 128) and 6% at (16384, 64) under Node 20, 2% under Node 24).
  ${leaveOut}
  (local.set $mx0 ${splat(V, -Infinity)}) (local.set $mx1 (local.get $mx0)) (local.set $mx2 (local.get $mx0)) (local.set $mx3 (local.get $mx0))
  (local.set $mn0 ${splat(V, Infinity)}) (local.set $mn1 (local.get $mn0)) (local.set $mn2 (local.get $mn0)) (local.set $mn3 (local.get $mn0))
  ${sweep("max", maxMin, vectorMaxMin, maskedMaxMin, "", "", "", L.maxGroup)}
  (local.set $mx0 (${V}.pmax (${V}.pmax (local.get $mx0) (local.get $mx1)) (${V}.pmax (local.get $mx2) (local.get $mx3))))
  (local.set $mn0 (${V}.pmin (${V}.pmin (local.get $mn0) (local.get $mn1)) (${V}.pmin (local.get $mn2) (local.get $mn3))))
  ${horizontal(L, "pmax", "mx0")}
  ${horizontal(L, "pmin", "mn0")}
  (local.set $rowMax ${lane0(L, "mx0")})
  (local.set $rowMin ${lane0(L, "mn0")})`,
    sum: (M: string, MIN: string, store: boolean): string => `;; Σ exp(x - M) over the same logits, M the row's max and MIN their min from the first pass:
;; the target's logit becomes M - ${spread} first when every logit lies within ${spread} of M and |M| < ${exactBelow}
;; (the exps then need no clamp, and exp(-${spread}) vanishes beside S >= 1), -Infinity otherwise
;; (and for NaN or ±Infinity). Leaves the sum in $Sf.${store ? " Each exp(x - M) overwrites its logit; the target's slot gets 0 (the gradient sweep writes g[y] there)." : ""}
  ${windowAgain}
  (local.set $Mv ${L.element === "f32" ? `(f32x4.splat (f32.demote_f64 ${M}))` : `(f64x2.splat ${M})`})
  (local.set $S (v128.const i64x2 0 0)) (local.set $a0 (v128.const i64x2 0 0))
  (if (i32.and (f64.le (f64.sub ${M} ${MIN}) (f64.const ${spread})) (f64.lt (f64.abs ${M}) (f64.const ${exactBelow})))
    (then
      (if (i32.ge_s (local.get $skip) (i32.const 0)) (then
        ${leaveOutAs(L.element === "f32" ? `(f32.demote_f64 (f64.sub ${M} (f64.const ${spread})))` : `(f64.sub ${M} (f64.const ${spread}))`)}))
      ${sumSweep("near", false, store)})
    (else
      (if (i32.ge_s (local.get $skip) (i32.const 0)) (then
        ${leaveOutAs(`(${scalar}.const -inf)`)}))
      ${sumSweep("sum", true, store)}))${
    store
      ? `
  ;; The target's slot holds exp(-Infinity), the exp's clamp (${L.element === "f32" ? "4.5e-38 or 1.2e-37" : "3.3e-308"}), or exp(-${spread}), which the gradient
  ;; sweep would multiply by alpha into a subnormal (a microcode assist on Intel) before g[y]
  ;; replaces it: 0.
  (if (i32.ge_s (local.get $skip) (i32.const 0)) (then
    (${scalar}.store ${at("(local.get $skip)")} (${scalar}.const 0))))`
      : ""
  }
  (local.set $Sf (f64.add (f64x2.extract_lane 0 (local.get $S)) (f64x2.extract_lane 1 (local.get $S))))`,
  };
}
