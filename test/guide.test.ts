// The teacher's guide (notebooks/README.md) states a timed plan and the expected answers of an
// open exercise; both are checked here, so the guide cannot drift from the notebooks.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { crossEntropy, crossEntropyBackward, mulberry32 } from "../src";

const root = join(__dirname, "..");
const guide = readFileSync(join(root, "notebooks", "README.md"), "utf8");

/** The rows of the first markdown table after `heading`, as trimmed cells (header and rule dropped). */
function tableAfter(heading: string): string[][] {
  const start = guide.indexOf(heading);
  expect(start, `the guide has a section "${heading}"`).toBeGreaterThanOrEqual(0);
  const lines = guide.slice(start).split("\n");
  const first = lines.findIndex((line) => line.startsWith("|"));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line.slice(1, -1).split("|").map((cell) => cell.trim()));
  }
  return rows;
}

describe("the 90-minute plan", () => {
  const rows = tableAfter("### A single 90-minute session");
  const minutes = (clock: string): number => {
    const [h, m] = clock.split(":").map(Number);
    return 60 * h + m;
  };

  it("adds up to 90 minutes", () => {
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.reduce((total, row) => total + Number(row[1]), 0)).toBe(90);
  });

  it("starts each step where the previous one ends", () => {
    rows.forEach((row, i) => {
      const expected = i === 0 ? 0 : minutes(rows[i - 1][0]) + Number(rows[i - 1][1]);
      expect(minutes(row[0]), `row ${i}: ${row[2]}`).toBe(expected);
    });
  });
});

describe("the notebook-by-notebook sections", () => {
  it("has a section for every notebook", () => {
    const stems = readdirSync(join(root, "notebooks")).filter((f) => f.endsWith(".ipynb")).map((f) => f.replace(".ipynb", ""));
    for (const stem of stems) expect(guide, `### ${stem}`).toContain(`\n### ${stem}\n`);
  });
});

