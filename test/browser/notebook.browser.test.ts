// The real-browser check (`npm run test:browser`): every notebook in notebooks/ (found at
// run time), run cell by cell through the page as a learner runs it, in
//   - JupyterLab 4, the course's front end (the project's .venv first, then PATH), in its
//     Light AND Dark theme, at 1024 x 768 with the file browser open (a projector);
//   - Notebook 6 (Debian's jupyter-notebook), as before.
// For each notebook: every code cell ran (an execution count) without error or stderr;
// every chart rendered; no text in any output has a WCAG contrast below 4.5 (Lab Light, Lab
// Dark, Notebook 6). Projected (issue 18), in Lab Light and Dark, at 1024 x 768 with the file
// browser open and at 1920 x 1080: no chart wider than its natural width or its output area,
// none taller than CHART_MAX_HEIGHT at 1024 x 768, no chart text under CHART_MIN_TEXT_PX as
// rendered (each chart's scale and smallest text are logged); every code cell wraps and none scrolls sideways; in Presentation Mode, tables,
// checker tables and the progress line grow by the same ratio as prose; in every checker table,
// at 1024 x 768 and 1280 x 800 with the file browser open, Light and Dark: each row's status
// chip on one line, no number broken across lines, each row's cells on one baseline (within
// BASELINE_PX; pageChecks.ts MEASURE_CHECKER_TABLES). Then a
// notebook handed out with outputs whose signature no longer matches (untrusted) must
// show every chart, in both front ends. Screenshots go to screenshots/ (git-ignored).
//
//   BROWSER_NOTEBOOK=notebooks/03-x.ipynb[,notebooks/..]  only these notebooks
//   BROWSER_UI=lab | notebook                             only this front end
//   CHROMIUM=/path/to/chromium                            default /usr/bin/chromium
//
// Notebooks on disk are never written: the page runs a hidden copy beside each one (same
// folder, so `from ".."` and relative data paths resolve alike), and the copy is deleted.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildIsStale, findJupyter, jupyterPython, projectRoot, writeKernelspec } from "../../src/commands/shared/kernelspec";
import { MEASURE_CHECKER_TABLES, MEASURE_LAB_CODE, MEASURE_OUTPUTS, type CheckerTableReport, type LabCodeReport, type OutputReport } from "./pageChecks";
import { startCourseLab, startServer, type JupyterServer } from "./server";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
];
const NOTEBOOKS_DIR = path.join(projectRoot, "notebooks");
const SHOTS = path.join(projectRoot, "screenshots");
const AA = 4.5;
const PROJECTOR = { width: 1024, height: 768 };
const WIDE = { width: 1920, height: 1080 };
/** Notebook 6 and the untrusted handouts run at a laptop's 1280 x 800. */
const LAPTOP = { width: 1280, height: 800 };
/** Issue 18: no chart taller than about 600 px at 1024 x 768 (the screen is 768 px tall). */
const CHART_MAX_HEIGHT = 610;
/** Issue 18: no chart text under 11 px as rendered (font size x displayed / natural width). */
const CHART_MIN_TEXT_PX = 11;
/** Presentation Mode: table text grows by prose's ratio, within this relative tolerance. */
const FONT_RATIO_RTOL = 0.03;
/** Checker tables: the cells of a row share their first baseline within this many CSS px. */
const BASELINE_PX = 1;
const KERNEL_READY_MS = 90_000;
const RUN_ALL_MS = 240_000;
const UI = process.env.BROWSER_UI;

