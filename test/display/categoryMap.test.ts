import { describe, expect, it } from "vitest";
import { CATEGORY_COLORS, categoryMap } from "../../src/display/categoryMap";
import { elementsWithClass, expectWellFormedChart } from "./svgChecks";

const base = {
  classes: [[0, 1], [2, 1]],
  categories: ["background", "square", "stripe"],
  rowLabels: ["row 0", "row 1"],
  columnLabels: ["col 0", "col 1"],
  title: "Target class of each pixel",
};

describe("categoryMap", () => {
  it("colours each cell by its class, one colour per class", () => {
    const svg = categoryMap(base);
    expectWellFormedChart(svg, base.title);
    const fills = elementsWithClass(svg, "rect", "cell").map((cell) => /fill="(#\w+)"/.exec(cell)?.[1]);
    expect(fills).toEqual([CATEGORY_COLORS[0], CATEGORY_COLORS[1], CATEGORY_COLORS[2], CATEGORY_COLORS[1]]);
  });

  it("has a legend of one named swatch per class, and no colour bar", () => {
    const svg = categoryMap(base);
    const legend = /<g class="category-legend">([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? "";
    expect([...legend.matchAll(/>([^<>]+)<\/text>/g)].map((m) => m[1])).toEqual(["0: background", "1: square", "2: stripe"]);
    expect(svg).not.toContain("color-legend");
  });

  it("refuses a class index that names no category, naming the position", () => {
    expect(() => categoryMap({ ...base, classes: [[0, 1], [3, 1]] })).toThrow("categoryMap: classes[1][0] = 3 is out of range: expected a class index in [0, 3)");
    expect(() => categoryMap({ ...base, rowLabels: ["row 0"] })).toThrow(/rowLabels has length 1/);
  });
});
