import { checkMatrix, checkWholeNumber } from "../inputs/numbers";
import { describe } from "../inputs/describe";
import { softmax } from "../loss/softmax";
import { predictions } from "./softmaxRegression";

/** What a classifier says about each example: its guess, how sure it is, and whether it is right. */
export interface Confidences {
  /** The predicted class: the largest logit. */
  predicted: number[];
  /** The probability of the predicted class: max softmax(logits), in [1/C, 1]. */
  confidence: number[];
  /** Whether the predicted class is the target. */
  correct: boolean[];
}

/**
 * Each row's prediction, its confidence max_c softmax(logits)[c], and whether it is right.
 *
 * logits (N, C), targets (N) -> three arrays of length N
 * @example predictionConfidences([[2, 0], [0, 1]], [0, 0]) // confidence [0.8808, 0.7311], correct [true, false]
 * Used in notebooks/11-calibration-and-temperature.ipynb.
 */
export function predictionConfidences(logits: number[][], targets: number[]): Confidences {
  const [N] = checkMatrix(logits, "logits");
  if (!Array.isArray(targets) || targets.length !== N) {
    throw new RangeError(`targets is ${describe(targets)}: expected ${N} class indices, one per row of logits`);
  }
  const predicted = predictions(logits);
  const probabilities = softmax(logits);
  return {
    predicted,
    confidence: predicted.map((c, n) => probabilities[n][c]),
    correct: predicted.map((c, n) => c === targets[n]),
  };
}

/** One bin of a reliability diagram: the predictions whose confidence lies in (lower, upper]. */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  /** The mean confidence of the bin's predictions; NaN for an empty bin. */
  meanConfidence: number;
  /** The share of the bin's predictions that are right; NaN for an empty bin. */
  accuracy: number;
}

/**
 * Predictions grouped by confidence into `numBins` equal-width bins (b/B, (b+1)/B] (a
 * confidence of exactly 0 goes to the first), with each bin's count, mean confidence and
 * accuracy. A calibrated model has accuracy ≈ mean confidence in every bin.
 *
 * confidence (N) in [0, 1], correct (N) -> numBins bins, counts summing to N
 * @example reliabilityBins([0.9, 0.7, 0.2], [true, false, true], 2)
 *   // [{ lower: 0, upper: 0.5, count: 1, meanConfidence: 0.2, accuracy: 1 }, { lower: 0.5, upper: 1, count: 2, meanConfidence: 0.8, accuracy: 0.5 }]
 * @see Guo et al. 2017, "On Calibration of Modern Neural Networks", §2
 * Used in notebooks/11-calibration-and-temperature.ipynb.
 */
export function reliabilityBins(confidence: number[], correct: ArrayLike<boolean | number>, numBins = 15): ReliabilityBin[] {
  checkCalibrationInputs(confidence, correct, numBins);
  const sums = Array.from({ length: numBins }, () => ({ count: 0, confidence: 0, correct: 0 }));
  confidence.forEach((p, n) => {
    const bin = sums[binOf(p, numBins)];
    bin.count++;
    bin.confidence += p;
    bin.correct += correct[n] ? 1 : 0;
  });
  return sums.map((s, b) => ({
    lower: b / numBins,
    upper: (b + 1) / numBins,
    count: s.count,
    meanConfidence: s.count > 0 ? s.confidence / s.count : NaN,
    accuracy: s.count > 0 ? s.correct / s.count : NaN,
  }));
}

/**
 * The expected calibration error: the gap between accuracy and confidence in each bin,
 * weighted by the share of the predictions in that bin (empty bins weigh 0).
 *
 * ECE = Σ_b (n_b / N) · |accuracy_b − meanConfidence_b|, over `numBins` equal-width bins (15 in Guo et al.)
 * @example expectedCalibrationError([0.9, 0.7, 0.2], [true, false, true], 2) // 1/3·|1 − 0.2| + 2/3·|0.5 − 0.8| = 0.4667
 * @see Guo et al. 2017, "On Calibration of Modern Neural Networks", eq. (3)
 * Used in notebooks/11-calibration-and-temperature.ipynb.
 */
export function expectedCalibrationError(confidence: number[], correct: ArrayLike<boolean | number>, numBins = 15): number {
  const bins = reliabilityBins(confidence, correct, numBins);
  return bins.reduce((sum, b) => (b.count > 0 ? sum + (b.count / confidence.length) * Math.abs(b.accuracy - b.meanConfidence) : sum), 0);
}

/** The bin (b/B, (b+1)/B] holding p, compared against the same b / B the bins report. */
function binOf(p: number, numBins: number): number {
  let b = Math.min(numBins - 1, Math.max(0, Math.ceil(p * numBins) - 1));
  // p · B can round across a boundary (0.7 · 10 = 7.000000000000001): settle against b / B itself.
  while (b > 0 && p <= b / numBins) b--;
  while (b < numBins - 1 && p > (b + 1) / numBins) b++;
  return b;
}

function checkCalibrationInputs(confidence: unknown, correct: unknown, numBins: number): void {
  checkWholeNumber(numBins, "numBins", 1);
  if (!Array.isArray(confidence) || confidence.length === 0) {
    throw new TypeError(`confidence is ${describe(confidence)}: expected a non-empty array of probabilities`);
  }
  confidence.forEach((p, n) => {
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new RangeError(`confidence[${n}] = ${describe(p)} is out of range: expected a probability in [0, 1]`);
    }
  });
  const right = correct as ArrayLike<unknown>;
  if (right === null || typeof right !== "object" || right.length !== confidence.length) {
    throw new RangeError(`correct is ${describe(correct)}: expected ${confidence.length} values, one per confidence`);
  }
  for (let n = 0; n < right.length; n++) {
    const v = right[n];
    if (!(v === true || v === false || v === 0 || v === 1)) {
      throw new RangeError(`correct[${n}] = ${describe(v)} is not a verdict: expected true/false or 1/0`);
    }
  }
}
