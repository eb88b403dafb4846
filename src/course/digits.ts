import { readFileSync } from "node:fs";
import { dataFile } from "./reference";

/** The digits data set: one image per row, flattened row by row. */
export interface Digits {
  /** (1797, 64): pixel (r, c) of image n is images[n][8 r + c], a whole number 0–16. */
  images: number[][];
  /** (1797): the digit written, 0–9, the class index. */
  labels: number[];
}

export const DIGIT_IMAGE_SIZE = 8;
export const DIGIT_CLASSES = 10;
/** The largest pixel value: a pixel counts the inked pixels of a 4 × 4 block. */
export const DIGIT_MAX_PIXEL = 16;

/**
 * Reads data/digits.csv, the UCI handwritten digits (see data/digits.md).
 *
 * file -> { images (N, 64), labels (N) }, N = 1797 for the shipped file.
 *
 * @example loadDigits().images.length // 1797
 * @throws RangeError naming the line and the column when a value is not a pixel 0–16 or a digit 0–9.
 * Used in notebooks/10-training-on-digits.ipynb and 11-calibration-and-temperature.ipynb.
 */
export function loadDigits(file = dataFile("digits.csv")): Digits {
  const lines = readFileSync(file, "utf8").split("\n").filter((line) => line !== "");
  const header = lines[0].split(",");
  const pixels = DIGIT_IMAGE_SIZE * DIGIT_IMAGE_SIZE;
  if (header.length !== pixels + 1 || header[pixels] !== "digit") {
    throw new RangeError(`${file}: the header has ${header.length} columns: expected ${pixels} pixels and "digit"`);
  }
  const images: number[][] = [];
  const labels: number[] = [];
  lines.slice(1).forEach((line, i) => {
    const values = line.split(",").map(Number);
    const where = `${file} line ${i + 2}`;
    if (values.length !== pixels + 1) throw new RangeError(`${where} has ${values.length} values: expected ${pixels + 1}`);
    values.forEach((v, j) => {
      const max = j < pixels ? DIGIT_MAX_PIXEL : DIGIT_CLASSES - 1;
      if (!Number.isInteger(v) || v < 0 || v > max) {
        throw new RangeError(`${where}, column ${header[j]} = ${line.split(",")[j]}: expected a whole number in [0, ${max}]`);
      }
    });
    images.push(values.slice(0, pixels));
    labels.push(values[pixels]);
  });
  return { images, labels };
}

/**
 * Pixels as model inputs: each divided by 16, so every feature lies in [0, 1] and one
 * learning rate suits all 64 weights of a class.
 *
 * images (N, 64) -> (N, 64)
 * @example pixelFeatures([[0, 8, 16]]) // [[0, 0.5, 1]]
 */
export function pixelFeatures(images: number[][]): number[][] {
  return images.map((image) => image.map((v) => v / DIGIT_MAX_PIXEL));
}

/**
 * How notebooks 10 and 11 split and train the digits model, in one place so that both
 * notebooks (and the test of the accuracy the teacher's guide quotes) train the same model:
 * 360 validation images, mini-batches of 32, 30 epochs, learning rate 1, weight decay 1e-4.
 */
export const DIGITS_RECIPE = {
  validationCount: 360,
  splitSeed: 2017,
  epochs: 30,
  batchSize: 32,
  learningRate: 1,
  weightDecay: 1e-4,
  seed: 1,
  numClasses: DIGIT_CLASSES,
} as const;
