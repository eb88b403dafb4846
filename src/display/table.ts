/**
 * A danfo DataFrame as an HTML table, because danfojs-node has no HTML output of its own.
 * Its colours follow JupyterLab's theme (light or dark) and fall back to the light ones
 * elsewhere: see the rule at the top of ./theme.ts.
 *
 * Every style is inline: notebook viewers (GitHub, nbviewer, some JupyterLab sanitiser
 * settings) drop `<style>` blocks and class rules, but keep inline styles. The classes are
 * there for tests and for readers who want to restyle.
 */
import type { DataFrame } from "danfojs-node";
import { escapeMarkup, formatNumber } from "./format";
import { CHIPS, FONT_SIZES, HTML_COLORS } from "./theme";

export { formatNumber } from "./format";

/** Options of `tableHtml` and `show`. */
export interface TableOptions {
  /** Significant digits for numbers (see `formatNumber`). Default 6. */
  digits?: number;
  /** A line of text above the table. */
  caption?: string;
  /** Cells to mark, e.g. each row's target class: row position, column name or position. */
  highlight?: Array<{ row: number; column: string | number }>;
  /** When given, a legend line under the table says what a marked cell means. */
  highlightLabel?: string;
}

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
const C = HTML_COLORS;
// Colours follow the rule in ./theme: theme variables (with the old colours as fallbacks) on
// the table AND on every cell, so JupyterLab's own row colours never show through; fixed
// colours only as chips (highlight, NaN/Infinity).
const TABLE_STYLE =
  `border-collapse:collapse;font-family:${FONT};font-size:${FONT_SIZES.text};line-height:1.4;` +
  `color:${C.text};background:${C.background};margin:4px 0;font-variant-numeric:tabular-nums`;
const CAPTION_STYLE = `caption-side:top;text-align:left;font-weight:600;padding:0 0 6px 0;color:${C.text};background:${C.background}`;
// Narrow enough for a projector (an output area of about 590 px at 1024 x 768): headers and
// row labels wrap between words rather than pushing the table wider; numbers never wrap.
const CELL = `padding:4px 8px;border:none;border-bottom:1px solid ${C.rule}`;
const HEAD_STYLE = `${CELL};border-bottom:2px solid ${C.ruleStrong};font-weight:600;color:${C.text};background:${C.background};white-space:normal;vertical-align:bottom`;
const INDEX_STYLE = `${CELL};text-align:left;font-weight:600;color:${C.muted};white-space:normal`;
/** Text colour of Infinity/NaN: red enough to catch the eye, dark enough for contrast on its chip. */
export const NON_FINITE_COLOR = CHIPS.nonFinite.text;
/** Background of a marked cell: amber, readable under black text and distinct from the zebra rows. */
export const HIGHLIGHT_BACKGROUND = CHIPS.highlight.background;
const HIGHLIGHT_STYLE =
  `background:${HIGHLIGHT_BACKGROUND};color:${CHIPS.highlight.text};font-weight:700;box-shadow:inset 0 0 0 2px ${CHIPS.highlight.outline}`;
const LEGEND_STYLE = `font-family:${FONT};font-size:${FONT_SIZES.note};color:${C.muted};background:${C.background};margin:2px 0 6px 0;padding:0 2px`;

/**
 * Renders a DataFrame as a self-contained, inline-styled HTML table.
 *
 * df (N rows, C columns) -> `<table>` with a header row of C names and N body rows,
 * each led by its index label. Numbers are right-aligned and printed by `formatNumber`;
 * Infinity/-Infinity/NaN get class `ce-nonfinite` and red text; strings are left-aligned.
 * Every header, index label and string is HTML-escaped.
 *
 * Reads `df.values`, which keeps full float64 values even when danfo labels a column float32.
 *
 * @example tableHtml(new DataFrame({ p: [0.7, 0.3] }), { highlight: [{ row: 0, column: "p" }], highlightLabel: "target class" })
 * Used by every notebook through `show`.
 */
