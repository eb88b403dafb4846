// The install stays small enough for a classroom network, and the README's figure is measured.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { INSTALL_BUDGET_MB, installSizeMarkdown, lockedTopLevel, measureInstall } from "../src/commands/size";
import { readReadmeBlock } from "../src/commands/shared/readmeBlock";

const root = path.join(__dirname, "..");

describe("npm run size", () => {
  const size = measureInstall(root);

  it(`keeps node_modules within the ${INSTALL_BUDGET_MB} MB budget`, () => {
    expect(size.totalMB).toBeGreaterThan(0);
    expect(size.totalMB).toBeLessThanOrEqual(INSTALL_BUDGET_MB);
  });

  it("installs no TensorFlow.js beyond tfjs-core, its CPU backend and tfjs-data", () => {
    const tensorflow = size.packages.map((p) => p.name).filter((name) => name.startsWith("@tensorflow/"));
    expect(tensorflow.sort()).toEqual(["@tensorflow/tfjs-backend-cpu", "@tensorflow/tfjs-core", "@tensorflow/tfjs-data"]);
  });

  it("matches the README's figure within 3 MB (re-run `npm run size -- --readme` after changing dependencies)", () => {
    const block = readReadmeBlock(fs.readFileSync(path.join(root, "README.md"), "utf8"), "install-size");
    expect(block, "README.md has no install-size block").not.toBeNull();
    const stated = Number(/\*\*(\d+) MB\*\*/.exec(block ?? "")?.[1]);
    expect(Math.abs(stated - size.totalMB)).toBeLessThanOrEqual(3);
  });

  it("counts the top-level folders package-lock.json names, scoped ones as @scope/name", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lock-"));
    const lock = {
      packages: {
        "": {},
        "node_modules/a": {},
        "node_modules/a/node_modules/b": {},
        "node_modules/@s/c": {},
        "node_modules/@s/c/node_modules/@t/d": {},
      },
    };
    fs.writeFileSync(path.join(dir, "package-lock.json"), JSON.stringify(lock));
    expect(lockedTopLevel(dir)).toEqual(["@s/c", "a"]);
  });

  it("writes the total and the largest packages into the block", () => {
    const text = installSizeMarkdown({ totalMB: 100.4, packages: [{ name: "x", mb: 60.2 }, { name: "@y/z", mb: 40.2 }] }, 1);
    expect(text).toContain("**100 MB**");
    expect(text).toContain("(2 packages;");
    expect(text).toContain("`x` 60 MB.");
    expect(text).not.toContain("@y/z");
  });
});
