/**
 * The SVG building blocks every chart shares: the self-contained document frame, safe
 * coordinates and escaped text.
 *
 * Charts are plain strings so they render the same on GitHub, in a printed handout and in
 * JupyterLab, with no browser-side plotting library. Output is deterministic (no random
 * ids, no dates), so the same input gives the same bytes and a chart can be diffed.
 *
 * Themes and widths (the rule for every chart, old and new; details in ./theme.ts):
 * - JupyterLab 4 shows an SVG output as an `<img>`: page CSS and `--jp-*` variables cannot
 *   reach inside. So every chart is a LIGHT CARD (`svgDocument` draws it: white, its own grey
 *   border) drawn with the fixed colours below, in Lab Light and Lab Dark alike. Text on
 *   the card uses INK, MUTED or NON_FINITE (each >= 4.5 to 1 on white), or `textColorOn(fill)`
 *   on a coloured shape; test/display/theme.test.ts measures every `<text>` of every chart.
 * - `svgDocument` writes the natural width and height as attributes, with a viewBox and
 *   `max-width:100%;height:auto`. JupyterLab draws the SVG as an `<img>` whose intrinsic size
 *   is then the natural size (width="100%" gave it none, and Lab stretched it to the output
 *   area: 1488 px at 1920); Lab's own `max-width:100%` on that `<img>`, and the inline style
 *   where the SVG is inline (Notebook 6, handouts), shrink it to a narrow output area (a
 *   projector at 1024 px) instead of scrolling. The PNG carries the same natural size as
 *   metadata, so trusted and untrusted notebooks show a chart at the same size.
 * - Show charts with `showSvg` (./show.ts): it sends a PNG of the same chart beside the SVG,
 *   which an untrusted (handed-out) notebook shows where it drops the SVG.
 * - Projected (issue 18): at 1024 px with the file browser open the output area is 592 px
 *   wide, and a wider chart is shown scaled down, its text with it. So no chart is wider than
 *   CHART_WIDTH and no text smaller than MIN_FONT_SIZE: every text then reads at 11 px or
 *   more there. A long title wraps (`svgDocument`); charts that grow with their data
 *   (heatmaps, image grids) shrink cells or take fewer columns to fit.
 *   test/display/chartText.test.ts and the browser suite measure it.
 * Build charts from these helpers and colours, never from page colours or `<style>` blocks.
 */
import { escapeMarkup } from "./format";
import { CARD, CHIPS } from "./theme";

export { escapeMarkup } from "./format";

/** System UI fonts first, then the fonts a bare Linux box (and CI's headless Chromium) has. */
export const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, 'DejaVu Sans', sans-serif";

/** Colours shared by the charts: GitHub-like greys, and the Tableau 10 palette for series. */
export const INK = "#1f2328";
export const MUTED = "#57606a";
export const GRID = "#e6e8eb";
export const AXIS = "#8c959f";
export const NON_FINITE = CHIPS.nonFinite.text;
export const SERIES_COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#edc948", "#9c755f"];
/** Dash patterns per series, so lines stay apart in a greyscale printout. */
export const SERIES_DASHES = ["", "7 4", "2 3", "9 3 2 3"];

/** The widest a chart is drawn, in px: the 592 px output area at 1024 less a margin. */
export const CHART_WIDTH = 560;
/** The smallest text on any chart, in px (tick labels, legends, cell numbers). */
export const MIN_FONT_SIZE = 11;
/** The title's size and the height of each of its lines. */
const TITLE_SIZE = 15;
const TITLE_LINE = 19;

/** The rectangle charts draw data into, in SVG user units. */
export interface PlotArea {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * A coordinate or length as SVG text, rounded to 0.01 units.
 *
 * Throws on NaN/Infinity, because a chart that reaches here with one has a bug:
 * charts drop or mark non-finite data before computing positions.
 *
 * @example num(12.3456) // "12.35"   num(-0) // "0"
 */
export function num(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`svg: non-finite coordinate ${x} (a chart must drop non-finite data first)`);
  const rounded = Math.round(x * 100) / 100;
  return String(rounded === 0 ? 0 : rounded); // -0 would print as "0" anyway; this keeps it explicit
}

/** Attributes as ` name="value"` text; numbers go through `num`, strings are escaped, undefined is skipped. */
export function attrs(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => ` ${k}="${typeof v === "number" ? num(v) : escapeMarkup(v as string)}"`)
    .join("");
}

/**
 * A `<text>` element with escaped content.
 *
 * @example text(10, 20, "a<b", { "text-anchor": "middle" }) // '<text x="10" y="20" text-anchor="middle">a&lt;b</text>'
 */
