// The notebook suite: every notebook runs top to bottom in a real tslab kernel, as a
// learner runs it, and every committed notebook is clean (no outputs, tslab kernel).
// Notebooks are found at run time in notebooks/ and notebooks/solutions/.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { KERNEL_NAME, NOTEBOOK_KERNELSPEC, buildIsStale, jupyterEnv, jupyterPython, projectRoot, writeKernelspec } from "../src/commands/shared/kernelspec";

const NOTEBOOK_TIMEOUT_MS = 180_000;
const CELL_TIMEOUT_S = 120;
const EXECUTOR = path.join(projectRoot, "test", "execute_notebook.py");

const JUPYTER_MISSING = `Jupyter's Python packages are missing, so the notebooks cannot run.
Install them for ${jupyterPython()} (or point $JUPYTER_PYTHON at a Python that has them):
  Debian/Ubuntu: sudo apt-get install -y python3-nbclient jupyter-client
  elsewhere:     pip install nbclient ipykernel jupyter_client`;

function listNotebooks(): string[] {
  const found: string[] = [];
  for (const folder of ["notebooks", path.join("notebooks", "solutions")]) {
    const dir = path.join(projectRoot, folder);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      if (name.endsWith(".ipynb") && !name.startsWith(".")) found.push(path.join(folder, name));
    }
  }
  return found;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    // SIGINT lets nbclient shut its kernel down; SIGTERM would orphan it.
    const child = spawn(command, args, {
      cwd: projectRoot,
      env: jupyterEnv(),
      timeout: timeoutMs,
      killSignal: "SIGINT",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({ code, stdout, stderr: signal ? `${stderr}\n(killed by ${signal} after ${timeoutMs / 1000} s)` : stderr }),
    );
  });
}

const notebooks = listNotebooks();

// it.each([]) would fail with "No test found"; "finds notebooks to run" below says why instead.
describe.runIf(notebooks.length > 0)("committed notebooks are clean", () => {
  it.each(notebooks)("%s: nbformat 4, tslab kernelspec, no outputs", (notebook) => {
    const text = fs.readFileSync(path.join(projectRoot, notebook), "utf8");
    const nb = JSON.parse(text);
    expect(nb.nbformat, `${notebook}: nbformat`).toBe(4);
    expect(typeof nb.nbformat_minor, `${notebook}: nbformat_minor`).toBe("number");
    expect(nb.metadata?.kernelspec?.name, `${notebook}: metadata.kernelspec.name`).toBe(KERNEL_NAME);
    expect(nb.metadata?.kernelspec?.language, `${notebook}: metadata.kernelspec.language`).toBe(
      NOTEBOOK_KERNELSPEC.language,
    );
    expect(Array.isArray(nb.cells), `${notebook}: cells`).toBe(true);
    const dirty: string[] = [];
    nb.cells.forEach((cell: { cell_type: string; source: unknown; outputs?: unknown[]; execution_count?: unknown }, i: number) => {
      expect(["code", "markdown", "raw"], `${notebook}: cell ${i} cell_type`).toContain(cell.cell_type);
      expect(typeof cell.source === "string" || Array.isArray(cell.source), `${notebook}: cell ${i} source`).toBe(true);
      if (cell.cell_type !== "code") return;
      if (cell.outputs?.length) dirty.push(`cell ${i} has ${cell.outputs.length} output(s)`);
      if (cell.execution_count !== null) dirty.push(`cell ${i} has execution_count ${cell.execution_count}`);
    });
    expect(dirty, `${notebook} must be committed without outputs (Kernel > Restart & Clear Output, then save)`).toEqual([]);
  });
});

describe("notebooks run top to bottom in the tslab kernel", () => {
  beforeAll(() => {
    const probe = spawnSync(jupyterPython(), ["-c", "import nbclient, nbformat, jupyter_client"], { encoding: "utf8" });
    if (probe.status !== 0) throw new Error(`${JUPYTER_MISSING}\n\n${probe.stderr ?? probe.error}`);
    // Notebooks import the build (`from ".."` is package.json main = dist/index.js).
    // test/globalSetup.ts builds for `npm test`; build here only when that did not happen.
    if (buildIsStale()) {
      const build = spawnSync("npm", ["run", "--silent", "build"], { cwd: projectRoot, encoding: "utf8" });
      if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
    }
    writeKernelspec();
  }, 120_000);

  it("finds notebooks to run", () => {
    expect(notebooks, "no notebooks/*.ipynb or notebooks/solutions/*.ipynb found").not.toEqual([]);
  });

  for (const notebook of notebooks) {
    it(
      `${notebook} runs every cell`,
      async () => {
        const args = [EXECUTOR, notebook, "--timeout", String(CELL_TIMEOUT_S), "--kernel", KERNEL_NAME];
        const result = await run(jupyterPython(), args, NOTEBOOK_TIMEOUT_MS - 10_000);
        if (result.code !== 0) throw new Error(result.stderr.trim() || `executor exited with ${result.code}`);
        console.log(result.stdout.trim());
      },
      NOTEBOOK_TIMEOUT_MS,
    );
  }
});
