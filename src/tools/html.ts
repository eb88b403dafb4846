/**
 * `npm run html`: run every notebook and write it, with its outputs, as an HTML
 * handout in handouts/ (git-ignored). The notebooks themselves are not touched.
 *
 * npm run html                         notebooks/*.ipynb -> handouts/*.html
 * npm run html -- --solutions          also notebooks/solutions/ -> handouts/solutions/
 * npm run html -- notebooks/02-softmax.ipynb
 *
 * Each notebook runs through test/execute_notebook.py (nbclient, the tslab kernel, the
 * notebook's own folder as cwd), then nbconvert turns the executed copy into HTML.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KERNEL_NAME, buildIsStale, jupyterEnv, jupyterPython, projectRoot, writeKernelspec } from "./kernelspec";

const CELL_TIMEOUT_S = 120;

// nbconvert 6.5 (Debian 12) passes SVG outputs through lxml's clean_html, which drops
// every element inside <svg>: the charts would be blank. Our own notebooks made these
// SVGs, so the handout template writes them as they are.
const TEMPLATE = `{%- extends 'lab/index.html.j2' -%}
{% block data_svg scoped -%}
<div class="jp-RenderedSVG jp-OutputArea-output {{ extra_class }}" data-mime-type="image/svg+xml">
{{ output.data['image/svg+xml'] }}
</div>
{%- endblock data_svg %}
`;

// Debian's nbconvert loads MathJax and require.js from file:///usr/share/javascript,
// which is not there on the machine a handout is sent to; these are nbconvert's own defaults.
const MATHJAX_URL = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/MathJax.js?config=TeX-AMS_CHTML-full,Safe";
const REQUIRE_JS_URL = "https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js";

function installHelp(python: string): string {
  return `nbconvert and nbclient are needed for ${python} (or set JUPYTER_PYTHON to a Python that has them):
  Debian/Ubuntu: sudo apt-get install -y python3-nbconvert python3-nbclient jupyter-client
  elsewhere:     pip install nbconvert nbclient ipykernel jupyter_client`;
}

function listNotebooks(folder: string): string[] {
  const dir = path.join(projectRoot, folder);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(".ipynb") && !name.startsWith("."))
    .sort()
    .map((name) => path.join(folder, name));
}

function main(argv: string[]): number {
  const solutions = argv.includes("--solutions");
  const named = argv.filter((arg) => !arg.startsWith("--"));
  const notebooks = named.length
    ? named.map((file) => path.relative(projectRoot, path.resolve(file)))
    : [...listNotebooks("notebooks"), ...(solutions ? listNotebooks(path.join("notebooks", "solutions")) : [])];
  if (notebooks.length === 0) {
    console.error("No notebooks found in notebooks/.");
    return 1;
  }

  const python = jupyterPython();
  const probe = spawnSync(python, ["-c", "import nbconvert, nbclient, jupyter_client"], { encoding: "utf8" });
  if (probe.status !== 0) {
    console.error(`${installHelp(python)}\n\n${(probe.stderr ?? String(probe.error)).trim()}`);
    return 1;
  }

  // Handouts must show the current src/: notebooks import the build.
  if (buildIsStale()) {
    const build = spawnSync("npm", ["run", "--silent", "build"], { cwd: projectRoot, stdio: "inherit" });
    if (build.status !== 0) {
      console.error("npm run build failed; no handouts written.");
      return 1;
    }
  }
  writeKernelspec();
  const env = jupyterEnv();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "handouts-"));
  const template = path.join(scratch, "handout.html.j2");
  fs.writeFileSync(template, TEMPLATE);
  const failed: string[] = [];
  try {
    for (const notebook of notebooks) {
      const name = path.basename(notebook, ".ipynb");
      const outDir = path.join(projectRoot, "handouts", path.relative("notebooks", path.dirname(notebook)));
      const executed = path.join(scratch, `${name}.ipynb`);
      const started = Date.now();
      const run = spawnSync(
        python,
        [path.join(projectRoot, "test", "execute_notebook.py"), notebook, "--output", executed,
          "--timeout", String(CELL_TIMEOUT_S), "--kernel", KERNEL_NAME],
        { cwd: projectRoot, env, encoding: "utf8" },
      );
      if (run.status !== 0) {
        console.error(run.stderr.trim());
        failed.push(notebook);
        continue;
      }
      const convert = spawnSync(
        python,
        ["-m", "nbconvert", "--to", "html", "--template-file", template,
          `--HTMLExporter.mathjax_url=${MATHJAX_URL}`, `--HTMLExporter.require_js_url=${REQUIRE_JS_URL}`,
          "--output-dir", outDir, "--output", name, executed],
        { cwd: projectRoot, env, encoding: "utf8" },
      );
      if (convert.status !== 0) {
        console.error(`${notebook}: nbconvert failed:\n${convert.stderr.trim()}`);
        failed.push(notebook);
        continue;
      }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`wrote ${path.relative(process.cwd(), path.join(outDir, `${name}.html`))} (${seconds} s)`);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  if (failed.length) {
    console.error(`\n${failed.length} of ${notebooks.length} notebook(s) failed: ${failed.join(", ")}`);
    return 1;
  }
  return 0;
}

process.exit(main(process.argv.slice(2)));