export function text(x: number, y: number, content: string, extra: Record<string, string | number | undefined> = {}): string {
  return `<text${attrs({ x, y, ...extra })}>${escapeMarkup(content)}</text>`;
}

/**
 * Wraps chart content in a self-contained SVG document.
 *
 * (width, height, title, body) -> `<svg>` with width and height attributes, a viewBox of
 * width x height and `max-width:100%;height:auto` (it scales down to fit, never up past its
 * natural size, as an `<img>` or inline), `role="img"`, a `<title>` (its accessible name), an optional `<desc>`, the
 * light card (white, rounded grey border) and the title drawn at the top left.
 * `data-width`/`data-height` keep the natural size for tools (the PNG rendering).
 * A title wider than the card wraps onto more lines; the body moves down by as many lines
 * and the chart grows by as much, so a body is laid out as if its title took one line.
 *
 * @example svgDocument({ width: 560, height: 400, title: "Loss" }, "<g/>")
 */
export function svgDocument(
  frame: { width: number; height: number; title: string; description?: string },
  body: string,
): string {
  const { width, title, description } = frame;
  const titleLines = wrapText(title, width - 32, TITLE_SIZE * 1.05); // bold runs wider
  const shift = (titleLines.length - 1) * TITLE_LINE;
  const height = frame.height + shift;
  const size = attrs({
    width,
    height,
    viewBox: `0 0 ${num(width)} ${num(height)}`,
    style: "max-width:100%;height:auto",
    "data-width": width,
    "data-height": height,
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg"${size} role="img"${attrs({ "font-family": FONT_FAMILY })} font-size="12" fill="${INK}">`,
    `<title>${escapeMarkup(title)}</title>`,
    description === undefined ? "" : `<desc>${escapeMarkup(description)}</desc>`,
    `<rect class="card" x="0.5" y="0.5"${attrs({ width: width - 1, height: height - 1 })} rx="6" fill="${CARD.background}" stroke="${CARD.border}"/>`,
    ...titleLines.map((line, i) =>
      text(16, 26 + i * TITLE_LINE, line, { "font-size": TITLE_SIZE, "font-weight": 600 })),
    shift > 0 ? `<g transform="translate(0 ${num(shift)})">\n${body}\n</g>` : body,
    "</svg>",
  ]
    .filter((line) => line !== "")
    .join("\n");
}

/**
 * A short id derived from the content (FNV-1a), for `clipPath`: unique enough when several
 * charts share one HTML page, yet the same bytes for the same chart.
 */
export function contentId(prefix: string, content: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < content.length; i++) {
    hash ^= content.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${prefix}-${hash.toString(16).padStart(8, "0")}`;
}

/** Rough width of a label in pixels: enough to decide on rotating labels or widening a margin. */
export function textWidth(content: string, fontSize = 12): number {
  return content.length * fontSize * 0.6;
}

/**
 * Splits text into lines no wider than `maxWidth` at `fontSize` (by `textWidth`), at spaces;
 * a single word wider than that keeps a line of its own.
 *
 * @example wrapText("a long title", 60, 12) // ["a long", "title"]
 */
export function wrapText(content: string, maxWidth: number, fontSize: number): string[] {
  const lines: string[] = [];
  for (const word of content.split(" ")) {
    const last = lines.length - 1;
    if (last >= 0 && textWidth(`${lines[last]} ${word}`, fontSize) <= maxWidth) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines.length > 0 ? lines : [""];
}

/**
 * The smallest font size in a chart: the least of every `font-size` it sets (the root's
 * included, which every text without its own inherits). The browser suite multiplies it by
 * the displayed / natural width to get the smallest text as rendered.
 *
 * @example minFontSize(barChart({ labels: ["a"], values: [1], title: "p" })) // 11
 */
export function minFontSize(svg: string): number {
  const sizes = [...svg.matchAll(/\sfont-size="([\d.]+)"/g)].map((m) => Number(m[1]));
  return sizes.length > 0 ? Math.min(...sizes) : 16;
}

/** Chart sizes in pixels; charts validate their options once, at the boundary. */
export function checkSize(fn: string, name: string, value: number): void {
  const max = name === "width" ? CHART_WIDTH : 10000;
  if (!Number.isFinite(value) || value < 50 || value > max) {
    const why = name === "width" ? " (wider, a projector would shrink its text below 11 px)" : "";
    throw new RangeError(`${fn}: ${name} = ${value} is out of range: expected a size in pixels in [50, ${max}]${why}`);
  }
}
