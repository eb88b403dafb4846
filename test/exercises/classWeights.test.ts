import { describe, expect, it } from "vitest";
import { crossEntropy, exercises } from "../../src";

const quiet = { quiet: true };
const rowLoss = (row: number[], y: number): number => {
  const m = Math.max(...row);
  return m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0)) - row[y];
};
/** Σ_n w[y_n] ℓ_n divided by `denominator`. */
const weighted = (denominator: (targets: number[], weight: number[], n: number) => number) =>
  (logits: number[][], targets: number[], weight: number[]): number =>
    logits.reduce((s, row, n) => s + weight[targets[n]] * rowLoss(row, targets[n]), 0) / denominator(targets, weight, logits.length);

describe("exercises.crossEntropyWeighted: Σ w[y_n] ℓ_n / Σ w[y_n]", () => {
  it("passes the weighted mean, which divides by the targets' weights", () => {
    const result = exercises.crossEntropyWeighted(weighted((t, w) => t.reduce((s, y) => s + w[y], 0)), quiet);
    expect(result.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`)).toEqual([]);
  });

  it("takes its expected values from crossEntropy(..., { weight })", () => {
    const one = exercises.crossEntropyWeighted(() => 0, quiet).cases.find((c) => c.name === "batch of one: the weight cancels")!;
    // One row: w ℓ / w = ℓ, the unweighted loss.
    expect(one.expected).toBe(crossEntropy([[0.5, 1.5, -1]], [2]));
  });

  it("names the division by N, and passes only where the weights are all 1", () => {
    const result = exercises.crossEntropyWeighted(weighted((_, __, n) => n), quiet);
    expect(result.cases.filter((c) => c.passed).map((c) => c.name)).toEqual(["equal weights"]);
    expect(result.hint).toContain("You divide the weighted losses by N");
  });

  it("names weights that were ignored", () => {
    const plainMean = (logits: number[][], targets: number[]) =>
      logits.reduce((s, row, n) => s + rowLoss(row, targets[n]), 0) / logits.length;
    const result = exercises.crossEntropyWeighted(plainMean, quiet);
    expect(result.passed).toBe(false);
    expect(result.cases.find((c) => c.name === "batch of one: the weight cancels")!.passed).toBe(true);
    expect(result.hint).toContain("does not change with the weights");
  });

  it("names a division by every class weight", () => {
    const result = exercises.crossEntropyWeighted(weighted((_, w) => w.reduce((a, b) => a + b, 0)), quiet);
    expect(result.passed).toBe(false);
    expect(result.hint).toContain("sum of all the class weights");
  });
});
