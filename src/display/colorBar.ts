/**
 * The vertical colour bar beside a heatmap or an image grid: the ramp from high (top) to low,
 * framed, with a tick and a number at each tick value. Charts add their own extras (a label
 * above, a "not finite" swatch below) around it.
 *
 * @example colorBar(400, 60, 200, [0, 16], [0, 8, 16], false) // the SVG parts, in order
 */
import { TICK_DIGITS } from "./axis";
import { rampColor } from "./color";
import { formatNumber } from "./format";
import { AXIS, MUTED, num, text } from "./svg";

const STEPS = 48;

export function colorBar(x: number, top: number, height: number, [lo, hi]: [number, number], ticks: number[], diverging: boolean): string[] {
  const step = height / STEPS;
  const parts: string[] = [];
  for (let i = 0; i < STEPS; i++) {
    const t = 1 - (i + 0.5) / STEPS;
    // Each strip overlaps the next by half a pixel so no hairline gaps show between them.
    parts.push(`<rect x="${num(x)}" y="${num(top + i * step)}" width="14" height="${num(step + 0.5)}" fill="${rampColor(t, diverging)}"/>`);
  }
  parts.push(`<rect x="${num(x)}" y="${num(top)}" width="14" height="${num(height)}" fill="none" stroke="${AXIS}"/>`);
  for (const tick of ticks) {
    const y = top + (1 - (tick - lo) / (hi - lo)) * height;
    parts.push(`<line x1="${num(x + 14)}" y1="${num(y)}" x2="${num(x + 18)}" y2="${num(y)}" stroke="${AXIS}"/>`);
    parts.push(text(x + 21, y + 4, formatNumber(tick, TICK_DIGITS), { "font-size": 11, fill: MUTED }));
  }
  return parts;
}
