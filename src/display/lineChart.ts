/**
 * A line chart as a static SVG string: -log(p) against p, a training loss curve (train
 * against held-out), a timing curve.
 */
import { xAxis, yAxis, yAxisWidth } from "./axis";
import { escapeMarkup } from "./format";
import { type Scale, extent, linearScale, logDomain, logScale, niceDomain } from "./scale";
import {
  CHART_WIDTH, INK, MUTED, type PlotArea, SERIES_COLORS, SERIES_DASHES, checkSize, contentId, num, svgDocument, text, textWidth,
} from "./svg";

export interface LineSeries {
  name: string;
  x: number[];
  y: number[];
}

export interface LineChartOptions {
  series: LineSeries[];
  title: string;
  xLabel: string;
  yLabel: string;
  /** Base-10 log y axis; points with y <= 0 cannot be placed and become gaps. */
  logY?: boolean;
  /** Base-10 log x axis (e.g. batch sizes in a timing curve); points with x <= 0 become gaps. */
  logX?: boolean;
  /** Fixed y range; lines leaving it are clipped at the plot's edge. */
  yDomain?: [number, number];
  /** Fixed x range; lines leaving it are clipped at the plot's edge. */
  xDomain?: [number, number];
  /** Labelled points, e.g. { x: 0.1, y: 2.303, label: "p = 1/C: log C" }; non-finite ones are skipped. */
  marks?: Array<{ x: number; y: number; label: string }>;
  /** Natural width in px, at most CHART_WIDTH (560, the default). */
  width?: number;
  height?: number;
}

/** Series with at most this many points get a dot on every point (e.g. one per epoch). */
const MAX_DOTTED_POINTS = 25;

/**
 * Draws each series as one polyline; a legend above the plot when there is more than one.
 *
 * series (S, each with x and y of length n_s) -> SVG with one `<path class="series">` per
 * series that has at least one drawable point. A point whose x or y is NaN or ±Infinity
 * (or <= 0 on a log axis) is a gap: the line stops and starts again after it, so no
 * "NaN" ever reaches the path data.
 *
 * @example lineChart({ series: [{ name: "-log p", x: ps, y: ps.map((p) => -Math.log(p)) }], title: "Loss of the target", xLabel: "p(target)", yLabel: "loss (nats)" })
 * Used in notebooks/03-negative-log-likelihood.ipynb and 09-training-a-classifier.ipynb.
 */
export function lineChart(options: LineChartOptions): string {
  const { series, title, xLabel, yLabel, logX = false, logY = false, marks = [] } = options;
  const width = options.width ?? CHART_WIDTH;
  const height = options.height ?? 400;
  validate(options, width, height);

  const drawable = (x: number, y: number) => Number.isFinite(x) && Number.isFinite(y) && (!logX || x > 0) && (!logY || y > 0);
  const points = [...series.flatMap((s) => s.x.map((x, i) => [x, s.y[i]])), ...marks.map((m) => [m.x, m.y])].filter(([x, y]) =>
    drawable(x, y),
  );
  const xs = extent(points.map(([x]) => x));
  const ys = extent(points.map(([, y]) => y));
  const xDomain = options.xDomain ?? (xs ? autoDomain(xs, logX) : logX ? [1, 10] : [0, 1]);
  const yDomain = options.yDomain ?? (ys ? autoDomain(ys, logY) : logY ? [1, 10] : [0, 1]);
  const makeY = (range: [number, number]): Scale => (logY ? logScale(yDomain, range) : linearScale(yDomain, range));

  const legendRows = series.length > 1 ? legendLayout(series, width - 32) : [];
  const top = 48 + legendRows.length * 18;
  const left = yAxisWidth(makeY([1, 0]), true);
  const area: PlotArea = { left, top, width: width - left - 24, height: height - top - 52 };
  const xRange: [number, number] = [area.left, area.left + area.width];
  const x = logX ? logScale(xDomain, xRange) : linearScale(xDomain, xRange);
  const y = makeY([area.top + area.height, area.top]);

  const lines = series.map((s, k) => seriesSvg(s, k, x, y)).filter((line) => line !== "");
  let data = `<g class="lines">\n${lines.join("\n")}\n</g>`;
  if (options.xDomain || options.yDomain) {
    // Only a user-fixed domain can cut a line; the id is derived from the content so the
    // output stays deterministic and two charts on one page do not share a clip by accident.
    const id = contentId("ce-clip", title + data);
    const clip = `<clipPath id="${id}"><rect x="${num(area.left)}" y="${num(area.top)}" width="${num(area.width)}" height="${num(area.height)}"/></clipPath>`;
    data = `${clip}\n<g clip-path="url(#${id})">\n${data}\n</g>`;
  }
  const markSvg = marks.filter((m) => drawable(m.x, m.y)).map((m) => markSvgText(m, x(m.x), y(m.y), area));
  const body = [
    yAxis(area, y, yLabel),
    xAxis(area, x, xLabel),
    data,
    markSvg.length ? `<g class="marks">\n${markSvg.join("\n")}\n</g>` : "",
    legendRows.length ? legendSvg(legendRows, 16, 46) : "",
  ];
  return svgDocument({ width, height, title, description: `${yLabel} against ${xLabel}` }, body.filter((p) => p !== "").join("\n"));
}

