import { describe, expect, it } from "vitest";
import { reliabilityBins } from "../../src/course/calibration";
import { reliabilityDiagram } from "../../src/display/reliabilityDiagram";
import { elementsWithClass, expectWellFormedChart, numberAttribute } from "./svgChecks";

describe("reliabilityDiagram", () => {
  // Two of 4 bins filled: (0.25, 0.5] holds 0.3 (right); (0.75, 1] holds 0.9, 0.8 (one right).
  const bins = reliabilityBins([0.3, 0.9, 0.8], [true, true, false], 4);

  it("draws a bar, a gap and a count for each non-empty bin, and the diagonal", () => {
    const svg = reliabilityDiagram({ bins, title: "Reliability", note: "ECE = 0.3" });
    expectWellFormedChart(svg, "Reliability");
    expect(elementsWithClass(svg, "rect", "bar")).toHaveLength(2);
    expect(elementsWithClass(svg, "rect", "gap")).toHaveLength(2);
    const counts = [...svg.matchAll(/class="count">(\d+)<\/text>/g)].map((m) => Number(m[1]));
    expect(counts).toEqual([1, 2]);
    expect(elementsWithClass(svg, "line", "diagonal")).toHaveLength(1);
    expect(svg).toContain(">ECE = 0.3</text>");
  });

  it("bar heights are the accuracies: 1 for the first bin, 0.5 for the last", () => {
    const svg = reliabilityDiagram({ bins, title: "Reliability" });
    const [first, last] = elementsWithClass(svg, "rect", "bar").map((bar) => numberAttribute(bar, "height"));
    expect(first / last).toBeCloseTo(2, 2);
  });

  it("the legend shows the gap over a bar too: half its swatch is the bar's colour", () => {
    const svg = reliabilityDiagram({ bins, title: "Reliability" });
    const legend = svg.slice(svg.indexOf('<g class="legend">'));
    const barFill = elementsWithClass(svg, "rect", "bar")[0].match(/fill="([^"]+)"/)![1];
    expect(legend).toMatch(new RegExp(`<rect [^>]*width="6" height="12" fill="${barFill}"/>`));
    expect(legend).toContain(">gap (purple on a bar)</text>");
  });

  it("names a bin that is not one", () => {
    expect(() => reliabilityDiagram({ bins: [], title: "t" })).toThrow("reliabilityDiagram: bins is empty");
    expect(() => reliabilityDiagram({ bins: [{ lower: 0, upper: 1, count: 1, meanConfidence: 0.5, accuracy: 2 }], title: "t" })).toThrow(
      "reliabilityDiagram: bins[0] has accuracy 2 and meanConfidence 0.5: expected both in [0, 1]",
    );
  });
});
