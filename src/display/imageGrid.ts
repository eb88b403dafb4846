/**
 * Small images as a static SVG string: handwritten digits, or a classifier's weights shown as
 * the picture each class responds to (the CS231n "templates"), with a caption under each
 * image and a colour legend.
 */
import { TICK_DIGITS } from "./axis";
import { colorBar } from "./colorBar";
import { rampColor } from "./color";
import { escapeMarkup, formatNumber } from "./format";
import { extent, niceTicks } from "./scale";
import {
  AXIS, CHART_WIDTH, INK, MUTED, checkSize, num, svgDocument, text, textWidth, wrapText,
} from "./svg";

export interface ImageGridOptions {
  /** One flat, row-major array of pixels per image, all the same length. */
  images: number[][];
  /** Pixels per image row: 8 for the 8 × 8 digits. */
  imageWidth: number;
  title: string;
  /** A caption under each image; "\n" starts a new line. */
  labels?: string[];
  /** Images per grid row, at most: fewer when a row would not fit CHART_WIDTH (560 px). Default 10. */
  columns?: number;
  /** Colour range. Default: the data (±max|v| if diverging). */
  domain?: [number, number];
  /** Blue-white-red around 0, for values of both signs such as weights. */
  diverging?: boolean;
  /** Side of one pixel in screen pixels. Default 6. */
  pixelSize?: number;
  /** What the colours mean, written above the legend: "ink (0 = blank, 16 = full)". */
  legendLabel?: string;
  /** Text under the grid saying how to read one image; "\n" starts a new line, long lines wrap. */
  xLabel?: string;
}

const GAP = 14;

/**
 * Draws each image as a grid of coloured squares, row 0 at the top, with its caption below.
 *
 * images (K, H·W), imageWidth W -> SVG with K `<g class="image">` groups of H·W
 * `<rect class="pixel">` each, and a vertical colour legend on the right.
 *
 * @example imageGrid({ images: [[0, 16, 16, 0]], imageWidth: 2, labels: ["a 2 × 2 image"], title: "Pixels" })
 * Used in notebooks/10-training-on-digits.ipynb.
 */
export function imageGrid(options: ImageGridOptions): string {
  const { images, imageWidth, title, labels = [], diverging = false, legendLabel, xLabel } = options;
  validate(options);
  const pixel = options.pixelSize ?? 6;
  const imageHeight = images[0].length / imageWidth;
  const [lo, hi] = colourDomain(images, diverging, options.domain);

  const captionLines = labels.map((l) => l.split("\n"));
  const lineCount = Math.max(0, ...captionLines.map((l) => l.length));
  const widestCaption = Math.max(0, ...captionLines.flat().map((l) => textWidth(l, 11)));
  const tileWidth = Math.max(imageWidth * pixel, widestCaption) + GAP;
  const tileHeight = imageHeight * pixel + lineCount * 14 + GAP;
  const left = 16;
  const top = 44;
  const ticks = niceTicks(lo, hi, 4);
  const legendWidth = 24 + Math.max(
    ...ticks.map((t) => textWidth(formatNumber(t, TICK_DIGITS), 11)), textWidth(legendLabel ?? "", 11) - 10);
  // As many images per row as asked for, as long as the row fits CHART_WIDTH.
  const fit = Math.floor((CHART_WIDTH - left - 16 - legendWidth - 16) / tileWidth);
  const columns = Math.max(1, Math.min(options.columns ?? 10, images.length, fit));
  const rows = Math.ceil(images.length / columns);
  const gridRight = left + columns * tileWidth;
  const legendHeight = Math.max(90, Math.min(rows * tileHeight - GAP, 200));
  const noteLines = xLabel ? xLabel.split("\n").flatMap((line) => wrapText(line, CHART_WIDTH - 32, 11)) : [];
  const widestNote = Math.max(0, ...noteLines.map((line) => textWidth(line, 11)));
  const titleWidth = Math.min(CHART_WIDTH, textWidth(title, 15) * 1.05 + 32);
  const width = Math.ceil(Math.max(gridRight + 16 + legendWidth + 16, titleWidth, widestNote + 32));
  const gridBottom = top + 18 + Math.max(rows * tileHeight, legendHeight + 24);
  const height = Math.ceil(gridBottom + 4 + 16 * noteLines.length);
  checkSize("imageGrid", "width", width);
  checkSize("imageGrid", "height", height);

  const tiles = images.map((image, k) => {
    const x0 = left + (k % columns) * tileWidth + (tileWidth - GAP - imageWidth * pixel) / 2;
    const y0 = top + 18 + Math.floor(k / columns) * tileHeight;
    const squares = image.map((v, i) => {
      const fill = rampColor((v - lo) / (hi - lo), diverging);
      const x = x0 + (i % imageWidth) * pixel;
      const y = y0 + Math.floor(i / imageWidth) * pixel;
      // A hair of overlap, so no background shows between neighbouring squares.
      return `<rect class="pixel" x="${num(x)}" y="${num(y)}" width="${num(pixel + 0.3)}" height="${num(pixel + 0.3)}" fill="${fill}"/>`;
    });
    const frame = `<rect x="${num(x0)}" y="${num(y0)}" width="${num(imageWidth * pixel)}" height="${num(imageHeight * pixel)}" fill="none" stroke="${AXIS}"/>`;
    const centre = x0 + (imageWidth * pixel) / 2;
    const caption = (captionLines[k] ?? []).map((line, j) =>
      text(centre, y0 + imageHeight * pixel + 13 + 14 * j, line, { "text-anchor": "middle", "font-size": 11, fill: j === 0 ? INK : MUTED }),
    );
    const tooltip = labels[k] === undefined ? "" : `<title>${escapeMarkup(labels[k].replace(/\n/g, " "))}</title>`;
    return `<g class="image">${tooltip}\n${[...squares, frame, ...caption].join("\n")}\n</g>`;
  });

  const body = [
    `<g class="images">\n${tiles.join("\n")}\n</g>`,
    legend(gridRight + 16, top + 18, legendHeight, [lo, hi], ticks, diverging, legendLabel),
    ...noteLines.map((line, i) => text(left, gridBottom + 14 + 16 * i, line, { fill: MUTED, "font-size": 11 })),
  ];
  const description = `${images.length} images of ${imageWidth} × ${imageHeight} pixels, colour range ${formatNumber(lo, TICK_DIGITS)} to ${formatNumber(hi, TICK_DIGITS)}`;
  return svgDocument({ width, height, title, description }, body.filter((p) => p !== "").join("\n"));
}

