// The real-browser check (`npm run test:browser`): a Jupyter server with the project's
// tslab kernelspec, one notebook opened in headless Chromium, every cell run through the
// page as a learner runs it; then at least one HTML table and one SVG must have rendered
// and no cell may show an error or stderr. A full-page screenshot goes to screenshots/.
//
//   BROWSER_NOTEBOOK=notebooks/03-x.ipynb  the notebook (default notebooks/02-softmax.ipynb)
//   BROWSER_UI=notebook                    the classic Notebook even when JupyterLab is installed
//   CHROMIUM=/path/to/chromium             default /usr/bin/chromium
//
// The notebook on disk is never written: the page runs a hidden copy beside it (same
// folder, so `from ".."` and relative data paths resolve alike) with saving switched off,
// and the copy is deleted afterwards.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { buildIsStale, jupyterEnv, projectRoot, writeKernelspec } from "../../src/tools/kernelspec";

const NOTEBOOK = process.env.BROWSER_NOTEBOOK ?? "notebooks/02-softmax.ipynb";
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
];
const KERNEL_READY_MS = 60_000;
const RUN_ALL_MS = 180_000;
const NOTEBOOKS_DIR = path.join(projectRoot, "notebooks");

interface PageReport {
  tables: number;
  svgs: number;
  /** "cell 3: <error or stderr text>" */
  problems: string[];
  /** Indices of non-empty code cells without an execution count. */
  unexecuted: number[];
}

/** What differs between the classic Notebook page and JupyterLab. */
interface Frontend {
  name: string;
  serverArgs(port: number, token: string): string[];
  url(base: string, notebookPath: string, token: string): string;
  runAllCells(page: Page): Promise<void>;
  waitUntilDone(page: Page): Promise<void>;
  report(page: Page): Promise<PageReport>;
  prepareScreenshot(page: Page): Promise<void>;
}

// Browser-side code is passed as strings: test transforms may add helpers to functions
// that would not exist in the page.

/** Debian's Jupyter Notebook 6: the page exposes `Jupyter.notebook`. Tested. */
const classicNotebook: Frontend = {
  name: "notebook",
  serverArgs: (port, token) => [
    "notebook", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--NotebookApp.port_retries=0",
    `--NotebookApp.token=${token}`, "--allow-root", `--notebook-dir=${NOTEBOOKS_DIR}`,
    "--ContentsManager.allow_hidden=True",
  ],
  url: (base, notebookPath, token) => `${base}/notebooks/${encodeURI(notebookPath)}?token=${token}`,
  async runAllCells(page) {
    await page.waitForFunction(
      `(() => { const nb = window.Jupyter && Jupyter.notebook;
        return !!(nb && nb._fully_loaded && nb.kernel && nb.kernel.is_connected()
          && nb.kernel.info_reply && nb.kernel.info_reply.protocol_version); })()`,
      null,
      { timeout: KERNEL_READY_MS },
    );
    // Never save: no autosave timer, and save_notebook() refuses a non-writable notebook.
    await page.evaluate(`(() => { const nb = Jupyter.notebook;
      nb.set_autosave_interval(0); nb.writable = false; nb.execute_all_cells(); })()`);
  },
  async waitUntilDone(page) {
    // execute_all_cells() sets every prompt to "*" at once, so no "*" left means done.
    await page.waitForFunction(
      `(() => { const nb = Jupyter.notebook;
        return !nb.kernel_busy && nb.get_cells().every((c) => c.cell_type !== "code" || c.input_prompt_number !== "*"); })()`,
      null,
      { timeout: RUN_ALL_MS, polling: 500 },
    );
  },
  report: (page) =>
    page.evaluate(`(() => {
      const problems = [], unexecuted = [];
      Jupyter.notebook.get_cells().forEach((cell, i) => {
        if (cell.cell_type !== "code") return;
        cell.element[0].querySelectorAll(".output_error, .output_stderr, .js-error")
          .forEach((o) => problems.push("cell " + i + ": " + o.textContent.trim()));
        if (cell.get_text().trim() && typeof cell.input_prompt_number !== "number") unexecuted.push(i);
      });
      const outputs = "#notebook-container .output_area";
      return { tables: document.querySelectorAll(outputs + " table").length,
               svgs: document.querySelectorAll(outputs + " svg").length, problems, unexecuted };
    })()`) as Promise<PageReport>,
  async prepareScreenshot(page) {
    // The page scrolls inside #site; let it grow so a full-page shot holds every cell.
    await page.addStyleTag({
      content: `html, body, #site { height: auto !important; overflow: visible !important; }`,
    });
  },
};

