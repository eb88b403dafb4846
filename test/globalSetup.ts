import { execFileSync } from "node:child_process";
import { join } from "node:path";

/**
 * Build src/ into dist/ once before the suite: `npm start`, the notebooks and the tools all
 * run the built JavaScript, which must not be older than the source under test.
 */
export default function setup(): void {
  const root = join(__dirname, "..");
  execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], {
    cwd: root,
    stdio: "inherit",
  });
}
