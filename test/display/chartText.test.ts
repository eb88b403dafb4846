// Issue 18, item 2: on a projector (1024 px, file browser open) a notebook's output area is
// 592 px wide in JupyterLab 4.6.4 (measured by the browser suite). A chart wider than that is
// shown scaled down, and its text shrinks by the same ratio. So every chart builder, with the
// inputs the notebooks give it, must draw at most MAX_NATURAL_WIDTH px wide and no text
// smaller than MIN_FONT_PX: then every text reads at >= 11 px there.
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { barChart } from "../../src/display/barChart";
import { categoryMap } from "../../src/display/categoryMap";
import { heatmap } from "../../src/display/heatmap";
import { imageGrid } from "../../src/display/imageGrid";
import { lineChart } from "../../src/display/lineChart";
import { FONT_SIZE_KEYWORD, chartPng, pngText } from "../../src/display/png";
import { reliabilityDiagram } from "../../src/display/reliabilityDiagram";
import { minFontSize } from "../../src/display/svg";

/** The output area at 1024 with the file browser open is 592 px; leave a margin for Lab's padding. */
const MAX_NATURAL_WIDTH = 570;
/** Issue 18: no chart taller than about 600 px at 1024 x 768 (the browser suite allows 610). */
const MAX_NATURAL_HEIGHT = 610;
const MIN_FONT_PX = 11;

/**
 * Font sizes of every `<text>` as drawn: its own font-size, else the root's (the builders put
 * no font-size on groups; the test checks that, so the shortcut cannot hide a small text).
 */
function textSizes(svg: string): number[] {
  const sizeIn = (tag: string) => /\sfont-size="([\d.]+)"/.exec(tag)?.[1];
  const rootSize = Number(sizeIn(/^<svg\b[^>]*>/.exec(svg)?.[0] ?? "") ?? 16);
  expect(svg.match(/<g\b[^>]*\sfont-size=/g) ?? [], "a group with a font-size").toEqual([]);
  return [...svg.matchAll(/<text\b[^>]*>/g)].map((m) => Number(sizeIn(m[0]) ?? rootSize));
}

function naturalWidthHeight(svg: string): [number, number] {
  const root = /^<svg\b[^>]*>/.exec(svg)?.[0] ?? "";
  const attribute = (name: string) => Number(new RegExp(`\\s${name}="([\\d.]+)"`).exec(root)?.[1]);
  return [attribute("data-width"), attribute("data-height")];
}

const letters = [".", ..."abcdefghijklmnopqrstuvwxyz"];
const digitNames = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const digitImage = (k: number) => range(64).map((i) => (i * 7 + k * 3) % 17);
const bins = (n: number) =>
  range(n).map((i) => ({
    lower: i / n,
    upper: (i + 1) / n,
    count: 40 + 13 * i,
    meanConfidence: (i + 0.5) / n,
    accuracy: Math.min(1, (i + 0.3) / n),
  }));
const startNames = [
  "cross-entropy, neutral start",
  "squared error, neutral start",
  "cross-entropy, confidently wrong start",
  "squared error, confidently wrong start",
];

