/**
 * A map of class labels as a static SVG string: each cell of a grid (a pixel of a segmentation
 * mask) coloured by its class, with a categorical legend of one swatch per class. Classes are
 * names, not amounts, so they get distinct colours and no colour bar.
 */
import { textColorOn } from "./color";
import { escapeMarkup } from "./format";
import { CHART_WIDTH, MUTED, checkSize, num, svgDocument, text, textWidth } from "./svg";

export interface CategoryMapOptions {
  /** Class indices, one per cell: integers in [0, categories.length). */
  classes: number[][];
  /** The name of each class, in index order: ["background", "square", "stripe"]. */
  categories: string[];
  rowLabels: string[];
  columnLabels: string[];
  title: string;
  /**
   * Side of a square cell in pixels, at most: cells shrink so the chart fits CHART_WIDTH
   * (560 px) and the grid about 400 px of height. Default 64.
   */
  cellSize?: number;
}

/**
 * Okabe & Ito's palette, chosen to stay distinct for colour-blind readers, without its black
 * (the text colour): seven colours, so an eighth class is refused rather than given a repeat.
 */
export const CATEGORY_COLORS = ["#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7"];

/**
 * Colours each cell by its class and names the classes in a legend of swatches.
 *
 * classes (R, C) of indices -> SVG with R * C `<rect class="cell">` elements and a
 * `<g class="category-legend">` holding one swatch and name per category.
 *
 * @example categoryMap({ classes: [[0, 1], [1, 2]], categories: ["sky", "tree", "road"], rowLabels: ["row 0", "row 1"], columnLabels: ["col 0", "col 1"], title: "Target class" })
 * Used in notebooks/05-reductions-and-class-weights.ipynb.
 */
export function categoryMap(options: CategoryMapOptions): string {
  const { classes, categories, rowLabels, columnLabels, title } = options;
  validate(options);
  const rows = classes.length;
  const cols = columnLabels.length;
  const left = 16 + Math.max(0, ...rowLabels.map((l) => textWidth(l, 11))) + 8;
  const legendWidth = 24 + Math.max(...categories.map((name, k) => textWidth(`${k}: ${name}`, 12)));
  // The largest cell (up to cellSize) that fits CHART_WIDTH and 400 px of height, at least 13 px.
  const fitted = Math.min(
    Math.floor((CHART_WIDTH - left - 24 - legendWidth - 16) / Math.max(cols, 1)),
    Math.floor(400 / Math.max(rows, 1)),
  );
  const cell = Math.max(13, Math.min(options.cellSize ?? 64, fitted));
  const top = 64;
  const gridRight = left + cols * cell;
  const titleWidth = Math.min(CHART_WIDTH, textWidth(title, 15) * 1.05 + 32);
  const width = Math.ceil(Math.max(gridRight + 24 + legendWidth + 16, titleWidth));
  const height = Math.ceil(top + Math.max(rows * cell, categories.length * 22) + 16);
  checkSize("categoryMap", "width", width);
  checkSize("categoryMap", "height", height);

  const cells = classes.flatMap((row, r) =>
    row.map((k, c) => {
      const x = left + c * cell;
      const y = top + r * cell;
      const fill = CATEGORY_COLORS[k];
      const tooltip = `${rowLabels[r]}, ${columnLabels[c]}: class ${k} (${categories[k]})`;
      // The class index in the cell too: a reader who cannot tell two colours apart can still read it.
      const label = cell >= 24 ? text(x + cell / 2, y + cell / 2 + 4, String(k), { "text-anchor": "middle", "font-size": 11, fill: textColorOn(fill) }) : "";
      return (
        `<rect class="cell" x="${num(x)}" y="${num(y)}" width="${num(cell)}" height="${num(cell)}" fill="${fill}" ` +
        `stroke="#ffffff" stroke-width="1"><title>${escapeMarkup(tooltip)}</title></rect>` + label
      );
    }),
  );
  const columnText = columnLabels.map((label, c) => text(left + (c + 0.5) * cell, top - 8, label, { "text-anchor": "middle", "font-size": 11, fill: MUTED }));
  const rowText = rowLabels.map((label, r) => text(left - 8, top + (r + 0.5) * cell + 4, label, { "text-anchor": "end", "font-size": 11, fill: MUTED }));
  const legendX = gridRight + 24;
  const swatches = categories.map((name, k) => {
    const y = top + k * 22;
    return (
      `<rect x="${num(legendX)}" y="${num(y)}" width="14" height="14" fill="${CATEGORY_COLORS[k]}" stroke="#8c959f"/>` +
      text(legendX + 21, y + 11, `${k}: ${name}`, { "font-size": 12, fill: MUTED })
    );
  });
  const body = [
    `<g class="cells">\n${cells.join("\n")}\n</g>`,
    `<g class="labels">\n${[...columnText, ...rowText].join("\n")}\n</g>`,
    `<g class="category-legend">\n${swatches.join("\n")}\n</g>`,
  ];
  const description = `${rows} by ${cols} grid of classes: ${categories.map((name, k) => `${k} ${name}`).join(", ")}`;
  return svgDocument({ width, height, title, description }, body.join("\n"));
}

function validate(options: CategoryMapOptions): void {
  const { classes, categories, rowLabels, columnLabels } = options;
  if (categories.length < 1 || categories.length > CATEGORY_COLORS.length) {
    throw new RangeError(`categoryMap: categories has length ${categories.length}: expected 1 to ${CATEGORY_COLORS.length} class names`);
  }
  if (rowLabels.length !== classes.length) {
    throw new RangeError(`categoryMap: rowLabels has length ${rowLabels.length} but classes has ${classes.length} rows: expected one label per row`);
  }
  classes.forEach((row, r) => {
    if (row.length !== columnLabels.length) {
      throw new RangeError(`categoryMap: classes[${r}] has length ${row.length}: expected ${columnLabels.length}, one per column label`);
    }
    row.forEach((k, c) => {
      if (!Number.isInteger(k) || k < 0 || k >= categories.length) {
        throw new RangeError(`categoryMap: classes[${r}][${c}] = ${k} is out of range: expected a class index in [0, ${categories.length})`);
      }
    });
  });
  if (options.cellSize !== undefined && !(options.cellSize >= 4 && options.cellSize <= 200)) {
    throw new RangeError(`categoryMap: cellSize = ${options.cellSize} is out of range: expected pixels in [4, 200]`);
  }
}
