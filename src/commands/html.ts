/**
 * `npm run html`: run every notebook and write it, with its outputs, as an HTML
 * handout in handouts/ (git-ignored). The notebooks themselves are not touched.
 *
 * npm run html                         notebooks/*.ipynb -> handouts/*.html
 * npm run html -- --solutions          also notebooks/solutions/ -> handouts/solutions/
 * npm run html -- notebooks/02-softmax.ipynb
 * npm run html -- --out-dir /tmp/h     write there instead of handouts/
 *
 * Each notebook runs through test/execute_notebook.py (nbclient, the tslab kernel, the
 * notebook's own folder as cwd), then nbconvert turns the executed copy into HTML.
 *
 * The handouts work offline: MathJax 2 (Debian's libjs-mathjax, or MATHJAX_DIR) is copied
 * into handouts/mathjax/ and each page loads it by a relative path, with the SVG output,
 * whose glyphs are drawn from that folder's own files (no web fonts, no network). Code and
 * text outputs wrap at the page's width instead of running past it; print them as they are.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KERNEL_NAME, buildIsStale, jupyterEnv, jupyterPython, projectRoot, writeKernelspec } from "./shared/kernelspec";

const CELL_TIMEOUT_S = 120;

// nbconvert 6.5 (Debian 12) passes SVG outputs through lxml's clean_html, which drops
// every element inside <svg>: the charts would be blank. Our own notebooks made these
// SVGs, so the handout template writes them as they are.
// require.js is only for ipywidgets, which the course does not use: no script to fetch.
// Code (input and text output) wraps instead of running past the page, on screen and on paper.
const TEMPLATE = `{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{% block extra_css %}
<style type="text/css">
.jp-InputArea pre, .jp-OutputArea pre, .jp-RenderedText pre, .highlight pre {
  white-space: pre-wrap;
  overflow-wrap: anywhere;
  word-break: normal;
}
@media print {
  .jp-InputArea pre, .jp-OutputArea pre, .highlight pre { overflow: visible; }
}
</style>
{% endblock extra_css %}
{% block data_svg scoped -%}
<div class="jp-RenderedSVG jp-OutputArea-output {{ extra_class }}" data-mime-type="image/svg+xml">
{{ output.data['image/svg+xml'] }}
</div>
{%- endblock data_svg %}
`;

/** Where Debian's libjs-mathjax (MathJax 2.7) puts MathJax; MATHJAX_DIR overrides it. */
export const DEBIAN_MATHJAX_DIR = "/usr/share/javascript/mathjax";
/** The configuration nbconvert uses by default, with the SVG output instead of CommonHTML's web fonts. */
export const MATHJAX_CONFIG = "TeX-AMS_SVG-full,Safe";
/**
 * The part of MathJax 2 that TeX input and SVG output load: 2.5 MB instead of the package's
 * 60 MB (other fonts and outputs, unpacked sources).
 */
const MATHJAX_FILES = [
  "MathJax.js",
  "config/TeX-AMS_SVG-full.js",
  "config/Safe.js",
  "extensions",
  "jax/element",
  "jax/input/TeX",
  "jax/output/SVG/jax.js",
  "jax/output/SVG/config.js",
  "jax/output/SVG/autoload",
  "jax/output/SVG/fonts/TeX",
  "localization/en",
];

const MATHJAX_HELP = `MathJax 2 is needed to typeset the handouts' formulas offline:
  Debian/Ubuntu: sudo apt-get install -y libjs-mathjax
  elsewhere:     set MATHJAX_DIR to a MathJax 2.7 folder (the one holding MathJax.js),
                 e.g. the "package" folder of: npm pack mathjax@2`;

/** The MathJax 2 folder to copy from, or undefined when there is none. */
export function mathJaxSource(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env.MATHJAX_DIR || DEBIAN_MATHJAX_DIR;
  return fs.existsSync(path.join(dir, "MathJax.js")) ? dir : undefined;
}

/** Copies MathJax's TeX-to-SVG files into `<handouts>/mathjax/` (Debian's symlinks resolved). */
export function copyMathJax(source: string, handouts: string): string {
  const target = path.join(handouts, "mathjax");
  for (const file of MATHJAX_FILES) {
    const from = path.join(source, file);
    if (!fs.existsSync(from)) throw new Error(`${from} is missing: is ${source} MathJax 2.7?`);
    fs.cpSync(from, path.join(target, file), { recursive: true, dereference: true });
  }
  return target;
}

/** The mathjax_url of a handout written to `outDir`: relative, so the folder can be moved or zipped. */
export function mathJaxUrl(outDir: string, handouts: string): string {
  const relative = path.relative(outDir, path.join(handouts, "mathjax", "MathJax.js")).split(path.sep).join("/");
  return `${relative}?config=${MATHJAX_CONFIG}`;
}

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
  const outAt = argv.indexOf("--out-dir");
  if (outAt >= 0 && (argv[outAt + 1] === undefined || argv[outAt + 1].startsWith("--"))) {
    console.error("--out-dir needs a folder: npm run html -- --out-dir /tmp/handouts");
    return 1;
  }
  const handouts = outAt >= 0 ? path.resolve(argv[outAt + 1]) : path.join(projectRoot, "handouts");
  const named = argv.filter((arg, i) => !arg.startsWith("--") && !(outAt >= 0 && i === outAt + 1));
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

  const mathJax = mathJaxSource();
  if (mathJax === undefined) {
    console.error(`${MATHJAX_HELP}\n\n(no MathJax.js in ${process.env.MATHJAX_DIR || DEBIAN_MATHJAX_DIR})`);
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
  copyMathJax(mathJax, handouts);
  const failed: string[] = [];
  try {
    for (const notebook of notebooks) {
      const name = path.basename(notebook, ".ipynb");
      // notebooks/solutions/x.ipynb -> <handouts>/solutions/x.html; a notebook from elsewhere -> <handouts>/
      const sub = path.relative("notebooks", path.dirname(notebook));
      const outDir = sub.startsWith("..") || path.isAbsolute(sub) ? handouts : path.join(handouts, sub);
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
          `--HTMLExporter.mathjax_url=${mathJaxUrl(outDir, handouts)}`,
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

if (require.main === module) process.exit(main(process.argv.slice(2)));
