/**
 * A heatmap as a static SVG string: a matrix such as the gradient d loss / d logits
 * (rows = samples, columns = classes), with a colour legend.
 */
import { TICK_DIGITS } from "./axis";
import { colorBar } from "./colorBar";
import { NON_FINITE_FILL, rampColor, textColorOn } from "./color";
import { escapeMarkup, formatNumber } from "./format";
import { extent, niceTicks } from "./scale";
import {
  CHART_WIDTH, MIN_FONT_SIZE, MUTED, NON_FINITE, checkSize, num, svgDocument, text, textWidth,
} from "./svg";

/** The tallest a heatmap's grid is drawn, so a chart stays under about 600 px. */
const GRID_HEIGHT = 480;
/** The smallest cell: a row label at 11 px still fits its row. */
const MIN_CELL = 13;

export interface HeatmapOptions {
  values: number[][];
  rowLabels: string[];
  columnLabels: string[];
  title: string;
  /** Symmetric blue-white-red scale around 0, for values of both signs such as gradients. */
  diverging?: boolean;
  /** Fixed colour range, e.g. [0, 1] for probabilities. Default: the finite data (±max|v| if diverging). */
  domain?: [number, number];
  /**
   * Print each value in its cell. Default: when the widest label fits its cell at 11 px
   * (MIN_FONT_SIZE). `true` where they cannot fit is an error: show fewer rows and columns.
   */
  cellLabels?: boolean;
  /** Significant digits of the cell labels. Default 3. */
  digits?: number;
  /**
   * Side of a square cell in pixels, at most: cells shrink so the chart fits CHART_WIDTH
   * (560 px) and its grid about 480 px of height. Default 64.
   */
  cellSize?: number;
  xLabel?: string;
  yLabel?: string;
}


/**
 * Colours each value of a matrix; non-finite values are grey with a red "NaN"/"∞" label.
 *
 * values (R, C) -> SVG with R * C `<rect class="cell">` elements, column labels above,
 * row labels on the left and a vertical colour legend on the right. With `diverging`,
 * 0 is white and +v and -v are equally strong, so a gradient's signs read at a glance.
 *
 * @example heatmap({ values: [[0.2, -0.3, 0.1]], rowLabels: ["x0"], columnLabels: ["a", "b", "c"], title: "d loss / d logits", diverging: true })
 * Used in notebooks/07-the-gradient.ipynb.
 */
