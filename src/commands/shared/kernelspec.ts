/**
 * The project's own Jupyter setup: a tslab kernelspec inside the repo, so no global
 * `tslab install` is needed, and the environment that makes Jupyter find it.
 *
 * writeKernelspec() -> <repo>/.jupyter-local/kernels/tslab/kernel.json
 * writeLabSettings() -> <repo>/.jupyter-local/lab/settings/{overrides,page_config}.json (Lab defaults)
 * jupyterEnv()      -> process.env with JUPYTER_PATH = <repo>/.jupyter-local:<old JUPYTER_PATH>
 * findJupyter("lab") -> the `jupyter` that runs JupyterLab: <repo>/.venv/bin/jupyter first, then PATH
 *
 * installIntoPrefix(dir) -> the same, into a Jupyter environment's own prefix (`kernelspec.js --prefix`)
 * @example node dist/commands/kernelspec.js   // writes the kernelspec, prints `export JUPYTER_PATH=...`
 * Used by `npm run lab`, `npm run html`, `npm test` and `npm run test:browser`.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** The name notebooks give in metadata.kernelspec.name; also the kernelspec's folder name. */
export const KERNEL_NAME = "tslab";

/** The metadata.kernelspec every committed notebook carries. */
export const NOTEBOOK_KERNELSPEC = { name: KERNEL_NAME, display_name: "TypeScript", language: "typescript" };

/** The repository root: this file is src/commands/shared/kernelspec.ts or dist/commands/shared/kernelspec.js. */
export const projectRoot = path.resolve(__dirname, "..", "..", "..");

/** Folder (git-ignored) that Jupyter searches first, through JUPYTER_PATH. */
export function jupyterLocalDir(root: string = projectRoot): string {
  return path.join(root, ".jupyter-local");
}

/**
 * The kernel.json text: tslab from `root`'s node_modules, started by its launcher in `root`'s
 * dist (commands/tslabKernel.ts, which closes a start-up race of tslab's) and run by this very
 * node binary.
 */
export function kernelspecText(root: string = projectRoot): string {
  const tslabBin = path.join(root, "node_modules", "tslab", "bin", "tslab");
  if (!fs.existsSync(tslabBin)) {
    throw new Error(`tslab is not installed: ${tslabBin} is missing. Run \`npm install\` in ${root}.`);
  }
  const launcher = kernelLauncher(root);
  if (!fs.existsSync(launcher)) {
    throw new Error(`the kernel's launcher is not built: ${launcher} is missing. Run \`npm run build\` in ${root}.`);
  }
  const kernel = {
    // The absolute node binary, not `#!/usr/bin/env node`: a Jupyter started from a
    // Python environment may not have this node on its PATH.
    argv: [process.execPath, launcher, "kernel", "--config-path", "{connection_file}"],
    display_name: NOTEBOOK_KERNELSPEC.display_name, // the name notebooks store, so saving one changes nothing
    language: "typescript",
  };
  return JSON.stringify(kernel, null, 2) + "\n";
}

/** The script the kernelspec starts: tslab's entry point behind commands/tslabKernel.ts's fix. */
export function kernelLauncher(root: string = projectRoot): string {
  return path.join(root, "dist", "commands", "tslabKernel.js");
}

/** Writes `text` unless the file already holds it (Jupyter watches some of these files). */
function writeIfChanged(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) fs.writeFileSync(file, text);
  return file;
}

/**
 * The kernel's logo (tslab ships none, so Lab's Launcher showed a bare "T"): white "TS" on
 * TypeScript's blue. Jupyter serves every `logo-*` file of a kernelspec folder; Lab 4 takes
 * `logo-svg.svg` first, Notebook 6 and older front ends `logo-64x64.png`.
 */
export const KERNEL_LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">' +
  '<rect width="64" height="64" rx="8" fill="#3178c6"/>' +
  '<text x="58" y="56" text-anchor="end" font-family="Helvetica, Arial, \'DejaVu Sans\', sans-serif" ' +
  'font-size="30" font-weight="700" fill="#ffffff">TS</text></svg>\n';

