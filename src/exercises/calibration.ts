/**
 * The calibration exercises. ECE: fn(confidence, correct, numBins) => Σ_b (n_b / N)·|acc_b − conf_b|.
 * Temperature: fn(logits, targets, T) => the mean NLL of softmax(logits / T).
 * Taught in notebooks/11-calibration-and-temperature.ipynb.
 */
import { expectedCalibrationError, reliabilityBins } from "../course/calibration";
import { crossEntropy } from "../loss/crossEntropy";
import { temperatureNll } from "../course/temperature";
import { meanOverRows, naiveSoftmax } from "./foils";
import type { Exercise } from "./types";

type EceArgs = [confidence: number[], correct: boolean[], numBins: number];

/** ECE with the bins combined by `weigh` (the share of predictions in the right answer). */
function eceVariant([confidence, correct, numBins]: EceArgs, weigh: "count" | "equal" | "signed"): number {
  const full = reliabilityBins(confidence, correct, numBins).filter((bin) => bin.count > 0);
  const gaps = full.map((bin) => (weigh === "signed" ? bin.accuracy - bin.meanConfidence : Math.abs(bin.accuracy - bin.meanConfidence)));
  if (weigh === "equal") return gaps.reduce((s, g) => s + g, 0) / full.length;
  return full.reduce((s, bin, i) => s + (bin.count / confidence.length) * gaps[i], 0);
}

/** Bins [b/B, (b+1)/B) closed on the left, with 1 kept in the last bin. */
function leftClosedEce([confidence, correct, numBins]: EceArgs): number {
  const bins = Array.from({ length: numBins }, () => ({ n: 0, conf: 0, right: 0 }));
  confidence.forEach((p, i) => {
    const bin = bins[Math.min(numBins - 1, Math.floor(p * numBins))];
    bin.n++;
    bin.conf += p;
    bin.right += correct[i] ? 1 : 0;
  });
  return bins.reduce((s, bin) => (bin.n ? s + (bin.n / confidence.length) * Math.abs(bin.right / bin.n - bin.conf / bin.n) : s), 0);
}

export const expectedCalibrationErrorExercise: Exercise<EceArgs> = {
  name: "expectedCalibrationError",
  signature: "fn(confidence: number[], correct: boolean[], numBins: number) => number",
  argNames: ["confidence", "correct", "numBins"],
  cases: [
    { name: "one bin", args: [[0.9, 0.8, 0.7, 0.6], [true, false, false, true], 1] },
    { name: "equal-sized bins", args: [[0.9, 0.95, 0.2, 0.4], [true, false, true, true], 2] },
    { name: "unequal bins", args: [[0.95, 0.92, 0.97, 0.91, 0.3], [true, true, true, true, false], 2] },
    { name: "over- and under-confident", args: [[0.95, 0.9, 0.35, 0.3], [false, true, true, true], 2] },
    { name: "a confidence on a bin edge", args: [[0.5, 0.5, 0.9, 0.6], [true, true, true, false], 2] },
    { name: "15 bins", args: [[0.99, 0.97, 0.81, 0.62, 0.45, 0.99, 0.3], [true, true, false, true, false, true, true], 15] },
  ],
  expected: (confidence, correct, numBins) => expectedCalibrationError(confidence, correct, numBins),
  mistakes: [
    {
      name: "bins weighted equally",
      output: (args) => eceVariant(args, "equal"),
      hint:
        "Each bin's gap is weighted by its share of the predictions, n_b / N: a bin of 1 prediction must count less " +
        "than a bin of 100. Averaging the gaps of the bins weighs them equally.",
    },
    {
      name: "signed gaps",
      output: (args) => eceVariant(args, "signed"),
      hint:
        "Take the absolute gap |accuracy_b − confidence_b|: otherwise an over-confident bin and an under-confident " +
        "bin cancel out.",
    },
    {
      name: "bins closed on the left",
      output: (args) => leftClosedEce(args),
      hint:
        "A confidence on a bin edge belongs to the bin below: bins are (b/B, (b+1)/B], closed on the right, as in " +
        "Guo et al. (0.5 with 2 bins is in the first bin).",
    },
  ],
};

type TemperatureArgs = [logits: number[][], targets: number[], temperature: number];

export const temperatureNllExercise: Exercise<TemperatureArgs> = {
  name: "temperatureNll",
  signature: "fn(logits: number[][], targets: number[], temperature: number) => number",
  argNames: ["logits", "targets", "temperature"],
  cases: [
    { name: "T = 1", args: [[[2, 0, -1], [0, 1, 0]], [0, 2], 1] },
    { name: "T = 2", args: [[[2, 0, -1], [0, 1, 0]], [0, 2], 2] },
    { name: "T = 0.5", args: [[[2, 0, -1], [0, 1, 0]], [0, 2], 0.5] },
    { name: "one row, T = 4", args: [[[3, 1]], [1], 4] },
    { name: "large logits, small T", args: [[[10, 0], [0, 20]], [1, 1], 0.01] },
  ],
  expected: (logits, targets, temperature) => temperatureNll(logits, targets, temperature),
  mistakes: [
    {
      name: "T as a multiplier",
      output: ([logits, targets, T]) => crossEntropy(logits.map((row) => row.map((z) => z * T)), targets),
      hint: "Divide the logits by T, do not multiply: softmax(z / T). T > 1 must soften the probabilities.",
    },
    {
      name: "loss divided by T",
      output: ([logits, targets, T]) => crossEntropy(logits, targets) / T,
      hint: "Divide the logits by T before the softmax, not the loss after it: the loss is −log softmax(z / T)[y].",
    },
    {
      name: "summed loss",
      output: ([logits], expected) => (expected as number) * logits.length,
      hint: "The NLL is the mean over the rows, not the sum.",
    },
    {
      name: "naive softmax",
      output: ([logits, targets, T]) =>
        meanOverRows(logits.map((row) => row.map((z) => z / T)), targets, (row, y) => -Math.log(naiveSoftmax(row)[y])),
      hint:
        "Math.exp overflows once a small T makes the logits large (20 / 0.01 = 2000): subtract each row's max first, " +
        "or call the module's crossEntropy on logits / T.",
    },
  ],
};
