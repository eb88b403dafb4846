/**
 * The edges issue 20 found: zero classes, output buffers that share memory with the inputs or
 * with each other, an empty batch with a typed weight, weights whose dtype is not the logits',
 * and the float32 mode of the nested API.
 */
import { describe, expect, it } from "vitest";
import { crossEntropy, crossEntropyBackward, crossEntropyFlat, loadBlogExample, nllLoss } from "../src";

describe("(N, 0) logits, as PyTorch", () => {
  // PyTorch 2.13: F.cross_entropy(torch.zeros(2, 0, dtype=torch.float64), torch.tensor([-100, -100]))
  // gives mean nan, sum 0., none [0., 0.]: every target must be ignored (0 is out of bounds
  // there as here), and the mean divides 0 by a total weight of 0.
  const logits = [[], []];
  const targets = [-100, -100];
  it("mean NaN, sum 0, none [0, 0], and a gradient of the logits' shape", () => {
    expect(crossEntropy(logits, targets)).toBeNaN();
    expect(crossEntropy(logits, targets, { reduction: "sum" })).toBe(0);
    expect(crossEntropy(logits, targets, { reduction: "none" })).toEqual([0, 0]);
    expect(nllLoss(logits, targets)).toBeNaN();
    expect(crossEntropyBackward(logits, targets)).toEqual([[], []]);
  });

  it("a class index is still out of range, naming its position", () => {
    expect(() => crossEntropy(logits, [-100, 0])).toThrow(
      /^targets\[1\] = 0 is out of range: expected a class index in \[0, 0\) or ignoreIndex \(-100\)$/,
    );
  });
});

describe("crossEntropyFlat refuses output buffers that overlap an input or each other", () => {
  it("the issue's example: losses over the logits", () => {
    const x = new Float64Array([NaN, 1, 2, 0.5, 1, 2]);
    const losses = new Float64Array(x.buffer, 0, 2);
    expect(() => crossEntropyFlat(x, new Int32Array([1, 0]), 3, { reduction: "none", losses })).toThrow(
      /^options.losses shares memory with logits: pass a separate array \(logits is read after options.losses is written\)$/,
    );
  });

  it("losses over the gradient, the gradient over the weight, losses over the targets", () => {
    const x = new Float64Array([NaN, 1, 2, 0.5, 1, 2]);
    const t = new Int32Array([1, 0]);
    const grad = new Float64Array(6);
    expect(() => crossEntropyFlat(x, t, 3, { reduction: "none", grad, losses: new Float64Array(grad.buffer, 8, 2) })).toThrow(
      /^options.grad shares memory with options.losses: pass separate arrays \(the call writes both\)$/,
    );
    const shared = new Float64Array(9);
    const weight = new Float64Array(shared.buffer, 0, 3).fill(1);
    expect(() => crossEntropyFlat(x, t, 3, { weight, grad: new Float64Array(shared.buffer, 16, 6) })).toThrow(
      /^options.grad shares memory with options.weight/,
    );
    const bytes = new ArrayBuffer(24);
    expect(() =>
      crossEntropyFlat(x, new Int32Array(bytes, 0, 2), 3, { reduction: "none", losses: new Float64Array(bytes, 0, 2) }),
    ).toThrow(/^options.losses shares memory with targets/);
  });

  it("views of one buffer that do not overlap are fine, and give the answer of separate arrays", () => {
    const buffer = new ArrayBuffer(8 * 6 + 8 * 2 + 8 * 6);
    const x = new Float64Array(buffer, 0, 6);
    x.set([NaN, 1, 2, 0.5, 1, 2]);
    const losses = new Float64Array(buffer, 48, 2);
    const grad = new Float64Array(buffer, 64, 6);
    const t = new Int32Array([1, 0]);
    crossEntropyFlat(x, t, 3, { reduction: "none", losses, grad });
    const alone = new Float64Array(2);
    const aloneGrad = new Float64Array(6);
    crossEntropyFlat(new Float64Array([NaN, 1, 2, 0.5, 1, 2]), t, 3, { reduction: "none", losses: alone, grad: aloneGrad });
    expect(Array.from(losses)).toEqual(Array.from(alone));
    expect(Array.from(grad)).toEqual(Array.from(aloneGrad));
    // PyTorch 2.13 gives [nan, 1.9644] for these losses (the measurement).
    expect(losses[0]).toBeNaN();
    expect(losses[1]).toBeCloseTo(1.9644, 4);
  });
});

describe("an empty batch treats a typed weight as a plain one", () => {
  it.each([
    ["a plain array", [1, 2, 3]],
    ["a Float64Array", new Float64Array([1, 2, 3])],
    ["a Float32Array", new Float32Array([1, 2, 3])],
  ])("%s: mean NaN, sum 0, as PyTorch", (_name, weight) => {
    expect(crossEntropy([], [], { weight })).toBeNaN();
    expect(crossEntropy([], [], { weight, reduction: "sum" })).toBe(0);
  });
});

describe("weights whose dtype is not the logits' are accepted (a deliberate difference, README)", () => {
  const logits = [[0.1, -1.3, 2.2], [0.7, 0.7, -0.4]];
  const weight = [0.1, 2.5, 1 / 3];
  it("a Float32Array weight with float64 logits is widened exactly: its float32 values are used", () => {
    const widened = Array.from(new Float32Array(weight));
    expect(crossEntropy(logits, [0, 2], { weight: new Float32Array(weight) })).toBe(crossEntropy(logits, [0, 2], { weight: widened }));
    expect(widened[0]).not.toBe(0.1); // so the test can tell the two apart
  });

  it("a Float64Array weight with Float32Array logits is used at its float64 values", () => {
    const x = new Float32Array(logits.flat());
    const t = new Int32Array([0, 2]);
    const run = (w: number[] | Float64Array | Float32Array) => crossEntropyFlat(x, t, 3, { weight: w, labelSmoothing: 0.1 });
    expect(run(new Float64Array(weight))).toBe(run(weight));
    expect(run(new Float64Array(weight))).not.toBe(run(new Float32Array(weight)));
  });
});

describe("the nested float32 mode", () => {
  it("reads the inputs as float32 tensors hold them and rounds the result once", () => {
    const logits = [[0.1, 0.2, 0.3], [1e-3, 7.77, -2.5]];
    const asFloat32 = logits.map((row) => row.map(Math.fround));
    const loss = crossEntropy(logits, [2, 0], { dtype: "float32" });
    expect(loss).toBe(Math.fround(crossEntropy(asFloat32, [2, 0])));
    expect(Math.fround(loss)).toBe(loss);
    const grad = crossEntropyBackward(logits, [2, 0], { dtype: "float32" });
    expect(grad).toEqual((crossEntropyBackward(asFloat32, [2, 0]) as number[][]).map((row) => row.map(Math.fround)));
  });

  it("matches the blog example's torch.FloatTensor loss within PyTorch's float32 tolerance", () => {
    const blog = loadBlogExample();
    const loss = crossEntropy(blog.logits, blog.targets, { dtype: "float32" });
    // torch.testing's float32 default: rtol 1.3e-6, atol 1e-5.
    expect(Math.abs(loss - blog.torchFloat32Loss)).toBeLessThanOrEqual(1e-5 + 1.3e-6 * Math.abs(blog.torchFloat32Loss));
    expect(loss).not.toBe(blog.torchFloat64Loss);
  });
});
