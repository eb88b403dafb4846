/**
 * Running one learner's notebook: a scratch copy in a folder of its own, the project's tslab
 * kernel with a minimal environment, a time limit, and nothing left running afterwards.
 *
 * <scratch>/package.json, <scratch>/course/package.json   point at the project's dist/, so
 * <scratch>/course/notebooks/<notebook>.ipynb             `from "../.."` and `from "../.."` both
 *                                                         import the course module
 * <scratch>/node_modules -> the project's node_modules     for `from "danfojs-node"`
 * <scratch>/home, <scratch>/tmp                           the kernel's HOME and TMPDIR
 *
 * Every process of a run carries CROSS_ENTROPY_COURSE_GRADER_RUN=<id> in its environment; on
 * Linux the grader kills every process that still carries it when the run ends.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { SECRET_FILE_VARIABLE } from "../../exercises/record";
import { KERNEL_NAME, jupyterEnv, jupyterPython, projectRoot } from "../shared/kernelspec";
import { killMarked, killProcessGroup } from "./processes";

export const RUN_VARIABLE = "CROSS_ENTROPY_COURSE_GRADER_RUN";
const DRIVER = path.join(projectRoot, "src", "commands", "grade", "run_notebook.py");

/** A cell the grader appends: runs the course's checker on the learner's function. */
export interface GraderCell {
  exercise: string;
  source: string;
}

/** What the driver reports (src/commands/grade/run_notebook.py), or what the grader saw. */
export interface RunResult {
  status: "ran" | "invalid" | "cell-failed" | "kernel-died" | "timeout" | "kernel-failed";
  learner_cells?: number;
  cell?: { index: number; first_line: string; message: string };
  message?: string;
}

export interface Run {
  result: RunResult;
  /** The executed notebook (learner cells, then the grader cells that ran). */
  executed?: { cells: Array<{ outputs?: Array<{ data?: Record<string, unknown> }>; metadata?: Record<string, unknown> }> };
  /** The secret every genuine checker record of this run carries. */
  nonce: string;
  seconds: number;
}

export interface RunOptions {
  /** The whole run's limit, kernel start included. */
  timeoutSeconds: number;
  /** Parent folder for the scratch folder; removed again when the run ends. */
  scratchRoot: string;
  graderCells: GraderCell[];
}

/** The processes still running: a run registers here so that an interrupted grader can stop them. */
const active = new Set<() => void>();

/** Kills every run still going (the grader was interrupted). */
export function stopAllRuns(): void {
  for (const stop of [...active]) stop();
}

/** Runs `text` (the learner's notebook, byte for byte) as `notebook` and reports what happened. */
export async function runNotebook(text: Buffer, notebook: string, options: RunOptions): Promise<Run> {
  const started = Date.now();
  const id = randomBytes(12).toString("hex");
  const nonce = randomBytes(24).toString("hex");
  const scratch = fs.mkdtempSync(path.join(options.scratchRoot, "run-"));
  try {
    const job = prepareScratch(scratch, text, notebook, id, nonce, options);
    const timedOut = await drive(job, id, options.timeoutSeconds);
    const seconds = (Date.now() - started) / 1000;
    if (timedOut) return { result: { status: "timeout" }, nonce, seconds };
    const result = readJson(job.result) as RunResult | undefined;
    if (result === undefined) {
      return { result: { status: "kernel-failed", message: "the notebook runner stopped without a result" }, nonce, seconds };
    }
    const executed = fs.existsSync(job.output) ? (readJson(job.output) as Run["executed"]) : undefined;
    return { result, executed, nonce, seconds };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

interface Job {
  notebook: string;
  output: string;
  result: string;
  pid_file: string;
  kernel: string;
  cell_timeout: number;
  kernel_env: Record<string, string>;
  nonce: string;
  grader_cells: GraderCell[];
}

function prepareScratch(scratch: string, text: Buffer, notebook: string, id: string, nonce: string, options: RunOptions): Job & { file: string } {
  const shim = JSON.stringify({
    name: "cross-entropy-course-grading-shim",
    private: true,
    main: path.join(projectRoot, "dist", "index.js"),
    types: path.join(projectRoot, "dist", "index.d.ts"),
  });
  const notebooks = path.join(scratch, "course", "notebooks");
  for (const dir of [notebooks, path.join(scratch, "home"), path.join(scratch, "tmp"), path.join(scratch, "runtime")]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  fs.writeFileSync(path.join(scratch, "package.json"), shim);
  fs.writeFileSync(path.join(scratch, "course", "package.json"), shim);
  // Notebooks also import the module's dependencies (danfojs-node) by name.
  fs.symlinkSync(path.join(projectRoot, "node_modules"), path.join(scratch, "node_modules"), "dir");
  const copy = path.join(notebooks, notebook);
  fs.writeFileSync(copy, text);
  const secretFile = path.join(scratch, "secret");
  fs.writeFileSync(secretFile, nonce, { mode: 0o600 });
  const job: Job = {
    notebook: copy,
    output: path.join(scratch, "executed.ipynb"),
    result: path.join(scratch, "result.json"),
    pid_file: path.join(scratch, "kernel.pid"),
    kernel: KERNEL_NAME,
    cell_timeout: options.timeoutSeconds + 10, // the grader's own timer fires first
    kernel_env: {
      PATH: [path.dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(path.delimiter),
      HOME: path.join(scratch, "home"),
      TMPDIR: path.join(scratch, "tmp"),
      LANG: "C.UTF-8",
      [RUN_VARIABLE]: id,
      [SECRET_FILE_VARIABLE]: secretFile,
    },
    nonce,
    grader_cells: options.graderCells,
  };
  const file = path.join(scratch, "job.json");
  fs.writeFileSync(file, JSON.stringify(job));
  return { ...job, file };
}

/** Runs the driver; resolves true when the time limit killed it. */
function drive(job: Job & { file: string }, id: string, timeoutSeconds: number): Promise<boolean> {
  return new Promise((resolve) => {
    const env = {
      ...jupyterEnv(),
      JUPYTER_RUNTIME_DIR: path.join(path.dirname(job.file), "runtime"),
      [RUN_VARIABLE]: id,
    };
    // detached: the driver leads a process group of its own, so it can be killed as a whole.
    const child = spawn(jupyterPython(), [DRIVER, job.file], { env, detached: true, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    let timedOut = false;
    const killAll = () => {
      killKernel(job.pid_file);
      if (child.pid !== undefined) killProcessGroup(child.pid);
      killMarked(RUN_VARIABLE, id);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killAll();
    }, timeoutSeconds * 1000);
    active.add(killAll);
    const finish = () => {
      clearTimeout(timer);
      killAll(); // a process the learner started and left behind
      active.delete(killAll);
      if (!timedOut && !fs.existsSync(job.result) && stderr.trim()) {
        fs.writeFileSync(job.result, JSON.stringify({ status: "kernel-failed", message: lastLine(stderr) }));
      }
      resolve(timedOut);
    };
    child.on("error", (error) => {
      stderr += String(error);
      finish();
    });
    child.on("close", finish);
  });
}

function killKernel(pidFile: string): void {
  try {
    const pid = Number(fs.readFileSync(pidFile, "utf8"));
    if (Number.isInteger(pid) && pid > 1) killProcessGroup(pid); // jupyter_client starts it as a session leader
  } catch {
    // no pid file: the kernel never started
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

function lastLine(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? "";
}
