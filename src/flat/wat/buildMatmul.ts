/**
 * The second half of `npm run build:wasm`: write dist/flat/matmul-f32.{wat,wasm}, matmul-f64
 * and their -relaxed twins (relaxed SIMD's multiply-add, loaded where the engine has it:
 * features.ts) from matmul.ts, assembled by wabt like build.ts's kernels.
 *
 * `node dist/flat/wat/buildMatmul.js [outDir]`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import wabt from "wabt";
import { MATMUL_VARIANTS, matmulModule } from "./matmul";

/** Assemble the four matmul modules into `outDir`; resolves to the files written. */
export async function buildMatmul(outDir: string): Promise<string[]> {
  const toolkit = await wabt();
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const { element, relaxed, name } of MATMUL_VARIANTS) {
    const text = matmulModule(element, relaxed);
    const parsed = toolkit.parseWat(`${name}.wat`, text, { simd: true, relaxed_simd: relaxed });
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
  buildMatmul(outDir).then(
    (files) => console.log(`build:wasm: wrote ${files.join(", ")}`),
    (error: unknown) => {
      console.error(`build:wasm (matmul) failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
