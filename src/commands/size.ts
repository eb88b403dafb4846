/**
 * `npm run size`: how much `npm install` puts into node_modules, package by package, counted
 * as `du` counts (disk blocks, so the figures match `du -sm node_modules`). Only the packages
 * package-lock.json names are counted, so a package added by hand (`npm install --no-save`)
 * does not change the README's figure. `npm run size -- --readme` writes the figure into
 * README.md between `<!-- install-size:start -->` and `<!-- install-size:end -->`.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "./shared/kernelspec";
import { replaceReadmeBlock } from "./shared/readmeBlock";

export const INSTALL_BUDGET_MB = 250;

export interface InstallSize {
  totalMB: number;
  /** The top-level folders of node_modules ("@scope/name" for scoped ones), largest first. */
  packages: { name: string; mb: number }[];
}

/** The top-level node_modules folders that package-lock.json installs. */
export function lockedTopLevel(root: string = projectRoot): string[] {
  const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8"));
  const names = new Set<string>();
  for (const key of Object.keys(lock.packages ?? {})) {
    const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(key);
    if (match) names.add(match[1]);
  }
  return [...names].sort();
}

/** Measures node_modules with `du -sk`; folders that are links (file: overrides) count 0. */
export function measureInstall(root: string = projectRoot): InstallSize {
  const folders = lockedTopLevel(root)
    .map((name) => ({ name, dir: path.join(root, "node_modules", name) }))
    .filter(({ dir }) => fs.existsSync(dir) && !fs.lstatSync(dir).isSymbolicLink());
  const packages = folders.map(({ name, dir }) => {
    const kib = Number(execFileSync("du", ["-sk", dir], { encoding: "utf8" }).split("\t")[0]);
    return { name, mb: kib / 1024 };
  });
  packages.sort((a, b) => b.mb - a.mb);
  return { totalMB: packages.reduce((sum, p) => sum + p.mb, 0), packages };
}

/** The README's block: the total against the budget, and the largest packages. */
export function installSizeMarkdown(size: InstallSize, largest = 8): string {
  const rows = size.packages.slice(0, largest).map((p) => `\`${p.name}\` ${p.mb.toFixed(0)} MB`);
  return (
    `Written by \`npm run size -- --readme\`: a fresh clone's \`npm install\` puts ` +
    `**${size.totalMB.toFixed(0)} MB** into \`node_modules\` (${size.packages.length} packages; ` +
    `the budget is ${INSTALL_BUDGET_MB} MB). The largest: ${rows.join(", ")}.`
  );
}

if (require.main === module) {
  const size = measureInstall();
  for (const p of size.packages) console.log(`${p.mb.toFixed(1).padStart(7)} MB  ${p.name}`);
  console.log(`${size.totalMB.toFixed(1).padStart(7)} MB  in all (${size.packages.length} packages)`);
  if (process.argv.includes("--readme")) {
    const file = path.join(projectRoot, "README.md");
    fs.writeFileSync(file, replaceReadmeBlock(fs.readFileSync(file, "utf8"), "install-size", installSizeMarkdown(size)));
    console.log(`wrote the install-size block of ${file}`);
  }
}
