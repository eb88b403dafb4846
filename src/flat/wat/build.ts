/**
 * `npm run build:wasm`: write dist/flat/kernel-f32.{wat,wasm} and kernel-f64.{wat,wasm} from
 * the generator in this folder, and the same as kernel-f32-relaxed and kernel-f64-relaxed
 * (relaxed SIMD's multiply-adds, loaded where the engine has them: features.ts), assembled by
 * wabt (the WebAssembly Binary Toolkit, compiled to JavaScript: an npm devDependency, no
 * native toolchain needed).
 *
 * Run after tsc (the build script chains them); `node dist/flat/wat/build.js [outDir]`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import wabt from "wabt";
import { F32, F32_RELAXED, F64, F64_RELAXED, kernelName } from "./lanes";
import { kernelModule } from "./module";

/** Assemble both kernels into `outDir`; resolves to the files written. */
export async function buildKernels(outDir: string): Promise<string[]> {
  const toolkit = await wabt();
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const lanes of [F32, F64, F32_RELAXED, F64_RELAXED]) {
    const name = kernelName(lanes);
    const text = kernelModule(lanes);
    const parsed = toolkit.parseWat(`${name}.wat`, text, { simd: true, relaxed_simd: lanes.relaxed });
    parsed.validate();
    const { buffer } = parsed.toBinary({});
    parsed.destroy();
    writeFileSync(join(outDir, `${name}.wat`), text);
    writeFileSync(join(outDir, `${name}.wasm`), buffer);
    written.push(join(outDir, `${name}.wasm`));
  }
  return written;
}

if (require.main === module) {
  const outDir = process.argv[2] ?? join(__dirname, "..");
  buildKernels(outDir).then(
    (files) => console.log(`build:wasm: wrote ${files.join(", ")}`),
    (error: unknown) => {
      console.error(`build:wasm failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
