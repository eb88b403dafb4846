import { expect } from "vitest";

/** Tolerances, always explicit: |actual - expected| <= atol + rtol · |expected|. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

type Nested = number | Nested[];

/**
 * Assert two nested arrays (or numbers) are close: shape first, then every element.
 * NaN matches only NaN and an infinity only the same infinity, as torch.allclose(equal_nan=True).
 * On failure the message names the worst element, its index, and both values.
 */
export function expectAllClose(actual: unknown, expected: Nested, tol: Tolerance, label = "value"): void {
  const a = flattenWithShape(actual, `${label} (actual)`);
  const e = flattenWithShape(expected, `${label} (expected)`);
  expect(a.shape, `${label}: shape`).toEqual(e.shape);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < e.values.length; i++) {
    const x = a.values[i];
    const y = e.values[i];
    if (Number.isNaN(y) || !Number.isFinite(y)) {
      if (Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y))) continue;
      worst = i;
      worstExcess = Infinity;
      break;
    }
    const excess = Math.abs(x - y) - (tol.atol + tol.rtol * Math.abs(y));
    if (!(excess <= 0) && !(excess <= worstExcess)) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
    }
  }
  if (worst >= 0) {
    const where = unravel(worst, e.shape);
    const x = a.values[worst];
    const y = e.values[worst];
    expect.fail(
      `${label}[${where.join("][")}]: got ${x}, expected ${y} (|diff| ${Math.abs(x - y)}, ` +
        `allowed ${tol.atol} + ${tol.rtol}·|expected|)`,
    );
  }
}

/** The worst relative difference |a - e| / |e| over finite, non-zero expected values. */
export function worstRelativeDifference(actual: unknown, expected: Nested): number {
  const a = flattenWithShape(actual, "actual").values;
  const e = flattenWithShape(expected, "expected").values;
  let worst = 0;
  e.forEach((y, i) => {
    if (Number.isFinite(y) && y !== 0) worst = Math.max(worst, Math.abs(a[i] - y) / Math.abs(y));
  });
  return worst;
}

function flattenWithShape(value: unknown, label: string): { shape: number[]; values: number[] } {
  const shape: number[] = [];
  for (let probe = value; Array.isArray(probe); probe = probe[0]) {
    shape.push(probe.length);
    if (probe.length === 0) break;
  }
  const values: number[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "number") values.push(v);
    else throw new Error(`${label} holds ${String(v)}, not a number`);
  };
  walk(value);
  return { shape, values };
}

function unravel(k: number, shape: number[]): number[] {
  const index: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(k % shape[d]);
    k = Math.floor(k / shape[d]);
  }
  return index;
}
