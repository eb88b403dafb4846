/**
 * `npm run lab`: open notebooks/ in JupyterLab 4 (the course's front end), or in the classic
 * Notebook when only that is installed, with the project's own tslab kernelspec.
 *
 * JupyterLab is looked for in the project's venv (`.venv/bin/jupyter`) first, then on PATH.
 * Its project-local defaults (no news pop-up) come from .jupyter-local/lab/settings.
 * Extra arguments go to Jupyter: `npm run lab -- --port 8899`.
 * Exits non-zero, saying how to install JupyterLab, when neither front end works.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildIsStale, findJupyter, jupyterEnv, labArgs, projectRoot, writeKernelspec, writeLabSettings } from "./shared/kernelspec";

export const INSTALL_HELP = `JupyterLab is not installed (looked for .venv/bin/jupyter in this project, then \`jupyter lab\` on PATH).
Install it into the project's own venv, then run \`npm run lab\` again:
  python3 -m venv .venv && .venv/bin/pip install jupyterlab
(Debian/Ubuntu's classic Notebook also works: sudo apt-get install -y jupyter-notebook)`;

function main(): number {
  if (!fs.existsSync(path.join(projectRoot, "dist", "index.js"))) {
    console.error("dist/index.js is missing: notebooks import the build. Run `npm run build` first.");
    return 1;
  }
  if (buildIsStale()) {
    console.warn("warning: src/ changed since the last build; run `npm run build` so the notebooks see it.");
  }

  writeKernelspec();
  const settings = writeLabSettings();
  const env = jupyterEnv();
  const lab = findJupyter("lab", projectRoot, env);
  const notebook = lab ? undefined : findJupyter("notebook", projectRoot, env);
  if (!lab && !notebook) {
    console.error(INSTALL_HELP);
    return 1;
  }
  const [command, name, frontendArgs] = lab
    ? [lab.command, `JupyterLab ${lab.version}`, ["lab", ...labArgs(settings)]]
    : [notebook!.command, `Jupyter Notebook ${notebook!.version} (JupyterLab not found: python3 -m venv .venv && .venv/bin/pip install jupyterlab)`, ["notebook"]];

  // Started in notebooks/, so that is the folder the browser opens; kernels start in
  // each notebook's own folder, where `import ... from ".."` is this package.
  const args = [...frontendArgs, ...(process.getuid?.() === 0 ? ["--allow-root"] : []), ...process.argv.slice(2)];
  console.log(`Opening notebooks/ in ${name} with the project's "TypeScript" (tslab) kernel (JUPYTER_PATH=${env.JUPYTER_PATH})`);
  const child = spawn(command, args, { cwd: path.join(projectRoot, "notebooks"), env, stdio: "inherit" });
  // Ctrl-C reaches Jupyter too, which asks before it shuts down; wait for it.
  process.on("SIGINT", () => undefined);
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  child.on("error", (error) => {
    console.error(`could not start jupyter: ${error.message}`);
    process.exit(1);
  });
  return 0;
}

if (require.main === module) {
  const status = main();
  if (status !== 0) process.exit(status);
}