/** JupyterLab 3/4. UNTESTED here (Debian 12 has no JupyterLab); selectors from Lab 4. */
const jupyterLab: Frontend = {
  name: "lab",
  serverArgs: (port, token) => [
    "lab", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--ServerApp.port_retries=0",
    `--ServerApp.token=${token}`, "--allow-root", `--ServerApp.root_dir=${NOTEBOOKS_DIR}`,
    "--ContentsManager.allow_hidden=True",
  ],
  url: (base, notebookPath, token) => `${base}/lab/tree/${encodeURI(notebookPath)}?token=${token}`,
  async runAllCells(page) {
    await page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').first()
      .waitFor({ timeout: KERNEL_READY_MS });
    await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
    await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
  },
  async waitUntilDone(page) {
    await page.waitForFunction(
      `(() => [...document.querySelectorAll(".jp-CodeCell .jp-InputPrompt")].every((p) => !p.textContent.includes("*"))
        && !!document.querySelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]'))()`,
      null,
      { timeout: RUN_ALL_MS, polling: 500 },
    );
  },
  report: (page) =>
    page.evaluate(`(() => {
      const problems = [], unexecuted = [];
      document.querySelectorAll(".jp-Notebook .jp-Cell").forEach((cell, i) => {
        if (!cell.classList.contains("jp-CodeCell")) return;
        cell.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"], [data-mime-type="application/vnd.jupyter.error"]')
          .forEach((o) => problems.push("cell " + i + ": " + o.textContent.trim()));
        const source = cell.querySelector(".jp-InputArea-editor");
        const prompt = cell.querySelector(".jp-InputPrompt");
        if (source && source.textContent.trim() && !/\\[\\d+\\]/.test(prompt ? prompt.textContent : "")) unexecuted.push(i);
      });
      const outputs = ".jp-Notebook .jp-OutputArea-output";
      return { tables: document.querySelectorAll(outputs + " table").length,
               svgs: document.querySelectorAll(outputs + " svg").length, problems, unexecuted };
    })()`) as Promise<PageReport>,
  async prepareScreenshot() {
    // Lab scrolls inside its notebook panel: the shot shows what fits in the viewport.
  },
};

function works(args: string[], env: NodeJS.ProcessEnv): boolean {
  return spawnSync("jupyter", args, { env, stdio: "ignore" }).status === 0;
}

