/**
 * `npm run lab`: open notebooks/ in JupyterLab, or in the classic Notebook when only
 * that is installed, with the project's own tslab kernelspec.
 *
 * Extra arguments go to Jupyter: `npm run lab -- --port 8899`.
 * Exits non-zero, saying what to install, when neither `jupyter lab` nor
 * `jupyter notebook` works.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildIsStale, jupyterEnv, projectRoot, writeKernelspec } from "./kernelspec";

const INSTALL_HELP = `Neither JupyterLab (\`jupyter lab\`) nor Jupyter Notebook (\`jupyter notebook\`) is installed.
Install one of them, then run \`npm run lab\` again:
  pip install jupyterlab                      # JupyterLab, any system with Python 3
  sudo apt-get install -y jupyter-notebook    # Debian/Ubuntu: the classic Notebook`;

type Frontend = { command: "lab" | "notebook"; name: string };

function findFrontend(env: NodeJS.ProcessEnv): Frontend | undefined {
  const frontends: Frontend[] = [
    { command: "lab", name: "JupyterLab" },
    { command: "notebook", name: "Jupyter Notebook" },
  ];
  return frontends.find(
    ({ command }) => spawnSync("jupyter", [command, "--version"], { env, stdio: "ignore" }).status === 0,
  );
}

function main(): number {
  if (!fs.existsSync(path.join(projectRoot, "dist", "index.js"))) {
    console.error("dist/index.js is missing: notebooks import the build. Run `npm run build` first.");
    return 1;
  }
  if (buildIsStale()) {
    console.warn("warning: src/ changed since the last build; run `npm run build` so the notebooks see it.");
  }

  writeKernelspec();
  const env = jupyterEnv();
  const frontend = findFrontend(env);
  if (!frontend) {
    console.error(INSTALL_HELP);
    return 1;
  }

  // Started in notebooks/, so that is the folder the browser opens; kernels start in
  // each notebook's own folder, where `import ... from ".."` is this package.
  const args = [frontend.command, ...(process.getuid?.() === 0 ? ["--allow-root"] : []), ...process.argv.slice(2)];
  console.log(`Opening notebooks/ in ${frontend.name} with the project's "TypeScript" (tslab) kernel (JUPYTER_PATH=${env.JUPYTER_PATH})`);
  const child = spawn("jupyter", args, { cwd: path.join(projectRoot, "notebooks"), env, stdio: "inherit" });
  // Ctrl-C reaches Jupyter too, which asks before it shuts down; wait for it.
  process.on("SIGINT", () => undefined);
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  child.on("error", (error) => {
    console.error(`could not start jupyter: ${error.message}`);
    process.exit(1);
  });
  return 0;
}

const status = main();
if (status !== 0) process.exit(status);
