import { describe, expect, it } from "vitest";
import { barChart } from "../../src/display/barChart";
import { elementsWithClass, expectWellFormedChart, numberAttribute } from "./svgChecks";

const probabilities = { labels: ["cat", "dog", "bird"], values: [0.5, 0.25, 0.25], title: "softmax(logits)" };

describe("barChart", () => {
  it("is a well-formed, self-contained chart with one bar per value", () => {
    const svg = barChart({ ...probabilities, xLabel: "class", yLabel: "probability" });
    expectWellFormedChart(svg, "softmax(logits)");
    expect(elementsWithClass(svg, "rect", "bar")).toHaveLength(3);
    expect(svg).toContain(">probability</text>");
    expect(svg).toContain(">class</text>");
    expect(svg).toContain("<desc>cat: 0.5; dog: 0.25; bird: 0.25</desc>");
  });

  it("draws bar heights proportional to the values", () => {
    // 360 px tall - 56 px for the title - 28 px for the class labels = 276 px for [0, 1].
    const svg = barChart({ labels: ["a", "b", "c"], values: [0.2, 0.3, 0.5], title: "p", yDomain: [0, 1] });
    const heights = elementsWithClass(svg, "rect", "bar").map((bar) => numberAttribute(bar, "height"));
    expect(heights).toEqual([0.2 * 276, 0.3 * 276, 0.5 * 276].map((h) => Math.round(h * 100) / 100)); // 55.2, 82.8, 138
    expect(heights[2] / heights[0]).toBeCloseTo(0.5 / 0.2, 10);
    // Every bar stands on the same baseline, the bottom of the plot (y = 56 + 276 = 332).
    const bottoms = elementsWithClass(svg, "rect", "bar").map((bar) => numberAttribute(bar, "y") + numberAttribute(bar, "height"));
    expect(bottoms).toEqual([332, 332, 332]);
  });

  it("hangs negative values (logits) below a zero baseline", () => {
    // Domain [-2, 2] over 276 px: 69 px per unit, zero at 56 + 138 = 194.
    const svg = barChart({ labels: ["a", "b"], values: [2, -1], title: "logits", yDomain: [-2, 2] });
    const [up, down] = elementsWithClass(svg, "rect", "bar");
    expect([numberAttribute(up, "y"), numberAttribute(up, "height")]).toEqual([56, 138]);
    expect([numberAttribute(down, "y"), numberAttribute(down, "height")]).toEqual([194, 69]);
    expect(svg).toMatch(/<line class="baseline" x1="[\d.]+" y1="194"/);
    expect(svg).toContain(">-1</text>");
  });

  it("includes zero in the automatic range, so positive bars start at 0", () => {
    const svg = barChart({ labels: ["a", "b"], values: [3, 4], title: "t" });
    expect(svg).toMatch(/>0<\/text>/);
    const [a, b] = elementsWithClass(svg, "rect", "bar").map((bar) => numberAttribute(bar, "height"));
    expect(a / b).toBeCloseTo(3 / 4, 2);
  });

  it("marks non-finite values in red instead of drawing a bar, and keeps them out of the coordinates", () => {
    const svg = barChart({ labels: ["a", "b", "c", "d"], values: [1, NaN, Infinity, -Infinity], title: "exp(logits)" });
    expectWellFormedChart(svg, "exp(logits)");
    expect(elementsWithClass(svg, "rect", "bar")).toHaveLength(1);
    const marks = [...svg.matchAll(/<text[^>]*class="bar-nonfinite"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(marks).toEqual(["NaN", "∞", "−∞"]);
  });

  it("colours exactly the highlighted bar and explains it in a legend", () => {
    const svg = barChart({ ...probabilities, highlight: 1, highlightLabel: "target class" });
    const bars = elementsWithClass(svg, "rect", "bar");
    expect(bars.map((bar) => bar.includes("bar-highlight"))).toEqual([false, true, false]);
    expect(bars.map((bar) => /fill="(#\w+)"/.exec(bar)?.[1])).toEqual(["#a9bcd0", "#f28e2b", "#a9bcd0"]);
    expect(svg).toMatch(/<g class="legend">.*>target class<\/text><\/g>/);
  });

  it("escapes labels and the title", () => {
    const nasty = `<b>&"'`;
    const svg = barChart({ labels: [nasty, "x"], values: [1, 2], title: nasty, xLabel: nasty });
    expectWellFormedChart(svg, "&lt;b&gt;&amp;&quot;&#39;");
    expect(svg).not.toContain("<b>");
    expect(svg.split("&lt;b&gt;&amp;&quot;&#39;").length - 1).toBe(6); // title, heading, desc, tooltip, tick label, x title
  });

  it("rotates long class names instead of overlapping them", () => {
    const labels = Array.from({ length: 10 }, (_, i) => `a rather long class name ${i}`);
    const svg = barChart({ labels, values: labels.map(() => 0.1), title: "t" });
    expect(svg.match(/transform="rotate\(-40 /g)).toHaveLength(10);
  });

  it("is deterministic: the same input gives the same bytes", () => {
    expect(barChart({ ...probabilities, highlight: 0 })).toBe(barChart({ ...probabilities, highlight: 0 }));
  });

  it("rejects mismatched inputs, naming them", () => {
    expect(() => barChart({ labels: ["a"], values: [1, 2], title: "t" })).toThrow("labels has length 1 but values has length 2");
    expect(() => barChart({ ...probabilities, highlight: 3 })).toThrow("highlight = 3 is out of range: expected a bar index in [0, 3)");
    expect(() => barChart({ ...probabilities, yDomain: [1, 0] })).toThrow("yDomain = [1, 0] is invalid");
  });
});
