import { describe, expect, it } from "vitest";
import { crossEntropy, crossEntropyBackward, logSoftmax, softmax } from "../src";
import { loadBlogExample, loadReference } from "../src/course/reference";
import { expectAllClose, type Tolerance } from "./helpers/allclose";

// Both sides compute in float64. PyTorch sums with vectorised lanes, so sums of many terms
// may differ in the last bits: rtol 1e-10 is ~450 000 ulps of room for that. The atol covers
// values that are a difference of two nearly equal numbers (p - 1 for a confident correct
// prediction, a loss of 2e-9 = log(1 + 2e-9)), whose absolute error is ~1e-16, not relative.
const FLOAT64: Tolerance = { rtol: 1e-10, atol: 1e-15 };

const reference = loadReference();

describe("the reference file", () => {
  it("was written by real PyTorch in float64 and holds at least 300 cases", () => {
    expect(reference.torch).toMatch(/^\d+\.\d+/);
    expect(reference.dtype).toBe("float64");
    expect(reference.cases.length).toBeGreaterThanOrEqual(300);
  });

  it("covers every group the issue names", () => {
    const groups = new Set(reference.cases.map((c) => c.group));
    for (const g of ["weights", "ignoreIndex", "labelSmoothing", "probabilities", "kdim", "unbatched", "extreme", "empty", "oneClass"]) {
      expect(groups, g).toContain(g);
    }
  });
});

describe.each(reference.cases)("PyTorch case $name", (c) => {
  it("loss", () => {
    expectAllClose(crossEntropy(c.logits, c.target, c.options), c.loss as number, FLOAT64, "loss");
  });
  it("gradient", () => {
    expectAllClose(crossEntropyBackward(c.logits, c.target, c.options), c.grad, FLOAT64, "grad");
  });
  it("softmax and logSoftmax", () => {
    expectAllClose(softmax(c.logits), c.softmax, FLOAT64, "softmax");
    expectAllClose(logSoftmax(c.logits), c.logSoftmax, FLOAT64, "logSoftmax");
  });
});

describe("the blog's seed-42 example", () => {
  const blog = loadBlogExample();

  it("is the example the blog printed: shape (3, 4), targets [3, 1, 1]", () => {
    expect(blog.seed).toBe(42);
    expect(blog.targets).toEqual([3, 1, 1]);
    expect(blog.logits.map((row) => row.length)).toEqual([4, 4, 4]);
  });

  it("our float64 loss equals PyTorch's float64 loss to the last bit", () => {
    expect(crossEntropy(blog.logits, blog.targets)).toBe(blog.torchFloat64Loss);
  });

  it("on float32-rounded logits we land within float32 rounding of PyTorch's float32 loss", () => {
    // PyTorch float32 rounds every operation to 24 bits (relative 6e-8); we compute in float64.
    const ours = crossEntropy(blog.logitsFloat32, blog.targets);
    expect(Math.abs(ours - blog.torchFloat32Loss) / blog.torchFloat32Loss).toBeLessThan(3e-7);
  });

  it("the blog's epsilon is its whole gap to PyTorch float64", () => {
    expect(blog.blogLossWithoutEpsilon).toBe(blog.torchFloat64Loss);
    expect(blog.blogLoss).toBeLessThan(blog.torchFloat64Loss);
  });

  it("our gradient equals autograd's", () => {
    expectAllClose(crossEntropyBackward(blog.logits, blog.targets), blog.torchFloat64Grad, FLOAT64, "grad");
  });
});
