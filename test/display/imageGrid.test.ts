import { describe, expect, it } from "vitest";
import { rampColor } from "../../src/display/color";
import { imageGrid } from "../../src/display/imageGrid";
import { elementsWithClass, expectWellFormedChart } from "./svgChecks";

const two = { images: [[0, 16, 16, 0], [8, 8, 0, 16]], imageWidth: 2, title: "Two 2 × 2 images", domain: [0, 16] as [number, number] };

describe("imageGrid", () => {
  it("draws one square per pixel, row by row, coloured on the ramp (0 lightest, 16 darkest)", () => {
    const svg = imageGrid({ ...two, labels: ["a", "b\np = 0.9"], legendLabel: "ink" });
    expectWellFormedChart(svg, "Two 2 × 2 images");
    expect(elementsWithClass(svg, "g", "image")).toHaveLength(2);
    const pixels = elementsWithClass(svg, "rect", "pixel");
    expect(pixels).toHaveLength(8);
    const fills = pixels.map((p) => /fill="(#\w+)"/.exec(p)![1]);
    expect(fills.slice(0, 4)).toEqual([rampColor(0, false), rampColor(1, false), rampColor(1, false), rampColor(0, false)]);
    expect(fills[4]).toBe(rampColor(0.5, false));
    // Pixel 1 is right of pixel 0; pixel 2 starts the next row, under pixel 0.
    const xy = pixels.map((p) => [Number(/ x="([\d.]+)"/.exec(p)![1]), Number(/ y="([\d.]+)"/.exec(p)![1])]);
    expect(xy[1][0]).toBeGreaterThan(xy[0][0]);
    expect(xy[1][1]).toBe(xy[0][1]);
    expect(xy[2]).toEqual([xy[0][0], xy[0][1] + 6]);
    for (const label of ["a", "b", "p = 0.9", "ink", "0", "15"]) expect(svg).toContain(`>${label}</text>`);
    expect(svg).toContain('<g class="color-legend">');
  });

  it("centres a diverging scale on 0", () => {
    const svg = imageGrid({ images: [[-2, 0, 1, 2]], imageWidth: 2, title: "w", diverging: true });
    const fills = elementsWithClass(svg, "rect", "pixel").map((p) => /fill="(#\w+)"/.exec(p)![1]);
    expect(fills).toEqual([rampColor(0, true), rampColor(0.5, true), rampColor(0.75, true), rampColor(1, true)]);
  });

  it("names bad input", () => {
    expect(() => imageGrid({ ...two, imageWidth: 3 })).toThrow("imageGrid: images[0] has 4 pixels: expected a non-zero multiple of imageWidth = 3");
    expect(() => imageGrid({ ...two, images: [[0, 1, 2, 3], [0, 1]] })).toThrow("imageGrid: images[1] has 2 pixels: expected 4");
    expect(() => imageGrid({ ...two, images: [[0, NaN, 2, 3]] })).toThrow("imageGrid: images[0][1] = NaN is not finite");
    expect(() => imageGrid({ ...two, labels: ["a"] })).toThrow("imageGrid: labels has length 1 but there are 2 images");
  });
});

describe("imageGrid's note under the grid", () => {
  it("starts a new line at each \\n, wraps a long line to CHART_WIDTH and widens the chart to fit", () => {
    // 30 words of 4 letters: 149 characters at 6.6 px each (11 px x 0.6); a line holds
    // (560 - 32) / 6.6 = 80 characters: 16 words (79 characters), then the other 14 (69).
    const long = Array.from({ length: 30 }, () => "word").join(" ");
    const svg = imageGrid({ images: [[0, 1, 2, 3]], imageWidth: 2, title: "t", xLabel: `first line\n${long}` });
    expect(svg).toContain(">first line</text>");
    const wrapped = [...svg.matchAll(/>((?:word ?)+)<\/text>/g)].map((m) => m[1]);
    expect(wrapped.join(" ")).toBe(long);
    expect(wrapped.map((line) => line.length)).toEqual([79, 69]);
    const width = Number(/^<svg[^>]* data-width="([\d.]+)"/.exec(svg)![1]); // the natural width
    expect(width).toBeGreaterThanOrEqual(79 * 11 * 0.6);
    expect(width).toBeLessThanOrEqual(560);
  });
});
