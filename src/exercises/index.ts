/**
 * Automatic checkers for the notebooks' exercises. Each takes the learner's function, runs it on
 * cases that catch the classic mistakes (overflow, log(p + eps), sum instead of mean, a missing
 * 1/N, a flipped sign, ...), shows a table of the cases with a verdict and a hint naming the
 * likely mistake, and returns the result. Expected values come from the module itself.
 *
 * @example exercises.softmax(mySoftmax) // shows the table, the verdict and, on failure, a hint
 * @example exercises.crossEntropy(myLoss, { quiet: true }).passed // true, and nothing shown
 * NOTE: tslab prints a cell's last value; a result prints as one line, "[exercises.softmax: 7/7 cases pass]".
 */
import { bigramLossExercise } from "./bigramLoss";
import { bigramStepExercise } from "./bigramStep";
import { binaryCrossEntropyExercise } from "./binaryCrossEntropy";
import { crossEntropyExercise } from "./crossEntropy";
import { crossEntropyBackwardExercise } from "./crossEntropyBackward";
import { crossEntropyWeightedExercise } from "./classWeights";
import { float32SpacingExercise } from "./float32Spacing";
import { crossEntropyIgnoreIndexExercise } from "./ignoreIndex";
import { entropyExercise } from "./entropy";
import { klDivergenceExercise } from "./klDivergence";
import { perplexityExercise } from "./perplexity";
import { asWeightsThenBias, linearBackwardExercise } from "./linearBackward";
import { logSumExpExercise } from "./logSumExp";
import { nllFromLogProbabilitiesExercise } from "./nllLoss";
import { onlineSoftmaxExercise } from "./onlineSoftmax";
import { linearCrossEntropyBackwardExercise } from "./linearCrossEntropyBackward";
import { runExercise } from "./runner";
import type { CheckOptions, ExerciseResult } from "./types";
import { softmaxExercise } from "./softmax";
import { accuracyAndLossExercise } from "./accuracyAndLoss";
import { accuracyExercise } from "./accuracy";
import { crossEntropySmoothedExercise } from "./labelSmoothing";
import { sgdStepExercise } from "./sgdStep";
import { expectedCalibrationErrorExercise, temperatureNllExercise } from "./calibration";
import { multiMarginLossExercise } from "./multiMarginLoss";
import { focalLossExercise } from "./focalLoss";
import { logPriorBiasExercise } from "./logPriorBias";
import { pixelVotesExercise } from "./pixelVotes";
import { accumulatedTokenMeanExercise } from "./accumulatedTokenMean";

export type { CaseResult, CheckOptions, ExerciseResult } from "./types";

