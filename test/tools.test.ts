import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEBIAN_MATHJAX_DIR, MATHJAX_CONFIG, copyMathJax, mathJaxSource, mathJaxUrl } from "../src/commands/html";
import { KERNEL_LOGO_SVG, KERNEL_NAME, LABCONFIG_PAGE_CONFIG, LAB_OVERRIDES, LAB_PAGE_CONFIG, NOTEBOOK_KERNELSPEC, findJupyter, jupyterEnv, writeKernelspec, writeLabSettings } from "../src/commands/shared/kernelspec";

const root = join(__dirname, "..");
// A PATH that has node and nothing else: no jupyter, no python.
const bareBin = mkdtempSync(join(tmpdir(), "bare-path-"));
symlinkSync(process.execPath, join(bareBin, "node"));
// ...and no project venv: COURSE_VENV points where none is.
const bareEnv = { ...process.env, PATH: bareBin, JUPYTER_PYTHON: "/nonexistent/python3", COURSE_VENV: "/nonexistent/venv" };

describe("the project-local kernelspec", () => {
  it("runs the project's own tslab with this node, through its launcher (tslabKernel.ts), under the name the notebooks store", () => {
    const file = writeKernelspec();
    expect(file).toBe(join(root, ".jupyter-local", "kernels", KERNEL_NAME, "kernel.json"));
    const spec = JSON.parse(readFileSync(file, "utf8"));
    expect(spec.argv.slice(0, 3)).toEqual([process.execPath, join(root, "dist", "commands", "tslabKernel.js"), "kernel"]);
    expect(spec.display_name).toBe(NOTEBOOK_KERNELSPEC.display_name);
    expect(spec.language).toBe(NOTEBOOK_KERNELSPEC.language);
  });

  it("has a logo for the Launcher (tslab ships none): logo-svg.svg for Lab 4, 32 and 64 px PNGs for older front ends", () => {
    const dir = dirname(writeKernelspec());
    expect(readFileSync(join(dir, "logo-svg.svg"), "utf8")).toBe(KERNEL_LOGO_SVG);
    for (const size of [32, 64]) {
      const png = readFileSync(join(dir, `logo-${size}x${size}.png`));
      expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
      // IHDR: width and height as big-endian 32-bit integers at bytes 16 and 20.
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    }
  });

  it("installs into a Jupyter environment's own prefix with --prefix, and refuses other arguments", () => {
    const prefix = mkdtempSync(join(tmpdir(), "prefix-"));
    const run = spawnSync(process.execPath, [join(root, "dist", "commands", "kernelspec.js"), "--prefix", prefix], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const kernel = JSON.parse(readFileSync(join(prefix, "share", "jupyter", "kernels", KERNEL_NAME, "kernel.json"), "utf8"));
    expect(kernel.argv.slice(0, 3)).toEqual([process.execPath, join(root, "dist", "commands", "tslabKernel.js"), "kernel"]);
    const labconfig = join(prefix, "etc", "jupyter", "labconfig");
    expect(JSON.parse(readFileSync(join(labconfig, "default_setting_overrides.json"), "utf8"))).toEqual(LAB_OVERRIDES);
    expect(JSON.parse(readFileSync(join(labconfig, "page_config.json"), "utf8"))).toEqual(LABCONFIG_PAGE_CONFIG);
    // What JupyterLab itself makes of them: jupyterlab_server's page config from this prefix
    // (a list in labconfig/page_config.json made it raise a ValueError, every page an HTTP 500).
    const lab = findJupyter("lab");
    expect(lab, "JupyterLab 4 is needed (python3 -m venv .venv && .venv/bin/pip install jupyterlab)").toBeDefined();
    const python = join(dirname(lab!.command), "python");
    const read = spawnSync(python, ["-c", "import json, logging; from jupyterlab_server.config import get_page_config; print(json.dumps(get_page_config([], logger=logging.getLogger())['disabledExtensions']))"], {
      encoding: "utf8",
      env: { ...process.env, JUPYTER_CONFIG_PATH: labconfig.replace(/[/]labconfig$/, ""), JUPYTER_CONFIG_DIR: join(prefix, "no-user-config") },
    });
    expect(read.status, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout)).toEqual(LAB_PAGE_CONFIG.disabledExtensions); // Lab hands the front end a list
    expect(readFileSync(join(prefix, "share", "jupyter", "kernels", KERNEL_NAME, "logo-svg.svg"), "utf8")).toBe(KERNEL_LOGO_SVG);
    const bad = spawnSync(process.execPath, [join(root, "dist", "commands", "kernelspec.js"), "--prefix"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unexpected arguments ["--prefix"]');
  });

  it("is found first through JUPYTER_PATH", () => {
    expect(jupyterEnv(root, { JUPYTER_PATH: "/elsewhere" }).JUPYTER_PATH).toBe(`${join(root, ".jupyter-local")}:/elsewhere`);
  });
});

describe("JupyterLab's project-local settings and where Lab is found", () => {
  it("turns off the news pop-up and the update check through Lab's overrides.json", () => {
    const dir = writeLabSettings();
    expect(dir).toBe(join(root, ".jupyter-local", "lab", "settings"));
    const overrides = JSON.parse(readFileSync(join(dir, "overrides.json"), "utf8"));
    expect(overrides["@jupyterlab/apputils-extension:notification"]).toEqual({ fetchNews: "false", checkForUpdates: false });
    expect(overrides["@jupyterlab/notebook-extension:tracker"]).toEqual({ codeCellConfig: { lineWrap: true } });
    expect(overrides).toEqual(LAB_OVERRIDES);
  });

  it("merges a caller's extra setting for a plugin into the course's own, keeping line wrapping", () => {
    const dir = writeLabSettings(root, mkdtempSync(join(tmpdir(), "settings-")), {
      "@jupyterlab/notebook-extension:tracker": { windowingMode: "none" },
    });
    const overrides = JSON.parse(readFileSync(join(dir, "overrides.json"), "utf8"));
    expect(overrides["@jupyterlab/notebook-extension:tracker"]).toEqual({ codeCellConfig: { lineWrap: true }, windowingMode: "none" });
  });

  it("turns off Lab's debugger, which tslab cannot serve, through Lab's page_config.json", () => {
    const pageConfig = JSON.parse(readFileSync(join(writeLabSettings(), "page_config.json"), "utf8"));
    expect(pageConfig).toEqual({ disabledExtensions: ["@jupyterlab/debugger-extension"] });
    expect(pageConfig).toEqual(LAB_PAGE_CONFIG);
  });

  it("finds JupyterLab in the project's venv when PATH has none", () => {
    const venv = mkdtempSync(join(tmpdir(), "venv-"));
    mkdirSync(join(venv, "bin"));
    const fake = join(venv, "bin", "jupyter");
    writeFileSync(fake, '#!/bin/sh\n[ "$1 $2" = "lab --version" ] && echo 4.6.4\n');
    chmodSync(fake, 0o755);
    expect(findJupyter("lab", root, { ...bareEnv, COURSE_VENV: venv })).toEqual({ command: fake, version: "4.6.4" });
    expect(findJupyter("lab", root, bareEnv)).toBeUndefined();
    expect(findJupyter("notebook", root, { ...bareEnv, COURSE_VENV: venv })).toBeUndefined();
  });
});

describe("npm run lab and npm run html without Jupyter", () => {
  it("lab says how to install JupyterLab into the project's venv and exits non-zero", () => {
    const run = spawnSync(process.execPath, [join(root, "dist", "commands", "lab.js")], { env: bareEnv, encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("python3 -m venv .venv && .venv/bin/pip install jupyterlab");
    expect(run.stderr).toContain("sudo apt-get install -y jupyter-notebook");
  });

  it("html says what to install and exits non-zero", () => {
    const run = spawnSync(process.execPath, [join(root, "dist", "commands", "html.js")], { env: bareEnv, encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("pip install nbconvert");
  });
});

describe("npm run html: MathJax beside the handouts", () => {
  it("each handout loads MathJax by a relative path, from the solutions folder too", () => {
    expect(mathJaxUrl("/x/handouts", "/x/handouts")).toBe(`mathjax/MathJax.js?config=${MATHJAX_CONFIG}`);
    expect(mathJaxUrl("/x/handouts/solutions", "/x/handouts")).toBe(`../mathjax/MathJax.js?config=${MATHJAX_CONFIG}`);
    expect(MATHJAX_CONFIG).toBe("TeX-AMS_SVG-full,Safe"); // SVG output: no web fonts to load from file://
  });

  it("finds MathJax in MATHJAX_DIR or Debian's folder, and says so when there is none", () => {
    expect(mathJaxSource({ MATHJAX_DIR: "/nonexistent" })).toBeUndefined();
    const fake = mkdtempSync(join(tmpdir(), "mathjax-"));
    writeFileSync(join(fake, "MathJax.js"), "");
    expect(mathJaxSource({ MATHJAX_DIR: fake })).toBe(fake);
    expect(mathJaxSource({})).toBe(existsSync(join(DEBIAN_MATHJAX_DIR, "MathJax.js")) ? DEBIAN_MATHJAX_DIR : undefined);
    expect(() => copyMathJax(fake, mkdtempSync(join(tmpdir(), "handouts-")))).toThrow(/config\/TeX-AMS_SVG-full\.js is missing/);
  });

  it.runIf(existsSync(join(DEBIAN_MATHJAX_DIR, "MathJax.js")))("copies the TeX-to-SVG part of Debian's MathJax, a few MB", () => {
    const handouts = mkdtempSync(join(tmpdir(), "handouts-"));
    const copied = copyMathJax(DEBIAN_MATHJAX_DIR, handouts);
    expect(copied).toBe(join(handouts, "mathjax"));
    for (const file of ["MathJax.js", "config/TeX-AMS_SVG-full.js", "jax/output/SVG/jax.js", "jax/output/SVG/fonts/TeX/fontdata.js"]) {
      expect(existsSync(join(copied, file)), file).toBe(true);
    }
    const bytes = (dir: string): number =>
      readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => sum + (e.isDirectory() ? bytes(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
    expect(bytes(copied)).toBeLessThan(5_000_000);
  });

  it("without MathJax, html says what to install before running any notebook", () => {
    const run = spawnSync(process.execPath, [join(root, "dist", "commands", "html.js")], {
      env: { ...process.env, MATHJAX_DIR: "/nonexistent" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("sudo apt-get install -y libjs-mathjax");
    expect(run.stdout).not.toContain("wrote");
  });

  it("--out-dir without a folder is an error that says how to use it", () => {
    const run = spawnSync(process.execPath, [join(root, "dist", "commands", "html.js"), "--out-dir"], { encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("--out-dir needs a folder");
  });
});