export function heatmap(options: HeatmapOptions): string {
  const { values, rowLabels, columnLabels, title, diverging = false, xLabel, yLabel } = options;
  validate(options);
  const rows = values.length;
  const cols = columnLabels.length;
  const digits = options.digits ?? 3;
  const [lo, hi] = colourDomain(values, diverging, options.domain);
  const widestRow = Math.max(0, ...rowLabels.map((l) => textWidth(l, 11)));
  const widestCol = Math.max(0, ...columnLabels.map((l) => textWidth(l, 11)));
  const left = 16 + (yLabel ? 22 : 0) + widestRow + 8;
  const ticks = niceTicks(lo, hi, 4);
  const legendWidth = 24 + Math.max(
    ...ticks.map((t) => textWidth(formatNumber(t, TICK_DIGITS), 11)), textWidth("not finite", 11));
  // The largest cell (up to cellSize) with which the chart fits CHART_WIDTH and the grid
  // GRID_HEIGHT; never below a row label's height, so too many columns fail in checkSize.
  const fitted = Math.min(
    Math.floor((CHART_WIDTH - left - 24 - legendWidth - 16) / Math.max(cols, 1)),
    Math.floor(GRID_HEIGHT / Math.max(rows, 1)),
  );
  const cell = Math.max(MIN_CELL, Math.min(options.cellSize ?? 64, fitted));

  const rotate = widestCol > cell - 4;
  const top = 44 + (xLabel ? 22 : 0) + (rotate ? Math.min(widestCol, 120) * 0.72 + 12 : 20);
  const gridRight = left + cols * cell;
  const legendHeight = Math.max(120, Math.min(rows * cell, 240));
  const titleWidth = Math.min(CHART_WIDTH, textWidth(title, 15) * 1.05 + 32);
  const width = Math.ceil(Math.max(gridRight + 24 + legendWidth + 16, titleWidth));
  const height = Math.ceil(top + Math.max(rows * cell, legendHeight + 40) + 16);
  checkSize("heatmap", "width", width);
  checkSize("heatmap", "height", height);

  // One font size for every cell label: the largest (up to 13 px) at which the widest label
  // fits its cell. Below MIN_FONT_SIZE the values are not printed (a projector could not
  // show them), and asking for them then is an error.
  const labelOf = (v: number) =>
    Number.isFinite(v) ? formatNumber(v, digits) : Number.isNaN(v) ? "NaN" : v > 0 ? "∞" : "−∞";
  const widest = values.flatMap((row) => row.map(labelOf)).reduce((a, b) => (b.length > a.length ? b : a), "NaN");
  const fontSize = Math.min(13, (cell - 6) / (widest.length * 0.6));
  const fitsLabels = fontSize >= MIN_FONT_SIZE;
  if (options.cellLabels === true && !fitsLabels) {
    const needed = Math.ceil(widest.length * 0.6 * MIN_FONT_SIZE + 6);
    throw new RangeError(
      `heatmap: cellLabels = true, but "${widest}" needs cells of ${needed} px to print at ` +
        `${MIN_FONT_SIZE} px, and ${rows} x ${cols} cells fit ${CHART_WIDTH} px at ${cell} px: ` +
        "show fewer rows and columns (the most frequent, say), or set cellLabels: false",
    );
  }
  const showLabels = (options.cellLabels ?? true) && fitsLabels;
  const labelSize = Math.max(fontSize, MIN_FONT_SIZE);
  const cells = values.flatMap((row, r) =>
    row.map((value, c) => {
      const x = left + c * cell;
      const y = top + r * cell;
      const finite = Number.isFinite(value);
      const fill = finite ? rampColor((value - lo) / (hi - lo), diverging) : NON_FINITE_FILL;
      const tooltip = `${rowLabels[r]}, ${columnLabels[c]}: ${formatNumber(value)}`;
      const rect =
        `<rect class="cell" x="${num(x)}" y="${num(y)}" width="${num(cell)}" height="${num(cell)}" fill="${fill}" ` +
        `stroke="#ffffff" stroke-width="1"><title>${escapeMarkup(tooltip)}</title></rect>`;
      // A non-finite cell is labelled even when values are not: grey alone would not say which it is.
      if (finite && !showLabels) return rect;
      const label = labelOf(value);
      const colour = finite ? textColorOn(fill) : NON_FINITE;
      const weight = finite ? undefined : 700;
      return rect + text(x + cell / 2, y + cell / 2 + labelSize * 0.35, label, {
        "text-anchor": "middle", "font-size": num(labelSize), fill: colour, "font-weight": weight,
      });
    }),
  );

  const columnText = columnLabels.map((label, c) => {
    const x = left + (c + 0.5) * cell;
    const y = top - 8;
    return rotate
      ? text(x, y, label, { "text-anchor": "start", "font-size": 11, fill: MUTED, transform: `rotate(-45 ${num(x)} ${num(y)})` })
      : text(x, y, label, { "text-anchor": "middle", "font-size": 11, fill: MUTED });
  });
  const rowText = rowLabels.map((label, r) =>
    text(left - 8, top + (r + 0.5) * cell + 4, label, { "text-anchor": "end", "font-size": 11, fill: MUTED }),
  );
  const gridMiddleY = top + (rows * cell) / 2;
  const body = [
    `<g class="cells">\n${cells.join("\n")}\n</g>`,
    // An outline keeps near-white cells (values near 0) from melting into the background.
    `<rect x="${num(left)}" y="${num(top)}" width="${num(cols * cell)}" height="${num(rows * cell)}" fill="none" stroke="#d0d7de"/>`,
    `<g class="labels">\n${[...columnText, ...rowText].join("\n")}\n</g>`,
    xLabel ? text(left + (cols * cell) / 2, 58, xLabel, { "text-anchor": "middle", fill: MUTED }) : "",
    yLabel ? text(22, gridMiddleY, yLabel, { "text-anchor": "middle", fill: MUTED, transform: `rotate(-90 22 ${num(gridMiddleY)})` }) : "",
    legend(gridRight + 24, top, legendHeight, [lo, hi], ticks, diverging, values.some((row) => row.some((v) => !Number.isFinite(v)))),
  ];
  const description = `${rows} by ${cols} matrix, colour range ${formatNumber(lo, TICK_DIGITS)} to ${formatNumber(hi, TICK_DIGITS)}`;
  return svgDocument({ width, height, title, description }, body.filter((p) => p !== "").join("\n"));
}

function colourDomain(values: number[][], diverging: boolean, fixed?: [number, number]): [number, number] {
  if (fixed) return fixed;
  const range = extent(values.flat().filter(Number.isFinite));
  if (!range) return diverging ? [-1, 1] : [0, 1];
  if (diverging) {
    const m = Math.max(Math.abs(range[0]), Math.abs(range[1])) || 1; // an all-zero gradient still needs a scale
    return [-m, m];
  }
  return range[0] === range[1] ? [range[0] - 0.5, range[1] + 0.5] : range;
}

/** A vertical colour bar, high values at the top, built from stacked rects (no gradient ids). */
function legend(x: number, top: number, height: number, [lo, hi]: [number, number], ticks: number[], diverging: boolean, nonFinite: boolean): string {
  const parts = colorBar(x, top, height, [lo, hi], ticks, diverging);
  if (nonFinite) {
    parts.push(`<rect x="${num(x)}" y="${num(top + height + 14)}" width="14" height="14" fill="${NON_FINITE_FILL}"/>`);
    parts.push(text(x + 21, top + height + 25, "not finite", { "font-size": 11, fill: MUTED }));
  }
  return `<g class="color-legend">\n${parts.join("\n")}\n</g>`;
}

function validate(options: HeatmapOptions): void {
  const { values, rowLabels, columnLabels, domain } = options;
  if (rowLabels.length !== values.length) {
    throw new RangeError(`heatmap: rowLabels has length ${rowLabels.length} but values has ${values.length} rows: expected one label per row`);
  }
  values.forEach((row, r) => {
    if (row.length !== columnLabels.length) {
      throw new RangeError(`heatmap: values[${r}] has length ${row.length}: expected ${columnLabels.length}, one per column label`);
    }
  });
  if (domain !== undefined && !(Number.isFinite(domain[0]) && Number.isFinite(domain[1]) && domain[0] < domain[1])) {
    throw new RangeError(`heatmap: domain = [${domain.join(", ")}] is invalid: expected finite [min, max] with min < max`);
  }
  if (options.cellSize !== undefined && !(options.cellSize >= 4 && options.cellSize <= 200)) {
    throw new RangeError(`heatmap: cellSize = ${options.cellSize} is out of range: expected pixels in [4, 200]`);
  }
}
