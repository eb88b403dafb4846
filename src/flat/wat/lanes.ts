/**
 * How one logit type maps onto a 128-bit WebAssembly SIMD vector.
 *
 * float32 logits: 4 lanes of f32 (f32x4); float64 logits: 2 lanes of f64 (f64x2).
 * The kernel text in this folder is written once, for either, through this table.
 */
/**
 * Which float32 exp (exp.ts): named as XNNPACK names the variants of its softmax kernels, the
 * reduction in 2 steps or 1 and the polynomial's degree. float64 has one exp, whatever is asked.
 */
export type ExpForm = "rr2-p6" | "rr2-p5" | "rr1-p5";

export interface Lanes {
  /** The element type of the logits, as the wasm file name says it: "f32" or "f64". */
  element: "f32" | "f64";
  /** The float vector shape: f32x4 or f64x2. */
  vec: "f32x4" | "f64x2";
  /** The integer vector of the same lane width: i32x4 or i64x2. */
  int: "i32x4" | "i64x2";
  /** Elements per vector. */
  width: number;
  /** log2 of the bytes per element: 2 or 3. */
  shift: number;
  /**
   * Multiply-adds as relaxed SIMD's relaxed_madd (fused where the machine has FMA: one
   * instruction and one rounding instead of two), for engines that have it (features.ts).
   */
  relaxed: boolean;
  /** The exp's constants in locals set once per function, not a v128.const at each use (exp.ts). */
  hoisted: boolean;
  /**
   * Vectors of a block the short rows' sum pass unrolls at a time (shortRow.ts): 16 (the
   * whole block) or 8 (two rounds of a loop), with the same sums in the same order.
   */
  sumGroup: 8 | 16;
  /**
   * Vectors of a block the short rows' max pass unrolls at a time: 4 (four rounds of a loop,
   * the exact build) or 16. V8 11 (Node 20) loads an unrolled block's 16 vectors first and
   * spills them and its accumulators to the stack; in rounds of 4 its forward at C = 128 to 1000
   * took 1.4 to 1.8% less time (the same max and min). V8 12 (Node 24) was 0.6 to 2.3% slower
   * with rounds: the relaxed build keeps 16.
   */
  maxGroup: 4 | 16;
  /**
   * With a gradient, the sum pass stores a round's exps once the round's last exp is computed
   * (each in a local of its own, $e0 ... $e7), not each right after its exp: the exact build.
   * Under Node 20 the stores between the exps cost its forward + backward about a sixth of
   * its time at C = 96 to 2000 (shortRow.ts); the relaxed build, under V8 12 and later, was
   * slower with them after the round, so it stores each exp at once.
   */
  storesAfterRound: boolean;
  /**
   * The float32 exp's form (exp.ts): "rr2-p5" in the exact build, "rr1-p5" (one-step
   * reduction, which needs the fused multiply-adds) in the relaxed one. float64 has one exp.
   */
  expForm: ExpForm;
}

/** Vectors per block (256 bytes): the unit of the online rescale and of the stored exps' max. */
export const VECTORS_PER_BLOCK = 16;

/** Logits per block: 64 float32 or 32 float64. */
export function blockLength(L: Lanes): number {
  return VECTORS_PER_BLOCK * L.width;
}

export const F32: Lanes = { element: "f32", vec: "f32x4", int: "i32x4", width: 4, shift: 2, relaxed: false, hoisted: false, sumGroup: 8, maxGroup: 4, storesAfterRound: true, expForm: "rr2-p5" };
export const F64: Lanes = { element: "f64", vec: "f64x2", int: "i64x2", width: 2, shift: 3, relaxed: false, hoisted: false, sumGroup: 8, maxGroup: 4, storesAfterRound: true, expForm: "rr2-p5" };
/**
 * The same with relaxed SIMD's multiply-adds, and the exp's constants hoisted into locals: the
 * engines that load this build (V8 12 and later) rebuild each v128.const at every use (exp.ts);
 * Node 20, which loads the other, does not, and measured no gain from hoisting. Short rows'
 * sum pass unrolls a whole block here, 8 vectors at a time in the exact build (shortRow.ts).
 * The float32 exp reduces in one step, which the fused multiply-adds make accurate (exp.ts).
 */