// Notebook 09's pipeline, step for step: the seeded shuffle (mulberry32(7)), the first 120 flowers
// standardised with their own statistics, weights from mulberry32(1) in [-0.01, 0.01], 100 epochs.
describe("notebook 09's learning-rate answers", () => {
  const lines = readFileSync(join(root, "data", "iris.csv"), "utf8").trim().split("\n").slice(1);
  const species = ["setosa", "versicolor", "virginica"];
  const features = lines.map((line) => line.split(",").slice(0, 4).map(Number));
  const targets = lines.map((line) => species.indexOf(line.split(",")[4]));
  const shuffle = mulberry32(7);
  const order = features.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(shuffle() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const train = order.slice(0, 120);
  const columns = [0, 1, 2, 3];
  const means = columns.map((j) => train.reduce((s, i) => s + features[i][j], 0) / train.length);
  const stds = columns.map((j) => Math.sqrt(train.reduce((s, i) => s + (features[i][j] - means[j]) ** 2, 0) / train.length));
  const X = train.map((i) => features[i].map((v, j) => (v - means[j]) / stds[j]));
  const y = train.map((i) => targets[i]);
  const init = mulberry32(1);
  const W0 = columns.map(() => species.map(() => 0.01 * (2 * init() - 1)));

  function lossesAt(rate: number): number[] {
    let W = W0.map((row) => [...row]);
    let b = species.map(() => 0);
    const losses: number[] = [];
    for (let epoch = 0; epoch <= 100; epoch++) {
      const logits = X.map((x) => b.map((bc, c) => x.reduce((s, xj, j) => s + xj * W[j][c], bc)));
      losses.push(crossEntropy(logits, y));
      if (epoch === 100) break;
      const G = crossEntropyBackward(logits, y);
      const dW = columns.map((j) => species.map((_, c) => X.reduce((s, x, n) => s + x[j] * G[n][c], 0)));
      const db = species.map((_, c) => G.reduce((s, row) => s + row[c], 0));
      W = W.map((row, j) => row.map((w, c) => w - rate * dW[j][c]));
      b = b.map((bc, c) => bc - rate * db[c]);
    }
    return losses;
  }

  const rows = tableAfter("**Open exercise 2, the learning rate: expected answers.**");

  it("lists the rates 0.01 to 50", () => {
    expect(rows.map((row) => Number(row[0]))).toEqual([0.01, 0.1, 1, 5, 10, 20, 50]);
  });

  it.each(rows.map((row) => [row[0], row[1], row[2]]))("learning rate %s: loss %s, %s epochs up", (rate, loss, ups) => {
    const losses = lossesAt(Number(rate));
    expect(losses[100].toFixed(4)).toBe(loss);
    expect(String(losses.slice(1).filter((l, e) => l > losses[e]).length)).toBe(ups);
  });
});

// The guide's extensions table names, for each notebook, an "## Extension" section it has.
describe("the extensions for fast finishers", () => {
  const rows = tableAfter("### Extensions for fast finishers");

  it("lists notebooks that each end with an Extension section", () => {
    expect(rows.length).toBeGreaterThan(0);
    for (const [cell] of rows) {
      const stem = cell.replace(/`/g, "");
      const notebook = JSON.parse(readFileSync(join(root, "notebooks", `${stem}.ipynb`), "utf8"));
      const headings = notebook.cells
        .filter((c: { cell_type: string }) => c.cell_type === "markdown")
        .map((c: { source: string[] | string }) => (Array.isArray(c.source) ? c.source.join("") : c.source));
      expect(headings.some((text: string) => text.startsWith("## Extension")), `${stem} has "## Extension"`).toBe(true);
    }
  });
});

// Notebook 04's minute budget: each row's words, displayed formulas and outputs are recounted from
// the notebook (a part runs from its "#" or "##" heading to the next), and its minutes recomputed
// by the guide's stated rule: words / 120 + 0.5 per formula + 1 per output, + 5 per exercise.
describe("notebook 04's minute budget", () => {
  const notebook = JSON.parse(readFileSync(join(root, "notebooks", "04-why-cross-entropy.ipynb"), "utf8"));
  const parts: Array<{ heading: string; words: number; formulas: number; outputs: number }> = [];
  for (const cell of notebook.cells as Array<{ cell_type: string; source: string[] | string }>) {
    const text = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    if (cell.cell_type !== "markdown") {
      if (parts.length === 0) continue;
      const code = text.replace(/\/\/.*$/gm, "");
      parts[parts.length - 1].outputs += (code.match(/\b(show|showSvg|showHtml)\(/g) ?? []).length;
      continue;
    }
    for (const chunk of text.split(/^(#{1,2} .*)$/m)) {
      if (!chunk.trim()) continue;
      const heading = /^#{1,2} (.*)$/.exec(chunk);
      if (heading) {
        parts.push({ heading: heading[1], words: 0, formulas: 0, outputs: 0 });
        continue;
      }
      const part = parts[parts.length - 1];
      part.formulas += (chunk.match(/\$\$[\s\S]*?\$\$/g) ?? []).length;
      const prose = chunk.replace(/\$\$[\s\S]*?\$\$/g, " ").replace(/\$[^$]+\$/g, "X").replace(/^#+ /gm, "");
      part.words += prose.split(/\s+/).filter(Boolean).length;
    }
  }
  const rows = tableAfter("### 04-why-cross-entropy");

  it("recounts every row from the notebook and adds up to the total", () => {
    const body = rows.filter(([name]) => name !== "total");
    expect(body.length).toBeGreaterThan(5);
    let total = 0;
    for (const [name, words, formulas, outputs, minutes] of body) {
      const title = name.replace(/ \(in pairs\)$/, "");
      const part = parts.find((p) => p.heading.startsWith(title));
      expect(part, `a part headed "${title}"`).toBeDefined();
      expect([part!.words, part!.formulas, part!.outputs].map(String), name).toEqual([words, formulas, outputs]);
      const computed = part!.words / 120 + 0.5 * part!.formulas + part!.outputs + (name.startsWith("Exercise") ? 5 : 0);
      expect(computed.toFixed(1), name).toBe(minutes);
      total += computed;
    }
    expect(total.toFixed(1)).toBe(rows.find(([name]) => name === "total")![4]);
    expect(Math.abs(total - 40)).toBeLessThan(1);
  });
});
