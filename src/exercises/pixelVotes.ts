/**
 * The template-reading exercise: fn(features: number[], weights: number[][], classIndex: number)
 * => number[], each pixel's vote x_j · W[j][c] for class c; the votes plus the bias are the
 * class's logit. Taught in notebooks/10-training-on-digits.ipynb.
 */
import { pixelVotes } from "../course/templates";
import type { Exercise } from "./types";

type Args = [features: number[], weights: number[][], classIndex: number];

/** W (4, 3): no two columns, and no row and column, alike. */
const W43 = [[0.5, -1, 2], [-0.25, 0.75, 1.5], [1, 0, -0.5], [-2, 0.25, 1]];

export const pixelVotesExercise: Exercise<Args> = {
  name: "pixelVotes",
  signature: "fn(features: number[], weights: number[][], classIndex: number) => number[]",
  argNames: ["features", "weights", "classIndex"],
  cases: [
    { name: "two pixels, two classes", args: [[1, 0.5], [[2, -1], [0.5, 3]], 1] },
    { name: "a blank pixel votes 0", args: [[0, 1, 0.25], [[4, -2], [1, 1], [-2, 0.5]], 0] },
    { name: "4 pixels, 3 classes, class 2", args: [[0.5, 0.5, 1, 0], W43, 2] },
    { name: "4 pixels, 3 classes, class 0", args: [[0.25, 1, 0, 0.75], W43, 0] },
    { name: "every pixel fully inked", args: [[1, 1, 1, 1], W43, 1] },
    {
      name: "3 pixels, 3 classes, the last class",
      args: [[0.5, 0, 1], [[1, 2, -3], [4, -5, 6], [-0.5, 0.25, 2]], 2],
    },
  ],
  expected: (features, weights, classIndex) => pixelVotes(features, weights, classIndex),
  mistakes: [
    {
      name: "the template alone",
      output: ([, weights, c]) => weights.map((row) => row[c]),
      hint:
        "You returned the template itself, the class's column of weights: a pixel votes only as much as it is " +
        "inked, x_j · W[j][c], so a blank pixel (x_j = 0) votes 0 whatever its weight.",
    },
    {
      name: "row and column swapped",
      output: ([features, weights, c]) => features.map((x, j) => x * weights[c][j]),
      hint:
        "weights is (pixels, classes), one row per pixel: class c's template is the column weights[j][c], " +
        "not the row weights[c][j] (that row has one entry per class, not per pixel).",
    },
    {
      name: "sign flipped",
      output: ([features, weights, c]) => features.map((x, j) => -x * weights[j][c]),
      hint:
        "Your votes have the wrong sign: the score is Σ_j x_j · W[j][c] + b[c], so ink on a pixel with a " +
        "positive (red) weight raises the class's score.",
    },
    {
      name: "added, not multiplied",
      output: ([features, weights, c]) => features.map((x, j) => x + weights[j][c]),
      hint:
        "A vote is the product x_j · W[j][c], not the sum: the score is Σ_j x_j · W[j][c] + b[c], and a blank " +
        "pixel (x_j = 0) must vote 0.",
    },
    {
      name: "summed over every class",
      output: ([features, weights]) => features.map((x, j) => x * weights[j].reduce((s, w) => s + w, 0)),
      hint:
        "You added up the pixel's weights of every class: a vote for class c uses only that class's weight, " +
        "x_j · W[j][c].",
    },
    {
      name: "all zeros",
      output: ([features]) => features.map(() => 0),
      hint: "Every vote is 0: is it still the placeholder? Multiply each pixel by its weight in class c's column.",
    },
  ],
};
