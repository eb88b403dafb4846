// The colour bar shared by heatmap and imageGrid: a framed ramp, high at the top, with ticks.
import { describe, expect, it } from "vitest";
import { rampColor } from "../../src/display/color";
import { colorBar } from "../../src/display/colorBar";

describe("colorBar", () => {
  const parts = colorBar(100, 20, 96, [0, 16], [0, 8, 16], false);
  const strips = parts.filter((p) => p.startsWith("<rect") && !p.includes('fill="none"'));

  it("draws the ramp from the high end at the top to the low end at the bottom", () => {
    expect(strips.length).toBeGreaterThan(10);
    expect(strips[0]).toContain(`fill="${rampColor(1 - 0.5 / strips.length, false)}"`);
    expect(strips.at(-1)).toContain(`fill="${rampColor(0.5 / strips.length, false)}"`);
    expect(strips[0]).toContain('y="20"');
  });

  it("frames the bar and puts each tick at its value: 16 at the top, 8 in the middle, 0 at the bottom", () => {
    expect(parts.filter((p) => p.includes('fill="none"'))).toHaveLength(1);
    const ticks = parts.filter((p) => p.startsWith("<line")).map((p) => Number(/y1="([\d.]+)"/.exec(p)![1]));
    expect(ticks).toEqual([20 + 96, 20 + 96 / 2, 20]);
    const labels = parts.filter((p) => p.startsWith("<text")).map((p) => />([^<]*)<\/text>/.exec(p)![1]);
    expect(labels).toEqual(["0", "8", "16"]);
  });
});
