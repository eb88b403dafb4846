/**
 * A danfo DataFrame as an HTML table, because danfojs-node has no HTML output of its own.
 *
 * Every style is inline: notebook viewers (GitHub, nbviewer, some JupyterLab sanitiser
 * settings) drop `<style>` blocks and class rules, but keep inline styles. The classes are
 * there for tests and for readers who want to restyle.
 */
import type { DataFrame } from "danfojs-node";
import { escapeMarkup, formatNumber } from "./format";

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
const TABLE_STYLE =
  `border-collapse:collapse;font-family:${FONT};font-size:13px;line-height:1.4;` +
  "color:#1f2328;background:#ffffff;margin:4px 0;font-variant-numeric:tabular-nums";
const CAPTION_STYLE = "caption-side:top;text-align:left;font-weight:600;padding:0 0 6px 0;color:#1f2328";
const CELL = "padding:4px 10px;border:none;border-bottom:1px solid #d0d7de;white-space:nowrap";
const HEAD_STYLE = `${CELL};border-bottom:2px solid #57606a;font-weight:600;background:#ffffff`;
const INDEX_STYLE = `${CELL};text-align:left;font-weight:600;color:#57606a`;
const ZEBRA = "#f6f8fa";
/** Text colour of Infinity/NaN: red enough to catch the eye, dark enough for contrast. */
export const NON_FINITE_COLOR = "#c62828";
/** Background of a marked cell: amber, readable under black text and distinct from the zebra rows. */
export const HIGHLIGHT_BACKGROUND = "#ffe08a";
const HIGHLIGHT_STYLE = `background:${HIGHLIGHT_BACKGROUND};font-weight:700;box-shadow:inset 0 0 0 2px #d4a017`;
const LEGEND_STYLE = `font-family:${FONT};font-size:12px;color:#57606a;margin:2px 0 6px 0`;

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
      const zebra = r % 2 === 1 ? ` style="background:${ZEBRA}"` : "";
      const cells = row.map((value, c) => cellHtml(value, digits, marked.has(`${r},${c}`))).join("");
      return `<tr${zebra}><th scope="row" style="${INDEX_STYLE}">${escapeMarkup(index[r] ?? String(r))}</th>${cells}</tr>`;
    })
    .join("\n");
  const caption =
    options.caption === undefined ? "" : `<caption style="${CAPTION_STYLE}">${escapeMarkup(options.caption)}</caption>`;
  const legend =
    options.highlightLabel === undefined
      ? ""
      : // The swatch is a "■" in the highlight colour: a filled square when styled, still a mark when not.
        `\n<div class="ce-legend" style="${LEGEND_STYLE}"><span style="${HIGHLIGHT_STYLE};color:${HIGHLIGHT_BACKGROUND};` +
        `padding:0 3px;margin-right:6px">■</span>${escapeMarkup(options.highlightLabel)}</div>`;
  return (
    `<div class="ce-table">\n<table style="${TABLE_STYLE}">${caption}\n${header}\n<tbody>\n${body}\n</tbody>\n</table>` +
    `${legend}\n</div>`
  );
}

function cellHtml(value: unknown, digits: number, marked: boolean): string {
  const classes: string[] = [];
  const styles = [CELL];
  let text: string;
  if (typeof value === "number") {
    classes.push("ce-num");
    styles.push("text-align:right");
    text = formatNumber(value, digits);
    if (!Number.isFinite(value)) {
      classes.push("ce-nonfinite");
      styles.push(`color:${NON_FINITE_COLOR};font-weight:600`);
    }
  } else if (value === null || value === undefined) {
    // danfo stores missing entries as null; show the word rather than an empty cell.
    classes.push("ce-missing");
    styles.push("text-align:left;color:#8c959f;font-style:italic");
    text = String(value);
  } else {
    classes.push(typeof value === "boolean" ? "ce-bool" : "ce-text");
    styles.push("text-align:left");
    text = escapeMarkup(String(value));
  }
  if (marked) {
    classes.push("ce-highlight");
    styles.push(HIGHLIGHT_STYLE);
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
