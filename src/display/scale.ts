/**
 * Data-to-pixel scales and "nice" axis ticks (1, 2 or 5 times a power of ten), the way
 * a person would label an axis by hand.
 */

/** A map from data values to pixels along one axis, with the ticks to label it. */
export interface Scale {
  /** Data value -> pixel. Only call with values for which `accepts` is true. */
  (value: number): number;
  /** False for values that cannot be placed: non-finite, or <= 0 on a log scale. */
  accepts(value: number): boolean;
  domain: [number, number];
  ticks: number[];
}

/**
 * Tick values covering [min, max] with steps of 1, 2 or 5 times a power of ten.
 *
 * (min, max, about count) -> increasing ticks inside [min, max]; values are rounded to the
 * step so 0.1 + 0.2 prints as 0.3.
 *
 * @example niceTicks(0, 1, 5) // [0, 0.2, 0.4, 0.6, 0.8, 1]
 * @example niceTicks(-3.2, 7.9, 5) // [-2, 0, 2, 4, 6]
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const step = niceStep((max - min) / count);
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(roundToStep(i * step, step));
  return ticks;
}

/** The domain widened to whole nice steps, so the axis starts and ends on a labelled tick. */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (min === max) {
    // A flat series (e.g. a loss stuck at log C) still needs some height to be drawn in.
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceDomain(min - pad, max + pad, count);
  }
  const step = niceStep((max - min) / count);
  return [roundToStep(Math.floor(min / step + 1e-9) * step, step), roundToStep(Math.ceil(max / step - 1e-9) * step, step)];
}

function niceStep(rough: number): number {
  const power = Math.pow(10, Math.floor(Math.log10(rough)));
  const fraction = rough / power;
  // Round to the nearest of 1, 2, 5, 10 on a log scale (the cut-offs are their geometric
  // means), so the tick count stays close to the one asked for (d3's rule).
  const nice = fraction < Math.SQRT2 ? 1 : fraction < Math.sqrt(10) ? 2 : fraction < Math.sqrt(50) ? 5 : 10;
  return nice * power;
}

/** Removes float noise from a multiple of the step (3 * 0.1 -> 0.3), at any magnitude. */
function roundToStep(value: number, step: number): number {
  const rounded = Number((Math.round(value / step) * step).toPrecision(12));
  return rounded === 0 ? 0 : rounded;
}

/**
 * A linear scale from [d0, d1] onto the pixel range [r0, r1] (r1 < r0 for a y axis,
 * whose pixels grow downwards).
 *
 * @example linearScale([0, 1], [300, 20])(0.5) // 160
 */
export function linearScale(domain: [number, number], range: [number, number], tickCount = 5): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  const scale = ((value: number) => r0 + ((value - d0) / span) * (r1 - r0)) as Scale;
  scale.accepts = (value) => Number.isFinite(value);
  scale.domain = [d0, d1];
  scale.ticks = niceTicks(d0, d1, tickCount);
  return scale;
}

/**
 * A base-10 logarithmic scale; ticks at powers of ten (with 2 and 5 in between when the
 * domain spans less than three decades). Non-positive values are not placed.
 *
 * @example logScale([1e-3, 1], [300, 20])(1e-2) // 206.67
 */
export function logScale(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const l0 = Math.log10(d0);
  const span = Math.log10(d1) - l0 || 1;
  const scale = ((value: number) => r0 + ((Math.log10(value) - l0) / span) * (r1 - r0)) as Scale;
  scale.accepts = (value) => Number.isFinite(value) && value > 0;
  scale.domain = [d0, d1];
  const decades = Math.log10(d1) - l0;
  const multiples = decades < 3 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = Math.floor(l0); e <= Math.ceil(Math.log10(d1)); e++) {
    for (const m of multiples) {
      const tick = Number((m * Math.pow(10, e)).toPrecision(12));
      if (tick >= d0 * (1 - 1e-9) && tick <= d1 * (1 + 1e-9)) ticks.push(tick);
    }
  }
  scale.ticks = ticks;
  return scale;
}

/**
 * [min, max] of the values, or undefined for none. A loop rather than Math.min(...values),
 * which overflows the call stack on long series.
 */
export function extent(values: number[]): [number, number] | undefined {
  if (values.length === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

/** A log domain widened to whole decades around the positive data. */
export function logDomain(min: number, max: number): [number, number] {
  const lo = Math.pow(10, Math.floor(Math.log10(min)));
  const hi = Math.pow(10, Math.ceil(Math.log10(max)));
  return lo === hi ? [lo / 10, hi * 10] : [lo, hi];
}
