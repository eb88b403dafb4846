/**
 * One call that shows a table or chart wherever the code runs: rich output inside a
 * tslab Jupyter kernel, plain text in a terminal (`npm start`, vitest, plain node).
 */
import type { DataFrame } from "danfojs-node";
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
 * @example showSvg(barChart({ labels: ["a", "b"], values: [0.7, 0.3], title: "p(class)" }))
 */
export function showSvg(svg: string): void {
  const display = tslabDisplay();
  if (display) {
    display.svg(svg);
    return;
  }
  console.log(`[chart: ${svgTitle(svg)} (SVG; renders in a notebook)]`);
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