/** The logo as PNG bytes at `size` px, or undefined without resvg (the SVG logo still shows in Lab). */
function kernelLogoPng(size: number): Buffer | undefined {
  try {
    const { Resvg } = require("@resvg/resvg-js") as { Resvg: new (svg: string, options: object) => { render(): { asPng(): Buffer } } };
    const font = { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" };
    return new Resvg(KERNEL_LOGO_SVG, { fitTo: { mode: "width", value: size }, font }).render().asPng();
  } catch {
    return undefined;
  }
}

/** Writes kernel.json and the logos into a kernelspec folder; returns the files written. */
function writeKernelspecFolder(dir: string, root: string): string[] {
  const files = [writeIfChanged(path.join(dir, "kernel.json"), kernelspecText(root)), writeIfChanged(path.join(dir, "logo-svg.svg"), KERNEL_LOGO_SVG)];
  for (const size of [32, 64]) {
    const png = kernelLogoPng(size);
    if (!png) continue;
    const file = path.join(dir, `logo-${size}x${size}.png`);
    if (!fs.existsSync(file) || !fs.readFileSync(file).equals(png)) fs.writeFileSync(file, png);
    files.push(file);
  }
  return files;
}

/** Writes the kernelspec (kernel.json and the logos) and returns the path of kernel.json. */
export function writeKernelspec(root: string = projectRoot): string {
  return writeKernelspecFolder(path.join(jupyterLocalDir(root), "kernels", KERNEL_NAME), root)[0];
}

/**
 * JupyterLab's defaults for this project, as overrides (a learner's own setting still wins):
 * no "news" notification asking to fetch Jupyter news on first start, no update check
 * (both would reach the internet). Lab reads them when started with
 * `--LabApp.app_settings_dir=<this folder>` (see `labArgs`); the folder is git-ignored.
 */
export const LAB_OVERRIDES = {
  "@jupyterlab/apputils-extension:notification": { fetchNews: "false", checkForUpdates: false },
  // A projector shows about 590 px of editor at 1024 px with the file browser open: long lines
  // wrap instead of running off the edge.
  "@jupyterlab/notebook-extension:tracker": { codeCellConfig: { lineWrap: true } },
};

/**
 * Lab's page config for this project: the debugger extension off. tslab speaks no debug
 * protocol, so Lab's debugger can do nothing for these notebooks, and with it on, every cell
 * run logs an uncaught "No active debugger session" in the browser console: Lab 4.6's
 * debugger handler connects its `executionDone` signal (every execute_reply) to
 * `displayModules`, which throws when no debug session exists, and none is created for a
 * kernel whose kernelspec lacks `metadata.debugger`. Declaring `debugger: true` instead would
 * make Lab send debug requests that tslab never answers. Lowest priority: a user's own
 * page config can turn it back on.
 */
export const LAB_PAGE_CONFIG = { disabledExtensions: ["@jupyterlab/debugger-extension"] };

/**
 * LAB_PAGE_CONFIG in the form of a Jupyter config path's labconfig/page_config.json, where
 * jupyterlab_server expects `disabledExtensions` as an object of names to `true` (it converts
 * only the app settings folder's list form; a list in labconfig makes every page fail with a
 * ValueError, HTTP 500).
 */
export const LABCONFIG_PAGE_CONFIG = {
  disabledExtensions: Object.fromEntries(LAB_PAGE_CONFIG.disabledExtensions.map((name) => [name, true])),
};

/** Writes overrides.json and page_config.json into `dir` (default: the project's Lab settings). */
export function writeLabSettings(root: string = projectRoot, dir = path.join(jupyterLocalDir(root), "lab", "settings"), extraOverrides: Record<string, object> = {}): string {
  // Merged per plugin: an extra setting for a plugin keeps the course's own settings for it.
  const merged: Record<string, object> = { ...LAB_OVERRIDES };
  for (const [plugin, settings] of Object.entries(extraOverrides)) merged[plugin] = { ...(merged[plugin] ?? {}), ...settings };
  writeIfChanged(path.join(dir, "overrides.json"), JSON.stringify(merged, null, 2) + "\n");
  writeIfChanged(path.join(dir, "page_config.json"), JSON.stringify(LAB_PAGE_CONFIG, null, 2) + "\n");
  return dir;
}

/**
 * Installs the kernelspec and the Lab settings into a Jupyter environment's prefix (a venv, an
 * image's /usr/local), where every Jupyter run from it finds them without JUPYTER_PATH:
 * PREFIX/share/jupyter/kernels/tslab/kernel.json, and the settings as Lab's layered defaults,
 * PREFIX/etc/jupyter/labconfig/default_setting_overrides.json and page_config.json (a
 * learner's own settings still win). Returns the files written.
 */
export function installIntoPrefix(prefix: string, root: string = projectRoot): string[] {
  const labconfig = path.join(prefix, "etc", "jupyter", "labconfig");
  return [
    ...writeKernelspecFolder(path.join(prefix, "share", "jupyter", "kernels", KERNEL_NAME), root),
    writeIfChanged(path.join(labconfig, "default_setting_overrides.json"), JSON.stringify(LAB_OVERRIDES, null, 2) + "\n"),
    writeIfChanged(path.join(labconfig, "page_config.json"), JSON.stringify(LABCONFIG_PAGE_CONFIG, null, 2) + "\n"),
  ];
}

/** Arguments that make `jupyter lab` read the project's overrides. */
export function labArgs(settingsDir: string): string[] {
  return [`--LabApp.app_settings_dir=${settingsDir}`];
}

/**
 * The `jupyter` command that runs the given front end, with its version, or undefined.
 *
 * JupyterLab: the project's own venv first (`python3 -m venv .venv && .venv/bin/pip install
 * jupyterlab`, what .ci/run does; $COURSE_VENV names another venv), then `jupyter` on PATH.
 * The classic Notebook: `jupyter` on PATH (Debian's jupyter-notebook), then the venv.
 */
export function findJupyter(frontend: "lab" | "notebook", root: string = projectRoot, env: NodeJS.ProcessEnv = process.env): { command: string; version: string } | undefined {
  const venv = path.join(env.COURSE_VENV ?? path.join(root, ".venv"), "bin", "jupyter");
  const candidates = frontend === "lab" ? [venv, "jupyter"] : ["jupyter", venv];
  for (const command of candidates) {
    if (command === venv && !fs.existsSync(venv)) continue;
    const probe = spawnSync(command, [frontend, "--version"], { env, encoding: "utf8" });
    if (probe.status === 0) return { command, version: probe.stdout.trim().split("\n").pop() ?? "" };
  }
  return undefined;
}

/** The environment for a Jupyter child process that must find the local kernelspec. */
export function jupyterEnv(root: string = projectRoot, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const previous = base.JUPYTER_PATH ? [base.JUPYTER_PATH] : [];
  return { ...base, JUPYTER_PATH: [jupyterLocalDir(root), ...previous].join(path.delimiter) };
}

/**
 * The Python that runs nbclient and nbconvert: $JUPYTER_PYTHON, else Debian's
 * /usr/bin/python3 (a `python3` earlier on PATH may be a build without Jupyter).
 */
export function jupyterPython(): string {
  if (process.env.JUPYTER_PYTHON) return process.env.JUPYTER_PYTHON;
  return fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

/** Newest modification time of a .ts file under dir. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * True when notebooks would import an old build: dist/index.js is missing or older than
 * some file in src/ (tsc rewrites every output on each build).
 */
export function buildIsStale(root: string = projectRoot): boolean {
  const built = path.join(root, "dist", "index.js");
  return !fs.existsSync(built) || newestSource(path.join(root, "src")) > fs.statSync(built).mtimeMs;
}