/** The notebooks to run: every notebooks/*.ipynb at run time, or BROWSER_NOTEBOOK. */
function notebooks(): string[] {
  if (process.env.BROWSER_NOTEBOOK) {
    return process.env.BROWSER_NOTEBOOK.split(",").map((file) => path.relative(NOTEBOOKS_DIR, path.resolve(projectRoot, file.trim())));
  }
  return fs.readdirSync(NOTEBOOKS_DIR).filter((name) => name.endsWith(".ipynb") && !name.startsWith(".")).sort();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A hidden copy of a notebook beside it; `remove` deletes it and its checkpoint. */
function hiddenCopy(name: string, content?: string): { file: string; urlPath: string; remove(): void } {
  const original = path.join(NOTEBOOKS_DIR, name);
  const file = path.join(path.dirname(original), `.browser-test-${randomBytes(4).toString("hex")}-${path.basename(original)}`);
  const checkpoints = path.join(path.dirname(original), ".ipynb_checkpoints");
  const hadCheckpoints = fs.existsSync(checkpoints);
  if (content === undefined) fs.copyFileSync(original, file);
  else fs.writeFileSync(file, content);
  return {
    file,
    urlPath: path.relative(NOTEBOOKS_DIR, file).split(path.sep).join("/"),
    remove() {
      fs.rmSync(file, { force: true });
      fs.rmSync(path.join(checkpoints, `${path.basename(file, ".ipynb")}-checkpoint.ipynb`), { force: true });
      if (!hadCheckpoints && fs.existsSync(checkpoints) && fs.readdirSync(checkpoints).length === 0) fs.rmdirSync(checkpoints);
    },
  };
}

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

const measure = (page: Page, outputs: string) => page.evaluate(`${MEASURE_OUTPUTS}(${JSON.stringify(outputs)})`) as Promise<OutputReport>;
const measureCheckers = (page: Page, outputs: string) =>
  page.evaluate(`${MEASURE_CHECKER_TABLES}(${JSON.stringify(outputs)}, ${BASELINE_PX})`) as Promise<CheckerTableReport>;

/** "cell 3: <error or stderr text>" for every code cell that shows one, and unexecuted cells. */
interface RunReport {
  problems: string[];
  unexecuted: number[];
}

/** Polls `done` (page-side expression) until it holds twice in a row, 500 ms apart: false after `ms`. */
async function stable(page: Page, done: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  let streak = 0;
  while (Date.now() < deadline) {
    streak = (await page.evaluate(done)) ? streak + 1 : 0;
    if (streak >= 2) return true;
    await sleep(500);
  }
  return false;
}

async function waitStable(page: Page, done: string, ms: number): Promise<void> {
  if (!(await stable(page, done, ms))) throw new Error(`the notebook did not finish running within ${ms / 1000} s`);
}

// ---------------------------------------------------------------- JupyterLab 4
const LAB_OUTPUTS = ".jp-Notebook .jp-OutputArea-output";
const LAB_REPORT = `(() => {
  const problems = [], unexecuted = [];
  document.querySelectorAll(".jp-Notebook .jp-Cell").forEach((cell, i) => {
    if (!cell.classList.contains("jp-CodeCell")) return;
    cell.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"], [data-mime-type="application/vnd.jupyter.error"]')
      .forEach((o) => problems.push("cell " + i + ": " + o.textContent.trim().slice(0, 400)));
    const source = cell.querySelector(".jp-InputArea-editor");
    const prompt = cell.querySelector(".jp-InputPrompt");
    if (source && source.textContent.trim() && !/\\[\\d+\\]/.test(prompt ? prompt.textContent : "")) unexecuted.push(i);
  });
  return { problems, unexecuted };
})()`;
// Done: no cell queued or running ("[*]"), and every code cell with source has a count,
// or a cell failed (Lab then leaves the rest unrun, which the report shows).
const LAB_DONE = `(() => {
  const cells = [...document.querySelectorAll(".jp-Notebook .jp-CodeCell")];
  const prompt = (c) => (c.querySelector(".jp-InputPrompt") || {}).textContent || "";
  const source = (c) => ((c.querySelector(".jp-InputArea-editor") || {}).textContent || "").trim();
  if (cells.length === 0 || cells.some((c) => prompt(c).includes("*"))) return false;
  const failed = !!document.querySelector('.jp-Notebook [data-mime-type="application/vnd.jupyter.stderr"], .jp-Notebook [data-mime-type="application/vnd.jupyter.error"]');
  return failed || cells.every((c) => !source(c) || /\\[\\d+\\]/.test(prompt(c)));
})()`;
const LAB_STARTED = `[...document.querySelectorAll(".jp-Notebook .jp-CodeCell .jp-InputPrompt")].some((p) => /\\[(\\*|\\d+)\\]/.test(p.textContent))`;

const LAB_STATUS = `(document.querySelector("#jp-main-statusbar") || {}).textContent || ""`;
// The kernel is connected and idle: the status bar says "TypeScript | Idle". (The toolbar's
// execution indicator says "idle" before any kernel is connected, so it proves nothing.)
const LAB_KERNEL_IDLE = `/TypeScript \\| Idle/.test(${LAB_STATUS})`;
/**
 * A kernel not idle this long after the page opened is restarted through the server's API and
 * the page reloaded, once, with a warning saying what the status bar and the server said; the
 * rest of KERNEL_READY_MS is its second chance. (Each notebook's time to idle is in the summary
 * line; BROWSER_KERNEL_RETRY_MS=1 takes the restart path at once. One CI run at 053eff1 failed
 * on notebook 13's kernel not idle within 90 s, while the 14 others and the 3 runs before were
 * idle within seconds; the cause was not printed.)
 */
const KERNEL_RETRY_MS = Number(process.env.BROWSER_KERNEL_RETRY_MS ?? 40_000);

/** Opens the notebook and waits for its kernel: the seconds that took. */
async function labOpen(page: Page, server: JupyterServer, urlPath: string): Promise<number> {
  const open = async () => {
    await page.goto(`${server.base}/lab/tree/${encodeURI(urlPath)}?token=${server.token}`);
    await page.locator(".jp-Notebook .jp-Cell").first().waitFor({ timeout: KERNEL_READY_MS });
  };
  const started = Date.now();
  await open();
  const seconds = () => (Date.now() - started) / 1000;
  if (await stable(page, LAB_KERNEL_IDLE, KERNEL_RETRY_MS)) return seconds();
  const before = `the status bar said "${((await page.evaluate(LAB_STATUS)) as string).trim()}"; the server's kernels: ${await server.restartKernels()}`;
  console.warn(`${urlPath}: the kernel was not idle ${seconds().toFixed(0)} s after opening (${before}); kernel restarted and page reloaded once. Server log:\n${server.log().slice(-1500)}`);
  await open();
  if (await stable(page, LAB_KERNEL_IDLE, KERNEL_READY_MS - KERNEL_RETRY_MS)) return seconds();
  const after = `the status bar said "${((await page.evaluate(LAB_STATUS)) as string).trim()}"`;
  throw new Error(`the kernel was not idle within ${KERNEL_READY_MS / 1000} s, one restart included: before the restart ${before}; after it ${after}. Server log:\n${server.log().slice(-2000)}`);
}

async function labMenu(page: Page, path: string[]): Promise<void> {
  await page.locator(".lm-MenuBar-itemLabel", { hasText: new RegExp(`^${path[0]}$`) }).click();
  for (const [i, label] of path.slice(1).entries()) {
    const item = page.locator(".lm-Menu:visible .lm-Menu-itemLabel", { hasText: new RegExp(`^${label}$`) }).last();
    if (i < path.length - 2) await item.hover();
    else await item.click();
  }
}

async function labTheme(page: Page, theme: "JupyterLab Light" | "JupyterLab Dark"): Promise<void> {
  if ((await page.evaluate("document.body.dataset.jpThemeName")) !== theme) await labMenu(page, ["Settings", "Theme", theme]);
  const light = theme === "JupyterLab Light";
  await page.waitForFunction(
    `document.body.dataset.jpThemeName === ${JSON.stringify(theme)} && document.body.dataset.jpThemeLight === "${light}"
      && getComputedStyle(document.body).getPropertyValue("--jp-layout-color0").trim() === "${light ? "white" : "#111"}"`,
    null,
    { timeout: 30_000 },
  );
  await sleep(300);
}

// ---------------------------------------------------------------- Notebook 6
const NB6_OUTPUTS = "#notebook-container .output_subarea";
const NB6_REPORT = `(() => {
  const problems = [], unexecuted = [];
  Jupyter.notebook.get_cells().forEach((cell, i) => {
    if (cell.cell_type !== "code") return;
    cell.element[0].querySelectorAll(".output_error, .output_stderr, .js-error")
      .forEach((o) => problems.push("cell " + i + ": " + o.textContent.trim().slice(0, 400)));
    if (cell.get_text().trim() && typeof cell.input_prompt_number !== "number") unexecuted.push(i);
  });
  return { problems, unexecuted };
})()`;

async function nb6Open(page: Page, server: JupyterServer, urlPath: string): Promise<void> {
  await page.goto(`${server.base}/notebooks/${encodeURI(urlPath)}?token=${server.token}`);
  await page.waitForFunction(
    `(() => { const nb = window.Jupyter && Jupyter.notebook;
      return !!(nb && nb._fully_loaded && nb.kernel && nb.kernel.is_connected()
        && nb.kernel.info_reply && nb.kernel.info_reply.protocol_version); })()`,
    null,
    { timeout: KERNEL_READY_MS },
  );
}

// ---------------------------------------------------------------- the untrusted handout
/**
 * A handed-out notebook: `name` executed by nbclient (outputs saved), signed with
 * `jupyter trust` in the server's own data folder, then edited (a markdown cell gains a
 * line) so the stored signature no longer matches. Returns its text and how many chart
 * outputs (image/png) it holds.
 */
function untrustedHandout(name: string, server: JupyterServer, jupyter: string): { content: string; charts: number } {
  const executed = path.join(server.scratch, `executed-${name}`);
  const run = spawnSync(jupyterPython(), [path.join(projectRoot, "test", "execute_notebook.py"), path.join(NOTEBOOKS_DIR, name), "--output", executed], {
    env: server.env, encoding: "utf8", timeout: 300_000,
  });
  if (run.status !== 0) throw new Error(`could not execute ${name} for the handout:\n${run.stdout}${run.stderr}`);
  // `jupyter trust`, done with the front end's own Python (Debian's Jupyter has no `trust`
  // command): the signature goes into the server's data folder, which it reads.
  const venvPython = path.join(path.dirname(jupyter), "python3");
  const python = path.isAbsolute(jupyter) && fs.existsSync(venvPython) ? venvPython : jupyterPython();
  const sign = "import sys, nbformat; from nbformat.sign import NotebookNotary; " +
    "nb = nbformat.read(sys.argv[1], 4); n = NotebookNotary(); n.sign(nb); assert n.check_signature(nb)";
  const trust = spawnSync(python, ["-c", sign, executed], { env: server.env, encoding: "utf8" });
  if (trust.status !== 0) throw new Error(`signing the handout failed:\n${trust.stdout}${trust.stderr}`);
  const nb = JSON.parse(fs.readFileSync(executed, "utf8"));
  const markdown = nb.cells.find((c: { cell_type: string }) => c.cell_type === "markdown");
  markdown.source = [...[markdown.source].flat(), "\n\n(Handed out after class.)"];
  const charts = nb.cells
    .flatMap((c: { outputs?: Array<{ data?: object }> }) => c.outputs ?? [])
    .filter((o: { data?: object }) => o.data && "image/png" in o.data).length;
  return { content: JSON.stringify(nb, null, 1), charts };
}

/** The notebook the untrusted check hands out: 02-softmax when present, else the first. */
function handoutNotebook(): string {
  const all = notebooks();
  return all.find((n) => n.startsWith("02-")) ?? all[0];
}

// ---------------------------------------------------------------- the tests
const enabled = process.env.NOTEBOOK_BROWSER_TEST === "1";
const timing: string[] = [];

describe.runIf(enabled)("every notebook in a real browser (npm run test:browser)", () => {
  let browser: Browser;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: sudo apt-get install -y chromium (or set CHROMIUM=/path/to/chrome)`);
    }
    // test/globalSetup.ts builds for `npm test`; build here only when that did not happen.
    if (buildIsStale()) {
      const build = spawnSync("npm", ["run", "--silent", "build"], { cwd: projectRoot, encoding: "utf8" });
      if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
    }
    writeKernelspec();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (timing.length) console.log(`browser timings:\n  ${timing.join("\n  ")}`);
  });

  describe.runIf(UI !== "notebook")("JupyterLab 4 (Light and Dark theme)", () => {
    let server: JupyterServer;
    let jupyter: string;

    beforeAll(async () => {
      const lab = findJupyter("lab");
      if (!lab) throw new Error("JupyterLab is not installed: python3 -m venv .venv && .venv/bin/pip install jupyterlab (or BROWSER_UI=notebook)");
      jupyter = lab.command;
      const started = Date.now();
      server = await startCourseLab(jupyter, NOTEBOOKS_DIR);
      timing.push(`JupyterLab ${lab.version} server up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
    afterAll(async () => server?.stop());

    it.each(notebooks())("%s: runs; charts, code and tables read projected (1024 with the file browser, 1920; Light and Dark)", async (name) => {
      const copy = hiddenCopy(name);
      const page = await browser.newPage({ viewport: PROJECTOR });
      const consoleErrors: string[] = [];
      page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
      page.on("pageerror", (e) => consoleErrors.push(`uncaught: ${e.message}`));
      const started = Date.now();
      const stem = path.basename(name, ".ipynb");
      try {
        const idle = await labOpen(page, server, copy.urlPath);
        await labMenu(page, ["Run", "Run All Cells"]);
        await page.waitForFunction(LAB_STARTED, null, { timeout: KERNEL_READY_MS, polling: 250 });
        await waitStable(page, LAB_DONE, RUN_ALL_MS);
        const ran = (await page.evaluate(LAB_REPORT)) as RunReport;
        const seconds = (Date.now() - started) / 1000;

        const byTheme: Record<string, OutputReport> = {};
        // Checker tables (issue 18, item 5) at 1024 x 768 and 1280 x 800, file browser open, both themes.
        const checkers: Record<string, CheckerTableReport> = {};
        // The time these checks add: their page reads, and the whole 1280 px stop.
        let checkerMs = 0;
        const timed = async (where: string) => {
          const t0 = Date.now();
          checkers[where] = await measureCheckers(page, LAB_OUTPUTS);
          checkerMs += Date.now() - t0;
        };
        const wideByTheme: Record<string, OutputReport> = {};
        const first = (await page.evaluate("document.body.dataset.jpThemeName")) === "JupyterLab Dark" ? "JupyterLab Dark" : "JupyterLab Light";
        const themes = first === "JupyterLab Dark" ? (["JupyterLab Dark", "JupyterLab Light"] as const) : (["JupyterLab Light", "JupyterLab Dark"] as const);
        const code = (await page.evaluate(MEASURE_LAB_CODE)) as LabCodeReport;
        for (const theme of themes) {
          await labTheme(page, theme);
          byTheme[theme] = await measure(page, LAB_OUTPUTS);
          await timed(`${theme} at 1024 px`);
          await page.evaluate(`(document.querySelector(".jp-RenderedImage") || document.querySelector(".jp-OutputArea-output table"))?.scrollIntoView()`);
          await shot(page, `${stem}-lab-${theme === "JupyterLab Dark" ? "dark" : "light"}-1024`);
        }
        // 1280 x 800 (the laptop the chip wrapped on), only when the notebook shows a checker table;
        // it ends in themes[0], where 1920 starts, so it costs one theme switch.
        const laptop = checkers["JupyterLab Light at 1024 px"].tables > 0;
        if (laptop) {
          const laptopStarted = Date.now();
          await page.setViewportSize(LAPTOP);
          await sleep(300);
          for (const theme of [...themes].reverse()) {
            await labTheme(page, theme);
            checkers[`${theme} at 1280 px`] = await measureCheckers(page, LAB_OUTPUTS);
          }
          await page.evaluate(`document.querySelector(".jp-OutputArea-output .ce-exercise")?.scrollIntoView()`);
          await shot(page, `${stem}-lab-${themes[0] === "JupyterLab Dark" ? "dark" : "light"}-1280-checker`);
          checkerMs += Date.now() - laptopStarted;
        }
        await page.setViewportSize(WIDE);
        await sleep(300);
        for (const theme of laptop ? themes : [...themes].reverse()) {
          await labTheme(page, theme);
          wideByTheme[theme] = await measure(page, LAB_OUTPUTS);
          await shot(page, `${stem}-lab-${theme === "JupyterLab Dark" ? "dark" : "light"}-1920`);
        }
        // Presentation Mode (View menu) at 1920: Lab enlarges prose and code; tables must follow.
        const plainFonts = ((await page.evaluate(MEASURE_LAB_CODE)) as LabCodeReport).fonts;
        await labMenu(page, ["View", "Appearance", "Presentation Mode"]);
        await sleep(500);
        const presentedFonts = ((await page.evaluate(MEASURE_LAB_CODE)) as LabCodeReport).fonts;
        await shot(page, `${stem}-lab-presentation-1920`);
        await labMenu(page, ["View", "Appearance", "Presentation Mode"]);

        const narrow = byTheme["JupyterLab Light"];
        const wide = wideByTheme["JupyterLab Light"];
        const widths = (r: OutputReport) => r.charts.map((c) => `${Math.round(c.width)}/${Math.round(c.naturalWidth)}/${Math.round(c.area)}`);
        // Rendered size of a chart's text = its font size x this scale (displayed / natural width).
        const smallest = (r: OutputReport) => Math.min(...r.charts.map((c) => Math.round((100 * c.width) / c.naturalWidth) / 100));
        const tallest = (r: OutputReport) => Math.max(0, ...r.charts.map((c) => c.height));
        const smallText = (r: OutputReport) => r.charts.map((c) => c.minFontPx);
        const growth = (key: keyof LabCodeReport["fonts"]) => (plainFonts[key] > 0 ? presentedFonts[key] / plainFonts[key] : NaN);
        const debuggerErrors = consoleErrors.filter((e) => e.includes("No active debugger session"));
        timing.push(
          `${name} in Lab: kernel idle in ${idle.toFixed(1)} s, ran in ${seconds.toFixed(1)} s; ${narrow.charts.length} chart(s), ${narrow.tables} table(s); ` +
            `worst contrast Light ${byTheme["JupyterLab Light"].worst[0]?.ratio ?? "-"} / Dark ${byTheme["JupyterLab Dark"].worst[0]?.ratio ?? "-"} ` +
            `over ${narrow.textRuns} text runs; chart width/natural/area at 1024: ${widths(narrow).join(" ") || "-"}; at 1920: ${widths(wide).join(" ") || "-"}; ` +
            `tallest chart at 1024: ${Math.round(tallest(narrow))} px, at 1920: ${Math.round(tallest(wide))} px; smallest chart scale at 1024: ${smallest(narrow)}, at 1920: ${smallest(wide)}; ` +
            `smallest text per chart at 1024 (px): ${smallText(narrow).join(" ") || "-"}, at 1920: ${smallText(wide).join(" ") || "-"}; ` +
            `code cells ${code.codeCells}, scrolling sideways at 1024: ${code.overflowing.length}, unwrapped: ${code.unwrapped.length}; ` +
            `Presentation Mode growth prose ${growth("prose").toFixed(3)}, code ${growth("code").toFixed(3)}, table ${growth("table").toFixed(3)}, ` +
            `checker ${growth("checker").toFixed(3)}, progress ${growth("progress").toFixed(3)}; ` +
            `checker tables ${checkers["JupyterLab Light at 1024 px"].tables} (${checkers["JupyterLab Light at 1024 px"].rows} rows, ` +
            `${checkers["JupyterLab Light at 1024 px"].chips} chips, ${checkers["JupyterLab Light at 1024 px"].numbers} numbers), measured in ${checkerMs} ms; ` +
            `tables wider than their area at 1024 (width/area): ${narrow.wideTables.map(([w, a]) => `${Math.round(w)}/${Math.round(a)}`).join(" ") || "none"}; "No active debugger session" errors: ${debuggerErrors.length}`,
        );

        expect(ran.problems, `${name}: cells show errors or stderr`).toEqual([]);
        expect(ran.unexecuted, `${name}: code cells left without an execution count`).toEqual([]);
        // The course's page config turns Lab's debugger off (see LAB_PAGE_CONFIG): no console noise per cell.
        expect(debuggerErrors, `${name}: browser console`).toEqual([]);
        // A projector: 1024 x 768 with the file browser open; the course's Lab settings wrap code lines.
        expect(code.fileBrowser, `${name}: the file browser is open at 1024 px`).toBe(true);
        expect(code.unwrapped, `${name}: code cells without line wrapping (LAB_OVERRIDES)`).toEqual([]);
        expect(code.overflowing, `${name}: code cells scrolling sideways at 1024 px ([cell, scroll width, visible width])`).toEqual([]);
        for (const [size, reports] of [["1024", byTheme], ["1920", wideByTheme]] as const) {
          for (const [theme, report] of Object.entries(reports)) {
            const where = `${name} in ${theme} at ${size} px`;
            expect(report.worst.filter((s) => s.ratio < AA), `${where}: output text below ${AA} to 1`).toEqual([]);
            // Every chart is shown as its PNG (src/display/show.ts says why), none as the text line.
            expect(report.charts.filter((c) => c.kind !== "png" || !c.loaded), `${where}: charts not shown as their PNG`).toEqual([]);
            expect(report.charts.filter((c) => c.width > c.area + 0.5), `${where}: charts wider than their output area`).toEqual([]);
            expect(report.charts.filter((c) => !(c.naturalWidth > 0) || c.width > c.naturalWidth + 0.5), `${where}: charts wider than their natural width`).toEqual([]);
            if (size === "1024") expect(report.charts.filter((c) => c.height > CHART_MAX_HEIGHT), `${where}: charts taller than ${CHART_MAX_HEIGHT} px`).toEqual([]);
            const smallCharts = report.charts.flatMap((c, i) => (c.minFontPx < CHART_MIN_TEXT_PX ? [`chart ${i}: ${c.minFontPx} px`] : []));
            expect(smallCharts, `${where}: chart text under ${CHART_MIN_TEXT_PX} px as rendered`).toEqual([]);
          }
        }
        // Checker tables: chips on one line, no number broken across lines, each row on one baseline.
        // A notebook that calls a checker shows its table (else the checks below would measure nothing).
        if (/exercises\.\w+\(/.test(fs.readFileSync(path.join(NOTEBOOKS_DIR, name), "utf8"))) {
          expect(checkers["JupyterLab Light at 1024 px"].tables, `${name}: checker tables (.ce-exercise) shown`).toBeGreaterThan(0);
        }
        for (const [where, report] of Object.entries(checkers)) {
          expect(report.faults, `${name} in ${where} (file browser open): untidy checker tables`).toEqual([]);
        }
        // Presentation Mode: whatever table kinds the notebook shows grow like prose.
        for (const key of ["table", "checker", "progress"] as const) {
          if (plainFonts[key] === 0) continue;
          expect(Math.abs(growth(key) / growth("prose") - 1), `${name}: ${key} text grows ${growth(key)} in Presentation Mode, prose ${growth("prose")}`).toBeLessThanOrEqual(FONT_RATIO_RTOL);
        }
        chartCounts.set(name, narrow.charts.length);
        chartSizes.set(name, narrow.charts.map((c) => Math.round(c.width)));
      } catch (error) {
        await shot(page, `${stem}-lab-failure`).catch(() => undefined);
        throw error;
      } finally {
        await page.close().catch(() => undefined);
        await server.shutdownKernels();
        copy.remove();
      }
    });

    it("a handed-out notebook whose signature no longer matches shows every chart (as its PNG)", async () => {
      const name = handoutNotebook();
      const handout = untrustedHandout(name, server, jupyter);
      const copy = hiddenCopy(name, handout.content);
      const page = await browser.newPage({ viewport: PROJECTOR });
      try {
        await labOpen(page, server, copy.urlPath);
        await sleep(1_000);
        // Untrusted HTML goes through Lab's sanitiser: the tables must still read in both themes.
        const worst: Record<string, number | string> = {};
        let report: OutputReport | undefined;
        for (const theme of ["JupyterLab Dark", "JupyterLab Light"] as const) {
          await labTheme(page, theme);
          report = await measure(page, LAB_OUTPUTS);
          worst[theme] = report.worst[0]?.ratio ?? "-";
          expect(report.worst.filter((s) => s.ratio < AA), `untrusted ${name} in ${theme}: output text below ${AA} to 1`).toEqual([]);
          await page.evaluate(`document.querySelector(".jp-RenderedImage")?.scrollIntoView()`);
          await shot(page, `untrusted-${path.basename(name, ".ipynb")}-lab-${theme === "JupyterLab Dark" ? "dark" : "light"}-1024`);
        }
        const kinds = report!.charts.map((c) => `${c.kind}${c.loaded ? "" : " (not loaded)"}`);
        timing.push(
          `untrusted ${name} in Lab: ${handout.charts} chart output(s) in the file; shown as: ${kinds.join(", ") || "nothing"}; ` +
            `worst contrast Dark ${worst["JupyterLab Dark"]} / Light ${worst["JupyterLab Light"]}`,
        );
        expect(handout.charts).toBeGreaterThan(0);
        // Untrusted, Lab will not draw the SVG: each chart must show as its PNG, loaded and within the area.
        expect(kinds).toEqual(Array(handout.charts).fill("png"));
        expect(report!.charts.filter((c) => c.width > c.area + 0.5)).toEqual([]);
        expect(report!.charts.filter((c) => c.minFontPx < CHART_MIN_TEXT_PX), "untrusted: chart text under 11 px").toEqual([]);
        // Untrusted (PNG) and trusted (SVG) show a chart at the same size, never past its natural width.
        expect(report!.charts.filter((c) => !(c.naturalWidth > 0) || c.width > c.naturalWidth + 0.5)).toEqual([]);
        if (chartSizes.has(name)) expect(report!.charts.map((c) => Math.round(c.width)), "untrusted against trusted widths at 1024").toEqual(chartSizes.get(name));
      } finally {
        await page.close().catch(() => undefined);
        await server.shutdownKernels();
        copy.remove();
      }
    });
  });

  describe.runIf(UI !== "lab")("Notebook 6 (Debian's jupyter-notebook)", () => {
    let server: JupyterServer;
    let jupyter: string;

    beforeAll(async () => {
      const notebook = findJupyter("notebook");
      if (!notebook) throw new Error("Jupyter Notebook is not installed: sudo apt-get install -y jupyter-notebook (or BROWSER_UI=lab)");
      jupyter = notebook.command;
      server = await startServer(jupyter, (port, token) => [
        "notebook", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--NotebookApp.port_retries=0",
        `--NotebookApp.token=${token}`, "--allow-root", `--notebook-dir=${NOTEBOOKS_DIR}`,
        "--ContentsManager.allow_hidden=True",
      ], NOTEBOOKS_DIR);
    });
    afterAll(async () => server?.stop());

    it.each(notebooks())("%s: runs and renders every chart, contrast >= 4.5", async (name) => {
      const copy = hiddenCopy(name);
      const page = await browser.newPage({ viewport: LAPTOP });
      const started = Date.now();
      try {
        await nb6Open(page, server, copy.urlPath);
        // Never save: no autosave timer, and save_notebook() refuses a non-writable notebook.
        await page.evaluate(`(() => { const nb = Jupyter.notebook; nb.set_autosave_interval(0); nb.writable = false; nb.execute_all_cells(); })()`);
        // execute_all_cells() sets every prompt to "*" at once, so no "*" left means done.
        await waitStable(
          page,
          `(() => { const nb = Jupyter.notebook;
            return !nb.kernel_busy && nb.get_cells().every((c) => c.cell_type !== "code" || c.input_prompt_number !== "*"); })()`,
          RUN_ALL_MS,
        );
        const ran = (await page.evaluate(NB6_REPORT)) as RunReport;
        const report = await measure(page, NB6_OUTPUTS);
        await page.evaluate(`document.querySelector(".output_png")?.scrollIntoView()`);
        await shot(page, `${path.basename(name, ".ipynb")}-notebook6-1280`);
        timing.push(
          `${name} in Notebook 6: ran in ${((Date.now() - started) / 1000).toFixed(1)} s; ${report.charts.length} chart(s), ` +
            `${report.tables} table(s); worst contrast ${report.worst[0]?.ratio ?? "-"} over ${report.textRuns} text runs; ` +
            `smallest text per chart (px): ${report.charts.map((c) => c.minFontPx).join(" ") || "-"}`,
        );
        expect(ran.problems, `${name}: cells show errors or stderr`).toEqual([]);
        expect(ran.unexecuted, `${name}: code cells left without an execution count`).toEqual([]);
        expect(report.worst.filter((s) => s.ratio < AA), `${name}: output text below ${AA} to 1`).toEqual([]);
        expect(report.charts.filter((c) => c.kind !== "png" || !c.loaded), `${name}: charts not shown as their PNG`).toEqual([]);
        expect(report.charts.filter((c) => !(c.naturalWidth > 0) || c.width > c.naturalWidth + 0.5), `${name}: charts wider than their natural width`).toEqual([]);
        // The same charts as in JupyterLab, when Lab ran too.
        if (chartCounts.has(name)) expect(report.charts.length, `${name}: charts in Notebook 6 against JupyterLab`).toBe(chartCounts.get(name));
      } finally {
        await page.close().catch(() => undefined);
        await server.shutdownKernels();
        copy.remove();
      }
    });

    it("a handed-out notebook whose signature no longer matches shows every chart (as its PNG)", async () => {
      const name = handoutNotebook();
      const handout = untrustedHandout(name, server, jupyter);
      const copy = hiddenCopy(name, handout.content);
      const page = await browser.newPage({ viewport: LAPTOP });
      try {
        await nb6Open(page, server, copy.urlPath);
        await page.evaluate(`(() => { const nb = Jupyter.notebook; nb.set_autosave_interval(0); nb.writable = false; })()`);
        await sleep(1_000);
        const trusted = await page.evaluate("Jupyter.notebook.trusted");
        const report = await measure(page, NB6_OUTPUTS);
        await page.evaluate(`document.querySelector(".output_png")?.scrollIntoView()`);
        await shot(page, `untrusted-${path.basename(name, ".ipynb")}-notebook6-1280`);
        const kinds = report.charts.map((c) => `${c.kind}${c.loaded ? "" : " (not loaded)"}`);
        timing.push(`untrusted ${name} in Notebook 6 (trusted=${trusted}): ${handout.charts} chart output(s); shown as: ${kinds.join(", ") || "nothing"}`);
        expect(trusted).toBe(false);
        expect(kinds).toEqual(Array(handout.charts).fill("png"));
      } finally {
        await page.close().catch(() => undefined);
        await server.shutdownKernels();
        copy.remove();
      }
    });
  });
});

/** Charts each notebook showed in JupyterLab, for Notebook 6 to match. */
const chartCounts = new Map<string, number>();
/** Displayed chart widths per notebook in Lab (trusted, 1024, Light), for the untrusted handout to match. */
const chartSizes = new Map<string, number[]>();