function pickFrontend(env: NodeJS.ProcessEnv): Frontend {
  if (process.env.BROWSER_UI !== "notebook" && works(["lab", "--version"], env)) return jupyterLab;
  if (works(["notebook", "--version"], env)) return classicNotebook;
  throw new Error(
    "Neither `jupyter notebook` nor `jupyter lab` is installed.\n" +
      "  Debian/Ubuntu: sudo apt-get install -y jupyter-notebook\n" +
      "  elsewhere:     pip install jupyterlab",
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForServer(base: string, token: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`jupyter exited with ${server.exitCode} before answering:\n${log()}`);
    try {
      const response = await fetch(`${base}/api/status?token=${token}`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`jupyter did not answer at ${base} within 60 s:\n${log()}`);
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopServer(server: ChildProcess, base: string, token: string): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null || server.pid === undefined) return;
  // jupyter_client starts kernels in their own session, out of reach of a signal to the
  // server's process group: shut them down through the API first.
  try {
    const kernels = (await (await fetch(`${base}/api/kernels?token=${token}`, { signal: AbortSignal.timeout(5_000) })).json()) as { id: string }[];
    for (const { id } of kernels) {
      await fetch(`${base}/api/kernels/${id}?token=${token}`, { method: "DELETE", signal: AbortSignal.timeout(15_000) });
    }
  } catch {
    // the server is already going; the signals below still stop it
  }
  const group = -server.pid;
  try {
    process.kill(group, "SIGTERM");
  } catch {
    return;
  }
  if (!(await exited(server, 10_000))) {
    try {
      process.kill(group, "SIGKILL");
    } catch {
      // gone
    }
  }
}

describe.runIf(process.env.NOTEBOOK_BROWSER_TEST === "1")("a notebook in a real browser (npm run test:browser)", () => {
  it(`${NOTEBOOK} runs in headless Chromium, shows a table and an SVG, and no errors`, async () => {
    const original = path.resolve(projectRoot, NOTEBOOK);
    const relative = path.relative(NOTEBOOKS_DIR, original);
    if (relative.startsWith("..")) throw new Error(`BROWSER_NOTEBOOK must be inside notebooks/: ${NOTEBOOK}`);
    if (!fs.existsSync(original)) {
      throw new Error(`${NOTEBOOK} not found; set BROWSER_NOTEBOOK=notebooks/<name>.ipynb to pick another notebook`);
    }
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: sudo apt-get install -y chromium (or set CHROMIUM=/path/to/chrome)`);
    }
    // test/globalSetup.ts builds for `npm test`; build here only when that did not happen.
    if (buildIsStale()) {
      const build = spawnSync("npm", ["run", "--silent", "build"], { cwd: projectRoot, encoding: "utf8" });
      if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
    }
    writeKernelspec();

    const id = randomBytes(4).toString("hex");
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "notebook-browser-"));
    // Jupyter's own config and runtime files go to scratch: a user's config (a password,
    // extensions) must not change what this test sees.
    const env = { ...jupyterEnv(), JUPYTER_CONFIG_DIR: path.join(scratch, "config"), JUPYTER_RUNTIME_DIR: path.join(scratch, "runtime") };
    const frontend = pickFrontend(env);
    const before = fs.readFileSync(original);
    const copy = path.join(path.dirname(original), `.browser-test-${id}-${path.basename(original)}`);
    const checkpoints = path.join(path.dirname(original), ".ipynb_checkpoints");
    const hadCheckpoints = fs.existsSync(checkpoints);
    fs.copyFileSync(original, copy);

    const port = await freePort();
    const token = randomBytes(24).toString("hex");
    const base = `http://127.0.0.1:${port}`;
    let serverLog = "";
    const log = () => serverLog.slice(-4_000);
    let server: ChildProcess | undefined;
    let browser: Browser | undefined;
    try {
      server = spawn("jupyter", frontend.serverArgs(port, token), { cwd: NOTEBOOKS_DIR, env, detached: true });
      server.stdout?.on("data", (chunk) => (serverLog += chunk));
      server.stderr?.on("data", (chunk) => (serverLog += chunk));
      const started = Date.now();
      await waitForServer(base, token, server, log);

      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(frontend.url(base, path.relative(NOTEBOOKS_DIR, copy).split(path.sep).join("/"), token));
      let report: PageReport;
      try {
        await frontend.runAllCells(page);
        await frontend.waitUntilDone(page);
      } finally {
        report = await frontend.report(page).catch(() => ({ tables: 0, svgs: 0, problems: ["(page unreadable)"], unexecuted: [] }));
        await frontend.prepareScreenshot(page).catch(() => undefined);
        const shot = path.join(projectRoot, "screenshots", `${path.basename(original, ".ipynb")}-${frontend.name}.png`);
        fs.mkdirSync(path.dirname(shot), { recursive: true });
        await page.screenshot({ path: shot, fullPage: true });
        console.log(`screenshot: ${path.relative(process.cwd(), shot)}`);
        console.log(`${NOTEBOOK} in ${frontend.name}: ${((Date.now() - started) / 1000).toFixed(1)} s, ${report.tables} table(s), ${report.svgs} svg(s)`);
      }

      expect(report.problems, `${NOTEBOOK}: cells show errors or stderr`).toEqual([]);
      expect(report.unexecuted, `${NOTEBOOK}: code cells left without an execution count`).toEqual([]);
      expect(report.tables, `${NOTEBOOK}: no HTML <table> rendered in any output`).toBeGreaterThan(0);
      expect(report.svgs, `${NOTEBOOK}: no <svg> rendered in any output`).toBeGreaterThan(0);
    } finally {
      await browser?.close().catch(() => undefined);
      if (server) await stopServer(server, base, token);
      fs.rmSync(copy, { force: true });
      fs.rmSync(path.join(checkpoints, `${path.basename(copy, ".ipynb")}-checkpoint.ipynb`), { force: true });
      if (!hadCheckpoints && fs.existsSync(checkpoints) && fs.readdirSync(checkpoints).length === 0) fs.rmdirSync(checkpoints);
      fs.rmSync(scratch, { recursive: true, force: true });
    }
    expect(fs.readFileSync(original).equals(before), `${NOTEBOOK} was modified on disk by the test`).toBe(true);
  });
});
