import { describe, expect, it } from "vitest";
import { crossEntropy, crossEntropySteps, exponentials, pickTargets, rowMaxima, shiftedLogits } from "../src";

describe("the walkthrough's steps", () => {
  const logits = [
    [1, 3, 2],
    [1000, 1001, 1002],
  ];
  const steps = crossEntropySteps(logits, [1, 0]);

  it("row maxima, shifted logits and their exponentials", () => {
    expect(steps.rowMaxima).toEqual([3, 1002]);
    expect(steps.shiftedLogits).toEqual([[-2, 0, -1], [-2, -1, 0]]);
    expect(steps.exponentials).toEqual([[Math.exp(-2), 1, Math.exp(-1)], [Math.exp(-2), Math.exp(-1), 1]]);
    expect(steps.sumOfExponentials[0]).toBe(Math.exp(-2) + 1 + Math.exp(-1));
  });

  it("the target's probability and log-probability, and the per-sample losses", () => {
    const z = Math.exp(-2) + 1 + Math.exp(-1);
    expect(steps.targetProbabilities[0]).toBeCloseTo(1 / z, 15);
    expect(steps.targetLogProbabilities[1]).toBeCloseTo(-2 - Math.log(z), 13);
    expect(steps.losses).toEqual(steps.targetLogProbabilities.map((l) => -l));
    expect(steps.loss).toBe(crossEntropy(logits, [1, 0]));
  });

  it("each step function checks its input", () => {
    expect(() => rowMaxima([1, 2] as unknown as number[][])).toThrow(/logits is of shape \[2\]: expected a batch \(N, C\)/);
    expect(() => exponentials([[1], ["x"]] as unknown as number[][])).toThrow(/values\[1\]\[0\] = "x" is not a number/);
    expect(() => pickTargets([[0.5, 0.5]], [2])).toThrow(/targets\[0\] = 2 is out of range/);
    expect(() => crossEntropySteps([[[1]]] as unknown as number[][], [[0]] as unknown as number[])).toThrow(/the walkthrough takes a batch \(N, C\)/);
    expect(shiftedLogits([[-Infinity, 0]])).toEqual([[-Infinity, 0]]);
  });
});
