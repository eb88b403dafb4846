/**
 * `npm run build:wasm`: write dist/flat/kernel-f32.{wat,wasm} and kernel-f64.{wat,wasm} from
 * the generator in this folder, and the same as kernel-f32-relaxed and kernel-f64-relaxed
 * (relaxed SIMD's multiply-adds, loaded where the engine has them: features.ts), and
 * linearCrossEntropyFlat's matmul-f32, matmul-f64 and their -relaxed twins (matmul.ts), assembled by
 * wabt (the WebAssembly Binary Toolkit, compiled to JavaScript: an npm devDependency, no
 * native toolchain needed).
 *
 * Run after tsc (the build script chains them); `node dist/flat/wat/build.js [outDir]`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import wabt from "wabt";
import { F32, F32_RELAXED, F64, F64_RELAXED, kernelName } from "./lanes";
import { MATMUL_VARIANTS, matmulModule } from "./matmul";
import { kernelModule } from "./module";

/** One module to assemble: its file name (without extension), its text, and whether it uses relaxed SIMD. */
interface WatModule {
  name: string;
  text: string;
  relaxed: boolean;
  /** Two memories, the second shared (the in-place builds, module.ts). */
  inPlace?: boolean;
}

/** Assemble each module with wabt into `outDir` as NAME.wat and NAME.wasm; resolves to the .wasm files. */
async function assemble(outDir: string, modules: WatModule[]): Promise<string[]> {
  const toolkit = await wabt();
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const { name, text, relaxed, inPlace = false } of modules) {
    const features = { simd: true, relaxed_simd: relaxed, multi_memory: inPlace, threads: inPlace };
    const parsed = toolkit.parseWat(`${name}.wat`, text, features);
    // wabt's validate takes the features too (its index.d.ts leaves the parameter out).
    (parsed as unknown as { validate(features: object): void }).validate(features);
    const { buffer } = parsed.toBinary({});
    parsed.destroy();
    writeFileSync(join(outDir, `${name}.wat`), text);
    writeFileSync(join(outDir, `${name}.wasm`), buffer);
    written.push(join(outDir, `${name}.wasm`));
  }
  return written;
}

/** Assemble the four cross-entropy kernels and their four in-place builds into `outDir`; resolves to the files written. */
export function buildKernels(outDir: string): Promise<string[]> {
  const lanes = [F32, F64, F32_RELAXED, F64_RELAXED];
  return assemble(outDir, [
    ...lanes.map((l) => ({ name: kernelName(l), text: kernelModule(l), relaxed: l.relaxed })),
    ...lanes.map((l) => ({ name: kernelName(l, true), text: kernelModule(l, true), relaxed: l.relaxed, inPlace: true })),
  ]);
}

/** Assemble the four matmul modules of linearCrossEntropyFlat into `outDir`; resolves to the files written. */
export function buildMatmul(outDir: string): Promise<string[]> {
  return assemble(outDir, MATMUL_VARIANTS.map(({ element, relaxed, name }) => ({ name, text: matmulModule(element, relaxed), relaxed })));
}

if (require.main === module) {
  const outDir = process.argv[2] ?? join(__dirname, "..");
  Promise.all([buildKernels(outDir), buildMatmul(outDir)]).then(
    (files) => console.log(`build:wasm: wrote ${files.flat().join(", ")}`),
    (error: unknown) => {
      console.error(`build:wasm failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
