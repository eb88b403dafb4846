/**
 * The reliability diagram of Guo et al. (2017) as a static SVG string: predictions binned by
 * confidence, each bin's accuracy as a bar, the gap to its mean confidence shaded, the
 * diagonal of perfect calibration, and each bin's count.
 */
import { xAxis, yAxis, yAxisWidth } from "./axis";
import { escapeMarkup, formatNumber } from "./format";
import { linearScale } from "./scale";
import { CHART_WIDTH, MIN_FONT_SIZE, MUTED, type PlotArea, SERIES_COLORS, checkSize, num, svgDocument, text, textWidth } from "./svg";

/** One bin, as `reliabilityBins` returns it. */
export interface DiagramBin {
  lower: number;
  upper: number;
  count: number;
  meanConfidence: number;
  accuracy: number;
}

export interface ReliabilityDiagramOptions {
  bins: DiagramBin[];
  title: string;
  /** Shown in the legend, e.g. the expected calibration error of these bins. */
  note?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
}

const BAR = SERIES_COLORS[0];
const GAP = SERIES_COLORS[3];

/**
 * Bars of accuracy per confidence bin; the shaded part of a bin runs from its accuracy to its
 * mean confidence (below the diagonal: over-confident, above it: under-confident). Empty bins
 * draw nothing; every other bin prints its count above it.
 *
 * bins (B) -> SVG with one `<rect class="bar">`, one `<rect class="gap">` and one count per
 * non-empty bin.
 *
 * @example reliabilityDiagram({ bins: reliabilityBins(confidence, correct), title: "Reliability" })
 * Used in notebooks/11-calibration-and-temperature.ipynb.
 */
export function reliabilityDiagram(options: ReliabilityDiagramOptions): string {
  const { bins, title, note } = options;
  const xLabel = options.xLabel ?? "confidence: the predicted class's probability";
  const yLabel = options.yLabel ?? "accuracy in the bin";
  const width = options.width ?? CHART_WIDTH;
  const height = options.height ?? 520;
  validate(options, width, height);

  const top = note ? 88 : 70;
  const probe = linearScale([0, 1], [1, 0]);
  const left = yAxisWidth(probe, true);
  const side = Math.min(width - left - 24, height - top - 56);
  const area: PlotArea = { left, top, width: side, height: side };
  const x = linearScale([0, 1], [area.left, area.left + area.width]);
  const y = linearScale([0, 1], [area.top + area.height, area.top]);

  const drawn = bins.filter((b) => b.count > 0);
  const bars = drawn.map((b) => {
    const x0 = x(b.lower);
    const w = x(b.upper) - x0;
    const tooltip = escapeMarkup(
      `confidence (${formatNumber(b.lower, 3)}, ${formatNumber(b.upper, 3)}]: ${b.count} predictions, ` +
        `accuracy ${formatNumber(b.accuracy, 3)}, mean confidence ${formatNumber(b.meanConfidence, 3)}`,
    );
    const bar = `<rect class="bar" x="${num(x0 + 0.5)}" y="${num(y(b.accuracy))}" width="${num(w - 1)}" height="${num(y(0) - y(b.accuracy))}" fill="${BAR}"><title>${tooltip}</title></rect>`;
    const [g0, g1] = [Math.min(b.accuracy, b.meanConfidence), Math.max(b.accuracy, b.meanConfidence)];
    const gap =
      `<rect class="gap" x="${num(x0 + 0.5)}" y="${num(y(g1))}" width="${num(w - 1)}" height="${num(y(g0) - y(g1))}" ` +
      `fill="${GAP}" fill-opacity="0.35" stroke="${GAP}" stroke-width="1.25"><title>${tooltip}</title></rect>`;
    const countY = Math.max(y(Math.max(b.accuracy, b.meanConfidence)) - 5, area.top - 4);
    // A count wider than its bin stands upright above it rather than overlap its neighbours.
    const upright = textWidth(String(b.count), MIN_FONT_SIZE) + 2 > w;
    const count = text(upright ? x0 + w / 2 + 4 : x0 + w / 2, countY, String(b.count), {
      "text-anchor": upright ? "start" : "middle", "font-size": MIN_FONT_SIZE, fill: MUTED, class: "count",
      transform: upright ? `rotate(-90 ${num(x0 + w / 2 + 4)} ${num(countY)})` : undefined,
    });
    return bar + gap + count;
  });
  const diagonal =
    `<line class="diagonal" x1="${num(x(0))}" y1="${num(y(0))}" x2="${num(x(1))}" y2="${num(y(1))}" ` +
    `stroke="${MUTED}" stroke-width="1.5" stroke-dasharray="6 4"/>`;
  const body = [
    yAxis(area, y, yLabel),
    xAxis(area, x, xLabel),
    `<g class="bins">\n${bars.join("\n")}\n</g>`,
    diagonal,
    legend(16, 46, note),
  ];
  const total = bins.reduce((s, b) => s + b.count, 0);
  const description = `${total} predictions in ${bins.length} confidence bins; ${drawn.length} bins are not empty`;
  return svgDocument({ width, height, title, description }, body.join("\n"));
}