export const F32_RELAXED: Lanes = { ...F32, relaxed: true, hoisted: true, sumGroup: 16, maxGroup: 16, storesAfterRound: false, expForm: "rr1-p5" };
export const F64_RELAXED: Lanes = { ...F64, relaxed: true, hoisted: true, sumGroup: 16, maxGroup: 16, storesAfterRound: false };

/** The locals a round's exps wait in when they are stored after the round (Lanes.storesAfterRound). */
export function roundLocals(L: Lanes): string {
  return L.storesAfterRound ? locals("v128", Array.from({ length: L.sumGroup }, (_, i) => `e${i}`)) : "";
}

/** The stores of a round's `vectors` exps from those locals: vector i at offset 16·i from `base`. */
export function roundStores(vectors: number, base: string): string {
  return Array.from({ length: vectors }, (_, i) => `(v128.store offset=${16 * i} ${base} (local.get $e${i}))`).join("\n");
}

/** A kernel's file name without extension: kernel-f32, kernel-f64-relaxed, ..., kernel-f32-inplace (module.ts's in-place build), ... */
export function kernelName(L: Lanes, inPlace = false): string {
  return `kernel-${L.element}${L.relaxed ? "-relaxed" : ""}${inPlace ? "-inplace" : ""}`;
}

/**
 * a·b + c on vectors: two instructions and two roundings, or with relaxed SIMD one
 * relaxed_madd (fused, one rounding, on machines with FMA; the engine may also not fuse it).
 */
export function madd(vec: "f32x4" | "f64x2", relaxed: boolean, a: string, b: string, c: string): string {
  return relaxed ? `(${vec}.relaxed_madd ${a} ${b} ${c})` : `(${vec}.add (${vec}.mul ${a} ${b}) ${c})`;
}

/** c - a·b on vectors, as madd. */
export function nmadd(vec: "f32x4" | "f64x2", relaxed: boolean, a: string, b: string, c: string): string {
  return relaxed ? `(${vec}.relaxed_nmadd ${a} ${b} ${c})` : `(${vec}.sub ${c} (${vec}.mul ${a} ${b}))`;
}

/** `(v128.const f32x4 v v v v)`: one number in every lane. */
export function splat(vec: "f32x4" | "f64x2", value: number | string): string {
  const text = typeof value === "number" ? numberText(value) : value;
  return `(v128.const ${vec} ${Array(vec === "f32x4" ? 4 : 2).fill(text).join(" ")})`;
}

/** A WAT float literal: exact for every float64, and `inf`/`-inf` for the infinities. */
export function numberText(value: number): string {
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  return String(value);
}

/** Local declarations, one per name: `(local $a v128) (local $b v128)`. */
export function locals(type: string, names: readonly string[]): string {
  return names.map((name) => `(local $${name} ${type})`).join(" ");
}

/** Horizontal reduction of vector local `v` with a binary op (pmax, pmin, add) -> lane 0 of `v`. */
export function horizontal(L: Lanes, op: string, v: string): string {
  const swapHalves = "8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7";
  const swapPairs = "4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11";
  let text = `(local.set $${v} (${L.vec}.${op} (local.get $${v}) (i8x16.shuffle ${swapHalves} (local.get $${v}) (local.get $${v}))))`;
  if (L.width === 4) {
    text += `\n(local.set $${v} (${L.vec}.${op} (local.get $${v}) (i8x16.shuffle ${swapPairs} (local.get $${v}) (local.get $${v}))))`;
  }
  return text;
}

/** Lane 0 of a vector local as an f64 scalar. */
export function lane0(L: Lanes, v: string): string {
  const lane = `(${L.vec}.extract_lane 0 (local.get $${v}))`;
  return L.element === "f32" ? `(f64.promote_f32 ${lane})` : lane;
}

/**
 * A lane mask for a partial vector: lane i is on when i < remaining and i != skip (the
 * target class, left out of the sums; skip < 0 or past the vector leaves every lane on).
 * The lanes past the end read whatever follows in memory, and the mask throws them away.
 */
export function tailMask(L: Lanes, remaining: string, skip = "(i32.const -1)"): string {
  return L.width === 4
    ? `(v128.and (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat ${remaining})) (i32x4.ne (v128.const i32x4 0 1 2 3) (i32x4.splat ${skip})))`
    : `(v128.and (i64x2.lt_s (v128.const i64x2 0 1) (i64x2.splat (i64.extend_i32_s ${remaining}))) (i64x2.ne (v128.const i64x2 0 1) (i64x2.splat (i64.extend_i32_s ${skip}))))`;
}
