/**
 * What one crossEntropyFlat call computes, decided once: the options as numbers, the
 * gradient's per-call constants, and the running sums every row adds to.
 */
import type { FlatCall, FlatLogits } from "./checkFlat";

export interface Plan {
  logits: FlatLogits;
  targets: Int32Array;
  N: number;
  C: number;
  /** number[] from the options; a Float64Array in a worker (threadWorker.ts), which only indexes it. */
  weight: ArrayLike<number> | null;
  ignoreIndex: number;
  /** label smoothing; 0 for an empty batch, as lossKernels.ts */
  e: number;
  /** Σ_c w[c], or C without weights */
  W: number;
  grad: FlatLogits | null;
  losses: Float64Array | null;
  /** d loss / d l[y] per unit weight, and d loss / d l[c] per unit weight from smoothing */
  nllGrad: number;
  smoothGrad: number;
  /** Σ_c of the smoothing part of the upstream gradient, smoothGrad·w[c] */
  smoothGradSum: number;
  /**
   * Every row takes the exact path: the gradient's scale is not finite (a zero "mean" denominator),
   * or label smoothing meets a negative class weight, which lets the smoothing sum cancel in
   * ways rowMath.ts's bound does not see.
   */
  exactOnly: boolean;
  /** Σ over rows, in row order, as lossKernels.ts: the -w·l[y] terms, the smoothing terms, Σ w[y]. */
  nllSum: number;
  smoothSum: number;
  denominator: number;
  /** Σ of the per-row losses: the result for "none". */
  total: number;
  /**
   * When not null, every addition to the four sums above is also logged here, four numbers at a
   * time (nll, smooth, w[y], loss), so that a part of the batch computed elsewhere (threads.ts)
   * can be added to the whole in the same order, and so to the same bits, as one thread would.
   */
  terms: number[] | null;
}

export function planOf(call: FlatCall): Plan {
  const { weight, ignoreIndex, reduction } = call.options;
  const C = call.classes;
  const e = call.rows > 0 ? call.options.labelSmoothing : 0;
  let W = C;
  let negativeWeight = false;
  if (weight) {
    W = 0;
    for (const w of weight) {
      W += w;
      if (w < 0) negativeWeight = true;
    }
  }
  let nllGrad = 0;
  let smoothGrad = 0;
  let smoothGradSum = 0;
  if (call.grad) {
    // The scale k of lossKernels.ts's logitGradient: 1/Σ w[y] for "mean", else 1.
    let denominator = 1;
    if (reduction === "mean") denominator = meanDenominator(call.targets, weight, ignoreIndex);
    nllGrad = -((e > 0 ? 1 - e : 1) / denominator);
    smoothGrad = -(e / C / denominator);
    if (e > 0) for (let c = 0; c < C; c++) smoothGradSum += weight ? smoothGrad * weight[c] : smoothGrad;
  }
  return {
    logits: call.logits,
    targets: call.targets,
    N: call.rows,
    C,
    weight,
    ignoreIndex,
    e,
    W,
    grad: call.grad,
    losses: call.losses,
    nllGrad,
    smoothGrad,
    smoothGradSum,
    exactOnly: (e > 0 && negativeWeight) || !(Number.isFinite(nllGrad) && Number.isFinite(smoothGrad) && Number.isFinite(smoothGradSum)),
    nllSum: 0,
    smoothSum: 0,
    denominator: 0,
    total: 0,
    terms: null,
  };
}

/**
 * Σ w[y] over the rows not ignored (their count without weights): "mean"'s denominator, in row
 * order, for crossEntropyFlat (planOf) and linearCrossEntropyFlat (linearSweep.ts). Indexed
 * loops with the weight's test outside them: a for-of with the test inside took 29 to 31 µs
 * over 8192 targets (3.7 ns each, about 2% of a forward + backward at (8192, 128) on the AMD
 * EPYC), these 7 to 9 µs, under Node 20 and Node 24.
 */
export function meanDenominator(targets: Int32Array, weight: ArrayLike<number> | null, ignoreIndex: number): number {
  let denominator = 0;
  if (weight) {
    for (let n = 0; n < targets.length; n++) if (targets[n] !== ignoreIndex) denominator += weight[targets[n]];
  } else {
    for (let n = 0; n < targets.length; n++) if (targets[n] !== ignoreIndex) denominator++;
  }
  return denominator;
}

/** Add four terms to the sums (a chunk's kernel sums, or one row's), logging them when asked. */
export function addSums(plan: Plan, nll: number, smooth: number, wy: number, loss: number): void {
  plan.nllSum += nll;
  plan.smoothSum += smooth;
  plan.denominator += wy;
  plan.total += loss;
  if (plan.terms) plan.terms.push(nll, smooth, wy, loss);
}

/** Replay logged terms (Plan.terms) into the sums, in their order. */
export function replaySums(plan: Plan, terms: ArrayLike<number>): void {
  for (let i = 0; i < terms.length; i += 4) {
    plan.nllSum += terms[i];
    plan.smoothSum += terms[i + 1];
    plan.denominator += terms[i + 2];
    plan.total += terms[i + 3];
  }
}

/** Add row n's terms to the sums (row order, as lossKernels.ts) and to `losses`. */
export function addRow(plan: Plan, n: number, nll: number, smooth: number, wy: number): void {
  const loss = plan.e > 0 ? (1 - plan.e) * nll + smooth * (plan.e / plan.C) : nll;
  if (plan.losses) plan.losses[n] = loss;
  addSums(plan, nll, smooth, wy, loss);
}

/** An ignored row adds nothing; its loss is 0. */
export function addIgnoredRow(plan: Plan, n: number): void {
  if (plan.losses) plan.losses[n] = 0;
}
