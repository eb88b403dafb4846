import { describe, expect, it } from "vitest";
import { crossEntropySteps } from "../../src/loss/steps";
import { logitsFrame, matrixFrame, perSampleFrame, sampleStepsFrame, targetHighlight } from "../../src/display/frames";
import { tableHtml } from "../../src/display/table";

describe("the course's DataFrames", () => {
  const logits = [
    [1, 3, 2],
    [1000, 1001, 1002],
  ];
  const steps = crossEntropySteps(logits, [1, 0]);

  it("logits with a target column, labelled in the course's words", () => {
    const df = logitsFrame(logits, [1, 0]);
    expect(df.columns).toEqual(["class 0", "class 1", "class 2", "target"]);
    expect(df.index).toEqual(["sample 0", "sample 1"]);
    expect(df.values).toEqual([[1, 3, 2, 1], [1000, 1001, 1002, 0]]);
  });

  it("targetHighlight marks exactly each row's target class in the HTML table", () => {
    const html = tableHtml(logitsFrame(logits, [1, 0]), targetHighlight([1, 0]));
    const marked = [...html.matchAll(/<td[^>]*class="[^"]*ce-highlight[^"]*"[^>]*>(?:<strong>)?([^<]*)</g)].map((m) => m[1]);
    expect(marked).toEqual(["3", "1000"]);
    expect(html).toContain("target class");
  });

  it("one sample's steps: logit, shifted, exp, softmax, log-softmax", () => {
    const df = sampleStepsFrame(steps, 1);
    expect(df.index[1]).toBe("x - max (max = 1002)");
    expect(df.values[1]).toEqual([-2, -1, 0]);
    expect(df.values[3]).toEqual(steps.probabilities[1]);
  });

  it("per-sample losses whose mean is the loss", () => {
    const df = perSampleFrame(steps);
    const losses = (df.values as number[][]).map((row) => row[5]);
    expect((losses[0] + losses[1]) / 2).toBe(steps.loss);
  });

  it("refuses to build an empty or ragged table", () => {
    expect(() => matrixFrame([])).toThrow(/values has shape \[0\]: a table needs a non-empty \(N, C\) matrix/);
    expect(() => matrixFrame([[1], [1, 2]])).toThrow(/values\[1\] has length 2/);
  });
});
