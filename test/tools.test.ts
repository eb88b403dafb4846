import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KERNEL_NAME, NOTEBOOK_KERNELSPEC, jupyterEnv, writeKernelspec } from "../src/tools/kernelspec";

const root = join(__dirname, "..");
// A PATH that has node and nothing else: no jupyter, no python.
const bareBin = mkdtempSync(join(tmpdir(), "bare-path-"));
symlinkSync(process.execPath, join(bareBin, "node"));
const bareEnv = { ...process.env, PATH: bareBin, JUPYTER_PYTHON: "/nonexistent/python3" };

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

describe("npm run lab and npm run html without Jupyter", () => {
  it("lab says what to install and exits non-zero", () => {
    const run = spawnSync(process.execPath, [join(root, "dist", "tools", "lab.js")], { env: bareEnv, encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("pip install jupyterlab");
    expect(run.stderr).toContain("sudo apt-get install -y jupyter-notebook");
  });

  it("html says what to install and exits non-zero", () => {
    const run = spawnSync(process.execPath, [join(root, "dist", "tools", "html.js")], { env: bareEnv, encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("pip install nbconvert");
  });
});
