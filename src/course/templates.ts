import { checkMatrix, checkVector, checkWholeNumber } from "../inputs/numbers";

/*
 * Reading a linear classifier's weights as templates (CS231n): class c's score is
 * Σ_j x_j · W[j][c] + b[c], so each feature (pixel) casts a vote x_j · W[j][c] for class c.
 */

/**
 * Each feature's vote for one class: votes[j] = features[j] · weights[j][classIndex].
 *
 * features (D), weights (D, C), classIndex in [0, C) -> votes (D). The votes sum to the class's
 * logit minus its bias: Σ_j votes[j] + bias[c] = linearLogits([features], model)[0][c]. A blank
 * pixel (0) votes 0, whatever its weight; an inked pixel votes with its template's sign.
 *
 * @example pixelVotes([1, 0, 0.5], [[2, -1], [3, 0], [-4, 1]], 0) // [2, 0, -2]
 * @throws RangeError naming the argument: features of the wrong length, a non-finite number,
 *   or a class index outside [0, C).
 * Taught in notebooks/10-training-on-digits.ipynb.
 */
export function pixelVotes(features: number[], weights: number[][], classIndex: number): number[] {
  const [D, C] = checkMatrix(weights, "weights");
  checkVector(features, "features", D);
  checkWholeNumber(classIndex, "classIndex", 0);
  if (classIndex >= C) {
    throw new RangeError(`classIndex = ${classIndex} is out of range: expected a class index in [0, ${C})`);
  }
  return features.map((x, j) => x * weights[j][classIndex]);
}
