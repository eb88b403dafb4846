/**
 * The KL divergence exercise: fn(q: number[], p: number[]) => number, KL(q‖p) = Σ q log(q / p)
 * in nats, with q the distribution the data follow and p the model's.
 * Taught in notebooks/04-why-cross-entropy.ipynb.
 */
import { crossEntropyOfDistributions, klDivergence } from "../loss/information";
import { BITS_HINT, ZERO_LOG_ZERO_HINT } from "./entropy";
import { scaled } from "./foils";
import type { Exercise } from "./types";

type Args = [q: number[], p: number[]];

export const klDivergenceExercise: Exercise<Args> = {
  name: "klDivergence",
  signature: "fn(q: number[], p: number[]) => number",
  argNames: ["q", "p"],
  cases: [
    { name: "p = q", args: [[0.2, 0.3, 0.5], [0.2, 0.3, 0.5]] },
    { name: "two coins", args: [[0.5, 0.5], [0.9, 0.1]] },
    { name: "three classes", args: [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]] },
    { name: "one-hot q", args: [[0, 1, 0], [0.2, 0.5, 0.3]] },
    { name: "q has a zero", args: [[0.5, 0.5, 0], [0.25, 0.25, 0.5]] },
    { name: "p misses a class of q", args: [[0.5, 0.5], [1, 0]] },
    { name: "q and p share a zero", args: [[0.5, 0.5, 0], [0.4, 0.6, 0]] },
  ],
  expected: (q, p) => klDivergence(q, p),
  mistakes: [
    {
      name: "arguments swapped",
      output: ([q, p]) => klDivergence(p, q),
      hint:
        "You computed KL(p‖q), the arguments swapped: KL is not symmetric. KL(q‖p) = Σ q[c] · log(q[c] / p[c]) " +
        "weights by q, the distribution the data follow. (PyTorch's kl_div(input, target) swaps them too: " +
        "its first argument is log p.)",
    },
    { name: "log base 2", output: (_, expected) => scaled(expected, 1 / Math.LN2), hint: BITS_HINT },
    {
      name: "0 · log 0 = NaN",
      output: ([q, p]) => q.reduce((sum, qc, c) => sum + qc * Math.log(qc / p[c]), 0),
      hint: ZERO_LOG_ZERO_HINT,
    },
    {
      name: "cross-entropy instead of KL",
      output: ([q, p]) => crossEntropyOfDistributions(q, p),
      hint:
        "You returned the cross-entropy H(q, p) = −Σ q log p. KL(q‖p) is what is left after taking out " +
        "the entropy of q: Σ q[c] · (log q[c] − log p[c]).",
    },
    {
      name: "sign flipped",
      output: (_, expected) => scaled(expected, -1),
      hint: "The divergence has the wrong sign: KL(q‖p) = Σ q · log(q / p) is never negative. log(q / p), not log(p / q).",
    },
  ],
};
