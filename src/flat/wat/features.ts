/**
 * Which optional WebAssembly features this JavaScript engine has, asked of the engine itself.
 *
 * Relaxed SIMD (f32x4.relaxed_madd and friends) ships in V8 from 11.4 on: Node 22 and 24 have
 * it, Node 20 (V8 11.3) does not without a flag.
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

/** The WebAssembly API this file uses (the project's lib, ES2022 without DOM, does not declare it). */
const WebAssemblyApi = (globalThis as unknown as { WebAssembly?: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

let relaxed: boolean | undefined;

/** True when the engine validates f32x4.relaxed_madd (WebAssembly relaxed SIMD); asked once. */
export function hasRelaxedSimd(): boolean {
  if (relaxed === undefined) {
    try {
      relaxed = WebAssemblyApi !== undefined && WebAssemblyApi.validate(RELAXED_MADD_MODULE);
    } catch {
      relaxed = false;
    }
  }
  return relaxed;
}