export function tableHtml(df: DataFrame, options: TableOptions = {}): string {
  const digits = options.digits ?? 6;
  formatNumber(0, digits); // validates digits once, with formatNumber's own message
  const columns = df.columns.map(String);
  const index = df.index.map(String);
  const rows = df.values as unknown[][];
  const marked = markedCells(options.highlight ?? [], rows.length, columns);

  const header =
    `<thead><tr><th style="${HEAD_STYLE}"></th>` +
    columns
      .map((name, c) => {
        // A header sits over its cells: right for numbers, left for a column of text.
        const align = rows.some((row) => typeof row[c] === "number") ? "right" : "left";
        return `<th scope="col" style="${HEAD_STYLE};text-align:${align}">${escapeMarkup(name)}</th>`;
      })
      .join("") +
    "</tr></thead>";
  const body = rows
    .map((row, r) => {
      const background = `background:${r % 2 === 1 ? C.zebra : C.background}`;
      const cells = row.map((value, c) => cellHtml(value, digits, marked.has(`${r},${c}`), background)).join("");
      return `<tr><th scope="row" style="${INDEX_STYLE};${background}">${escapeMarkup(index[r] ?? String(r))}</th>${cells}</tr>`;
    })
    .join("\n");
  const caption =
    options.caption === undefined ? "" : `<caption style="${CAPTION_STYLE}">${escapeMarkup(options.caption)}</caption>`;
  const legend =
    options.highlightLabel === undefined
      ? ""
      : // The swatch holds no text (nothing to read, so nothing to fail a contrast check); where
        // styles are stripped the marked cells still stand out in <strong>.
        `\n<div class="ce-legend" style="${LEGEND_STYLE}"><span class="ce-swatch" aria-hidden="true" style="${HIGHLIGHT_STYLE};` +
        `display:inline-block;width:0.8em;height:0.8em;vertical-align:-0.05em;margin-right:6px"></span>` +
        `${escapeMarkup(options.highlightLabel)}</div>`;
  return (
    `<div class="ce-table">\n<table style="${TABLE_STYLE}">${caption}\n${header}\n<tbody>\n${body}\n</tbody>\n</table>` +
    `${legend}\n</div>`
  );
}

function cellHtml(value: unknown, digits: number, marked: boolean, background: string): string {
  const classes: string[] = [];
  const styles = [CELL, background, `color:${C.text}`];
  let text: string;
  if (typeof value === "number") {
    classes.push("ce-num");
    styles.push("text-align:right;white-space:nowrap");
    text = formatNumber(value, digits);
    if (!Number.isFinite(value)) {
      classes.push("ce-nonfinite");
      styles.push(`color:${NON_FINITE_COLOR};background:${CHIPS.nonFinite.background};font-weight:600`);
    }
  } else if (value === null || value === undefined) {
    // danfo stores missing entries as null; show the word rather than an empty cell.
    classes.push("ce-missing");
    styles.push(`text-align:left;color:${C.muted};font-style:italic`);
    text = String(value);
  } else {
    classes.push(typeof value === "boolean" ? "ce-bool" : "ce-text");
    styles.push("text-align:left");
    text = escapeMarkup(String(value));
  }
  if (marked) {
    classes.push("ce-highlight");
    styles.push(HIGHLIGHT_STYLE);
    // A marked NaN keeps its red: #b3261e on the amber chip is still 4.9 to 1.
    if (classes.includes("ce-nonfinite")) styles.push(`color:${NON_FINITE_COLOR}`);
  }
  // <strong> keeps a marked cell visible where a viewer strips inline styles.
  const content = marked ? `<strong>${text}</strong>` : text;
  return `<td class="${classes.join(" ")}" style="${styles.join(";")}">${content}</td>`;
}

/** "row,column" keys of the marked cells, validated against the frame's shape. */
function markedCells(highlight: TableOptions["highlight"] & object, numRows: number, columns: string[]): Set<string> {
  const keys = new Set<string>();
  highlight.forEach(({ row, column }, i) => {
    if (!Number.isInteger(row) || row < 0 || row >= numRows) {
      throw new RangeError(
        `tableHtml: highlight[${i}].row = ${row} is out of range: expected a row position in [0, ${numRows})`,
      );
    }
    const c = typeof column === "number" ? column : columns.indexOf(column);
    if (typeof column === "number" && (!Number.isInteger(c) || c < 0 || c >= columns.length)) {
      throw new RangeError(
        `tableHtml: highlight[${i}].column = ${column} is out of range: expected a column position in [0, ${columns.length})`,
      );
    }
    if (c === -1) {
      throw new RangeError(
        `tableHtml: highlight[${i}].column = ${JSON.stringify(column)} is not a column: expected one of ${JSON.stringify(columns)}`,
      );
    }
    keys.add(`${row},${c}`);
  });
  return keys;
}
