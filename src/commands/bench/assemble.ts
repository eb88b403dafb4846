/**
 * WebAssembly text to a module's bytes, for the bench's own small modules (linearPeak.ts,
 * expFloor.ts): wabt, as `npm run build:wasm` uses it (a devDependency), loaded only when a
 * bench runs.
 */

/** The bytes of the module `text` (named `name` in wabt's errors), relaxed SIMD allowed or not. */
export async function assemble(name: string, text: string, relaxed: boolean): Promise<Uint8Array> {
  const toolkit = await (await import("wabt")).default();
  const parsed = toolkit.parseWat(name, text, { simd: true, relaxed_simd: relaxed });
  try {
    parsed.validate();
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}