function legend(x: number, y: number, note?: string): string {
  const entries: string[] = [];
  let cursor = x;
  const swatch = (fill: string, label: string, extra = "") => {
    entries.push(`<rect x="${num(cursor)}" y="${num(y - 10)}" width="12" height="12" fill="${fill}"${extra}/>` + text(cursor + 17, y, label, { fill: MUTED, "font-size": 11 }));
    cursor += 17 + textWidth(label, 11) + 16;
  };
  swatch(BAR, "accuracy (count above)");
  // Half the swatch over a bar: the gap drawn over a bar (accuracy above confidence) mixes
  // the two colours, and the legend must show that mixed colour too.
  const half = `<rect x="${num(cursor + 6)}" y="${num(y - 10)}" width="6" height="12"`;
  entries.push(`${half} fill="${BAR}"/>`);
  const gapLabel = "gap (purple on a bar)";
  swatch(GAP, gapLabel, ` fill-opacity="0.35" stroke="${GAP}"`);
  entries.push(`<line x1="${num(cursor)}" y1="${num(y - 4)}" x2="${num(cursor + 20)}" y2="${num(y - 4)}" stroke="${MUTED}" stroke-width="1.5" stroke-dasharray="6 4"/>` + text(cursor + 25, y, "perfect calibration", { fill: MUTED, "font-size": 11 }));
  if (note) entries.push(text(x, y + 17, note, { "font-size": 12, "font-weight": 600 }));
  return `<g class="legend">\n${entries.join("\n")}\n</g>`;
}

function validate(options: ReliabilityDiagramOptions, width: number, height: number): void {
  const { bins } = options;
  if (!Array.isArray(bins) || bins.length === 0) throw new RangeError("reliabilityDiagram: bins is empty: expected the bins of reliabilityBins(...)");
  bins.forEach((b, i) => {
    if (!(b.lower >= 0 && b.upper <= 1 && b.lower < b.upper)) {
      throw new RangeError(`reliabilityDiagram: bins[${i}] = (${b.lower}, ${b.upper}] is invalid: expected 0 <= lower < upper <= 1`);
    }
    if (!Number.isInteger(b.count) || b.count < 0) throw new RangeError(`reliabilityDiagram: bins[${i}].count = ${b.count}: expected a whole number >= 0`);
    if (b.count > 0 && !(b.accuracy >= 0 && b.accuracy <= 1 && b.meanConfidence >= 0 && b.meanConfidence <= 1)) {
      throw new RangeError(
        `reliabilityDiagram: bins[${i}] has accuracy ${b.accuracy} and meanConfidence ${b.meanConfidence}: expected both in [0, 1]`,
      );
    }
  });
  checkSize("reliabilityDiagram", "width", width);
  checkSize("reliabilityDiagram", "height", height);
}
