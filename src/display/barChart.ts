/**
 * A bar chart as a static SVG string: one bar per class, e.g. one row's logits or
 * probabilities, with the target class coloured.
 */
import { TICK_DIGITS, xTitle, yAxis, yAxisWidth } from "./axis";
import { escapeMarkup, formatNumber } from "./format";
import { extent, linearScale, niceDomain } from "./scale";
import { CHART_WIDTH, INK, MUTED, NON_FINITE, type PlotArea, checkSize, num, svgDocument, text, textWidth } from "./svg";

export interface BarChartOptions {
  labels: string[];
  values: number[];
  title: string;
  xLabel?: string;
  yLabel?: string;
  /** Index of one bar to colour, e.g. the target class. */
  highlight?: number;
  /** What the coloured bar means, shown as a legend ("target class"). */
  highlightLabel?: string;
  /** Print each value on its bar. Default: true up to 24 bars. */
  valueLabels?: boolean;
  /** Fixed y range, e.g. [0, 1] for probabilities. Default: the data and 0, widened to nice ticks. */
  yDomain?: [number, number];
  /** Significant digits of the value labels. Default 3. */
  digits?: number;
  /** Natural width in px, at most CHART_WIDTH (560, the default). */
  width?: number;
  height?: number;
}

const BAR = "#4e79a7";
const BAR_DIMMED = "#a9bcd0";
const BAR_HIGHLIGHT = "#f28e2b";
const TOP = 56;
const RIGHT = 16;

/**
 * Draws values as bars from a zero baseline, so negative logits hang below it.
 *
 * (labels (C), values (C)) -> SVG with C `<rect class="bar">` elements; a bar's height is
 * |v| * plotHeight / (yMax - yMin). Non-finite values get no bar but a red "∞", "−∞" or
 * "NaN" at the baseline; they are left out when choosing the y range. Values outside a
 * given `yDomain` are cut at its edge (their value label still says the true value).
 *
 * @example barChart({ labels: ["cat", "dog", "bird"], values: [0.66, 0.24, 0.1], title: "softmax(logits)", highlight: 0, highlightLabel: "target class", yDomain: [0, 1] })
 * Used in notebooks/02-softmax.ipynb.
 */
export function barChart(options: BarChartOptions): string {
  const { labels, values, title, xLabel, yLabel, highlight, highlightLabel, yDomain } = options;
  const width = options.width ?? CHART_WIDTH;
  const height = options.height ?? 360;
  const digits = options.digits ?? 3;
  validate(options, width, height);
  const showValues = options.valueLabels ?? values.length <= 24;

  const finite = values.filter(Number.isFinite);
  const [min, max] = extent(finite) ?? [0, 0];
  const [lo, hi] = yDomain ?? niceDomain(Math.min(0, min), Math.max(0, max));
  const probe = linearScale([lo, hi], [1, 0]);
  const left = yAxisWidth(probe, yLabel !== undefined);

  // Long class names are turned 40 degrees rather than overlapping their neighbours.
  const band = (width - left - RIGHT) / Math.max(values.length, 1);
  const widest = Math.max(0, ...labels.map((label) => textWidth(label, 11)));
  const rotate = widest > band * 0.95;
  const labelDepth = rotate ? Math.min(widest, 140) * 0.64 + 14 : 18;
  const bottom = labelDepth + (xLabel ? 30 : 10);
  const area: PlotArea = { left, top: TOP, width: width - left - RIGHT, height: height - TOP - bottom };
  const y = linearScale([lo, hi], [area.top + area.height, area.top]);
  const baseline = y(Math.min(Math.max(0, lo), hi));

  const bars = values.map((value, i) => {
    const center = area.left + band * (i + 0.5);
    const label = text(center, area.top + area.height + 15, labels[i], rotateLabel(rotate, center, area.top + area.height + 15));
    if (!Number.isFinite(value)) {
      const mark = Number.isNaN(value) ? "NaN" : value > 0 ? "∞" : "−∞";
      const markY = value < 0 ? baseline + 14 : baseline - 5;
      return label + text(center, markY, mark, { "text-anchor": "middle", "font-weight": 700, fill: NON_FINITE, class: "bar-nonfinite" });
    }
    const top = y(Math.min(Math.max(value, lo), hi));
    const barWidth = band * 0.7;
    const colour = highlight === undefined ? BAR : i === highlight ? BAR_HIGHLIGHT : BAR_DIMMED;
    const rect =
      `<rect class="bar${i === highlight ? " bar-highlight" : ""}" x="${num(center - barWidth / 2)}" y="${num(Math.min(top, baseline))}" ` +
      `width="${num(barWidth)}" height="${num(Math.abs(baseline - top))}" fill="${colour}">` +
      `<title>${escapeMarkup(`${labels[i]}: ${formatNumber(value)}`)}</title></rect>`;
    const valueText = showValues
      ? text(center, value < 0 ? top + 14 : top - 5, formatNumber(value, digits), { "text-anchor": "middle", "font-size": 11, fill: INK })
      : "";
    return rect + valueText + label;
  });

  const body = [
    yAxis(area, y, yLabel),
    `<g class="bars">\n${bars.join("\n")}\n</g>`,
    `<line class="baseline" x1="${num(area.left)}" y1="${num(baseline)}" x2="${num(area.left + area.width)}" y2="${num(baseline)}" stroke="${MUTED}"/>`,
    xLabel ? xTitle(area, xLabel, labelDepth + 22) : "",
    highlight !== undefined && highlightLabel ? legend(width - RIGHT, 26, highlightLabel) : "",
  ];
  const description = values.map((v, i) => `${labels[i]}: ${formatNumber(v, TICK_DIGITS)}`).join("; ");
  return svgDocument({ width, height, title, description }, body.filter((part) => part !== "").join("\n"));
}

function rotateLabel(rotate: boolean, x: number, y: number): Record<string, string | number> {
  if (!rotate) return { "text-anchor": "middle", "font-size": 11, fill: MUTED };
  return { "text-anchor": "end", "font-size": 11, fill: MUTED, transform: `rotate(-40 ${num(x)} ${num(y - 4)})` };
}

/** A swatch and its label, right-aligned at (right, y). */
function legend(right: number, y: number, label: string): string {
  const x = right - textWidth(label, 12) - 4;
  return (
    `<g class="legend"><rect x="${num(x - 18)}" y="${num(y - 10)}" width="12" height="12" fill="${BAR_HIGHLIGHT}"/>` +
    text(x, y, label, { fill: MUTED }) +
    "</g>"
  );
}

function validate(options: BarChartOptions, width: number, height: number): void {
  const { labels, values, highlight, yDomain } = options;
  if (labels.length !== values.length) {
    throw new RangeError(`barChart: labels has length ${labels.length} but values has length ${values.length}: expected one label per value`);
  }
  if (highlight !== undefined && (!Number.isInteger(highlight) || highlight < 0 || highlight >= values.length)) {
    throw new RangeError(`barChart: highlight = ${highlight} is out of range: expected a bar index in [0, ${values.length})`);
  }
  if (yDomain !== undefined && !(Number.isFinite(yDomain[0]) && Number.isFinite(yDomain[1]) && yDomain[0] < yDomain[1])) {
    throw new RangeError(`barChart: yDomain = [${yDomain.join(", ")}] is invalid: expected finite [min, max] with min < max`);
  }
  checkSize("barChart", "width", width);
  checkSize("barChart", "height", height);
}
