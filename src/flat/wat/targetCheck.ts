/**
 * The targets' range check of crossEntropyFlat (checkFlat.ts), in the kernel: the first
 * target that is neither a class index in [0, C) nor ignoreIndex, or -1.
 *
 * JavaScript's loop over an Int32Array took about 2 ns a target on the project's Xeon, 16 µs
 * for 8192 rows: at (8192, 128) a fiftieth of the whole forward, at (65536, 10) a thirtieth.
 * Here eight targets a round take two vector compares each: one unsigned compare against C,
 * which also catches a negative index, and one against ignoreIndex. A bad lane only sets a
 * flag; the position is then found by the scalar loop, from the start, so the error names the
 * first bad target as JavaScript's loop did.
 */

/** firstBadTarget(p, n, C, ignore): the index of the first of the n int32 targets at byte p outside [0, C) and not equal to ignore, or -1. */
export function targetCheckFunction(): string {
  const bad = (offset: number, flag: string): string => `(local.set $y (v128.load offset=${offset} (local.get $at)))
    (local.set ${flag} (v128.or (local.get ${flag})
      (v128.andnot (i32x4.ne (local.get $y) (local.get $ignoreV)) (i32x4.lt_u (local.get $y) (local.get $classes)))))`;
  return `;; The first target neither in [0, C) nor equal to ignore, or -1 (targetCheck.ts).
(func (export "firstBadTarget") (param $p i32) (param $n i32) (param $C i32) (param $ignore i32) (result i32)
  (local $at i32) (local $end i32) (local $i i32) (local $target i32) (local $y v128) (local $flag0 v128) (local $flag1 v128)
  (local $classes v128) (local $ignoreV v128)
  (local.set $classes (i32x4.splat (local.get $C)))
  (local.set $ignoreV (i32x4.splat (local.get $ignore)))
  (local.set $at (local.get $p))
  (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
  (block $whole (loop $round
    (br_if $whole (i32.ge_u (local.get $at) (local.get $end)))
    ${bad(0, "$flag0")}
    ${bad(16, "$flag1")}
    (local.set $at (i32.add (local.get $at) (i32.const 32)))
    (br $round)))
  ;; A flagged lane: look from the first target; none: only the last n mod 8 are left.
  (local.set $i (select (i32.const 0) (i32.and (local.get $n) (i32.const -8))
    (v128.any_true (v128.or (local.get $flag0) (local.get $flag1)))))
  (block $none (loop $next
    (br_if $none (i32.ge_u (local.get $i) (local.get $n)))
    (local.set $target (i32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))
    (if (i32.and (i32.ge_u (local.get $target) (local.get $C)) (i32.ne (local.get $target) (local.get $ignore)))
      (then (return (local.get $i))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $next)))
  (i32.const -1))
`;
}
