import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";
// The compiler that builds src/ (tslab's TypeScript 5.0) reads the imports, so a string that
// merely looks like one ("from the start '.'") is not taken for an import.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const ts = require("@tslab/typescript-for-tslab") as typeof import("typescript");

// src/ is layered: each folder's README.md ends with a line "May import: …" naming the folders
// below it. These tests hold every import to that line, and find no circle between files.
const src = join(__dirname, "..", "src");
const posix = (p: string): string => p.split("\\").join("/");

function walk(dir: string, out: { files: string[]; folders: string[] }): typeof out {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === "shims") continue; // package.json overrides, plain JavaScript
      out.folders.push(posix(relative(src, full)));
      walk(full, out);
    } else if (entry.name.endsWith(".ts")) out.files.push(posix(relative(src, full)));
  }
  return out;
}
const { files, folders } = walk(src, { files: [], folders: [] });

/** The src-relative files a file imports (type-only imports count too). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(src, file), "utf8"), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith("."))
    .map((spec) => {
      const base = posix(normalize(join(dirname(file), spec)));
      const hit = [`${base}.ts`, `${base}/index.ts`].find((candidate) => files.includes(candidate));
      if (!hit) throw new Error(`${file} imports "${spec}", which is no file in src/`);
      return hit;
    });
}
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const folderOf = (file: string): string => posix(dirname(file));

/** A folder's "May import:" line, as folder names ("" for none). */
function mayImport(folder: string): string[] {
  const readme = readFileSync(join(src, folder, "README.md"), "utf8");
  const line = readme.replace(/\n(?!May import:)(?=\S)/g, " ").match(/^May import: (.*)$/m);
  if (!line) throw new Error(`src/${folder}/README.md has no "May import:" line`);
  const named = [...line[1].matchAll(/\b([a-z]+(?:\/[a-z]+)*)\/(?=[\s,()]|$)/g)].map((m) => m[1]).filter((n) => n !== "src");
  const unknown = named.filter((n) => !folders.includes(n));
  if (unknown.length) throw new Error(`src/${folder}/README.md allows ${unknown.join(", ")}: no such folder in src/`);
  return named;
}

describe("src/ layout", () => {
  it("keeps at most a handful of files loose at src/'s top", () => {
    const loose = files.filter((f) => !f.includes("/"));
    expect(loose).toEqual(["index.ts"]);
  });

  it("opens every folder with a README that says what it may import", () => {
    for (const folder of folders.filter((f) => f !== "shims" && !f.startsWith("shims/"))) {
      expect(() => mayImport(folder), folder).not.toThrow();
    }
  });

  it.each(folders.filter((f) => !f.startsWith("shims")))("imports only what src/%s/README.md allows", (folder) => {
    const allowed = new Set([folder, ...mayImport(folder)]);
    const wrong = [...graph]
      .filter(([file]) => folderOf(file) === folder)
      .flatMap(([file, deps]) => deps.filter((d) => !allowed.has(folderOf(d))).map((d) => `${file} -> ${d}`));
    expect(wrong).toEqual([]);
  });

  it("has no circle of imports between files", () => {
    const state = new Map<string, "open" | "done">();
    const circles: string[] = [];
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, "open");
      stack.push(file);
      for (const dep of graph.get(file) ?? []) {
        if (state.get(dep) === "open") circles.push([...stack.slice(stack.indexOf(dep)), dep].join(" -> "));
        else if (!state.has(dep)) visit(dep);
      }
      stack.pop();
      state.set(file, "done");
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(circles).toEqual([]);
  });

  it("has no circle between folders: the allowed imports form a ladder", () => {
    // Every folder's allowed list, followed transitively, never leads back to the folder itself.
    for (const folder of folders.filter((f) => !f.startsWith("shims"))) {
      const seen = new Set<string>();
      const pending = mayImport(folder);
      while (pending.length) {
        const next = pending.pop()!;
        expect(next, `${folder} reaches itself`).not.toBe(folder);
        if (seen.has(next)) continue;
        seen.add(next);
        pending.push(...mayImport(next));
      }
    }
  });

  it("catches an upward import (the check can fail)", () => {
    // A display file that imported the exercises would break the display README's rule.
    const allowed = new Set(["display", ...mayImport("display")]);
    expect(allowed.has("exercises")).toBe(false);
    expect(allowed.has("loss")).toBe(true);
  });
});
