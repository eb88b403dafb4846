/**
 * The entropy exercise: fn(probabilities: number[]) => number, H(q) = −Σ q log q in nats, with
 * 0 · log 0 = 0. Taught in notebooks/04-why-cross-entropy.ipynb.
 */
import { entropy } from "../loss/information";
import { scaled } from "./foils";
import type { Exercise } from "./types";

type Args = [probabilities: number[]];

/** Hints shared with the KL exercise, in the course's words. */
export const BITS_HINT =
  "Your answer is in bits: Math.log2 gives the answer in nats divided by ln 2 = 0.693. The course (and PyTorch) " +
  "measure in nats: use the natural log, Math.log.";
export const ZERO_LOG_ZERO_HINT =
  "In JavaScript 0 * Math.log(0) is 0 * -Infinity = NaN, but in a sum over a distribution a class with " +
  "probability 0 adds nothing (the limit of q log q as q → 0 is 0). Skip the terms with q[c] = 0.";

export const entropyExercise: Exercise<Args> = {
  name: "entropy",
  signature: "fn(probabilities: number[]) => number",
  argNames: ["probabilities"],
  cases: [
    { name: "fair coin", args: [[0.5, 0.5]] },
    { name: "skewed, 3 classes", args: [[0.7, 0.2, 0.1]] },
    { name: "uniform, 4 classes", args: [[0.25, 0.25, 0.25, 0.25]] },
    { name: "certain: one-hot", args: [[0, 1, 0]] },
    { name: "a class with probability 0", args: [[0.5, 0.5, 0]] },
    { name: "uniform, 27 characters", args: [Array.from({ length: 27 }, () => 1 / 27)] },
    { name: "almost certain", args: [[0.999, 0.001]] },
  ],
  expected: (probabilities) => entropy(probabilities),
  mistakes: [
    { name: "log base 2", output: (_, expected) => scaled(expected, 1 / Math.LN2), hint: BITS_HINT },
    {
      name: "0 · log 0 = NaN",
      output: ([q]) => -q.reduce((sum, qc) => sum + qc * Math.log(qc), 0),
      hint: ZERO_LOG_ZERO_HINT,
    },
    {
      name: "sign flipped",
      output: (_, expected) => scaled(expected, -1),
      hint: "The entropy has the wrong sign: log q ≤ 0, so H(q) = −Σ q log q is never negative. Keep the minus.",
    },
    {
      name: "log base 10",
      output: (_, expected) => scaled(expected, 1 / Math.LN10),
      hint: "Math.log10 gives the entropy in decimal digits (nats divided by ln 10 = 2.303): use the natural log, Math.log.",
    },
    {
      name: "surprise not weighted by q",
      output: ([q]) => -q.reduce((sum, qc) => sum + Math.log(qc), 0),
      hint:
        "You added up the surprises −log q[c] without weighting them: the entropy is an average, " +
        "H(q) = −Σ q[c] · log q[c], each surprise times how often it happens.",
    },
    {
      name: "mean over the classes",
      output: ([q], expected) => scaled(expected, 1 / q.length),
      hint:
        "You divided by the number of classes: the weights q[c] already make the sum an average, " +
        "so H(q) = −Σ q[c] · log q[c] with no 1/C.",
    },
  ],
};
