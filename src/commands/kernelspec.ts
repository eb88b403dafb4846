/**
 * `node dist/commands/kernelspec.js`: writes the tslab kernelspec and the project's Lab settings
 * into .jupyter-local/ and prints the `export JUPYTER_PATH=...` line that makes Jupyter find them.
 */
import * as path from "node:path";
import { jupyterEnv, writeKernelspec, writeLabSettings } from "./shared/kernelspec";

const file = writeKernelspec();
writeLabSettings();
console.log(`wrote ${path.relative(process.cwd(), file)}`);
console.log(`export JUPYTER_PATH=${jupyterEnv().JUPYTER_PATH}`);
