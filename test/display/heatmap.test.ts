import { describe, expect, it } from "vitest";
import { NON_FINITE_FILL, rampColor, textColorOn } from "../../src/display/color";
import { heatmap } from "../../src/display/heatmap";
import { elementsWithClass, expectWellFormedChart } from "./svgChecks";

// d loss / d logits = (softmax - onehot) / N for two samples, three classes: rows sum to 0.
const gradient = [
  [0.2, -0.3, 0.1],
  [-0.4, 0.25, 0.15],
];
const base = { values: gradient, rowLabels: ["x0", "x1"], columnLabels: ["cat", "dog", "bird"], title: "d loss / d logits" };

function fills(svg: string): string[] {
  return elementsWithClass(svg, "rect", "cell").map((cell) => /fill="(#\w+)"/.exec(cell)?.[1] ?? "");
}

describe("heatmap", () => {
  it("draws one cell per value, with labels and a colour legend", () => {
    const svg = heatmap({ ...base, diverging: true });
    expectWellFormedChart(svg, "d loss / d logits");
    expect(elementsWithClass(svg, "rect", "cell")).toHaveLength(6);
    expect(svg).toContain('<g class="color-legend">');
    for (const label of ["x0", "x1", "cat", "dog", "bird", "0.2", "-0.3", "0.25"]) expect(svg).toContain(`>${label}</text>`);
  });

  it("centres a diverging scale on 0: white at 0, equal strength for +v and -v", () => {
    // max |v| = 0.4, so the scale is [-0.4, 0.4]: -0.4 is the darkest blue, 0.4 would be the darkest red.
    const svg = heatmap({ ...base, values: [[-0.4, 0, 0.4]], rowLabels: ["x0"], diverging: true });
    expect(fills(svg)).toEqual(["#2166ac", "#f7f7f7", "#b2182b"]);
    const legendTicks = [...(/<g class="color-legend">([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? "").matchAll(/>([^<>]+)<\/text>/g)].map((m) => m[1]);
    expect(legendTicks).toEqual(["-0.4", "-0.2", "0", "0.2", "0.4"]);
  });

  it("runs a sequential scale from the smallest to the largest value", () => {
    const svg = heatmap({ ...base, values: [[0, 0.5, 1]], rowLabels: ["x0"] });
    expect(fills(svg)).toEqual(["#f7fbff", rampColor(0.5, false), "#08306b"]);
  });

  it("greys out non-finite cells, labels them in red, and adds a legend entry", () => {
    const svg = heatmap({ ...base, values: [[NaN, Infinity, 0.1], [-Infinity, 0.2, 0.3]], cellLabels: false });
    expectWellFormedChart(svg, "d loss / d logits");
    expect(fills(svg)).toEqual([NON_FINITE_FILL, NON_FINITE_FILL, "#f7fbff", NON_FINITE_FILL, rampColor(0.5, false), "#08306b"]);
    // Even with cellLabels off, a grey cell says which non-finite value it holds.
    const marks = [...svg.matchAll(/<text[^>]*fill="#b3261e"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(marks).toEqual(["NaN", "∞", "−∞"]);
    expect(svg).toContain(">not finite</text>");
  });

  it("picks readable text on dark and light cells", () => {
    expect(textColorOn("#08306b")).toBe("#ffffff");
    expect(textColorOn("#f7fbff")).toBe("#1f2328");
  });

  it("escapes labels", () => {
    const nasty = `<b>&"'`;
    const svg = heatmap({ values: [[1]], rowLabels: [nasty], columnLabels: [nasty], title: nasty, xLabel: nasty, yLabel: nasty });
    expectWellFormedChart(svg, "&lt;b&gt;&amp;&quot;&#39;");
    expect(svg).not.toContain("<b>");
  });

  it("copes with an all-zero gradient (no division by zero in the colour scale)", () => {
    const svg = heatmap({ ...base, values: [[0, 0, 0], [0, 0, 0]], diverging: true });
    expectWellFormedChart(svg, "d loss / d logits");
    expect(new Set(fills(svg))).toEqual(new Set(["#f7f7f7"]));
  });

  it("is deterministic", () => {
    expect(heatmap({ ...base, diverging: true })).toBe(heatmap({ ...base, diverging: true }));
  });

  it("rejects a ragged matrix, naming the row", () => {
    expect(() => heatmap({ ...base, values: [[1, 2, 3], [4, 5]] })).toThrow("values[1] has length 2: expected 3");
    expect(() => heatmap({ ...base, rowLabels: ["x0"] })).toThrow("rowLabels has length 1 but values has 2 rows");
  });
});
