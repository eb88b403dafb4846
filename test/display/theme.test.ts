// The display layer's colours against the rule in src/display/theme.ts: every text colour a
// table or chart writes has a WCAG contrast of at least 4.5 on what lies under it, in
// JupyterLab Light, in JupyterLab Dark, and with the fallbacks (Notebook 6, handouts, GitHub).
// The browser test measures the same in a real JupyterLab page; this one needs no browser.
import { DataFrame } from "danfojs-node";
import { describe, expect, it } from "vitest";
import { barChart } from "../../src/display/barChart";
import { categoryMap } from "../../src/display/categoryMap";
import { heatmap } from "../../src/display/heatmap";
import { imageGrid } from "../../src/display/imageGrid";
import { reliabilityDiagram } from "../../src/display/reliabilityDiagram";
import { lineChart } from "../../src/display/lineChart";
import { tableHtml } from "../../src/display/table";
import { CHIPS, contrastRatio, luminance } from "../../src/display/theme";

const AA = 4.5;

// The values of the variables the tables use, as JupyterLab 4.6 defines them in
// share/jupyter/lab/themes/@jupyterlab/theme-{light,dark}-extension/index.css
// (the md-grey fallbacks resolved to the Material palette values Lab ships).
const PALETTES: Record<string, Record<string, string> | undefined> = {
  "JupyterLab Light": {
    "--jp-content-font-color0": "#000000",
    "--jp-ui-font-color1": "rgba(0,0,0,.87)",
    "--jp-layout-color0": "#ffffff",
    "--jp-rendermime-table-row-background": "#f5f5f5",
    "--jp-border-color1": "#bdbdbd",
    "--jp-border-color2": "#e0e0e0",
  },
  "JupyterLab Dark": {
    "--jp-content-font-color0": "#ffffff",
    "--jp-ui-font-color1": "rgba(255,255,255,.87)",
    "--jp-layout-color0": "#111111",
    "--jp-rendermime-table-row-background": "#212121",
    "--jp-border-color1": "#616161",
    "--jp-border-color2": "#424242",
  },
  "no variables (fallbacks)": undefined,
};

/** A CSS colour value with var() resolved against a palette, as "#rrggbb" or rgba(). */
function resolve(value: string, palette: Record<string, string> | undefined): string {
  const v = /^var\((--[\w-]+),\s*([^)]+)\)$/.exec(value.trim());
  if (!v) return value.trim();
  return palette?.[v[1]] ?? v[2].trim();
}

/** "#rrggbb" of a colour painted over an opaque background (rgba is blended). */
function opaque(colour: string, under: string): string {
  const m = /^rgba\((\d+),\s*(\d+),\s*(\d+),\s*([\d.]+)\)$/.exec(colour);
  if (!m) return colour;
  const alpha = Number(m[4]);
  const base = [1, 3, 5].map((i) => parseInt(under.slice(i, i + 2), 16));
  const mixed = [1, 2, 3].map((k, i) => Math.round(Number(m[k]) * alpha + base[i] * (1 - alpha)));
  return "#" + mixed.map((c) => c.toString(16).padStart(2, "0")).join("");
}

/** The last value of a property in an inline style. */
function prop(style: string, name: string): string | undefined {
  const values = style
    .split(";")
    .map((d) => d.split(/:(.*)/s))
    .filter(([k]) => k.trim() === name)
    .map(([, v]) => v);
  return values.at(-1);
}

/** [element, text, contrast] for every element of the table that holds text of its own. */
function tableContrasts(html: string, palette: Record<string, string> | undefined): Array<[string, string, number]> {
  const table = /<table style="([^"]*)"/.exec(html)?.[1] ?? "";
  const tableBackground = resolve(prop(table, "background") ?? "#ffffff", palette);
  const out: Array<[string, string, number]> = [];
  for (const m of html.matchAll(/<(td|th|caption|div)\b[^>]*style="([^"]*)"[^>]*>((?:<strong>|<span[^>]*><\/span>)?[^<]+)/g)) {
    const [, tag, style, content] = m;
    const background = resolve(prop(style, "background") ?? tableBackground, palette);
    const colour = resolve(prop(style, "color") ?? prop(table, "color") ?? "#000000", palette);
    expect(background, `${tag} background must be opaque`).toMatch(/^#[0-9a-f]{6}$/i);
    out.push([tag, content.replace(/<[^>]*>/g, ""), contrastRatio(opaque(colour, background), background)]);
  }
  return out;
}

function fullTable(): string {
  const df = new DataFrame(
    { "class 0": [1.5, NaN, 0.25, -Infinity], "class 1": [Infinity, 2, null, 3], name: ["a", "b", "c", "d"] },
    { index: ["sample 0", "sample 1", "sample 2", "sample 3"] },
  );
  return tableHtml(df, {
    caption: "Every kind of cell",
    highlight: [{ row: 0, column: "class 0" }, { row: 1, column: "class 0" }, { row: 3, column: 1 }],
    highlightLabel: "target class",
  });
}

describe("contrast arithmetic", () => {
  it("follows WCAG 2: (L1 + 0.05) / (L2 + 0.05)", () => {
    expect(luminance("#ffffff")).toBeCloseTo(1, 12);
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(1.05 / 0.05, 12); // 21
    expect(contrastRatio("#777777", "#777777")).toBe(1);
    // #767676 is the well-known lightest grey that passes AA on white (4.54).
    expect(contrastRatio("#767676", "#ffffff")).toBeGreaterThan(AA);
    expect(contrastRatio("#777777", "#ffffff")).toBeLessThan(AA);
  });
});

