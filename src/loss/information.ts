import { checkDistributions, checkSameShape } from "../inputs/distributions";

/*
 * Entropy, cross-entropy and KL divergence of categorical distributions, in nats.
 * q is the distribution the data follow (the target); p is the one the model predicts.
 * Every sum skips the classes where q is 0: 0 · log 0 = 0 by convention (its limit), which
 * JavaScript's 0 * Math.log(0) = NaN would not give.
 */

/**
 * Entropy of a categorical distribution: the average surprise −log q[c] when classes follow q.
 *
 * probabilities (C) -> number; (N, C) -> (N), one entropy per row. In nats (natural log).
 * H(q) = −Σ_c q[c] · log q[c], with 0 · log 0 = 0
 *
 * @example entropy([0.5, 0.5]) // 0.6931471805599453 (= log 2: one fair coin, 1 bit)
 * @example entropy([0, 1, 0]) // 0 (a certain outcome surprises nobody)
 * @see https://pytorch.org/docs/stable/distributions.html#torch.distributions.categorical.Categorical.entropy
 * @throws RangeError naming the position when an entry is outside [0, 1] or a row does not sum to 1.
 * NOTE: unlike torch.distributions.Categorical, which divides the probabilities by their sum,
 * rows that do not sum to 1 are an error here.
 * Taught in notebooks/04-why-cross-entropy.ipynb.
 */
export function entropy(probabilities: number[]): number;
export function entropy(probabilities: number[][]): number[];
export function entropy(probabilities: number[] | number[][]): number | number[] {
  const q = checkDistributions(probabilities, "probabilities");
  return perRow(q.single, q.rows.map(rowEntropy));
}

/**
 * Cross-entropy of two distributions: the average surprise −log p[c] when classes follow q
 * but you expect p. With a one-hot q it is −log p[target], the loss of notebook 3.
 *
 * q (C) and p (C) -> number; (N, C) and (N, C) -> (N), one per row. In nats.
 * H(q, p) = −Σ_c q[c] · log p[c] = H(q) + KL(q‖p), with 0 · log p = 0 where q[c] = 0
 *
 * Infinity when p gives 0 to a class that q gives a positive probability.
 *
 * @example crossEntropyOfDistributions([0, 1], [0.2, 0.8]) // 0.2231435513142097 (= −log 0.8)
 * @see https://pytorch.org/docs/stable/generated/torch.nn.functional.cross_entropy.html
 *   (which takes logits: crossEntropy(log p, q) with probability targets is the same number)
 * Taught in notebooks/04-why-cross-entropy.ipynb.
 */
export function crossEntropyOfDistributions(q: number[], p: number[]): number;
export function crossEntropyOfDistributions(q: number[][], p: number[][]): number[];
export function crossEntropyOfDistributions(q: number[] | number[][], p: number[] | number[][]): number | number[] {
  const [qs, ps, single] = checkPair(q, p);
  return perRow(
    single,
    qs.map((row, n) => row.reduce((sum, qc, c) => (qc === 0 ? sum : sum - qc * Math.log(ps[n][c])), 0)),
  );
}

/**
 * Kullback–Leibler divergence of p from q: how many extra nats per sample you pay for
 * expecting p when the classes follow q. Never negative; 0 only when p = q; not symmetric.
 *
 * q (C) and p (C) -> number; (N, C) and (N, C) -> (N), one per row. In nats.
 * KL(q‖p) = Σ_c q[c] · (log q[c] − log p[c]) = H(q, p) − H(q), with 0 · log(0 / p) = 0
 *
 * Infinity when p gives 0 to a class that q gives a positive probability.
 *
 * @example klDivergence([0.5, 0.5], [0.9, 0.1]) // 0.5108256237659907
 * @see https://pytorch.org/docs/stable/generated/torch.nn.functional.kl_div.html
 * NOTE: unlike PyTorch's kl_div(input, target), which takes the model's LOG-probabilities
 * first and the target second, klDivergence takes two distributions in the order of the
 * formula KL(q‖p): klDivergence(q, p) = kl_div(log p, q, reduction="sum") for one row.
 * Where q[c] = p[c] = 0 that class adds 0 here; in kl_div it adds 0 · −Infinity = NaN.
 * Taught in notebooks/04-why-cross-entropy.ipynb.
 */
export function klDivergence(q: number[], p: number[]): number;
export function klDivergence(q: number[][], p: number[][]): number[];
export function klDivergence(q: number[] | number[][], p: number[] | number[][]): number | number[] {
  const [qs, ps, single] = checkPair(q, p);
  return perRow(
    single,
    qs.map((row, n) => row.reduce((sum, qc, c) => (qc === 0 ? sum : sum + qc * (Math.log(qc) - Math.log(ps[n][c]))), 0)),
  );
}

function rowEntropy(row: number[]): number {
  return row.reduce((sum, qc) => (qc === 0 ? sum : sum - qc * Math.log(qc)), 0);
}

function checkPair(q: unknown, p: unknown): [number[][], number[][], boolean] {
  const qs = checkDistributions(q, "q");
  const ps = checkDistributions(p, "p");
  checkSameShape(qs, "q", ps, "p");
  return [qs.rows, ps.rows, qs.single];
}

function perRow(single: boolean, values: number[]): number | number[] {
  return single ? values[0] : values;
}
