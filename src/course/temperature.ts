import { checkAtLeast, checkClassIndices, checkMatrix } from "../inputs/numbers";
import { crossEntropy } from "../loss/crossEntropy";

/**
 * Logits divided by a temperature T > 0: T > 1 softens the probabilities towards uniform,
 * T < 1 sharpens them; the largest logit stays the largest, so no prediction changes.
 *
 * logits (N, C), T -> (N, C)
 * @example divideByTemperature([[2, 0]], 2) // [[1, 0]]
 * Used in notebooks/11-calibration-and-temperature.ipynb.
 */
export function divideByTemperature(logits: number[][], temperature: number): number[][] {
  checkMatrix(logits, "logits");
  checkAtLeast(temperature, "temperature", 0, true);
  return logits.map((row) => row.map((z) => z / temperature));
}

/**
 * The mean negative log-likelihood of the targets at temperature T: crossEntropy(logits / T, targets).
 *
 * logits (N, C), targets (N), T -> a number (nats)
 * @example temperatureNll([[2, 0]], [0], 2) // −log σ(1) = 0.3133
 * Used in notebooks/11-calibration-and-temperature.ipynb.
 */
export function temperatureNll(logits: number[][], targets: number[], temperature: number): number {
  const [N, C] = checkMatrix(logits, "logits");
  checkClassIndices(targets, "targets", N, C);
  return crossEntropy(divideByTemperature(logits, temperature), targets);
}

export interface TemperatureFit {
  temperature: number;
  /** The NLL at the fitted temperature. */
  nll: number;
  /** The NLL at T = 1, the model as trained. */
  nllAtOne: number;
}

const GOLDEN = (Math.sqrt(5) - 1) / 2;

/**
 * Temperature scaling (Guo et al. 2017): the one T > 0 that minimises the NLL of `targets`
 * under softmax(logits / T), found by golden-section search on log T in [log min, log max].
 * The NLL is convex in 1/T (cross-entropy is convex in the logits, which are linear in
 * 1/T), so it has one minimum along log T and the search cannot get stuck.
 *
 * logits (N, C), targets (N) -> { temperature, nll, nllAtOne }
 * @example fitTemperature([[2, 0], [2, 0], [2, 0], [0, 2]], [0, 0, 0, 0]).temperature // 2 / log 3 = 1.8205
 * @see Guo et al. 2017, "On Calibration of Modern Neural Networks", §4.2
 * Used in notebooks/11-calibration-and-temperature.ipynb.
 */
export function fitTemperature(
  logits: number[][],
  targets: number[],
  range: { min?: number; max?: number } = {},
): TemperatureFit {
  const [N, C] = checkMatrix(logits, "logits");
  checkClassIndices(targets, "targets", N, C);
  const min = checkAtLeast(range.min ?? 0.01, "range.min", 0, true);
  const max = checkAtLeast(range.max ?? 100, "range.max", min, true);
  const nllAt = (logT: number) => crossEntropy(logits.map((row) => row.map((z) => z / Math.exp(logT))), targets);
  let [a, b] = [Math.log(min), Math.log(max)];
  let c = b - GOLDEN * (b - a);
  let d = a + GOLDEN * (b - a);
  let fc = nllAt(c);
  let fd = nllAt(d);
  // Each iteration keeps 0.618 of the interval: 80 of them shrink log(100 / 0.01) to about 1e-16.
  for (let i = 0; i < 80 && b - a > 1e-12; i++) {
    if (fc <= fd) {
      [b, d, fd] = [d, c, fc];
      c = b - GOLDEN * (b - a);
      fc = nllAt(c);
    } else {
      [a, c, fc] = [c, d, fd];
      d = a + GOLDEN * (b - a);
      fd = nllAt(d);
    }
  }
  const temperature = Math.exp((a + b) / 2);
  return { temperature, nll: nllAt(Math.log(temperature)), nllAtOne: nllAt(0) };
}
