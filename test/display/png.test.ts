import { describe, expect, it } from "vitest";
import { barChart } from "../../src/display/barChart";
import { chartPng, naturalSize } from "../../src/display/png";

describe("chartPng: the PNG sent beside each SVG chart", () => {
  const svg = barChart({ labels: ["a", "b"], values: [0.7, 0.3], title: "p & q" });

  it("draws the chart into the PNG, not a blank card", () => {
    const pixels = chartPng(svg);
    expect(pixels).toBeDefined();
    // A blank white card compresses to almost nothing; bars, axes and text do not.
    const blank = chartPng(svg.replace(/<g class="bars">[\s\S]*<\/svg>$/, "</svg>").replace(/<text[^>]*>[^<]*<\/text>/g, ""));
    expect(pixels!.png.length).toBeGreaterThan(2 * (blank?.png.length ?? 0));
  });

  it("reads the natural size from data-width/-height, else the viewBox", () => {
    expect(naturalSize(svg)).toEqual({ width: 560, height: 360 });
    expect(naturalSize('<svg viewBox="0 0 300 200"></svg>')).toEqual({ width: 300, height: 200 });
    expect(naturalSize("<svg></svg>")).toBeUndefined();
  });
});
