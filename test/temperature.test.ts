// Temperature scaling: division, the NLL at T, and the fitted T against a closed form.
import { describe, expect, it } from "vitest";
import { predictions } from "../src/course/softmaxRegression";
import { divideByTemperature, fitTemperature, temperatureNll } from "../src/course/temperature";

describe("divideByTemperature and temperatureNll", () => {
  it("divides: [[2, 0]] at T = 2 is [[1, 0]], whose NLL for class 0 is −log σ(1) = log(1 + e⁻¹)", () => {
    expect(divideByTemperature([[2, 0]], 2)).toEqual([[1, 0]]);
    expect(temperatureNll([[2, 0]], [0], 2)).toBeCloseTo(Math.log(1 + Math.exp(-1)), 15);
  });

  it("never changes a prediction", () => {
    const logits = [[3, 1, 2], [-1, 0, -2], [0.5, 0.4, 0.6]];
    for (const T of [0.1, 0.5, 2, 10]) expect(predictions(divideByTemperature(logits, T))).toEqual(predictions(logits));
  });

  it("names a temperature that is not positive", () => {
    expect(() => temperatureNll([[1, 0]], [0], 0)).toThrow("temperature = 0 is out of range: expected a finite number > 0");
    expect(() => temperatureNll([[1, 0]], [0], -1)).toThrow("temperature = -1 is out of range");
  });
});

describe("fitTemperature", () => {
  it("three right and one wrong, all with a logit gap of 2: the best p is 3/4, so 2 / T = log 3 and T = 2 / log 3", () => {
    const fit = fitTemperature([[2, 0], [2, 0], [2, 0], [0, 2]], [0, 0, 0, 0]);
    // A minimum found from function values is good to about √(machine ε) ≈ 1.5e-8, relative.
    expect(Math.abs(fit.temperature / (2 / Math.log(3)) - 1)).toBeLessThan(1e-7);
    // At p = 3/4 the NLL is −(3 log 3/4 + log 1/4) / 4.
    expect(fit.nll).toBeCloseTo(-(3 * Math.log(0.75) + Math.log(0.25)) / 4, 12);
    expect(fit.nllAtOne).toBeCloseTo(temperatureNll([[2, 0], [2, 0], [2, 0], [0, 2]], [0, 0, 0, 0], 1), 15);
  });

  it("finds the minimum: the NLL is higher a little either side", () => {
    const logits = [[4, 0, 1], [0, 3, 1], [2, 2.5, 0], [1, 0, 5], [3, 0, 0]];
    const targets = [0, 1, 0, 2, 1];
    const { temperature, nll } = fitTemperature(logits, targets);
    expect(temperatureNll(logits, targets, temperature * 1.01)).toBeGreaterThan(nll);
    expect(temperatureNll(logits, targets, temperature / 1.01)).toBeGreaterThan(nll);
  });

  it("names a bad search range", () => {
    expect(() => fitTemperature([[1, 0]], [0], { min: 2, max: 1 })).toThrow("range.max = 1 is out of range: expected a finite number > 2");
  });
});
