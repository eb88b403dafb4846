import { checkWholeNumber } from "../inputs/numbers";
import { describe } from "../inputs/describe";

/*
 * The class prior, and the output bias that starts a classifier at it (Karpathy, "A recipe for
 * training neural networks" and makemore part 3): with zero weights, softmax(b) is the prior, and
 * the first loss is the prior's entropy instead of log C.
 */

/**
 * The share of each class among the targets: counts / N.
 *
 * targets (N), numClasses C -> (C), summing to 1.
 *
 * @example classPrior([0, 0, 0, 1], 2) // [0.75, 0.25]
 * @throws RangeError naming the position of a target that is not a class index in [0, C).
 * Taught in notebooks/04-why-cross-entropy.ipynb.
 */
export function classPrior(targets: number[], numClasses: number): number[] {
  checkWholeNumber(numClasses, "numClasses", 1);
  if (!Array.isArray(targets) || targets.length === 0) {
    throw new RangeError(`targets is ${describe(targets)}: expected a non-empty array of class indices`);
  }
  const counts = new Array<number>(numClasses).fill(0);
  targets.forEach((y, n) => {
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) {
      throw new RangeError(`targets[${n}] = ${describe(y)} is out of range: expected a class index in [0, ${numClasses})`);
    }
    counts[y] += 1;
  });
  return counts.map((count) => count / targets.length);
}

/**
 * The output bias whose softmax is the class prior: b[c] = log(count_c / N).
 *
 * targets (N), numClasses C -> (C). Any constant added to every b[c] gives the same softmax.
 * With zero weights the logits are b for every sample, so the first mean loss is
 * −Σ_c prior_c log prior_c = H(prior), the best a constant guess can do.
 *
 * @example logPriorBias([0, 0, 0, 1], 2) // [-0.2877, -1.3863] (log 0.75, log 0.25)
 * @throws RangeError naming the class when a class has no example: its bias would be −∞,
 *   its probability 0 for ever, and its gradient 0.
 * Taught in notebooks/04-why-cross-entropy.ipynb.
 */
export function logPriorBias(targets: number[], numClasses: number): number[] {
  const prior = classPrior(targets, numClasses);
  const empty = prior.indexOf(0);
  if (empty >= 0) {
    throw new RangeError(
      `class ${empty} has no example among the ${targets.length} targets: log 0 = -Infinity would make it ` +
        "impossible for ever; give it a count (or drop the class)",
    );
  }
  return prior.map(Math.log);
}
