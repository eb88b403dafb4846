// A Jupyter server for the browser tests: started on a free port with a random token, its
// own config, runtime, data and Lab user-settings folders in a scratch directory (a user's
// password, theme or extensions must not change what the test sees), and stopped with its
// kernels afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { jupyterEnv, projectRoot, writeLabSettings } from "../../src/commands/shared/kernelspec";

export interface JupyterServer {
  base: string;
  token: string;
  scratch: string;
  env: NodeJS.ProcessEnv;
  log(): string;
  stop(): Promise<void>;
  /** Shuts down every kernel (between notebooks, so they do not pile up). */
  shutdownKernels(): Promise<void>;
  /** Restarts every kernel, and says what they were doing before: "name: state" for each. */
  restartKernels(): Promise<string>;
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

/** Environment for a Jupyter process whose state lives in `scratch`. */
export function scratchEnv(scratch: string): NodeJS.ProcessEnv {
  return {
    ...jupyterEnv(),
    JUPYTER_CONFIG_DIR: path.join(scratch, "config"),
    JUPYTER_RUNTIME_DIR: path.join(scratch, "runtime"),
    JUPYTER_DATA_DIR: path.join(scratch, "data"),
    JUPYTERLAB_SETTINGS_DIR: path.join(scratch, "lab-user-settings"),
    JUPYTERLAB_WORKSPACES_DIR: path.join(scratch, "lab-workspaces"),
  };
}

/** Starts `<command> <args(port, token, scratch)>` in `cwd` and waits until it answers. */
export async function startServer(command: string, args: (port: number, token: string, scratch: string) => string[], cwd: string): Promise<JupyterServer> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "notebook-browser-"));
  const env = scratchEnv(scratch);
  const port = await freePort();
  const token = randomBytes(24).toString("hex");
  const base = `http://127.0.0.1:${port}`;
  let output = "";
  const argv = args(port, token, scratch);
  const child: ChildProcess = spawn(command, argv, { cwd, env, detached: true });
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const log = () => output.slice(-4_000);
  const api = (route: string, init: RequestInit = {}) =>
    fetch(`${base}/api/${route}?token=${token}`, { signal: AbortSignal.timeout(15_000), ...init });

  const shutdownKernels = async () => {
    try {
      const kernels = (await (await api("kernels")).json()) as { id: string }[];
      for (const { id } of kernels) await api(`kernels/${id}`, { method: "DELETE" });
    } catch {
      // the server is going or gone
    }
  };
  const restartKernels = async () => {
    try {
      const kernels = (await (await api("kernels")).json()) as { id: string; name: string; execution_state: string }[];
      for (const { id } of kernels) await api(`kernels/${id}/restart`, { method: "POST" });
      return kernels.map((k) => `${k.name}: ${k.execution_state}`).join(", ") || "no kernel";
    } catch (error) {
      return `the kernels API did not answer (${String(error)})`;
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      // jupyter_client starts kernels in their own session, out of reach of a signal to the
      // server's process group: shut them down through the API first.
      await shutdownKernels();
      for (const signal of ["SIGTERM", "SIGKILL"] as const) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          break;
        }
        if (await exited(child, 10_000)) break;
      }
    }
    fs.rmSync(scratch, { recursive: true, force: true });
  };

  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`${command} ${argv[0]} exited with ${child.exitCode} before answering:\n${log()}`);
    }
    try {
      if ((await api("status")).ok) return { base, token, scratch, env, log, stop, shutdownKernels, restartKernels };
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  await stop();
  throw new Error(`${command} did not answer at ${base} within 90 s:\n${log()}`);
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

/**
 * JupyterLab (`lab`, the command findJupyter found) serving `notebooksDir` with the course's own
 * Lab settings (`npm run lab`: no news pop-up, no debugger), plus every cell in the DOM (no
 * windowing), so the page can be read whole.
 */
export function startCourseLab(lab: string, notebooksDir: string): Promise<JupyterServer> {
  return startServer(lab, (port, token, scratch) => {
    const settings = writeLabSettings(projectRoot, path.join(scratch, "app-settings"), {
      "@jupyterlab/notebook-extension:tracker": { windowingMode: "none" },
    });
    return [
      "lab", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--ServerApp.port_retries=0",
      `--ServerApp.token=${token}`, "--allow-root", `--ServerApp.root_dir=${notebooksDir}`,
      "--ContentsManager.allow_hidden=True", `--LabApp.app_settings_dir=${settings}`,
    ];
  }, notebooksDir);
}
