/**
 * One call that shows a table or chart wherever the code runs: rich output inside a
 * tslab Jupyter kernel, plain text in a terminal (`npm start`, vitest, plain node).
 */
import type { DataFrame } from "danfojs-node";
import { escapeMarkup } from "./format";
import { chartPng } from "./png";
import { FONT_SIZES, HTML_COLORS } from "./theme";
import { tableHtml, type TableOptions } from "./table";

/** The part of tslab's `display` object this module uses. */
interface RichDisplay {
  html(s: string): void;
  svg(s: string): void;
}

/**
 * tslab's own `display`, or `undefined` outside a tslab kernel.
 *
 * The tslab executor sets `globalThis.__tslab__ = { exports, require }` when the kernel
 * starts, and its `require` maps "tslab" to the very module instance that the kernel
 * writes display messages through. Asking it (rather than calling `require("tslab")`
 * ourselves) matters twice over:
 * - in plain node, `require("tslab")` loads fine but `display.html` throws "Not ready",
 *   so a successful require proves nothing; and tslab is only a dev dependency;
 * - a kernel installed globally has its own copy of tslab, whose display would not be the
 *   one in this project's node_modules.
 * Looked up on every call, so nothing is loaded until something is shown.
 */
export function tslabDisplay(): RichDisplay | undefined {
  const hook = (globalThis as { __tslab__?: { require?: unknown } }).__tslab__;
  if (hook === undefined || typeof hook.require !== "function") return undefined;
  try {
    const tslab = (hook.require as (id: string) => { display?: RichDisplay })("tslab");
    return tslab?.display;
  } catch {
    return undefined;
  }
}

/**
 * Shows a DataFrame: an HTML table in a notebook, danfo's own `df.print()` in a terminal,
 * so both show the same rows and columns.
 *
 * @example show(df, { caption: "Naive vs stable softmax", highlight: [{ row: 0, column: "target" }] })
 * NOTE: options only shape the HTML table; `df.print()` has no captions or highlights.
 */
export function show(df: DataFrame, options?: TableOptions): void {
  const html = tableHtml(df, options); // built first so bad options fail the same way everywhere
  const display = tslabDisplay();
  if (display) {
    display.html(html);
    return;
  }
  if (options?.caption !== undefined) console.log(options.caption);
  df.print();
}

/**
 * Shows an SVG chart in a notebook; in a terminal prints one line naming the chart
 * (its `<title>`) and saying it renders in a notebook, so a script's output still says
 * what would have been drawn.
 *
 * In a notebook it sends one display bundle (see `chartBundle`): a PNG of the chart at its
 * natural size and a line of text. Every front end then shows the chart at the same size,
 * never wider than its natural width and shrunk to a narrow output area (a projector).
 *
 * @example showSvg(barChart({ labels: ["a", "b"], values: [0.7, 0.3], title: "p(class)" }))
 */
export function showSvg(svg: string): void {
  const display = tslabDisplay();
  if (display) {
    const writer = bundleWriter(display);
    if (writer) writer(chartBundle(svg));
    else display.svg(svg);
    return;
  }
  console.log(`[chart: ${svgTitle(svg)} (SVG; renders in a notebook)]`);
}

/** A Jupyter display bundle: mime type -> content, and per-type metadata. */
export interface DisplayBundle {
  data: Record<string, string>;
  metadata: Record<string, Record<string, number>>;
}

/**
 * The display bundle of a chart: image/png (base64, drawn at twice the natural size, with
 * the natural width and height as metadata) when resvg is installed, else the image/svg+xml;
 * and text/plain naming the chart and saying how to see it.
 *
 * Why a PNG and not the SVG: JupyterLab 4 draws `image/svg+xml` as an `<img>` that no CSS
 * of Lab's caps, so an SVG either fills the output area (width="100%": 1488 px at 1920) or
 * runs past it (its natural width: 803 px in a 592 px area at 1024 with the file browser
 * open). `text/html` with the SVG inline is capped, but an untrusted Lab notebook prefers
 * its sanitised HTML, which drops the SVG, over the PNG. A PNG with width/height metadata is
 * shown by Lab (trusted and untrusted) and Notebook 6 alike: `width` = the natural width,
 * CSS `max-width: 100%`.
 */
