/**
 * Which optional WebAssembly features this JavaScript engine has, asked of the engine itself.
 *
 * Relaxed SIMD (f32x4.relaxed_madd and friends) ships in V8 from 11.4 on: Node 22 and 24 have
 * it, Node 20 (V8 11.3) does not without a flag. Whether its multiply-add is fused is the
 * machine's: hasFusedRelaxedSimd asks. Multi-memory (a module with two memories, the in-place
 * build's: module.ts) ships in V8 from 12.0 on: Node 22 and 24 have it, Node 20 has no flag for it.
 */

/**
 * A module holding one function, (v128, v128, v128) -> v128 = f32x4.relaxed_madd of its
 * parameters: what wabt writes for
 * `(module (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd))`.
 */
const RELAXED_MADD_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type section: (v128 v128 v128) -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x0d, 0x01, 0x0b, 0x00, // code section: one body of 11 bytes, no locals
  0x20, 0x00, 0x20, 0x01, 0x20, 0x02, // local.get 0, 1, 2
  0xfd, 0x85, 0x02, // f32x4.relaxed_madd (0xfd 261)
  0x0b, // end
]);

/**
 * A module importing two memories, the second shared, as the in-place build does: what wabt
 * writes for `(module (import "k" "a" (memory 0)) (import "k" "b" (memory 0 65536 shared)))`.
 */
const TWO_MEMORIES_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x02, 0x12, 0x02, // import section, 18 bytes, two imports
  0x01, 0x6b, 0x01, 0x61, 0x02, 0x00, 0x00, // "k" "a": a memory, no maximum, at least 0 pages
  0x01, 0x6b, 0x01, 0x62, 0x02, 0x03, 0x00, 0x80, 0x80, 0x04, // "k" "b": a shared memory, 0 to 65536 pages
]);

/** `v128.const f32x4` of one float32 in every lane, as bytes. */
function f32x4Const(value: number): number[] {
  const lane = Array.from(new Uint8Array(new Float32Array([value]).buffer));
  return [0xfd, 0x0c, ...lane, ...lane, ...lane, ...lane];
}

/** A = 1 + 2^-12 and C = -(1 + 2^-11): A·A + C is 2^-24 rounded once (fused), 0 rounded twice. */
const PROBE_A = 1 + 2 ** -12;
const PROBE_C = -(1 + 2 ** -11);
/** The probe's body: no locals, f32x4.relaxed_madd of A, A, C, then f32x4.extract_lane 0. */
const PROBE_BODY = [0x00, ...f32x4Const(PROBE_A), ...f32x4Const(PROBE_A), ...f32x4Const(PROBE_C), 0xfd, 0x85, 0x02, 0xfd, 0x1f, 0x00, 0x0b];

/**
 * A module exporting f() -> f32 = lane 0 of f32x4.relaxed_madd(A, A, C): what wabt writes for
 * `(module (func (export "f") (result f32) (f32x4.extract_lane 0 (f32x4.relaxed_madd
 * (v128.const f32x4 A A A A) (v128.const f32x4 A A A A) (v128.const f32x4 C C C C)))))`.
 */
const FUSION_PROBE_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7d, // type section: () -> f32
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, // export section: "f", function 0
  0x0a, PROBE_BODY.length + 2, 0x01, PROBE_BODY.length, ...PROBE_BODY, // code section: one body
]);

/** The WebAssembly API this file uses (the project's lib, ES2022 without DOM, does not declare it). */
const WebAssemblyApi = (globalThis as unknown as {
  WebAssembly?: {
    validate(bytes: Uint8Array): boolean;
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object, imports: object) => { exports: { f(): number } };
  };
}).WebAssembly;

/** What the engine answered for each probe module: each is asked once. */
const validated = new Map<Uint8Array, boolean>();

/** Whether the engine validates `bytes` (false without WebAssembly, or when validate throws). */
function validates(bytes: Uint8Array): boolean {
  let answer = validated.get(bytes);
  if (answer === undefined) {
    try {
      answer = WebAssemblyApi !== undefined && WebAssemblyApi.validate(bytes);
    } catch {
      answer = false;
    }
    validated.set(bytes, answer);
  }
  return answer;
}

/** True when the engine validates f32x4.relaxed_madd (WebAssembly relaxed SIMD); asked once. */
export function hasRelaxedSimd(): boolean {
  return validates(RELAXED_MADD_MODULE);
}

/** True when the engine validates a module with two memories (WebAssembly multi-memory), the second shared; asked once. */
export function hasMultiMemory(): boolean {
  return validates(TWO_MEMORIES_MODULE);
}

let fused: boolean | undefined;

/**
 * What relaxed_madd gives for A·A + C on this machine (relaxed SIMD leaves it to the machine):
 * 2^-24 where it is fused (one rounding: x64 with FMA, ARM64), 0 where it is a multiply then an
 * add. null without relaxed SIMD.
 */
export function relaxedMaddProbe(): number | null {
  if (!hasRelaxedSimd() || WebAssemblyApi === undefined) return null;
  return new WebAssemblyApi.Instance(new WebAssemblyApi.Module(FUSION_PROBE_MODULE), {}).exports.f();
}

/**
 * True when the engine has relaxed SIMD and its relaxed_madd is fused on this machine: what
 * crossEntropyFlat's relaxed kernel needs, whose float32 exp reduces its argument in one step
 * and is only as accurate as exp.ts documents with one rounding ("rr1-p5"). Asked once.
 */
export function hasFusedRelaxedSimd(): boolean {
  if (fused === undefined) {
    try {
      fused = relaxedMaddProbe() === 2 ** -24;
    } catch {
      fused = false;
    }
  }
  return fused;
}
