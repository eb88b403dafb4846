// Interrupt stops the digits training (issue 18, item 6), in JupyterLab 4 as a teacher uses
// it: notebook 10 runs (Run All) with the training made long enough to interrupt (600
// epochs instead of 30, in a hidden copy), Interrupt is pressed in the toolbar a few seconds
// into the training, and then:
//   - the cell says so in one line ("training interrupted after epoch N of 600; ..."), at most
//     STOP_MS after the click, with no stack frames and no "Interrupted asynchronously";
//   - the progress line stops at epoch N and stays there (the training does not go on in the
//     background), and the training's success line never appears;
//   - the next cells run on the partial history: the loss chart and the templates draw,
//     without "Cannot find name".
// A screenshot goes to screenshots/interrupt-lab.png.
//
//   CHROMIUM=/path/to/chromium   default /usr/bin/chromium
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildIsStale, findJupyter, projectRoot, writeKernelspec } from "../../src/commands/shared/kernelspec";
import { startCourseLab, type JupyterServer } from "./server";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
];
const NOTEBOOKS_DIR = path.join(projectRoot, "notebooks");
const NOTEBOOK = "10-training-on-digits.ipynb";
const EPOCHS = 600;
/** Issue 18: within a second; generous for a loaded 2-core machine. */
const STOP_MS = 5_000;
/** After the message, the progress line must not move for this long. */
const STILL_MS = 3_000;
const KERNEL_READY_MS = 90_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Notebook 10 with `EPOCHS` epochs: the two lines replaced must still be in the notebook. */
function longerTraining(): string {
  const nb = JSON.parse(fs.readFileSync(path.join(NOTEBOOKS_DIR, NOTEBOOK), "utf8"));
  const replace = (find: string, by: string) => {
    const cell = nb.cells.find((c: { source: string[] }) => c.source.join("").includes(find));
    if (!cell) throw new Error(`${NOTEBOOK} no longer has a cell with ${JSON.stringify(find)}: update this test`);
    cell.source = [cell.source.join("").replace(find, by)];
  };
  replace("epochs } = DIGITS_RECIPE;", `epochs } = { ...DIGITS_RECIPE, epochs: ${EPOCHS} };`);
  replace("await trainSoftmaxRegression(trainSet, {\n  ...DIGITS_RECIPE,\n", "await trainSoftmaxRegression(trainSet, {\n  ...DIGITS_RECIPE,\n  epochs: epochs, // tslab: no shorthand for an earlier cell's name\n");
  return JSON.stringify(nb, null, 1);
}

/** The index among `.jp-Cell`s of the first cell whose source includes `text`. */
const cellIndex = (page: Page, text: string) =>
  page.evaluate((t) => [...document.querySelectorAll(".jp-Notebook .jp-Cell")]
    .findIndex((c) => (c.querySelector(".jp-InputArea-editor")?.textContent ?? "").includes(t)), text);

