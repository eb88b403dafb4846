import { describe, expect, it } from "vitest";
import { lineChart } from "../../src/display/lineChart";
import { elementsWithClass, expectWellFormedChart } from "./svgChecks";

const ps = Array.from({ length: 101 }, (_, i) => i / 100); // includes p = 0, where -log p = Infinity
const negLog = { name: "-log p", x: ps, y: ps.map((p) => -Math.log(p)) };

function pathData(svg: string): string[] {
  return elementsWithClass(svg, "path", "series").map((path) => /\sd="([^"]*)"/.exec(path)?.[1] ?? "");
}

describe("lineChart", () => {
  it("draws one path per series, gaps where a value is not finite", () => {
    const svg = lineChart({ series: [negLog], title: "−log p", xLabel: "p(target)", yLabel: "loss (nats)" });
    expectWellFormedChart(svg, "−log p");
    const [d] = pathData(svg);
    expect(pathData(svg)).toHaveLength(1);
    // p = 0 gives Infinity and is skipped, so the path starts at p = 0.01 and has 100 points.
    expect(d.match(/[ML]/g)).toHaveLength(100);
    expect(d.startsWith("M")).toBe(true);
    expect(d).not.toMatch(/NaN|Infinity/);
    expect(svg).toContain(">loss (nats)</text>");
    expect(svg).toContain(">p(target)</text>");
  });

  it("breaks the line at NaN and starts a new segment after it", () => {
    const svg = lineChart({
      series: [{ name: "held-out", x: [0, 1, 2, 3, 4, 5], y: [2.3, 1.9, NaN, 1.2, Infinity, 1.0] }],
      title: "loss",
      xLabel: "epoch",
      yLabel: "loss",
    });
    expectWellFormedChart(svg, "loss");
    const [d] = pathData(svg);
    expect(d.match(/M/g)).toHaveLength(3); // [0, 1], [3], [5]
    expect(d.match(/L/g)).toHaveLength(1);
    // With 4 drawable points every point gets a dot (lone points would be invisible otherwise).
    expect(svg.match(/<circle /g)).toHaveLength(4);
  });

  it("adds a legend with one entry per series when there are several", () => {
    const x = [0, 1, 2];
    const svg = lineChart({
      series: [
        { name: "train", x, y: [2.3, 1.1, 0.6] },
        { name: "held-out", x, y: [2.3, 1.3, 0.9] },
      ],
      title: "Training loss",
      xLabel: "epoch",
      yLabel: "mean loss",
    });
    expectWellFormedChart(svg, "Training loss");
    expect(pathData(svg)).toHaveLength(2);
    const legend = /<g class="legend">([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? "";
    expect([...legend.matchAll(/>([^<>]+)<\/text>/g)].map((m) => m[1])).toEqual(["train", "held-out"]);
    expect(legend).toContain('stroke-dasharray="7 4"'); // the second series is dashed, for greyscale print
    expect(lineChart({ series: [negLog], title: "t", xLabel: "x", yLabel: "y" })).not.toContain('class="legend"');
  });

  it("puts a log y axis on decades and drops values <= 0", () => {
    const svg = lineChart({
      series: [{ name: "time", x: [1, 2, 3, 4], y: [0.002, 0, 0.9, 13] }],
      title: "Time per call",
      xLabel: "batch",
      yLabel: "ms",
      logY: true,
    });
    expectWellFormedChart(svg, "Time per call");
    const ticks = [...(/<g class="y-axis">([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? "").matchAll(/>([^<>]+)<\/text>/g)].map((m) => m[1]);
    expect(ticks).toEqual(["0.001", "0.01", "0.1", "1", "10", "100", "ms"]);
    expect(pathData(svg)[0].match(/M/g)).toHaveLength(2); // y = 0 cannot be placed: a gap
  });

  it("labels marks and clips lines to a fixed domain", () => {
    const svg = lineChart({
      series: [negLog],
      title: "t",
      xLabel: "p",
      yLabel: "loss",
      yDomain: [0, 5],
      marks: [
        { x: 0.1, y: -Math.log(0.1), label: "p = 1/C: log 10 = 2.303" },
        { x: 0, y: Infinity, label: "skipped" },
      ],
    });
    expectWellFormedChart(svg, "t");
    expect(svg.match(/<g class="mark">/g)).toHaveLength(1);
    expect(svg).toContain(">p = 1/C: log 10 = 2.303</text>");
    expect(svg).not.toContain("skipped");
    const id = /<clipPath id="(ce-clip-[0-9a-f]{8})">/.exec(svg)?.[1];
    expect(id).toBeDefined();
    expect(svg).toContain(`clip-path="url(#${id})"`);
  });

  it("escapes series names and labels", () => {
    const nasty = `<b>&"'`;
    const x = [0, 1];
    const svg = lineChart({ series: [{ name: nasty, x, y: x }, { name: "b", x, y: x }], title: nasty, xLabel: nasty, yLabel: nasty });
    expectWellFormedChart(svg, "&lt;b&gt;&amp;&quot;&#39;");
    expect(svg).not.toContain("<b>");
  });

  it("draws an empty frame, not invalid SVG, when nothing is finite", () => {
    const svg = lineChart({ series: [{ name: "broken", x: [0, 1], y: [NaN, NaN] }], title: "t", xLabel: "x", yLabel: "y" });
    expectWellFormedChart(svg, "t");
    expect(pathData(svg)).toHaveLength(0);
  });

  it("is deterministic", () => {
    const options = { series: [negLog], title: "t", xLabel: "x", yLabel: "y", yDomain: [0, 5] as [number, number] };
    expect(lineChart(options)).toBe(lineChart(options));
  });

  it("rejects bad input, naming it", () => {
    expect(() => lineChart({ series: [{ name: "a", x: [1, 2], y: [1] }], title: "t", xLabel: "x", yLabel: "y" })).toThrow(
      'series[0] ("a") has 2 x values but 1 y values',
    );
    expect(() => lineChart({ series: [], title: "t", xLabel: "x", yLabel: "y", logY: true, yDomain: [0, 1] })).toThrow(
      "yDomain[0] = 0 with logY",
    );
  });
});
