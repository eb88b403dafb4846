// The handouts work offline (`npm run test:browser`): `npm run html` writes two handouts into
// a scratch folder, a real lesson (notebooks/02-softmax.ipynb) and a small notebook made here
// with display and inline formulas and a code line far wider than a page. Headless Chromium
// opens them from disk with every non-file request blocked: the formulas must be typeset
// (MathJax's SVG, no `$$` left in the text), no file may be missing, nothing may have tried
// the network, and code must wrap at the page's width. A screenshot goes to screenshots/.
//
//   CHROMIUM=/path/to/chromium   default /usr/bin/chromium
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/commands/shared/kernelspec";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
/** A page about as wide as A4 paper in portrait at 96 dpi, minus margins. */
const PAGE_WIDTH = 720;
const TYPESET_MS = 20_000;

const LONG_LINE =
  "const probabilities = [" + Array.from({ length: 40 }, (_, i) => (i / 40).toFixed(4)).join(", ") + "];";
const FIXTURE = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {
    kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" },
    language_info: { name: "typescript" },
  },
  cells: [
    {
      cell_type: "markdown",
      id: "math",
      metadata: {},
      source:
        "# A formula sheet\n\nThe loss of row $n$ is $\\ell_n = -\\log p_{n, y_n}$, with\n\n" +
        "$$p_{n,c} = \\frac{e^{x_{n,c}}}{\\sum_{j} e^{x_{n,j}}}$$\n\n" +
        "and, through log-sum-exp,\n\n$$\\ell_n = \\operatorname{LSE}(x_n) - x_{n, y_n}.$$\n",
    },
    {
      cell_type: "code",
      id: "long",
      metadata: {},
      execution_count: null,
      outputs: [],
      source: `${LONG_LINE}\nconsole.log(probabilities.map((p) => p.toFixed(6)).join(" "));`,
    },
  ],
};

interface Visit {
  blocked: string[];
  missing: string[];
  page: Page;
}

describe("the handouts, opened from disk with the network off", () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "handout-test-"));
  const out = path.join(scratch, "handouts");
  let context: BrowserContext;

  beforeAll(() => {
    const fixture = path.join(scratch, "formula-sheet.ipynb");
    fs.writeFileSync(fixture, JSON.stringify(FIXTURE, null, 1));
    const html = spawnSync(
      process.execPath,
      [path.join(projectRoot, "dist", "commands", "html.js"), "notebooks/02-softmax.ipynb", fixture, "--out-dir", out],
      { cwd: projectRoot, encoding: "utf8", timeout: 240_000 },
    );
    if (html.status !== 0) throw new Error(`npm run html failed:\n${html.stdout}${html.stderr}`);
  }, 250_000);

  beforeAll(async () => {
    context = await chromium.launchPersistentContext(path.join(scratch, "profile"), {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: PAGE_WIDTH, height: 1000 },
    });
  });

  afterAll(async () => {
    await context?.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  async function open(name: string): Promise<Visit> {
    const visit: Visit = { blocked: [], missing: [], page: await context.newPage() };
    await visit.page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:")) return route.continue();
      visit.blocked.push(url);
      return route.abort("internetdisconnected");
    });
    visit.page.on("requestfailed", (request) => {
      if (request.url().startsWith("file:")) visit.missing.push(request.url());
    });
    await visit.page.goto(`file://${path.join(out, `${name}.html`)}`);
    return visit;
  }

  /** Waits until MathJax has typeset the page; says what was blocked or missing when it never does. */
  async function typeset(visit: Visit): Promise<void> {
    try {
      await visit.page.waitForFunction("!!(window.MathJax && window.MathJax.Hub && window.MathJax.isReady)", null, {
        timeout: TYPESET_MS,
      });
    } catch {
      throw new Error(
        `MathJax never became ready; requests blocked: ${JSON.stringify(visit.blocked)}, files missing: ${JSON.stringify(visit.missing)}`,
      );
    }
    // MathJax's queue runs in order: once this callback runs, the typesetting queued before it is done.
    await visit.page.evaluate("new Promise((resolve) => window.MathJax.Hub.Queue(() => resolve(true)))");
  }

  /** The prose as the reader sees it, and how many formulas MathJax drew. */
  const markdown = (page: Page): Promise<{ text: string; formulas: number; errors: number }> =>
    page.evaluate(`(() => ({
      text: [...document.querySelectorAll(".jp-MarkdownCell")].map((cell) => cell.innerText).join("\\n"),
      formulas: document.querySelectorAll(".jp-MarkdownCell .MathJax_SVG svg, .jp-MarkdownCell .MathJax_SVG_Display svg").length,
      errors: document.querySelectorAll(".MathJax_Error, [data-mjx-error], merror").length,
    }))()`);

  it("the formula sheet: every formula typeset from the local MathJax, no $$ left", async () => {
    const visit = await open("formula-sheet");
    await typeset(visit);
    const { text, formulas, errors } = await markdown(visit.page);
    expect(visit.blocked).toEqual([]);
    expect(visit.missing).toEqual([]);
    expect(errors).toBe(0);
    expect(formulas).toBe(4); // two inline ($n$ and $\ell_n = ...$), two displayed ($$...$$)
    expect(text).not.toContain("$");
    expect(text).not.toMatch(/\\(frac|log|sum|operatorname)/);
    fs.mkdirSync(path.join(projectRoot, "screenshots"), { recursive: true });
    await visit.page.screenshot({ path: path.join(projectRoot, "screenshots", "handout-offline.png"), fullPage: true });
  });

  it("code and its output wrap at the page's width instead of running past it", async () => {
    const visit = await open("formula-sheet");
    const boxes = (await visit.page.evaluate(`[...document.querySelectorAll(".jp-InputArea pre, .jp-OutputArea pre")]
      .map((pre) => ({ text: pre.innerText, scroll: pre.scrollWidth, client: pre.clientWidth, lines: Math.round(pre.clientHeight / parseFloat(getComputedStyle(pre).lineHeight)) }))`)) as Array<{
      text: string;
      scroll: number;
      client: number;
      lines: number;
    }>;
    const code = boxes.find((box) => box.text.includes("const probabilities"));
    const output = boxes.find((box) => box.text.startsWith("0.000000 0.025000"));
    expect(code, "the long code line").toBeDefined();
    expect(output, "the long output line").toBeDefined();
    for (const box of [code!, output!]) {
      expect(box.scroll).toBeLessThanOrEqual(box.client + 1); // nothing hidden to the right
      expect(box.lines).toBeGreaterThan(1); // the line was wrapped, not clipped
    }
    const page = (await visit.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")) as number[];
    expect(page[0]).toBeLessThanOrEqual(page[1]);
  });

  it("a lesson (02-softmax): typeset formulas, no raw TeX, nothing fetched from the network", async () => {
    const visit = await open("02-softmax");
    await typeset(visit);
    const { text, formulas, errors } = await markdown(visit.page);
    expect(visit.blocked).toEqual([]);
    expect(visit.missing).toEqual([]);
    expect(errors).toBe(0);
    expect(formulas).toBeGreaterThan(10);
    expect(text).not.toContain("$$");
    expect(text).not.toMatch(/\\(frac|sum|log|exp|max)\b/);
  });
});
