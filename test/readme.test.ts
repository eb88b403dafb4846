import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as api from "../src";
import { SHARED_BYTES } from "../src/flat/threadLayout";

// The README shows numbers; each is checked here against what the code computes.
const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");

/** Lines of ```ts blocks of the form `expression; // → value`. */
function documentedResults(): Array<{ setup: string[]; expression: string; shown: string }> {
  const found: Array<{ setup: string[]; expression: string; shown: string }> = [];
  for (const block of readme.matchAll(/```ts\n([\s\S]*?)```/g)) {
    const setup: string[] = [];
    for (const line of block[1].split("\n")) {
      const m = /^(.*?);\s*\/\/ → (.*)$/.exec(line);
      if (m) found.push({ setup: [...setup], expression: m[1], shown: m[2] });
      else if (!line.startsWith("import") && line.trim()) setup.push(line);
    }
  }
  return found;
}

describe("README", () => {
  const results = documentedResults();

  it("has examples with shown results", () => {
    expect(results.length).toBeGreaterThanOrEqual(3);
  });

  it.each(results)("$expression → $shown", ({ setup, expression, shown }) => {
    const names = Object.keys(api);
    const run = new Function(...names, `${setup.join("\n")}\nreturn (${expression});`);
    const value = run(...names.map((n) => (api as Record<string, unknown>)[n]));
    expect(JSON.stringify(value)).toBe(JSON.stringify(JSON.parse(shown)));
  });

  it("states the true number of reference cases and the torch version", () => {
    const reference = api.loadReference();
    expect(readme).toContain(`holds ${reference.cases.length} cases`);
    expect(readme).toContain(`recorded by PyTorch ${reference.torch.split(".").slice(0, 2).join(".")}`);
  });

  it("states the true counts of PyTorch's own test inputs (data/reference/pytorch-suite.json)", () => {
    const suite = JSON.parse(readFileSync(join(__dirname, "..", "data", "reference", "pytorch-suite.json"), "utf8"));
    const float32 = suite.cases.filter((c: { dtype: string }) => c.dtype === "float32").length;
    expect(readme).toContain(`(${suite.cases.length} distinct cases, float32 and`);
    expect(readme).toContain(`checks all ${float32} float32 cases`);
    expect(readme).toContain(`their ${suite.errors.length}\nerror inputs`);
  });

  it("states crossEntropyFlat's thread threshold and a worker's shared memory as the code has them", () => {
    const text = readme.replace(/\s+/g, " ");
    expect(text).toContain(`Batches under \`THREAD_MIN_LOGITS\` (${api.THREAD_MIN_LOGITS / 1024}K logits) stay on one thread`);
    expect(text).toContain(`Each worker adds about ${(SHARED_BYTES / 2 ** 20).toFixed(1)} MiB of shared buffers`);
    expect(text).toContain(`hence \`THREAD_MIN_LOGITS\` = ${api.THREAD_MIN_LOGITS / 1024}K.`);
  });

  it("shows the Quick start's two commands", () => {
    expect(readme).toContain("npm install && npm start\nnpm test\n");
  });
});

describe("the teacher's guide (notebooks/README.md)", () => {
  const guide = readFileSync(join(__dirname, "..", "notebooks", "README.md"), "utf8");
  const notebooks = readdirSync(join(__dirname, "..", "notebooks")).filter((f) => f.endsWith(".ipynb"));

  it("plans every notebook, and only notebooks that exist", () => {
    const planned = [...guide.matchAll(/^\| ([0-9A]\d-[a-z-]+) \|/gm)].map((m) => `${m[1]}.ipynb`);
    expect(planned.sort()).toEqual(notebooks.sort());
  });

  it("names only checkers that exist", () => {
    for (const [, name] of guide.matchAll(/exercises\.(\w+)/g)) expect(Object.keys(api.exercises)).toContain(name);
  });
});

describe("the README's course table", () => {
  const notebooks = readdirSync(join(__dirname, "..", "notebooks")).filter((f) => f.endsWith(".ipynb"));

  it("lists every notebook, and says how many there are", () => {
    const listed = [...readme.matchAll(/^\| `([0-9A]\d-[a-z-]+)` \|/gm)].map((m) => `${m[1]}.ipynb`);
    expect(listed.sort()).toEqual(notebooks.sort());
    const words = ["Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen"];
    expect(readme).toContain(`${words[notebooks.length]} notebooks in \`notebooks/\``);
  });
});
