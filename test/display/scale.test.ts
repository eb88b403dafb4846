import { describe, expect, it } from "vitest";
import { extent, linearScale, logDomain, logScale, niceDomain, niceTicks } from "../../src/display/scale";

describe("niceTicks", () => {
  it("steps by 1, 2 or 5 times a power of ten, inside [min, max]", () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-3.2, 7.9, 5)).toEqual([-2, 0, 2, 4, 6]);
    expect(niceTicks(-0.4, 0.4, 4)).toEqual([-0.4, -0.2, 0, 0.2, 0.4]);
  });

  it("has no float noise at any magnitude", () => {
    expect(niceTicks(0, 0.3, 3)).toEqual([0, 0.1, 0.2, 0.3]); // not 0.30000000000000004
    expect(niceTicks(1e-30, 5e-30, 4)).toEqual([1e-30, 2e-30, 3e-30, 4e-30, 5e-30]);
  });
});

describe("niceDomain", () => {
  it("widens to whole steps and gives a flat series some height", () => {
    expect(niceDomain(0.23, 2.51)).toEqual([0, 3]);
    expect(niceDomain(-1.2, 2.5)).toEqual([-2, 3]);
    expect(niceDomain(0, 0)).toEqual([-1, 1]);
    expect(niceDomain(5, 5)).toEqual([4.4, 5.6]);
  });
});

describe("scales", () => {
  it("maps linearly, with the y axis flipped", () => {
    const y = linearScale([0, 1], [300, 20]);
    expect(y(0)).toBe(300);
    expect(y(1)).toBe(20);
    expect(y(0.5)).toBe(160); // 300 + 0.5 * (20 - 300)
    expect(y.accepts(NaN)).toBe(false);
  });

  it("maps logarithmically and refuses values <= 0", () => {
    const y = logScale([1e-3, 1], [300, 20]);
    expect(y(1e-2)).toBeCloseTo(300 - (1 / 3) * 280, 10); // one decade of three
    expect(y.ticks).toEqual([0.001, 0.01, 0.1, 1]);
    expect(logScale([1, 10], [0, 1]).ticks).toEqual([1, 2, 5, 10]);
    expect(y.accepts(0)).toBe(false);
    expect(y.accepts(-1)).toBe(false);
    expect(logDomain(0.002, 13)).toEqual([0.001, 100]);
  });

  it("finds the extent without spreading a long array into Math.min", () => {
    const long = Array.from({ length: 300_000 }, (_, i) => i);
    expect(extent(long)).toEqual([0, 299_999]);
    expect(extent([])).toBeUndefined();
  });
});
