/**
 * `node dist/commands/kernelspec.js`: writes the tslab kernelspec and the project's Lab settings
 * into .jupyter-local/ and prints the `export JUPYTER_PATH=...` line that makes Jupyter find them.
 *
 * `node dist/commands/kernelspec.js --prefix DIR` installs them into a Jupyter environment's own
 * prefix instead (a venv, or an image's): DIR/share/jupyter/kernels/tslab/kernel.json, and the
 * Lab settings as DIR/etc/jupyter/labconfig/{page_config,default_setting_overrides}.json, which
 * every JupyterLab run from that prefix reads. Nothing then points into this checkout but the
 * kernel's tslab, in this checkout's node_modules.
 */
import * as path from "node:path";
import { installIntoPrefix, jupyterEnv, writeKernelspec, writeLabSettings } from "./shared/kernelspec";

const USAGE = "usage: node dist/commands/kernelspec.js [--prefix DIR]";
const args = process.argv.slice(2);
if (args.length === 0) {
  const file = writeKernelspec();
  writeLabSettings();
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
  console.log(`export JUPYTER_PATH=${jupyterEnv().JUPYTER_PATH}`);
} else if (args[0] === "--prefix" && args.length === 2 && args[1] !== "") {
  for (const file of installIntoPrefix(path.resolve(args[1]))) console.log(`wrote ${file}`);
} else {
  console.error(`kernelspec: unexpected arguments ${JSON.stringify(args)}\n${USAGE}`);
  process.exit(2);
}
