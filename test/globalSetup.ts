import { execFileSync } from "node:child_process";
import { join } from "node:path";

/**
 * Build src/ into dist/ once before the suite, exactly as `npm run build` does: `npm start`, the
 * notebooks and the tools run the built JavaScript, and crossEntropyFlat the built WebAssembly,
 * neither of which may be older than the source under test.
 */
export default function setup(): void {
  execFileSync("npm", ["run", "--silent", "build"], { cwd: join(__dirname, ".."), stdio: "inherit" });
}