/** A cell's prompt, its stderr/error text, its progress epoch and how many images it shows. */
const cellState = (page: Page, index: number) =>
  page.evaluate((i) => {
    const cell = document.querySelectorAll(".jp-Notebook .jp-Cell")[i];
    const stderr = [...cell.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"], [data-mime-type="application/vnd.jupyter.error"]')]
      .map((o) => o.textContent ?? "").join("");
    const progress = cell.querySelector(".ce-progress")?.textContent ?? "";
    const epoch = /epoch\s*(\d+)\s*\/\s*(\d+)/.exec(progress);
    return {
      prompt: cell.querySelector(".jp-InputPrompt")?.textContent ?? "",
      stderr,
      output: cell.querySelector(".jp-OutputArea")?.textContent ?? "",
      epoch: epoch ? Number(epoch[1]) : -1,
      images: cell.querySelectorAll(".jp-OutputArea img, .jp-OutputArea svg").length,
    };
  }, index);

describe.runIf(process.env.NOTEBOOK_BROWSER_TEST === "1")("Interrupt in JupyterLab (issue 18)", () => {
  let browser: Browser;
  let server: JupyterServer;

  beforeAll(async () => {
    if (buildIsStale()) {
      const build = spawnSync("npm", ["run", "--silent", "build"], { cwd: projectRoot, encoding: "utf8" });
      if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
    }
    writeKernelspec();
    const lab = findJupyter("lab");
    if (!lab) throw new Error("JupyterLab is not installed: python3 -m venv .venv && .venv/bin/pip install jupyterlab");
    server = await startCourseLab(lab.command, NOTEBOOKS_DIR);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  });

  it("stops notebook 10's training within STOP_MS, says so in one line, and the next cells run on the partial history", async () => {
    const file = path.join(NOTEBOOKS_DIR, `.browser-test-${randomBytes(4).toString("hex")}-${NOTEBOOK}`);
    fs.writeFileSync(file, longerTraining());
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.goto(`${server.base}/lab/tree/${encodeURI(path.basename(file))}?token=${server.token}`);
      await page.locator(".jp-Notebook .jp-Cell").first().waitFor({ timeout: KERNEL_READY_MS });
      await page.waitForFunction(`/TypeScript \\| Idle/.test(document.querySelector("#jp-main-statusbar")?.textContent ?? "")`, null, { timeout: KERNEL_READY_MS });
      const training = await cellIndex(page, "into: trained,");
      const chart = await cellIndex(page, '{ name: "train loss", x: history.epoch');
      const templates = await cellIndex(page, "const templates = digitNames.map(");
      expect([training, chart, templates].every((i) => i > 0), "cells found").toBe(true);

      await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
      await page.locator(".lm-Menu:visible .lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
      // A few seconds into the training: at least epoch 3 shown.
      await page.waitForFunction((i) => /epoch\s*([3-9]|\d\d+)\s*\//.test(
        document.querySelectorAll(".jp-Notebook .jp-Cell")[i].querySelector(".ce-progress")?.textContent ?? ""), training, { timeout: 120_000, polling: 100 });
      const before = await cellState(page, training);
      const clicked = Date.now();
      await page.locator('.jp-NotebookPanel-toolbar [data-command="notebook:interrupt-kernel"]').click();
      await page.waitForFunction((i) => /training interrupted/.test(
        document.querySelectorAll(".jp-Notebook .jp-Cell")[i].querySelector('[data-mime-type="application/vnd.jupyter.stderr"]')?.textContent ?? ""),
      training, { timeout: 30_000, polling: 50 });
      const stopMs = Date.now() - clicked;
      const stopped = await cellState(page, training);
      console.log(`interrupt: clicked at epoch ${before.epoch} of ${EPOCHS}; message after ${stopMs} ms: ${stopped.stderr.trim()}`);
      expect(stopMs, "ms from the click to the cell's message").toBeLessThanOrEqual(STOP_MS);

      const message = stopped.stderr.trim();
      expect(message.split("\n"), "the message is one line").toHaveLength(1);
      expect(message).not.toMatch(/Interrupted asynchronously|\bat .*\(.*:\d+:\d+\)/);
      const said = /^training interrupted after epoch (\d+) of (\d+); `trained` holds epochs 0 to \1 /.exec(message);
      expect(said, message).not.toBeNull();
      const epochSaid = Number(said![1]);
      expect(Number(said![2])).toBe(EPOCHS);
      expect(epochSaid).toBeGreaterThanOrEqual(before.epoch);

      await sleep(STILL_MS);
      const later = await cellState(page, training);
      expect(later.epoch, "the progress line stops where the message says").toBe(epochSaid);
      expect(later.output).not.toContain(`epoch ${EPOCHS} / ${EPOCHS}`);
      expect(later.output).not.toMatch(/Final validation accuracy/);
      expect(later.stderr.trim()).toBe(message);
      fs.mkdirSync(path.join(projectRoot, "screenshots"), { recursive: true });
      await page.locator(".jp-Notebook .jp-Cell").nth(training).locator(".jp-OutputArea").scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(projectRoot, "screenshots", "interrupt-lab.png") });

      // The next cells, on the partial history and model.
      for (const index of [chart, templates]) {
        await page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-InputPrompt").click();
        await page.keyboard.press("Control+Enter");
        await page.waitForFunction((i) => /\[\d+\]/.test(document.querySelectorAll(".jp-Notebook .jp-Cell")[i].querySelector(".jp-InputPrompt")?.textContent ?? ""),
          index, { timeout: 60_000, polling: 100 });
        await sleep(500);
        const state = await cellState(page, index);
        expect(state.stderr, `cell ${index} after the Interrupt`).toBe("");
        expect(state.images, `cell ${index} draws its chart`).toBeGreaterThan(0);
      }
    } catch (error) {
      fs.mkdirSync(path.join(projectRoot, "screenshots"), { recursive: true });
      await page.screenshot({ path: path.join(projectRoot, "screenshots", "interrupt-lab-failed.png"), fullPage: true }).catch(() => undefined);
      const errors = await page.evaluate(() => [...document.querySelectorAll('.jp-Notebook [data-mime-type="application/vnd.jupyter.stderr"]')]
        .map((o) => o.textContent)).catch(() => []);
      throw new Error(`${error}\nstderr in the notebook: ${JSON.stringify(errors)}`);
    } finally {
      await page.close().catch(() => undefined);
      fs.rmSync(file, { force: true });
      const checkpoint = path.join(NOTEBOOKS_DIR, ".ipynb_checkpoints", `${path.basename(file, ".ipynb")}-checkpoint.ipynb`);
      fs.rmSync(checkpoint, { force: true });
    }
  });
});
