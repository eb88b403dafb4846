import type { LossInputs } from "../inputs/targets";

/**
 * The loss of checked inputs, from log-probabilities `l` laid out as (positions, C) rows.
 *
 * Each line follows PyTorch's own formula (aten/src/ATen/native/LossNLL.cpp and
 * Loss.cpp, cross_entropy_loss_label_smoothing / _prob_target), in its order of operations,
 * so that NaN and Infinity appear exactly where PyTorch's do.
 *
 * Returns the per-position losses and the reduced loss (NaN for an all-ignored "mean").
 */
export function lossFromLogProbabilities(l: Float64Array, inputs: LossInputs): { losses: Float64Array; loss: number } {
  return inputs.kind === "index" ? indexTargetLoss(l, inputs) : probabilityTargetLoss(l, inputs);
}

function indexTargetLoss(l: Float64Array, inputs: LossInputs): { losses: Float64Array; loss: number } {
  const { classIndex, layout, options } = inputs;
  const { weight, ignoreIndex, reduction } = options;
  const C = layout.classes;
  // An empty batch [] has no known class count, and no smoothing term to add.
  const e = layout.positions > 0 ? options.labelSmoothing : 0;
  const losses = new Float64Array(layout.positions);
  let nllSum = 0;
  let smoothSum = 0;
  // PyTorch's denominator for "mean": the targets' weights, or the count of non-ignored positions.
  let denominator = 0;
  for (let p = 0; p < layout.positions; p++) {
    const y = classIndex[p];
    if (y === ignoreIndex) continue;
    const o = p * C;
    const wy = weight ? weight[y] : 1;
    const nll = -(l[o + y] * wy);
    let smooth = 0;
    if (e > 0) {
      // The smoothing term -Σ_c w[c] l[c] spreads e/C over every class, the true one included.
      for (let c = 0; c < C; c++) smooth += weight ? l[o + c] * weight[c] : l[o + c];
      smooth = -smooth;
    }
    losses[p] = e > 0 ? (1 - e) * nll + smooth * (e / C) : nll;
    nllSum += nll;
    smoothSum += smooth;
    denominator += wy;
  }
  if (reduction === "none") return { losses, loss: NaN };
  const scale = reduction === "mean" ? denominator : 1;
  const loss = e > 0 ? (1 - e) * (nllSum / scale) + (smoothSum / scale) * (e / C) : nllSum / scale;
  return { losses, loss };
}

function probabilityTargetLoss(l: Float64Array, inputs: LossInputs): { losses: Float64Array; loss: number } {
  const { layout, options, probabilities: t } = inputs;
  const { weight, reduction, labelSmoothing: e } = options;
  const C = layout.classes;
  const losses = new Float64Array(layout.positions);
  let total = 0;
  for (let p = 0; p < layout.positions; p++) {
    const o = p * C;
    let sum = 0;
    for (let c = 0; c < C; c++) {
      const target = e > 0 ? t[o + c] * (1 - e) + e / C : t[o + c];
      // l * t first, as PyTorch does: a -Infinity log-probability times a 0 target is NaN there too.
      sum += weight ? l[o + c] * target * weight[c] : l[o + c] * target;
    }
    losses[p] = -sum;
    total += sum;
  }
  if (reduction === "none") return { losses, loss: NaN };
  // NOTE: the mean divides by the number of positions; weights are not in the denominator.
  return { losses, loss: reduction === "mean" ? -total / layout.positions : -total };
}

/**
 * d loss / d logits: d loss / d log-probabilities (`logProbabilityGradient`), then the
 * log-softmax backward g - exp(l) · Σ g, in place, as PyTorch's autograd chains them.
 * For "none" the upstream gradient is 1 per position: the gradient of the summed losses.
 */
export function logitGradient(l: Float64Array, inputs: LossInputs): Float64Array {
  const C = inputs.layout.classes;
  const g = logProbabilityGradient(l.length, inputs);
  for (let o = 0; o < l.length; o += C) {
    let sum = 0;
    for (let c = 0; c < C; c++) sum += g[o + c];
    for (let c = 0; c < C; c++) g[o + c] -= Math.exp(l[o + c]) * sum;
  }
  return g;
}

/**
 * d loss / d log-probabilities, row by row, as PyTorch's autograd builds it (nll_loss's
 * backward, and the smoothing and probability-target terms): it does not depend on the
 * log-probabilities' values, only on the targets and the options. `size` = positions · C.
 */
export function logProbabilityGradient(size: number, inputs: LossInputs): Float64Array {
  const { layout, options } = inputs;
  const { weight, ignoreIndex, reduction, labelSmoothing: e } = options;
  const C = layout.classes;
  const g = new Float64Array(size);
  const mean = reduction === "mean";
  if (inputs.kind === "index") {
    const denominator = mean ? indexDenominator(inputs) : 1;
    const nllGrad = -((e > 0 ? 1 - e : 1) / denominator);
    const smoothGrad = -(e / C / denominator);
    for (let p = 0; p < layout.positions; p++) {
      const y = inputs.classIndex[p];
      if (y === ignoreIndex) continue;
      const o = p * C;
      if (e > 0) for (let c = 0; c < C; c++) g[o + c] = weight ? smoothGrad * weight[c] : smoothGrad;
      g[o + y] += weight ? nllGrad * weight[y] : nllGrad;
    }
  } else {
    const t = inputs.probabilities;
    const upstream = mean ? -(1 / layout.positions) : -1;
    for (let k = 0; k < size; k++) {
      const c = k % C;
      const target = e > 0 ? t[k] * (1 - e) + e / C : t[k];
      g[k] = (weight ? upstream * weight[c] : upstream) * target;
    }
  }
  return g;
}

/**
 * d loss / d targets for class-probability targets, from log-probabilities `l`:
 * loss = -scale · Σ w[c] · l[c] · ((1 - e)·t[c] + e/C), so d loss / d t[c] = -scale · (1 - e) · w[c] · l[c],
 * with scale 1/positions for "mean" and 1 otherwise ("none": the gradient of the sum).
 */
export function targetGradient(l: Float64Array, inputs: LossInputs): Float64Array {
  const { layout, options } = inputs;
  const { weight, reduction, labelSmoothing: e } = options;
  const C = layout.classes;
  const upstream = reduction === "mean" ? -(1 / layout.positions) : -1;
  const scale = e > 0 ? upstream * (1 - e) : upstream;
  const g = new Float64Array(l.length);
  for (let k = 0; k < l.length; k++) g[k] = (weight ? scale * weight[k % C] : scale) * l[k];
  return g;
}

function indexDenominator({ classIndex, options }: LossInputs): number {
  let denominator = 0;
  for (const y of classIndex) if (y !== options.ignoreIndex) denominator += options.weight ? options.weight[y] : 1;
  return denominator;
}
