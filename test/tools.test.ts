import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KERNEL_NAME, LAB_OVERRIDES, LAB_PAGE_CONFIG, NOTEBOOK_KERNELSPEC, findJupyter, jupyterEnv, writeKernelspec, writeLabSettings } from "../src/tools/kernelspec";

const root = join(__dirname, "..");
// A PATH that has node and nothing else: no jupyter, no python.
const bareBin = mkdtempSync(join(tmpdir(), "bare-path-"));
symlinkSync(process.execPath, join(bareBin, "node"));
// ...and no project venv: COURSE_VENV points where none is.
const bareEnv = { ...process.env, PATH: bareBin, JUPYTER_PYTHON: "/nonexistent/python3", COURSE_VENV: "/nonexistent/venv" };

describe("the project-local kernelspec", () => {
  it("runs the project's own tslab with this node, under the name the notebooks store", () => {
    const file = writeKernelspec();
    expect(file).toBe(join(root, ".jupyter-local", "kernels", KERNEL_NAME, "kernel.json"));
    const spec = JSON.parse(readFileSync(file, "utf8"));
    expect(spec.argv.slice(0, 3)).toEqual([process.execPath, join(root, "node_modules", "tslab", "bin", "tslab"), "kernel"]);
    expect(spec.display_name).toBe(NOTEBOOK_KERNELSPEC.display_name);
    expect(spec.language).toBe(NOTEBOOK_KERNELSPEC.language);
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
    expect(overrides).toEqual(LAB_OVERRIDES);
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
    const run = spawnSync(process.execPath, [join(root, "dist", "tools", "lab.js")], { env: bareEnv, encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("python3 -m venv .venv && .venv/bin/pip install jupyterlab");
    expect(run.stderr).toContain("sudo apt-get install -y jupyter-notebook");
  });

  it("html says what to install and exits non-zero", () => {
    const run = spawnSync(process.execPath, [join(root, "dist", "tools", "html.js")], { env: bareEnv, encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("pip install nbconvert");
  });
});
