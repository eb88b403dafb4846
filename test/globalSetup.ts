import { execFileSync } from "node:child_process";
import { join } from "node:path";

/**
 * Build src/ into dist/ once before the suite, as `npm run build` does: `npm start`, the
 * notebooks and the tools run the built JavaScript, and crossEntropyFlat the built WebAssembly,
 * neither of which may be older than the source under test.
 */
export default function setup(): void {
  const root = join(__dirname, "..");
  execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], {
    cwd: root,
    stdio: "inherit",
  });
  execFileSync(process.execPath, [join(root, "dist", "flat", "wat", "build.js")], { cwd: root, stdio: "inherit" });
}
