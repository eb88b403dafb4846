import { checkAtLeast, checkClassIndices, checkMatrix, checkVector, checkWholeNumber } from "../inputs/numbers";
import { crossEntropyBackward } from "../loss/crossEntropyBackward";
import { mulberry32 } from "./random";

/**
 * Softmax regression, one linear layer: logits = X W + b.
 * weights (D, C): column c is class c's "template", one weight per feature; bias (C).
 */
export interface LinearModel {
  weights: number[][];
  bias: number[];
}

/** Options of one gradient step. */
export interface StepOptions {
  learningRate: number;
  /** λ of the L2 penalty (λ/2)·‖W‖² added to the loss; the bias is not decayed. Default 0. */
  weightDecay?: number;
  /** Passed to crossEntropyBackward, in [0, 1]. Default 0. */
  labelSmoothing?: number;
}

/**
 * Small random weights, uniform in [−scale, scale] from a seeded generator, and zero biases:
 * every logit starts near 0, so every class near 1/C and the loss near log C.
 *
 * @example initialModel(64, 10, 0.01, 1).weights.length // 64
 * Used in notebooks/10-training-on-digits.ipynb.
 */
export function initialModel(numFeatures: number, numClasses: number, scale: number, seed: number): LinearModel {
  checkWholeNumber(numFeatures, "numFeatures", 1);
  checkWholeNumber(numClasses, "numClasses", 1);
  checkAtLeast(scale, "scale", 0);
  const random = mulberry32(seed);
  return {
    weights: Array.from({ length: numFeatures }, () => Array.from({ length: numClasses }, () => scale * (2 * random() - 1))),
    bias: new Array<number>(numClasses).fill(0),
  };
}

/**
 * The forward pass: logits[n][c] = Σ_d X[n][d] · W[d][c] + b[c].
 *
 * X (N, D), weights (D, C), bias (C) -> logits (N, C)
 * @example linearLogits([[1, 2]], { weights: [[1, 0], [0, 1]], bias: [0.5, 0] }) // [[1.5, 2]]
 */
export function linearLogits(X: number[][], model: LinearModel): number[][] {
  checkModelInputs(X, model);
  return forward(X, model);
}

/**
 * The gradient of the penalised loss crossEntropy(XW + b, y) + (λ/2)·‖W‖² (λ = weightDecay):
 * with G = crossEntropyBackward(logits, y) = (softmax − onehot) / N,
 * dW = Xᵀ G + λ W (D, C) and db = the column sums of G (C). G carries the mean's 1/N, so Xᵀ G
 * does not divide again.
 *
 * @example softmaxRegressionGradients([[1]], [0], { weights: [[0, 0]], bias: [0, 0] }).weights // [[-0.5, 0.5]]
 * Used in notebooks/10-training-on-digits.ipynb.
 */
export function softmaxRegressionGradients(
  X: number[][],
  targets: number[],
  model: LinearModel,
  options: Omit<StepOptions, "learningRate"> = {},
): LinearModel {
  const [N, C] = checkModelInputs(X, model);
  checkClassIndices(targets, "targets", N, C);
  const weightDecay = checkAtLeast(options.weightDecay ?? 0, "weightDecay", 0);
  const labelSmoothing = options.labelSmoothing ?? 0;
  return gradients(X, targets, model, weightDecay, labelSmoothing);
}

/**
 * One step of (mini-batch) gradient descent on the batch X, targets:
 * W ← W − η (Xᵀ G + λ W),  b ← b − η · colsum(G).
 * Returns a new model; `model` is not changed.
 *
 * NOTE: like torch.optim.SGD(lr=η, weight_decay=λ), but only on W: shrinking the bias would
 * only pull the classes' base rates together, so it is left out, as is usual.
 * @example sgdStep({ weights: [[0, 0]], bias: [0, 0] }, [[1]], [0], { learningRate: 1 }).weights // [[0.5, -0.5]]
 * Used in notebooks/10-training-on-digits.ipynb.
 */
export function sgdStep(model: LinearModel, X: number[][], targets: number[], options: StepOptions): LinearModel {
  const [N, C] = checkModelInputs(X, model);
  checkClassIndices(targets, "targets", N, C);
  const learningRate = checkAtLeast(options?.learningRate, "learningRate", 0, true);
  const weightDecay = checkAtLeast(options.weightDecay ?? 0, "weightDecay", 0);
  return step(model, gradients(X, targets, model, weightDecay, options.labelSmoothing ?? 0), learningRate);
}

/** The index of each row's largest logit (the first one on a tie), as torch.argmax. */
export function predictions(logits: number[][]): number[] {
  return logits.map((row) => row.reduce((best, v, c) => (v > row[best] ? c : best), 0));
}

/**
 * The share of rows whose largest logit is at the target: a number in [0, 1].
 *
 * @example accuracy([[2, 1], [0, 3]], [0, 0]) // 0.5
 */
export function accuracy(logits: number[][], targets: number[]): number {
  const [N, C] = checkMatrix(logits, "logits");
  checkClassIndices(targets, "targets", N, C);
  return predictions(logits).filter((p, n) => p === targets[n]).length / N;
}

/** Inner forward pass: inputs already checked. */
export function forward(X: number[][], { weights, bias }: LinearModel): number[][] {
  return X.map((x) => {
    const row = bias.slice();
    x.forEach((xd, d) => {
      if (xd === 0) return; // most pixels are blank: skipping them changes no sum
      const w = weights[d];
      for (let c = 0; c < row.length; c++) row[c] += xd * w[c];
    });
    return row;
  });
}

/** Inner gradient: inputs already checked. */
export function gradients(X: number[][], targets: number[], model: LinearModel, weightDecay: number, labelSmoothing: number): LinearModel {
  const G = crossEntropyBackward(forward(X, model), targets, { labelSmoothing });
  const weights = model.weights.map((w) => w.map((v) => weightDecay * v));
  X.forEach((x, n) =>
    x.forEach((xd, d) => {
      if (xd === 0) return;
      const row = weights[d];
      for (let c = 0; c < row.length; c++) row[c] += xd * G[n][c];
    }),
  );
  const bias = model.bias.map((_, c) => G.reduce((sum, g) => sum + g[c], 0));
  return { weights, bias };
}

/** Inner step: θ − η · gradient, for the weights and the bias. */
export function step(model: LinearModel, gradient: LinearModel, learningRate: number): LinearModel {
  return {
    weights: model.weights.map((w, d) => w.map((v, c) => v - learningRate * gradient.weights[d][c])),
    bias: model.bias.map((v, c) => v - learningRate * gradient.bias[c]),
  };
}

/** Checks X (N, D) against the model's weights (D, C) and bias (C); returns [N, C]. */
export function checkModelInputs(X: unknown, model: unknown): [number, number] {
  if (typeof model !== "object" || model === null) throw new TypeError(`model is ${String(model)}: expected { weights, bias }`);
  const { weights, bias } = model as LinearModel;
  const [D, C] = checkMatrix(weights, "model.weights");
  checkVector(bias, "model.bias", C);
  const [N] = checkMatrix(X, "X", D);
  return [N, C];
}
