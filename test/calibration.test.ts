// Reliability bins and the expected calibration error, against arithmetic written out here.
import { describe, expect, it } from "vitest";
import { expectedCalibrationError, predictionConfidences, reliabilityBins } from "../src/course/calibration";

describe("predictionConfidences", () => {
  it("takes max softmax: logits [2, 0] give σ(2) = 1 / (1 + e⁻²) for class 0", () => {
    const r = predictionConfidences([[2, 0], [0, 1]], [0, 0]);
    expect(r.predicted).toEqual([0, 1]);
    expect(r.confidence[0]).toBeCloseTo(1 / (1 + Math.exp(-2)), 15);
    expect(r.confidence[1]).toBeCloseTo(1 / (1 + Math.exp(-1)), 15);
    expect(r.correct).toEqual([true, false]);
  });
});

describe("reliabilityBins", () => {
  it("groups (0, 0.5] and (0.5, 1]: confidences 0.9, 0.7, 0.2 with verdicts right, wrong, right", () => {
    expect(reliabilityBins([0.9, 0.7, 0.2], [true, false, true], 2)).toEqual([
      { lower: 0, upper: 0.5, count: 1, meanConfidence: 0.2, accuracy: 1 },
      { lower: 0.5, upper: 1, count: 2, meanConfidence: (0.9 + 0.7) / 2, accuracy: 0.5 },
    ]);
  });

  it("puts a confidence on an edge in the bin below, even when p · B rounds up (0.28 · 25 = 7.000000000000001)", () => {
    expect(0.28 * 25).toBeGreaterThan(7);
    expect(7 / 25).toBe(0.28);
    expect(reliabilityBins([0.28], [1], 25)[6].count).toBe(1); // (6/25, 7/25]
    const bins = reliabilityBins([0.7, 0.5, 0, 1], [1, 1, 0, 1], 10);
    expect(bins[6].count).toBe(1); // (0.6, 0.7]
    expect(bins[4].count).toBe(1); // (0.4, 0.5]
    expect(bins[0].count).toBe(1); // 0 joins the first bin
    expect(bins[9].count).toBe(1); // (0.9, 1]
  });

  it("counts sum to N, empty bins report NaN, 15 bins by default", () => {
    const bins = reliabilityBins([0.95, 0.96, 0.2], [1, 0, 1]);
    expect(bins).toHaveLength(15);
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(3);
    expect(Number.isNaN(bins[5].accuracy)).toBe(true);
  });

  it("names a confidence outside [0, 1], a verdict that is not one, and a length mismatch", () => {
    expect(() => reliabilityBins([0.5, 1.2], [1, 0])).toThrow("confidence[1] = 1.2 is out of range: expected a probability in [0, 1]");
    expect(() => reliabilityBins([0.5], [2])).toThrow("correct[0] = 2 is not a verdict");
    expect(() => reliabilityBins([0.5, 0.6], [1])).toThrow("correct is an array of length 1: expected 2 values");
    expect(() => reliabilityBins([0.5], [1], 0)).toThrow("numBins = 0 is out of range");
  });
});

describe("expectedCalibrationError", () => {
  it("weighs each bin's |accuracy − confidence| by its share: 1/3·|1 − 0.2| + 2/3·|0.5 − 0.8| = 0.4667", () => {
    const expected = (1 / 3) * Math.abs(1 - 0.2) + (2 / 3) * Math.abs(0.5 - (0.9 + 0.7) / 2);
    expect(expectedCalibrationError([0.9, 0.7, 0.2], [true, false, true], 2)).toBeCloseTo(expected, 15);
  });

  it("is 0 when every bin's accuracy equals its confidence: four at 0.75, three of them right", () => {
    expect(expectedCalibrationError([0.75, 0.75, 0.75, 0.75], [1, 1, 1, 0])).toBe(0);
  });

  it("with one bin it is |overall accuracy − mean confidence|", () => {
    expect(expectedCalibrationError([0.9, 0.8, 0.7, 0.6], [1, 1, 0, 1], 1)).toBeCloseTo(Math.abs(0.75 - 0.75), 15);
    expect(expectedCalibrationError([0.9, 0.9], [1, 0], 1)).toBeCloseTo(0.4, 15);
  });
});