function colourDomain(images: number[][], diverging: boolean, fixed?: [number, number]): [number, number] {
  if (fixed) return fixed;
  const [min, max] = extent(images.flat()) ?? [0, 1];
  if (diverging) {
    const m = Math.max(Math.abs(min), Math.abs(max)) || 1; // all-zero weights still need a scale
    return [-m, m];
  }
  return min === max ? [min - 0.5, max + 0.5] : [min, max];
}

/** A vertical colour bar, high values at the top, with its label above it. */
function legend(x: number, top: number, height: number, [lo, hi]: [number, number], ticks: number[], diverging: boolean, label?: string): string {
  const parts = [...(label ? [text(x, top - 6, label, { "font-size": 11, fill: MUTED })] : []), ...colorBar(x, top, height, [lo, hi], ticks, diverging)];
  return `<g class="color-legend">\n${parts.join("\n")}\n</g>`;
}

function validate(options: ImageGridOptions): void {
  const { images, imageWidth, labels, domain, columns, pixelSize } = options;
  if (!Array.isArray(images) || images.length === 0) throw new RangeError("imageGrid: images is empty: expected at least one image");
  if (!Number.isInteger(imageWidth) || imageWidth < 1) {
    throw new RangeError(`imageGrid: imageWidth = ${imageWidth} is out of range: expected a whole number of pixels >= 1`);
  }
  const size = images[0].length;
  if (size === 0 || size % imageWidth !== 0) {
    throw new RangeError(`imageGrid: images[0] has ${size} pixels: expected a non-zero multiple of imageWidth = ${imageWidth}`);
  }
  images.forEach((image, k) => {
    if (image.length !== size) throw new RangeError(`imageGrid: images[${k}] has ${image.length} pixels: expected ${size}, like images[0]`);
    image.forEach((v, i) => {
      if (!Number.isFinite(v)) throw new RangeError(`imageGrid: images[${k}][${i}] = ${v} is not finite: expected a pixel value`);
    });
  });
  if (labels !== undefined && labels.length !== images.length) {
    throw new RangeError(`imageGrid: labels has length ${labels.length} but there are ${images.length} images: expected one label per image`);
  }
  if (domain !== undefined && !(Number.isFinite(domain[0]) && Number.isFinite(domain[1]) && domain[0] < domain[1])) {
    throw new RangeError(`imageGrid: domain = [${domain.join(", ")}] is invalid: expected finite [min, max] with min < max`);
  }
  if (columns !== undefined && !(Number.isInteger(columns) && columns >= 1)) {
    throw new RangeError(`imageGrid: columns = ${columns} is out of range: expected a whole number >= 1`);
  }
  if (pixelSize !== undefined && !(pixelSize >= 1 && pixelSize <= 100)) {
    throw new RangeError(`imageGrid: pixelSize = ${pixelSize} is out of range: expected screen pixels in [1, 100]`);
  }
}
