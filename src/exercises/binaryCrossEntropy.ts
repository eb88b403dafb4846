/**
 * The binary cross-entropy exercise: fn(logit: number, label: 0 | 1) => number, the loss of one
 * sigmoid output, −log σ(z) for label 1 and −log(1 − σ(z)) for label 0. Taught with softmax
 * versus sigmoid: softmax([z, 0]) = [σ(z), 1 − σ(z)], so the module's crossEntropy([[z, 0]], ...)
 * is the expected value.
 */
import { crossEntropy } from "../loss/crossEntropy";
import { formatNumber } from "../display/table";
import { FLOAT64_TOLERANCE } from "./compare";
import { EPSILONS, cappedLoss, float32Arithmetic, naiveSigmoid, scaled } from "./foils";
import type { Exercise, Mistake } from "./types";

type Args = [logit: number, label: 0 | 1];

/** softmax([z, 0]) = [σ(z), 1 − σ(z)]: class 0 of the pair is label 1. */
const binary = (logit: number, label: 0 | 1): number => crossEntropy([[logit, 0]], [label === 1 ? 0 : 1]);

/**
 * The expected loss: the module's crossEntropy of [z, 0] (the same number, softmax([z,
 * 0]) = [σ(z), 1 − σ(z)]) wherever the loss is above float64's spacing at 1, log1p's own
 * value below it. There crossEntropy, like PyTorch's F.cross_entropy, takes log(1 +
 * e^−40) = log 1 = 0, where log1p(e^−40) = 4.25e-18 keeps every digit; notebook 08
 * teaches log1p for exactly that. (PyTorch's binary_cross_entropy_with_logits gives
 * 4.25e-18 for logit 40, label 1.)
 */
const expectedLoss = (logit: number, label: 0 | 1): number => {
  const t = label === 1 ? logit : -logit;
  const tail = Math.exp(-Math.abs(t));
  if (tail >= Number.EPSILON) return binary(logit, label);
  return Math.max(-t, 0) + Math.log1p(tail);
};

/** p(label) from the naive sigmoid, as a learner who adds an epsilon computes it. */
const naiveP = (z: number, y: 0 | 1): number => (y === 1 ? naiveSigmoid(z) : 1 - naiveSigmoid(z));
const cap = (eps: number): string =>
  `caps every loss at −log(${eps}) = ${formatNumber(-Math.log(eps), 4)}, so a confident wrong ` +
  "prediction (logit 40, label 0: true loss 40) scores far too low. Work in log space instead: " +
  "−log σ(z) = log(1 + e^−z) = max(−z, 0) + Math.log1p(Math.exp(−|z|)), which needs no epsilon.";
const clipped: Array<Mistake<Args>> = EPSILONS.flatMap((eps) => [
  { name: `log(p + ${eps})`, output: ([z, y]: Args) => -Math.log(naiveP(z, y) + eps), hint: `log(p + ${eps}) ${cap(eps)}` },
  {
    name: `log(max(p, ${eps}))`,
    output: ([z, y]: Args) => -Math.log(Math.max(naiveP(z, y), eps)),
    hint: `Math.max(p, ${eps}) ${cap(eps)}`,
  },
]);

const LOG_SPACE =
  "Stay in log space: −log σ(z) = max(−z, 0) + Math.log1p(Math.exp(−|z|)) for label 1, and the same " +
  "with −z in place of z for label 0.";

export const binaryCrossEntropyExercise: Exercise<Args> = {
  name: "binaryCrossEntropy",
  signature: "fn(logit: number, label: 0 | 1) => number",
  argNames: ["logit", "label"],
  cases: [
    { name: "logit 0", args: [0, 1] },
    { name: "positive logit, label 1", args: [2, 1] },
    { name: "positive logit, label 0", args: [2, 0] },
    { name: "negative logit, label 1", args: [-3, 1] },
    { name: "confident and right", args: [40, 1] },
    { name: "confident and wrong (label 0)", args: [40, 0] },
    { name: "confident and wrong (label 1)", args: [-40, 1] },
    { name: "huge logit, label 0", args: [800, 0] },
    { name: "huge negative logit, label 1", args: [-800, 1] },
    // Past any cap a learner picks (Math.min(loss, 1000)): the loss grows without bound.
    { name: "wrong by 5000", args: [5000, 0] },
  ],
  expected: expectedLoss,
  // No absolute floor: the confident and right cases' losses, 4.25e-18, are held to their
  // digits, so Math.log(1 + Math.exp(−|z|)), which gives 0 there, fails them.
  tolerance: { ...FLOAT64_TOLERANCE, atol: 0 },
  mistakes: [
    {
      name: "log of a naive sigmoid",
      output: ([z, y]) => -Math.log(y === 1 ? naiveSigmoid(z) : 1 - naiveSigmoid(z)),
      hint:
        "σ(z) = 1 / (1 + e^−z) rounds to exactly 1 for z ≥ 37 (and to 0 once e^−z overflows, for z ≤ −710), so Math.log(1 − p) " +
        `or Math.log(p) is log 0 = -Infinity. ${LOG_SPACE}`,
    },
    {
      name: "two-term formula",
      output: ([z, y]) => -(y * Math.log(naiveSigmoid(z)) + (1 - y) * Math.log(1 - naiveSigmoid(z))),
      hint:
        "In JavaScript 0 * Math.log(0) is NaN, so −(y·log p + (1 − y)·log(1 − p)) breaks as soon as p rounds " +
        `to 1 or 0, even for the term whose label weight is 0. Use one term per label. ${LOG_SPACE}`,
    },
    {
      name: "softplus that overflows",
      output: ([z, y]) => Math.log(1 + Math.exp(y === 1 ? -z : z)),
      hint:
        "log(1 + e^−z) is the right formula, but Math.exp(800) is Infinity: take the large part out first. " +
        LOG_SPACE,
    },
    {
      name: "log(1 + e^−|z|) without log1p",
      output: ([z, y]) => {
        const t = y === 1 ? z : -z;
        return Math.max(-t, 0) + Math.log(1 + Math.exp(-Math.abs(t)));
      },
      hint:
        "The large part is out, but 1 + e^−|z| rounds to exactly 1 once e^−|z| is " +
        "below float64's spacing at 1 (2.2e-16): a confident and right prediction " +
        "(logit 40, label 1) then costs log 1 = 0 instead of e^−40 = 4.25e-18. " +
        "Math.log1p(x) computes log(1 + x) without forming 1 + x: max(−z, 0) + " +
        "Math.log1p(Math.exp(−|z|)).",
    },
    ...clipped,
    {
      name: "labels swapped",
      output: ([z, y]) => expectedLoss(z, y === 1 ? 0 : 1),
      hint: "The labels are swapped: label 1 is the class the logit speaks for, so its loss is −log σ(z), not −log(1 − σ(z)).",
    },
    {
      name: "sign flipped",
      output: (_, expected) => scaled(expected, -1),
      hint: "The loss has the wrong sign: binary cross-entropy is −log p(label), which is never negative.",
    },
    {
      name: "log base 2",
      output: (_, expected) => scaled(expected, 1 / Math.LN2),
      hint: "Your loss is in bits: Math.log2 gives the true loss divided by ln 2 = 0.693. Use the natural log, Math.log.",
    },
    cappedLoss<Args>("logit 5000, label 0: true loss 5000"),
    float32Arithmetic<Args>(),
  ],
};