export function chartBundle(svg: string): DisplayBundle {
  const data: Record<string, string> = {
    "text/plain": `[chart: ${svgTitle(svg)}. Not drawn here: this viewer shows no images; ` +
      "open the notebook in JupyterLab or Notebook 6 and run the cell.]",
  };
  const metadata: DisplayBundle["metadata"] = {};
  const png = chartPng(svg);
  if (png) {
    data["image/png"] = png.png.toString("base64");
    metadata["image/png"] = { width: png.width, height: png.height };
  } else {
    data["image/svg+xml"] = svg;
  }
  return { data, metadata };
}

/**
 * A function that sends a whole bundle through the kernel's display channel, or undefined.
 *
 * tslab's `display` sends one mime type per message; the bundle needs several in one. Its
 * `display.raw` writes through `lastWriteDisplayData` of tslab's own `jupyter` module, which
 * is found beside the kernel's tslab module in node's module cache (the same instance,
 * since the kernel loaded both). Anything unexpected falls back to `display.svg`.
 */
function bundleWriter(display: RichDisplay): ((bundle: DisplayBundle) => void) | undefined {
  try {
    const cache = require.cache as Record<string, NodeJS.Module | undefined>;
    const tslab = Object.values(cache).find((m) => (m?.exports as { display?: unknown } | undefined)?.display === display);
    if (!tslab) return undefined;
    const jupyter = cache[tslab.filename.replace(/public\.js$/, "jupyter.js")]?.exports as
      | { lastWriteDisplayData?: ((content: object, update: boolean) => void) | null }
      | undefined;
    const write = jupyter?.lastWriteDisplayData;
    if (typeof write !== "function") return undefined;
    return (bundle) => write({ data: bundle.data, metadata: bundle.metadata, transient: {} }, false);
  } catch {
    return undefined;
  }
}

/**
 * Shows an HTML fragment in a notebook; in a terminal prints its text content with the
 * tags removed, which is readable for the short notes and summaries this module shows.
 *
 * @example showHtml("<b>loss</b> = 2.302")
 */
export function showHtml(html: string): void {
  const display = tslabDisplay();
  if (display) {
    display.html(html);
    return;
  }
  console.log(htmlToText(html));
}

/**
 * Shows preformatted text (a docstring, a file excerpt) as a code block whose colours follow
 * the notebook's theme (the rule in ./theme.ts); in a terminal prints the text as it is.
 *
 * @example showCode(fs.readFileSync(dataFile("generate_reference.py"), "utf8").split('"""')[1])
 * Used in notebooks/A1-side-by-side-with-pytorch.ipynb.
 */
export function showCode(text: string): void {
  const display = tslabDisplay();
  if (display) {
    display.html(codeHtml(text));
    return;
  }
  console.log(text);
}

/** The HTML of `showCode`: a wrapped `<pre>`, escaped, with theme colours on the block itself. */
export function codeHtml(text: string): string {
  const style =
    `font-size:${FONT_SIZES.note};padding:8px;border-radius:4px;white-space:pre-wrap;margin:4px 0;` +
    `color:${HTML_COLORS.text};background:${HTML_COLORS.code}`;
  return `<pre class="ce-code" style="${style}">${escapeMarkup(text)}</pre>`;
}

function svgTitle(svg: string): string {
  const match = /<title>([^<]*)<\/title>/.exec(svg);
  return match ? unescape(match[1]) : "untitled";
}

function htmlToText(html: string): string {
  return unescape(html.replace(/<[^>]*>/g, ""))
    .replace(/[ \t]+/g, " ")
    .trim();
}

function unescape(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}