// The learner's function may return anything (`unknown`): a wrong return type is a case's
// message in the table, not a compile error that stops the notebook cell from running.
export const exercises = {
  /** fn(row) -> the probabilities of one row of logits. Taught in notebooks/02-softmax.ipynb. */
  softmax: (fn: (row: number[]) => unknown, options?: CheckOptions): ExerciseResult =>
    runExercise(softmaxExercise, fn, options),

  /**
   * fn(logits, targets) -> the share of rows whose first largest logit is the target.
   * Taught in notebooks/01-logits.ipynb.
   */
  accuracy: (
    fn: (logits: number[][], targets: number[]) => unknown,
    options?: CheckOptions,
  ): ExerciseResult => runExercise(accuracyExercise, fn, options),

  /** fn(values) -> log Σ exp(values), stable. Taught in notebooks/03-negative-log-likelihood.ipynb. */
  logSumExp: (fn: (values: number[]) => unknown, options?: CheckOptions): ExerciseResult =>
    runExercise(logSumExpExercise, fn, options),

  /** fn(logProbabilities, targets) -> the mean of −logProbabilities[n][targets[n]]. */
  nllFromLogProbabilities: (
    fn: (logProbabilities: number[][], targets: number[]) => unknown,
    options?: CheckOptions,
  ): ExerciseResult => runExercise(nllFromLogProbabilitiesExercise, fn, options),

  /** fn(logits, targets) -> the mean cross-entropy loss over the batch. */
  crossEntropy: (fn: (logits: number[][], targets: number[]) => unknown, options?: CheckOptions): ExerciseResult =>
    runExercise(crossEntropyExercise, fn, options),

  /** fn(probabilities) -> H(q) = −Σ q log q in nats, with 0 · log 0 = 0. Taught in notebooks/04-why-cross-entropy.ipynb. */
  entropy: (fn: (probabilities: number[]) => unknown, options?: CheckOptions): ExerciseResult =>
    runExercise(entropyExercise, fn, options),

  /** fn(q, p) -> KL(q‖p) = Σ q log(q / p) in nats. Taught in notebooks/04-why-cross-entropy.ipynb. */
  klDivergence: (fn: (q: number[], p: number[]) => unknown, options?: CheckOptions): ExerciseResult =>
    runExercise(klDivergenceExercise, fn, options),

  /** fn(losses) -> e^(mean loss), the perplexity of a text from its per-token losses in nats. Taught in notebooks/04-why-cross-entropy.ipynb. */
  perplexity: (fn: (losses: number[]) => unknown, options?: CheckOptions): ExerciseResult =>
    runExercise(perplexityExercise, fn, options),
  /** fn(logits, targets, weight) -> Σ w[y_n] ℓ_n / Σ w[y_n]. Taught in notebooks/05-reductions-and-class-weights.ipynb. */
  crossEntropyWeighted: (
    fn: (logits: number[][], targets: number[], weight: number[]) => unknown,
    options?: CheckOptions,
  ): ExerciseResult => runExercise(crossEntropyWeightedExercise, fn, options),

  /** fn(logits, targets, ignoreIndex) -> the mean loss over the targets that are not ignoreIndex. */
  crossEntropyIgnoreIndex: (
    fn: (logits: number[][], targets: number[], ignoreIndex: number) => unknown,
    options?: CheckOptions,
  ): ExerciseResult => runExercise(crossEntropyIgnoreIndexExercise, fn, options),

  /**
   * fn(logits, targets, epsilon) -> the mean cross-entropy against (1 − ε)·onehot + ε/C.
   * Taught in notebooks/06-ignore-index-smoothing-and-soft-targets.ipynb.
   */
  crossEntropySmoothed: (
    fn: (logits: number[][], targets: number[], epsilon: number) => unknown,
    options?: CheckOptions,
  ): ExerciseResult => runExercise(crossEntropySmoothedExercise, fn, options),

  /** fn(logit, label) -> the loss of one sigmoid output: −log σ(z) for label 1, −log(1 − σ(z)) for 0. */
  binaryCrossEntropy: (fn: (logit: number, label: 0 | 1) => unknown, options?: CheckOptions): ExerciseResult =>
    runExercise(binaryCrossEntropyExercise, fn, options),

  /** fn(logits, targets) -> d mean loss / d logits = (softmax − onehot) / N. Taught in notebooks/07-the-gradient.ipynb. */
  crossEntropyBackward: (
    fn: (logits: number[][], targets: number[]) => unknown,
    options?: CheckOptions,
  ): ExerciseResult => runExercise(crossEntropyBackwardExercise, fn, options),

  /** fn(X, dlogits) -> { W: Xᵀ·dlogits, b: column sums of dlogits }. Taught in notebooks/09-training-a-classifier.ipynb. */
  linearBackward: (fn: (X: number[][], dlogits: number[][]) => unknown, options?: CheckOptions): ExerciseResult =>
    runExercise(linearBackwardExercise, asWeightsThenBias(fn), options),
  /** fn(weights, bias, X, targets, learningRate, weightDecay) -> W − η (Xᵀ G + λ W). Taught in notebooks/10-training-on-digits.ipynb. */
  sgdStep: (
    fn: (weights: number[][], bias: number[], X: number[][], targets: number[], learningRate: number, weightDecay: number) => unknown,
    options?: CheckOptions,
  ): ExerciseResult => runExercise(sgdStepExercise, fn, options),

  /** fn(weights, bias, X, targets) -> [accuracy, mean cross-entropy] of logits = X W + b. Taught in notebooks/10-training-on-digits.ipynb. */
  accuracyAndLoss: (
    fn: (weights: number[][], bias: number[], X: number[][], targets: number[]) => unknown,
    options?: CheckOptions,
  ): ExerciseResult => runExercise(accuracyAndLossExercise, fn, options),

  /**
   * fn(features, weights, classIndex) -> each pixel's vote x_j · W[j][c] for class c (the votes plus
   * b[c] are the class's logit). Taught in notebooks/10-training-on-digits.ipynb.
   */
  pixelVotes: (
    fn: (features: number[], weights: number[][], classIndex: number) => unknown,
    options?: CheckOptions,
  ): ExerciseResult => runExercise(pixelVotesExercise, fn, options),

  /** fn(confidence, correct, numBins) -> Σ_b (n_b / N)·|acc_b − conf_b|. Taught in notebooks/11-calibration-and-temperature.ipynb. */
  expectedCalibrationError: (
    fn: (confidence: number[], correct: boolean[], numBins: number) => unknown,
    options?: CheckOptions,
  ): ExerciseResult => runExercise(expectedCalibrationErrorExercise, fn, options),

  /** fn(logits, targets, T) -> the mean NLL of softmax(logits / T). Taught in notebooks/11-calibration-and-temperature.ipynb. */
  temperatureNll: (
    fn: (logits: number[][], targets: number[], temperature: number) => unknown,
    options?: CheckOptions,
  ): ExerciseResult => runExercise(temperatureNllExercise, fn, options),

  /** fn(probabilities, vocabulary, words) -> the mean −log P over every bigram, "." at both ends. Taught in notebooks/12-a-character-language-model.ipynb. */
  bigramLoss: (
    fn: (probabilities: number[][], vocabulary: string[], words: string[]) => unknown,
    options?: CheckOptions,
  ): ExerciseResult => runExercise(bigramLossExercise, fn, options),

  /** fn(W, inputs, targets, learningRate) -> W after one step on the mean loss of logits W[inputs[n]]. Taught in notebooks/12-a-character-language-model.ipynb. */
  bigramStep: (
    fn: (W: number[][], inputs: number[], targets: number[], learningRate: number) => unknown,
    options?: CheckOptions,
  ): ExerciseResult => runExercise(bigramStepExercise, fn, options),

  /** fn(row) -> { max, sum = Σ exp(row − max) } in one pass. Taught in notebooks/13-making-it-fast.ipynb. */
  onlineSoftmax: (fn: (row: number[]) => unknown, options?: CheckOptions): ExerciseResult =>
    runExercise(onlineSoftmaxExercise, fn, options),

  /**
   * fn(input, linearWeight, targets) -> { gradInput: G · linearWeight, gradLinearWeight: Gᵀ · input }, with
   * G = (softmax(input · linearWeightᵀ) − onehot) / N. Taught in notebooks/14-the-loss-at-llm-scale.ipynb.
   */
  linearCrossEntropyBackward: (
    fn: (input: number[][], linearWeight: number[][], targets: number[]) => unknown,
    options?: CheckOptions,
  ): ExerciseResult => runExercise(linearCrossEntropyBackwardExercise, fn, options),

  /** fn(x) -> the gap from float32(x) to the next float32 up. Taught in notebooks/A1-side-by-side-with-pytorch.ipynb. */
  float32Spacing: (fn: (x: number) => unknown, options?: CheckOptions): ExerciseResult =>
    runExercise(float32SpacingExercise, fn, options),

  /** fn(targets, numClasses) -> the bias b with softmax(b) = the class shares: log(count / N). Taught in notebooks/04-why-cross-entropy.ipynb. */
  logPriorBias: (fn: (targets: number[], numClasses: number) => unknown, options?: CheckOptions): ExerciseResult =>
    runExercise(logPriorBiasExercise, fn, options),

  /** fn(logits, targets, gamma) -> the mean of −(1 − p_y)^γ log p_y. Taught in notebooks/05-reductions-and-class-weights.ipynb. */
  focalLoss: (
    fn: (logits: number[][], targets: number[], gamma: number) => unknown,
    options?: CheckOptions,
  ): ExerciseResult => runExercise(focalLossExercise, fn, options),

  /** fn(scores, targets) -> the mean of Σ_{j≠y} max(0, 1 − s_y + s_j) / C. Taught in notebooks/07-the-gradient.ipynb. */
  multiMarginLoss: (fn: (scores: number[][], targets: number[]) => unknown, options?: CheckOptions): ExerciseResult =>
    runExercise(multiMarginLossExercise, fn, options),

  /** fn(losses, targets) -> Σ real token losses / # real tokens, over every micro-batch. Taught in notebooks/A1-side-by-side-with-pytorch.ipynb. */
  accumulatedTokenMean: (fn: (losses: number[][], targets: number[][]) => unknown, options?: CheckOptions): ExerciseResult =>
    runExercise(accumulatedTokenMeanExercise, fn, options),
};

// A notebook cannot swap a checker for one that always passes (`exercises.softmax = ...`
// throws): the grader (src/commands/grade/) runs these very functions on a learner's answer.
Object.freeze(exercises);