describe.each(Object.keys(PALETTES))("tables in %s", (theme) => {
  const palette = PALETTES[theme];
  const contrasts = tableContrasts(fullTable(), palette);

  it("give every cell, header, caption and legend text a contrast of at least 4.5", () => {
    // header 3 + index 4 + cells 12 + caption + legend
    expect(contrasts.length).toBe(3 + 4 + 12 + 2);
    const failing = contrasts.filter(([, , ratio]) => ratio < AA).map(([tag, text, r]) => `${tag} "${text}": ${r.toFixed(2)}`);
    expect(failing).toEqual([]);
  });

  it("keep the target highlight and the NaN/Infinity cells apart from the rows and from each other", () => {
    const rows = ["--jp-layout-color0", "--jp-rendermime-table-row-background"].map((v) => palette?.[v]);
    const rowBackgrounds = palette ? (rows as string[]) : ["#ffffff", "#f6f8fa"];
    for (const row of rowBackgrounds) {
      // Amber fill, bold text, and an outline at WCAG's 3 to 1 for non-text marks (1.4.11).
      expect(contrastRatio(CHIPS.highlight.outline, row)).toBeGreaterThanOrEqual(3);
      expect(contrastRatio(CHIPS.highlight.background, row)).toBeGreaterThan(1.1);
    }
    // NaN/Infinity are red text (a hue no other text has); the highlight is amber, no red text.
    const red = [1, 3, 5].map((i) => parseInt(CHIPS.nonFinite.text.slice(i, i + 2), 16));
    expect(red[0] - Math.max(red[1], red[2])).toBeGreaterThan(100);
    expect(CHIPS.nonFinite.background).not.toBe(CHIPS.highlight.background);
  });
});

/** [text, fill, background, contrast] of every <text> in a chart. */
function chartContrasts(svg: string): Array<[string, string, string, number]> {
  const card = /<rect class="card"[^>]* fill="(#[0-9a-f]{6})"/.exec(svg)?.[1] ?? "";
  const rootFill = /^<svg[^>]* fill="(#[0-9a-f]{6})"/.exec(svg)?.[1] ?? "";
  expect(card).toBe("#ffffff");
  const out: Array<[string, string, string, number]> = [];
  // A heatmap cell's label follows its cell: the cell is what lies under it.
  const pattern = /(<rect class="cell"[^>]* fill="(#[0-9a-f]{6})"[^>]*>(?:<title>[^<]*<\/title><\/rect>)?)?<text\b([^>]*)>([^<]*)<\/text>/g;
  for (const m of svg.matchAll(pattern)) {
    const under = m[2] ?? card;
    const fill = /\sfill="(#[0-9a-f]{6})"/.exec(m[3])?.[1] ?? rootFill;
    out.push([m[4], fill, under, contrastRatio(fill, under)]);
  }
  return out;
}

describe("charts: every text on the light card", () => {
  const charts = {
    "bar chart (highlight, NaN, ±Infinity)": barChart({
      labels: ["cat", "dog", "bird", "fish"],
      values: [0.7, NaN, Infinity, -Infinity],
      title: "p(class)",
      xLabel: "class",
      yLabel: "probability",
      highlight: 0,
      highlightLabel: "target class",
    }),
    "line chart (two series, a mark)": lineChart({
      series: [
        { name: "train", x: [1, 2, 3], y: [2, 1, 0.5] },
        { name: "held out", x: [1, 2, 3], y: [2.1, 1.3, 0.9] },
      ],
      marks: [{ x: 2, y: 1, label: "epoch 2" }],
      title: "Loss",
      xLabel: "epoch",
      yLabel: "loss",
    }),
    "heatmap (diverging, NaN)": heatmap({
      values: [[-1, -0.2, 0], [0.2, 1, NaN]],
      rowLabels: ["x0", "x1"],
      columnLabels: ["a", "b", "c"],
      title: "d loss / d logits",
      diverging: true,
      xLabel: "class",
      yLabel: "sample",
    }),
    "heatmap (sequential)": heatmap({ values: [[0, 0.5, 1]], rowLabels: ["p"], columnLabels: ["a", "b", "c"], title: "p", domain: [0, 1] }),
    "category map (classes with a legend)": categoryMap({
      classes: [[0, 1], [2, 1]],
      categories: ["background", "square", "stripe"],
      rowLabels: ["h0", "h1"],
      columnLabels: ["w0", "w1"],
      title: "target classes",
    }),
    "image grid (labelled images)": imageGrid({ images: [[0, 4, 8, 16], [16, 8, 4, 0]], imageWidth: 2, labels: ["0", "1"], title: "digits", xLabel: "a note" }),
    "reliability diagram (bins and a note)": reliabilityDiagram({
      bins: [
        { lower: 0, upper: 0.5, count: 3, meanConfidence: 0.4, accuracy: 0.33 },
        { lower: 0.5, upper: 1, count: 7, meanConfidence: 0.9, accuracy: 0.86 },
      ],
      title: "reliability",
      note: "ECE 0.04",
    }),
  };

  it.each(Object.entries(charts))("%s: contrast at least 4.5 for every label", (_name, svg) => {
    const contrasts = chartContrasts(svg);
    expect(contrasts.length).toBe((svg.match(/<text\b/g) ?? []).length);
    const failing = contrasts.filter(([, , , r]) => r < AA).map(([t, f, u, r]) => `"${t}" ${f} on ${u}: ${r.toFixed(2)}`);
    expect(failing).toEqual([]);
  });
});