/** Each builder with inputs like the notebooks' (the notebook named). */
const charts: Array<[string, () => string]> = [
  ["barChart, 4 classes with a legend (01)", () =>
    barChart({
      labels: ["class 0", "class 1", "class 2", "class 3"],
      values: [1.2, -0.4, 2.9, 0.3],
      title: "Logits of sample 1 (the target is coloured)",
      yLabel: "logit",
      highlight: 2,
      highlightLabel: "target class",
    })],
  ["barChart, 27 letters (12)", () =>
    barChart({
      labels: letters,
      values: range(27).map((i) => ((i * 37) % 97) / 97),
      title: 'Row "." of the table: the probability of each first letter',
      xLabel: "first character",
      yLabel: "probability",
      valueLabels: false,
    })],
  ["lineChart, four long series names and a mark (04)", () =>
    lineChart({
      series: startNames.map((name, k) => ({ name, x: [0, 300, 600], y: [2 - k * 0.1, 1, 0.2] })),
      title: "Training loss: the cross-entropy on the training set",
      xLabel: "gradient step",
      yLabel: "mean NLL (nats)",
      marks: [{ x: 300, y: 1, label: "k* = log((1 − ε + ε/C) / (ε/C)) = 3.689: loss 0.7" }],
    })],
  ["lineChart, log x axis (02)", () =>
    lineChart({
      series: [{ name: "p", x: [0.03, 1, 30], y: [0.9, 0.5, 0.25] }],
      title: "softmax(x / T) of sample 0 as the temperature T grows",
      xLabel: "temperature T (log scale)",
      yLabel: "probability",
      logX: true,
      yDomain: [0, 1],
    })],
  ["heatmap, a gradient (07)", () =>
    heatmap({
      values: [[0.2, -0.3, 0.1], [-0.4, 0.25, 0.15]],
      rowLabels: ["sample 0", "sample 1"],
      columnLabels: ["cat", "dog", "bird"],
      title: "d loss / d logits",
      diverging: true,
    })],
  ["heatmap, a 10 x 10 confusion matrix with counts (10)", () =>
    heatmap({
      values: range(10).map((t) => range(10).map((p) => (t === p ? 30 + t : (t * p) % 4))),
      rowLabels: digitNames.map((d) => `true ${d}`),
      columnLabels: digitNames,
      xLabel: "predicted digit",
      yLabel: "true digit",
      title: "Confusion matrix of the 180 validation images",
      cellSize: 40,
      digits: 3,
    })],
  ["heatmap, 27 x 27 bigram counts (12)", () =>
    heatmap({
      values: range(27).map((i) => range(27).map((j) => (i * 131 + j * 71) % 1700)),
      rowLabels: letters,
      columnLabels: letters,
      xLabel: "next character",
      yLabel: "current character",
      title: "Bigram counts of the 6797 training names: row = current, column = next",
    })],
  ["heatmap, its 10 x 10 zoom with 4-digit counts (12)", () =>
    heatmap({
      values: range(10).map((i) => range(10).map((j) => (i * 131 + j * 71) % 1700)),
      rowLabels: letters.slice(0, 10),
      columnLabels: letters.slice(0, 10),
      xLabel: "next character",
      yLabel: "current character",
      title: "Zoom: the counts among the 10 most frequent characters",
      cellLabels: true,
      digits: 4,
    })],
  ["imageGrid, 20 digits with two-line captions (10)", () =>
    imageGrid({
      images: range(20).map(digitImage),
      imageWidth: 8,
      labels: range(20).map((k) => `${k % 10}\nimage ${1000 + k}`),
      title: "Handwritten digits: the first two images of each class",
      domain: [0, 16],
      pixelSize: 6,
      columns: 5,
      legendLabel: "pixel value",
      xLabel: "Each image is 8 × 8 pixels, row 0 at the top; 0 = blank, 16 = fully inked.\n" +
        "Under each: its label (the target) and its row in the file.",
    })],
  ["imageGrid, 10 weight templates (10)", () =>
    imageGrid({
      images: range(10).map((k) => digitImage(k).map((v) => v / 8 - 1)),
      imageWidth: 8,
      labels: digitNames.map((d) => `class ${d}`),
      title: "Each class's 64 weights as an 8 × 8 image",
      diverging: true,
      columns: 5,
      pixelSize: 11,
      legendLabel: "weight",
      xLabel: "Red: ink on this pixel raises the class's score; blue: lowers it; white: " +
        "does not matter.\nColours saturate beyond ±0.123 (largest |w|: 0.456).",
    })],
  ["categoryMap, an 8 x 8 mask (05)", () =>
    categoryMap({
      classes: range(8).map((r) => range(8).map((c) => (r + c) % 3)),
      categories: ["background", "square", "stripe"],
      rowLabels: range(8).map((r) => `row ${r}`),
      columnLabels: range(8).map((c) => `${c}`),
      title: "Target class of each pixel",
    })],
  ["reliabilityDiagram, 10 bins with a note (11)", () =>
    reliabilityDiagram({ bins: bins(10), title: "Reliability diagram", note: "ECE = 0.0425 (10 bins)" })],
  ["reliabilityDiagram, 20 bins (11)", () =>
    reliabilityDiagram({ bins: bins(20), title: "Reliability diagram, 20 bins" })],
];

