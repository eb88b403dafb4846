/**
 * Part of the forward sweep (stats.ts): the full block of 16 vectors that holds a row's
 * target class, without label smoothing. Unrolled like any other block, each vector's
 * target lane masked off by a lane-index compare, instead of the masked vector-by-vector
 * loop a partial block takes: at C = 128 this block is half of every row.
 */
import { expInstructions } from "./exp";
import { VECTORS_PER_BLOCK, splat, type Lanes } from "./lanes";

/**
 * The full block holding the target, without smoothing: unrolled like any other block, each
 * vector's target lane masked off (a lane-index compare per vector) instead of the masked
 * vector-by-vector loop. `middle` reduces max and min, rebases S and records the block's M.
 */
export function targetBlock(L: Lanes, store: boolean, middle: string, widened: string): string {
  const V = L.vec;
  const skip = L.width === 4 ? `(i32x4.splat (local.get $skip))` : `(i64x2.splat (i64.extend_i32_s (local.get $skip)))`;
  const mask = (i: number): string => {
    const lanes = Array.from({ length: L.width }, (_, j) => i * L.width + j).join(" ");
    return `(local.set $mask (${L.int}.ne (v128.const ${L.int} ${lanes}) (local.get $sk)))
(local.set $x (v128.load offset=${16 * i} (local.get $p)))`;
  };
  const maxMin: string[] = [];
  const sums: string[] = [];
  for (let i = 0; i < VECTORS_PER_BLOCK; i++) {
    maxMin.push(`${mask(i)}
(local.set $mx${i % 2} (${V}.pmax (local.get $mx${i % 2}) (v128.bitselect (local.get $x) ${splat(V, -Infinity)} (local.get $mask))))
(local.set $mn${i % 2} (${V}.pmin (local.get $mn${i % 2}) (v128.bitselect (local.get $x) ${splat(V, Infinity)} (local.get $mask))))`);
    const a = `a${i % 4}`;
    const kept = "(v128.and (local.get $e) (local.get $mask))";
    sums.push(`${mask(i)}
(local.set $d (${V}.sub (local.get $x) (local.get $Mv)))
${expInstructions(V, "d", "e", L.relaxed, L.hoisted, L.expForm)}
${store ? `(v128.store offset=${16 * i} (local.get $p) (v128.bitselect (local.get $e) (local.get $x) (local.get $mask)))` : ""}
(local.set $${a} ${i < 4 ? kept : `(${V}.add (local.get $${a}) ${kept})`})`);
  }
  return `(local.set $sk ${skip})
(local.set $mx0 ${splat(V, -Infinity)}) (local.set $mx1 ${splat(V, -Infinity)})
(local.set $mn0 ${splat(V, Infinity)}) (local.set $mn1 ${splat(V, Infinity)})
${maxMin.join("\n")}
(local.set $mx0 (${V}.pmax (local.get $mx0) (local.get $mx1)))
(local.set $mn0 (${V}.pmin (local.get $mn0) (local.get $mn1)))
${middle}
${sums.join("\n")}
(local.set $a0 (${V}.add (${V}.add (local.get $a0) (local.get $a1)) (${V}.add (local.get $a2) (local.get $a3))))
(local.set $S (f64x2.add (local.get $S) ${widened}))`;
}