function autoDomain([min, max]: [number, number], log: boolean): [number, number] {
  return log ? logDomain(min, max) : niceDomain(min, max);
}

/** One series' path (with gaps) and, for short series or lone points, its dots. */
function seriesSvg(s: LineSeries, k: number, x: Scale, y: Scale): string {
  const colour = SERIES_COLORS[k % SERIES_COLORS.length];
  const dash = SERIES_DASHES[k % SERIES_DASHES.length];
  const runs: Array<Array<[number, number]>> = [[]];
  s.x.forEach((xi, i) => {
    const yi = s.y[i];
    if (x.accepts(xi) && y.accepts(yi)) runs[runs.length - 1].push([x(xi), y(yi)]);
    else if (runs[runs.length - 1].length > 0) runs.push([]);
  });
  const filled = runs.filter((run) => run.length > 0);
  if (filled.length === 0) return "";
  const d = filled.map((run) => run.map(([px, py], i) => `${i === 0 ? "M" : "L"}${num(px)} ${num(py)}`).join(" ")).join(" ");
  const dashAttr = dash ? ` stroke-dasharray="${dash}"` : "";
  const path =
    `<path class="series" d="${d}" fill="none" stroke="${colour}" stroke-width="2.25" stroke-linejoin="round" ` +
    `stroke-linecap="round"${dashAttr}><title>${escapeMarkup(s.name)}</title></path>`;
  const total = filled.reduce((sum, run) => sum + run.length, 0);
  // A lone point between two gaps has no line to show it, so it always gets a dot.
  const dotted = filled.flatMap((run) => (total <= MAX_DOTTED_POINTS || run.length === 1 ? run : []));
  const dots = dotted.map(([px, py]) => `<circle cx="${num(px)}" cy="${num(py)}" r="3" fill="${colour}"/>`);
  return [path, ...dots].join("\n");
}

function markSvgText(mark: { label: string }, px: number, py: number, area: PlotArea): string {
  const width = textWidth(mark.label, 11);
  // Right of the point if it fits, else left of it, but never past the y axis.
  const start = px + 8 + width <= area.left + area.width ? px + 8 : Math.max(area.left + 4, px - 8 - width);
  const nearTop = py - 8 < area.top + 10;
  const attrs = { "text-anchor": "start", "font-size": 11, fill: INK };
  return (
    `<g class="mark"><circle cx="${num(px)}" cy="${num(py)}" r="4.5" fill="${INK}" stroke="#ffffff" stroke-width="1.5"/>` +
    text(start, nearTop ? py + 16 : py - 8, mark.label, attrs) +
    "</g>"
  );
}

/** Legend entries laid out left to right, wrapping to a new row when the width runs out. */
function legendLayout(series: LineSeries[], maxWidth: number): Array<Array<{ k: number; name: string; x: number }>> {
  const rows: Array<Array<{ k: number; name: string; x: number }>> = [[]];
  let cursor = 0;
  series.forEach((s, k) => {
    const entryWidth = 34 + textWidth(s.name, 12) + 18;
    if (cursor > 0 && cursor + entryWidth > maxWidth) {
      rows.push([]);
      cursor = 0;
    }
    rows[rows.length - 1].push({ k, name: s.name, x: cursor });
    cursor += entryWidth;
  });
  return rows;
}

function legendSvg(rows: ReturnType<typeof legendLayout>, left: number, top: number): string {
  const entries = rows.flatMap((row, r) =>
    row.map(({ k, name, x }) => {
      const cx = left + x;
      const cy = top + r * 18;
      const dash = SERIES_DASHES[k % SERIES_DASHES.length];
      return (
        `<line x1="${num(cx)}" y1="${num(cy - 4)}" x2="${num(cx + 28)}" y2="${num(cy - 4)}" ` +
        `stroke="${SERIES_COLORS[k % SERIES_COLORS.length]}" stroke-width="2.25"${dash ? ` stroke-dasharray="${dash}"` : ""}/>` +
        text(cx + 34, cy, name, { fill: MUTED })
      );
    }),
  );
  return `<g class="legend">\n${entries.join("\n")}\n</g>`;
}

function validate(options: LineChartOptions, width: number, height: number): void {
  options.series.forEach((s, k) => {
    if (s.x.length !== s.y.length) {
      throw new RangeError(`lineChart: series[${k}] ("${s.name}") has ${s.x.length} x values but ${s.y.length} y values: expected equal lengths`);
    }
  });
  for (const name of ["xDomain", "yDomain"] as const) {
    const domain = options[name];
    if (domain !== undefined && !(Number.isFinite(domain[0]) && Number.isFinite(domain[1]) && domain[0] < domain[1])) {
      throw new RangeError(`lineChart: ${name} = [${domain.join(", ")}] is invalid: expected finite [min, max] with min < max`);
    }
  }
  for (const [axis, log, domain] of [["x", options.logX, options.xDomain], ["y", options.logY, options.yDomain]] as const) {
    if (log && domain && domain[0] <= 0) {
      throw new RangeError(`lineChart: ${axis}Domain[0] = ${domain[0]} with log${axis.toUpperCase()}: expected a positive lower bound`);
    }
  }
  checkSize("lineChart", "width", width);
  checkSize("lineChart", "height", height);
}
