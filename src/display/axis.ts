/**
 * Axes for the SVG charts: light gridlines at every tick, tick labels printed by
 * `formatNumber`, and axis titles. Gridlines sit behind the data, so charts draw axes first.
 */
import { formatNumber } from "./format";
import type { Scale } from "./scale";
import { AXIS, GRID, MUTED, type PlotArea, num, text, textWidth } from "./svg";

/** Tick labels keep 4 significant digits: nice ticks never need more, and short labels fit. */
export const TICK_DIGITS = 4;

/** Pixels the y axis needs left of the plot area: its widest tick label, a gap, its title. */
export function yAxisWidth(scale: Scale, hasTitle: boolean): number {
  const widest = Math.max(0, ...scale.ticks.map((t) => textWidth(formatNumber(t, TICK_DIGITS), 11)));
  return Math.ceil(widest) + 10 + (hasTitle ? 24 : 0) + 8;
}

/**
 * A numeric y axis: a horizontal gridline and a label per tick, and the title rotated
 * along the left edge.
 *
 * @example yAxis({ left: 60, top: 40, width: 500, height: 300 }, linearScale([0, 1], [340, 40]), "probability")
 */
export function yAxis(area: PlotArea, scale: Scale, title?: string): string {
  const right = area.left + area.width;
  const parts = scale.ticks.map((tick) => {
    const y = scale(tick);
    return (
      `<line x1="${num(area.left)}" y1="${num(y)}" x2="${num(right)}" y2="${num(y)}" stroke="${GRID}"/>` +
      text(area.left - 8, y + 4, formatNumber(tick, TICK_DIGITS), { "text-anchor": "end", "font-size": 11, fill: MUTED })
    );
  });
  parts.push(`<line x1="${num(area.left)}" y1="${num(area.top)}" x2="${num(area.left)}" y2="${num(area.top + area.height)}" stroke="${AXIS}"/>`);
  if (title) {
    const x = 18;
    const y = area.top + area.height / 2;
    parts.push(text(x, y, title, { "text-anchor": "middle", transform: `rotate(-90 ${num(x)} ${num(y)})`, fill: MUTED }));
  }
  return `<g class="y-axis">\n${parts.join("\n")}\n</g>`;
}

/**
 * A numeric x axis: a vertical gridline and a label per tick, and the title centred below.
 *
 * @example xAxis({ left: 60, top: 40, width: 500, height: 300 }, linearScale([0, 1], [60, 560]), "p")
 */
export function xAxis(area: PlotArea, scale: Scale, title?: string): string {
  const bottom = area.top + area.height;
  const parts = scale.ticks.map((tick) => {
    const x = scale(tick);
    return (
      `<line x1="${num(x)}" y1="${num(area.top)}" x2="${num(x)}" y2="${num(bottom)}" stroke="${GRID}"/>` +
      text(x, bottom + 16, formatNumber(tick, TICK_DIGITS), { "text-anchor": "middle", "font-size": 11, fill: MUTED })
    );
  });
  parts.push(`<line x1="${num(area.left)}" y1="${num(bottom)}" x2="${num(area.left + area.width)}" y2="${num(bottom)}" stroke="${AXIS}"/>`);
  if (title) parts.push(xTitle(area, title, 38));
  return `<g class="x-axis">\n${parts.join("\n")}\n</g>`;
}

/** The x axis title, centred `offset` pixels below the plot area. */
export function xTitle(area: PlotArea, title: string, offset: number): string {
  return text(area.left + area.width / 2, area.top + area.height + offset, title, { "text-anchor": "middle", fill: MUTED });
}