describe("chart text reads on a projector (issue 18, item 2)", () => {
  it.each(charts)("%s: natural width <= 570 px, height <= 610 px, no text below 11 px", (_, build) => {
    const svg = build();
    const [width, height] = naturalWidthHeight(svg);
    const sizes = textSizes(svg);
    expect(sizes.length).toBeGreaterThan(0);
    expect(width, "natural width").toBeLessThanOrEqual(MAX_NATURAL_WIDTH);
    expect(height, "natural height").toBeLessThanOrEqual(MAX_NATURAL_HEIGHT);
    expect(Math.min(...sizes), "smallest font size").toBeGreaterThanOrEqual(MIN_FONT_PX);
  });
});

describe("the smallest font size, as the module reports it", () => {
  it("equals the test's own reading, and travels in the chart's PNG (the browser suite reads it there)", () => {
    for (const [name, build] of charts) {
      const svg = build();
      expect(minFontSize(svg), name).toBe(Math.min(...textSizes(svg)));
      const png = chartPng(svg);
      if (png) expect(pngText(png.png, FONT_SIZE_KEYWORD), name).toBe(String(minFontSize(svg)));
    }
  });

  it("the PNG with its tEXt chunk is still a valid PNG: each chunk's CRC-32 matches", () => {
    const png = chartPng(charts[0][1]())?.png;
    if (!png) return; // resvg is a dependency; without it charts go out as SVG and the suite reads that
    const types: string[] = [];
    for (let at = 8; at < png.length; ) {
      const length = png.readUInt32BE(at);
      types.push(png.toString("latin1", at + 4, at + 8));
      expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
      at += 12 + length;
    }
    expect(types.slice(0, 2)).toEqual(["IHDR", "tEXt"]);
    expect(types[types.length - 1]).toBe("IEND");
  });
});

describe("what a chart does instead of shrinking its text", () => {
  it("wraps a long title: the chart keeps its width and grows by a line", () => {
    const short = barChart({ labels: ["a", "b"], values: [1, 2], title: "short" });
    const long = barChart({ labels: ["a", "b"], values: [1, 2], title: "a title ".repeat(12).trim() });
    expect(naturalWidthHeight(long)[0]).toBe(naturalWidthHeight(short)[0]);
    // 95 characters at 15 px x 0.6 x 1.05 (bold) = 9.45 px each; 528 px hold 55: two lines.
    expect(naturalWidthHeight(long)[1]).toBe(naturalWidthHeight(short)[1] + 19);
    expect(long.match(/<text [^>]*font-size="15"/g)).toHaveLength(2);
  });

  it("a heatmap leaves out numbers that would be under 11 px, and refuses them when asked for", () => {
    const values = letters.map((_, i) => letters.map((_, j) => i * 100 + j));
    const base = { values, rowLabels: letters, columnLabels: letters, title: "27 x 27" };
    const cells = (svg: string) => /<g class="cells">([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? "";
    expect(cells(heatmap(base))).not.toContain("<text");
    // The first 8 rows and columns get numbers (up to 3 digits, 13 px at most).
    const zoom = heatmap({ ...base, values: values.slice(0, 8).map((row) => row.slice(0, 8)),
      rowLabels: letters.slice(0, 8), columnLabels: letters.slice(0, 8) });
    expect(cells(zoom).match(/<text [^>]*font-size="13"[^>]*>\d+<\/text>/g)).toHaveLength(64);
    expect(() => heatmap({ ...base, cellLabels: true })).toThrow(
      /heatmap: cellLabels = true, but "\d+" needs cells of \d+ px to print at 11 px, and 27 x 27 cells fit/,
    );
  });

  it("a bar or line chart refuses a width past 560 px", () => {
    expect(() => barChart({ labels: ["a"], values: [1], title: "t", width: 640 })).toThrow(
      "barChart: width = 640 is out of range: expected a size in pixels in [50, 560]",
    );
    const line = { series: [], title: "t", xLabel: "x", yLabel: "y", width: 561 };
    expect(() => lineChart(line)).toThrow("lineChart: width = 561");
  });
});
