// Softmax regression: the forward pass, the gradient with weight decay, one step, accuracy.
import { describe, expect, it } from "vitest";
import { crossEntropy } from "../src/loss/crossEntropy";
import { accuracy, initialModel, linearLogits, predictions, sgdStep, softmaxRegressionGradients } from "../src/course/softmaxRegression";
import { expectAllClose } from "./helpers/allclose";

const model = { weights: [[1, -1, 0], [0.5, 0, 2]], bias: [0, 1, -1] };
const X = [[1, 0], [2, 1], [0, -1]];
const y = [0, 2, 1];

describe("linearLogits", () => {
  it("computes X W + b: row [2, 1] gives [2·1 + 1·0.5 + 0, 2·(−1) + 0 + 1, 0 + 1·2 − 1] = [2.5, −1, 1]", () => {
    expect(linearLogits(X, model)).toEqual([[1, 0, -1], [2.5, -1, 1], [-0.5, 1, -3]]);
  });

  it("names a feature count that does not match the weights, and a non-finite input", () => {
    expect(() => linearLogits([[1, 2, 3]], model)).toThrow("X[0] has length 3: expected 2");
    expect(() => linearLogits([[1, NaN]], model)).toThrow("X[0][1] = NaN is not finite");
    expect(() => linearLogits(X, { weights: model.weights, bias: [0, 1] })).toThrow("model.bias has length 2: expected 3");
  });
});

describe("softmaxRegressionGradients", () => {
  it("one example, zero weights: G = (softmax − onehot) / 1 = [−0.5, 0.5], so dW = x · G and db = G", () => {
    const g = softmaxRegressionGradients([[2]], [0], { weights: [[0, 0]], bias: [0, 0] });
    expect(g.weights).toEqual([[-1, 1]]);
    expect(g.bias).toEqual([-0.5, 0.5]);
  });

  it("adds λ W to dW and nothing to db: with λ = 0.1 and W = [[1, −1]], dW gains [0.1, −0.1]", () => {
    const start = { weights: [[1, -1]], bias: [0, 0] };
    const plain = softmaxRegressionGradients([[2]], [0], start);
    const decayed = softmaxRegressionGradients([[2]], [0], start, { weightDecay: 0.1 });
    expectAllClose(decayed.weights, [[plain.weights[0][0] + 0.1, plain.weights[0][1] - 0.1]], { rtol: 1e-15, atol: 1e-15 });
    expect(decayed.bias).toEqual(plain.bias);
  });

  it("matches a centred finite difference of crossEntropy(X W + b) + (λ/2)‖W‖² (h = 1e-6, relative error < 1e-7)", () => {
    const lambda = 0.3;
    const loss = (m: typeof model) =>
      crossEntropy(linearLogits(X, m), y) + (lambda / 2) * m.weights.flat().reduce((s, w) => s + w * w, 0);
    const g = softmaxRegressionGradients(X, y, model, { weightDecay: lambda });
    const h = 1e-6;
    for (let d = 0; d < 2; d++) {
      for (let c = 0; c < 3; c++) {
        const plus = structuredClone(model);
        const minus = structuredClone(model);
        plus.weights[d][c] += h;
        minus.weights[d][c] -= h;
        const numeric = (loss(plus) - loss(minus)) / (2 * h);
        expect(Math.abs(numeric - g.weights[d][c]) / (Math.abs(numeric) + Math.abs(g.weights[d][c]))).toBeLessThan(1e-7);
      }
    }
    for (let c = 0; c < 3; c++) {
      const plus = structuredClone(model);
      const minus = structuredClone(model);
      plus.bias[c] += h;
      minus.bias[c] -= h;
      const numeric = (loss(plus) - loss(minus)) / (2 * h);
      expect(Math.abs(numeric - g.bias[c]) / (Math.abs(numeric) + Math.abs(g.bias[c]))).toBeLessThan(1e-7);
    }
  });

  it("names a target out of range and a negative weight decay", () => {
    expect(() => softmaxRegressionGradients(X, [0, 3, 1], model)).toThrow("targets[1] = 3 is out of range: expected a class index in [0, 3)");
    expect(() => softmaxRegressionGradients(X, y, model, { weightDecay: -1 })).toThrow("weightDecay = -1 is out of range");
  });
});

describe("sgdStep", () => {
  it("W ← W − η (Xᵀ G + λ W): one example x = 2, W = [[1, −1]], η = 0.5, λ = 0.1", () => {
    // logits = [2, −2]; softmax = [e²/(e² + e⁻²), e⁻²/(e² + e⁻²)]; target 0, so G = [p0 − 1, p1].
    const p1 = Math.exp(-2) / (Math.exp(2) + Math.exp(-2));
    const G = [-p1, p1];
    const expected = [[1 - 0.5 * (2 * G[0] + 0.1 * 1), -1 - 0.5 * (2 * G[1] + 0.1 * -1)]];
    const next = sgdStep({ weights: [[1, -1]], bias: [0, 0] }, [[2]], [0], { learningRate: 0.5, weightDecay: 0.1 });
    expectAllClose(next.weights, expected, { rtol: 1e-14, atol: 1e-15 });
    expectAllClose(next.bias, [-0.5 * G[0], -0.5 * G[1]], { rtol: 1e-14, atol: 1e-15 });
  });

  it("leaves the model it was given unchanged, and lowers the loss for a small step", () => {
    const before = structuredClone(model);
    const next = sgdStep(model, X, y, { learningRate: 0.1 });
    expect(model).toEqual(before);
    expect(crossEntropy(linearLogits(X, next), y)).toBeLessThan(crossEntropy(linearLogits(X, model), y));
  });

  it("names a learning rate that is not positive", () => {
    expect(() => sgdStep(model, X, y, { learningRate: 0 })).toThrow("learningRate = 0 is out of range: expected a finite number > 0");
  });
});

describe("predictions and accuracy", () => {
  it("takes the first largest logit, as torch.argmax, and counts the share right: 2 of 3", () => {
    expect(predictions([[1, 3, 3], [0, 0, 0], [-1, -2, 5]])).toEqual([1, 0, 2]);
    expect(accuracy([[1, 3, 3], [0, 0, 0], [-1, -2, 5]], [1, 1, 2])).toBe(2 / 3);
  });
});

describe("initialModel", () => {
  it("draws weights in [−scale, scale] from the seed, and zero biases", () => {
    const m = initialModel(64, 10, 0.01, 1);
    expect(m.weights).toHaveLength(64);
    expect(m.weights.flat().every((w) => Math.abs(w) <= 0.01)).toBe(true);
    expect(m.bias).toEqual(new Array(10).fill(0));
    expect(initialModel(64, 10, 0.01, 1)).toEqual(m);
  });
});
