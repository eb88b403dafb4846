/**
 * Answers a learner might write for each exercise: right ones written in different styles
 * (loops, reduce, two passes, log-space formulas), and wrong ones, each labelled with what the
 * checker should say: the name of the one mistake it made (a foil in src/exercises/), "generic"
 * (no known mistake: the first failing case, got against expected) or "placeholder" (the same
 * answer whatever the input). test/exercises.test.ts runs every one through its checker.
 */
import { mulberry32 } from "../../src/course/random";

export type Verdict = "generic" | "placeholder" | { mistake: string };
export interface Wrong {
  name: string;
  fn: (...args: never[]) => unknown;
  says: Verdict;
}
export interface Answers {
  right: Array<[name: string, fn: (...args: never[]) => unknown]>;
  wrong: Wrong[];
}

const f = Math.fround;
const named = (mistake: string): Verdict => ({ mistake });

// ---- building blocks, written as a learner would ----

function maxOf(values: number[]): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  return max;
}
function lse(values: number[]): number {
  const max = maxOf(values);
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}
function softmaxLoop(row: number[]): number[] {
  const max = maxOf(row);
  const out = row.map((x) => Math.exp(x - max));
  const sum = out.reduce((a, b) => a + b, 0);
  return out.map((e) => e / sum);
}
function shiftedSoftmax(row: number[], shift: number): number[] {
  const e = row.map((x) => Math.exp(x - shift));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const rowLosses = (logits: number[][], targets: number[], loss: (row: number[], y: number) => number): number[] =>
  logits.map((row, n) => loss(row, targets[n]));
/** Seeded noise: the same "random" wrong answers on every run. */
function noisy(scale: number, seed: number): (x: number) => number {
  const random = mulberry32(seed);
  return (x) => x + scale * (random() - 0.5) * (Math.abs(x) + 1);
}
const deep = (value: unknown, g: (x: number) => number): unknown =>
  Array.isArray(value) ? value.map((v) => deep(v, g)) : typeof value === "number" ? g(value) : value;

// float32 arithmetic throughout: every input and every intermediate through Math.fround.
function f32Max(values: number[]): number {
  let max = -Infinity;
  for (const v of values) if (f(v) > max) max = f(v);
  return max;
}
function f32Lse(values: number[]): number {
  const max = f32Max(values);
  let sum = 0;
  for (const v of values) sum = f(sum + f(Math.exp(f(f(v) - max))));
  return f(max + f(Math.log(sum)));
}
function f32Softmax(row: number[]): number[] {
  const max = f32Max(row);
  const e = row.map((x) => f(Math.exp(f(f(x) - max))));
  let sum = 0;
  for (const x of e) sum = f(sum + x);
  return e.map((x) => f(x / sum));
}
function f32Mean(xs: number[]): number {
  let sum = 0;
  for (const x of xs) sum = f(sum + f(x));
  return f(sum / xs.length);
}

// ---- softmax(row) ----

export const softmaxAnswers: Answers = {
  right: [
    ["two loops", softmaxLoop],
    ["Math.max(...row) and map/reduce", (row: number[]) => {
      const m = Math.max(...row);
      const e = row.map((x) => Math.exp(x - m));
      const s = e.reduce((a, b) => a + b);
      return e.map((x) => x / s);
    }],
    ["exp of log-softmax", (row: number[]) => {
      const l = lse(row);
      return row.map((x) => Math.exp(x - l));
    }],
    ["a Float64Array", (row: number[]) => Float64Array.from(softmaxLoop(row))],
  ],
  wrong: [
    { name: "naive softmax", fn: (row: number[]) => shiftedSoftmax(row, 0), says: named("naive softmax") },
    { name: "running max from 0", fn: (row: number[]) => shiftedSoftmax(row, Math.max(0, ...row)), says: named("running max starts at 0") },
    { name: "not normalised", fn: (row: number[]) => row.map((x) => Math.exp(x - Math.max(...row))), says: named("not normalised") },
    { name: "log-softmax", fn: (row: number[]) => row.map((x) => x - lse(row)), says: named("logSoftmax instead of softmax") },
    { name: "shift by the minimum", fn: (row: number[]) => shiftedSoftmax(row, Math.min(...row)), says: named("shifted by the minimum") },
    { name: "shift by the mean", fn: (row: number[]) => shiftedSoftmax(row, mean(row)), says: named("shifted by the mean") },
    { name: "float32 throughout", fn: f32Softmax, says: named("float32 arithmetic") },
    { name: "float64 answer stored in a Float32Array", fn: (row: number[]) => Float32Array.from(softmaxLoop(row)), says: named("float32 arithmetic") },
    { name: "random noise", fn: (row: number[]) => deep(softmaxLoop(row), noisy(0.01, 1)), says: "generic" },
    { name: "tiny noise (1e-7 relative)", fn: (row: number[]) => deep(softmaxLoop(row), noisy(1e-7, 2)), says: "generic" },
    { name: "constant output", fn: (row: number[]) => row.map(() => 0), says: "generic" },
    { name: "uniform output", fn: (row: number[]) => row.map(() => 1 / row.length), says: "generic" },
    { name: "returns the input", fn: (row: number[]) => row, says: "generic" },
    { name: "reversed", fn: (row: number[]) => softmaxLoop(row).reverse(), says: "generic" },
    { name: "loop starts at 1 (off by one)", fn: (row: number[]) => {
      const m = maxOf(row);
      const out: number[] = [0];
      let s = 0;
      for (let i = 1; i < row.length; i++) { out.push(Math.exp(row[i] - m)); s += out[i]; }
      return out.map((e) => e / s);
    }, says: "generic" },
    { name: "divides by the max exponential, not the sum", fn: (row: number[]) => row.map((x) => Math.exp(x - maxOf(row))).map((e, _, a) => e / Math.max(...a)), says: named("not normalised") },
    { name: "divides by the sum of the logits", fn: (row: number[]) => row.map((x) => x / row.reduce((a, b) => a + b, 0)), says: "generic" },
    { name: "squares instead of exp", fn: (row: number[]) => { const q = row.map((x) => x * x); const s = q.reduce((a, b) => a + b, 0); return q.map((x) => x / s); }, says: "generic" },
    { name: "throws", fn: () => { throw new Error("not written yet"); }, says: "generic" },
    { name: "shift by the first logit", fn: (row: number[]) => shiftedSoftmax(row, row[0]), says: named("shifted by the first logit") },
    { name: "divided by the number of classes", fn: (row: number[]) => row.map((x) => Math.exp(x - maxOf(row)) / row.length), says: "generic" },
    { name: "softmax of −x", fn: (row: number[]) => softmaxLoop(row.map((x) => -x)), says: "generic" },
    { name: "shifted numerator, unshifted sum", fn: (row: number[]) => { const m = maxOf(row); const s = row.reduce((a, x) => a + Math.exp(x), 0); return row.map((x) => Math.exp(x - m) / s); }, says: "generic" },
  ],
};

// ---- logSumExp(values) ----

export const logSumExpAnswers: Answers = {
  right: [
    ["loop", lse],
    ["reduce", (v: number[]) => { const m = Math.max(...v); return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0)); }],
    ["log1p of the rest", (v: number[]) => {
      const m = Math.max(...v);
      if (m === -Infinity) return -Infinity;
      const i = v.indexOf(m);
      return m + Math.log1p(v.reduce((s, x, j) => (j === i ? s : s + Math.exp(x - m)), 0));
    }],
  ],
  wrong: [
    { name: "naive", fn: (v: number[]) => Math.log(v.reduce((s, x) => s + Math.exp(x), 0)), says: named("naive log-sum-exp") },
    { name: "max not added back", fn: (v: number[]) => Math.log(v.reduce((s, x) => s + Math.exp(x - maxOf(v)), 0)), says: named("max not added back") },
    {
      name: "max + log Σ exp(v): max added, never subtracted",
      fn: (v: number[]) =>
        Math.max(...v) + Math.log(v.reduce((s, x) => s + Math.exp(x), 0)),
      says: named("max added to the unshifted sum"),
    },
    { name: "running max from 0", fn: (v: number[]) => { const m = Math.max(0, ...v); return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0)); }, says: named("running max starts at 0") },
    { name: "the max alone", fn: (v: number[]) => Math.max(...v), says: named("the max alone") },
    { name: "shift by the minimum", fn: (v: number[]) => { const m = Math.min(...v); return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0)); }, says: named("shifted by the minimum") },
    { name: "float32 throughout", fn: f32Lse, says: named("float32 arithmetic") },
    { name: "random noise", fn: (v: number[]) => noisy(0.01, 3)(lse(v)), says: "generic" },
    { name: "constant output", fn: () => 1, says: "placeholder" },
    { name: "log base 10", fn: (v: number[]) => lse(v) / Math.LN10, says: "generic" },
    { name: "loop starts at 1 (off by one)", fn: (v: number[]) => { const m = maxOf(v); let s = 0; for (let i = 1; i < v.length; i++) s += Math.exp(v[i] - m); return m + Math.log(s); }, says: "generic" },
    { name: "mean instead of sum inside the log", fn: (v: number[]) => { const m = maxOf(v); return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0) / v.length); }, says: "generic" },
    { name: "shift by the first value", fn: (v: number[]) => v[0] + Math.log(v.reduce((s, x) => s + Math.exp(x - v[0]), 0)), says: named("shifted by the first value") },
    { name: "shift by the mean", fn: (v: number[]) => { const m = mean(v); return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0)); }, says: named("shifted by the mean") },
    { name: "max minus log-sum", fn: (v: number[]) => { const m = maxOf(v); return m - Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0)); }, says: "generic" },
  ],
};

// ---- nllFromLogProbabilities(logProbabilities, targets) ----

type Nll = (l: number[][], targets: number[]) => number;
const nllLoop: Nll = (l, targets) => {
  let total = 0;
  for (let n = 0; n < targets.length; n++) total -= l[n][targets[n]];
  return total / targets.length;
};
export const nllAnswers: Answers = {
  right: [
    ["loop", nllLoop],
    ["reduce", (l: number[][], t: number[]) => -t.reduce((s, y, n) => s + l[n][y], 0) / t.length],
    ["map then mean", (l: number[][], t: number[]) => mean(l.map((row, n) => -row[t[n]]))],
  ],
  wrong: [
    { name: "sign flipped", fn: ((l, t) => -nllLoop(l, t)) as Nll, says: named("sign flipped") },
    { name: "sum", fn: ((l, t) => nllLoop(l, t) * t.length) as Nll, says: named("sum instead of mean") },
    { name: "divided by N × C", fn: ((l, t) => nllLoop(l, t) / l[0].length) as Nll, says: named("divided by N × C") },
    { name: "log taken again", fn: ((l, t) => -t.reduce((s, y, n) => s + Math.log(l[n][y]), 0) / t.length) as Nll, says: named("log taken again") },
    { name: "probabilities", fn: ((l, t) => -t.reduce((s, y, n) => s + Math.exp(l[n][y]), 0) / t.length) as Nll, says: named("probabilities instead of log-probabilities") },
    { name: "one-hot sum", fn: ((l, t) => -l.reduce((s, row, n) => s + row.reduce((a, v, c) => a + (c === t[n] ? 1 : 0) * v, 0), 0) / t.length) as Nll, says: named("one-hot sum") },
    { name: "target + 1", fn: ((l, t) => -t.reduce((s, y, n) => s + l[n][y + 1], 0) / t.length) as Nll, says: named("target index + 1") },
    { name: "target − 1 (1-based)", fn: ((l, t) => -t.reduce((s, y, n) => s + l[n][y - 1], 0) / t.length) as Nll, says: named("target index − 1") },
    { name: "predicted class", fn: ((l, t) => -l.reduce((s, row) => s + Math.max(...row), 0) / t.length) as Nll, says: named("the predicted class's log-probability") },
    { name: "float32 throughout", fn: ((l, t) => f(-f32Mean(t.map((y, n) => l[n][y])))) as Nll, says: named("float32 arithmetic") },
    { name: "random noise", fn: ((l, t) => noisy(0.01, 4)(nllLoop(l, t))) as Nll, says: "generic" },
    { name: "constant output", fn: () => 0, says: "placeholder" },
    {
      name: "swapped indices l[y][n]",
      fn: ((l, t) => -t.reduce((s, y, n) => s + l[y][n], 0) / t.length) as Nll,
      says: named("indices the wrong way round"),
    },
    {
      name: "sum and sign flipped",
      fn: ((l, t) => t.reduce((s, y, n) => s + l[n][y], 0)) as Nll,
      says: named("sum instead of mean, and sign flipped"),
    },
    { name: "first row only", fn: ((l, t) => -l[0][t[0]]) as Nll, says: "generic" },
    { name: "mean over every entry", fn: ((l) => -mean(l.flat())) as Nll, says: "generic" },
  ],
};

// ---- crossEntropy(logits, targets) ----

type Ce = (logits: number[][], targets: number[]) => number;
const ceLoop: Ce = (logits, targets) => {
  let total = 0;
  for (let n = 0; n < logits.length; n++) total += lse(logits[n]) - logits[n][targets[n]];
  return total / logits.length;
};
const ceWith = (loss: (row: number[], y: number) => number): Ce => (logits, targets) => mean(rowLosses(logits, targets, loss));
const naiveP = (row: number[], y: number): number => shiftedSoftmax(row, 0)[y];
export const crossEntropyAnswers: Answers = {
  right: [
    ["loop", ceLoop],
    ["reduce", (L: number[][], T: number[]) => L.reduce((s, row, n) => s + lse(row) - row[T[n]], 0) / L.length],
    ["minus log-softmax, two passes per row", ceWith((row, y) => {
      const m = Math.max(...row);
      return -(row[y] - m - Math.log(row.map((x) => Math.exp(x - m)).reduce((a, b) => a + b, 0)));
    })],
  ],
  wrong: [
    { name: "naive softmax", fn: ceWith((row, y) => -Math.log(naiveP(row, y))), says: named("naive softmax") },
    ...[1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10].map((eps) => ({
      name: `log(p + ${eps})`,
      fn: ceWith((row, y) => -Math.log(softmaxLoop(row)[y] + eps)),
      says: named(`log(p + ${eps})`),
    })),
    { name: "log(max(p, 1e-7))", fn: ceWith((row, y) => -Math.log(Math.max(softmaxLoop(row)[y], 1e-7))), says: named("log(max(p, 1e-7))") },
    { name: "log(p + 1e-11): an epsilon no foil knows", fn: ceWith((row, y) => -Math.log(softmaxLoop(row)[y] + 1e-11)), says: "generic" },
    { name: "log of softmax", fn: ceWith((row, y) => -Math.log(softmaxLoop(row)[y])), says: named("log of softmax") },
    { name: "sum", fn: ((L, T) => ceLoop(L, T) * L.length) as Ce, says: named("sum instead of mean") },
    { name: "divided by N × C", fn: ((L, T) => ceLoop(L, T) / L[0].length) as Ce, says: named("divided by N × C") },
    { name: "sign flipped", fn: ((L, T) => -ceLoop(L, T)) as Ce, says: named("sign flipped") },
    { name: "log2", fn: ((L, T) => ceLoop(L, T) / Math.LN2) as Ce, says: named("log base 2") },
    { name: "log10", fn: ((L, T) => ceLoop(L, T) / Math.LN10) as Ce, says: named("log base 10") },
    { name: "one-hot sum", fn: ceWith((row, y) => -row.reduce((s, x, c) => s + (c === y ? 1 : 0) * (x - lse(row)), 0)), says: named("one-hot sum") },
    { name: "softmax down the columns", fn: ((L, T) => {
      const cols = L[0].map((_, c) => lse(L.map((row) => row[c])));
      return L.reduce((s, row, n) => s + cols[T[n]] - row[T[n]], 0) / L.length;
    }) as Ce, says: named("softmax over the wrong axis") },
    { name: "target + 1", fn: ceWith((row, y) => lse(row) - row[y + 1]), says: named("target index + 1") },
    { name: "target − 1 (1-based)", fn: ceWith((row, y) => lse(row) - row[y - 1]), says: named("target index − 1") },
    { name: "predicted class's logit", fn: ceWith((row) => lse(row) - Math.max(...row)), says: named("the predicted class's logit") },
    { name: "log-sum-exp without the max added back", fn: ceWith((row, y) => {
      const m = maxOf(row);
      return Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0)) - row[y];
    }), says: named("log-sum-exp without the max") },
    { name: "float32 throughout", fn: ((L, T) => f32Mean(L.map((row, n) => f(f32Lse(row) - f(row[T[n]]))))) as Ce, says: named("float32 arithmetic") },
    { name: "random noise", fn: ((L, T) => noisy(0.01, 5)(ceLoop(L, T))) as Ce, says: "generic" },
    { name: "constant output", fn: () => 2.5, says: "placeholder" },
    { name: "swapped arguments: logits[target][n]", fn: ((L, T) => L.reduce((s, row, n) => s + lse(row) - (L[T[n]]?.[n] ?? NaN), 0) / L.length) as Ce, says: "generic" },
    { name: "first row only", fn: ((L, T) => lse(L[0]) - L[0][T[0]]) as Ce, says: "generic" },
    { name: "naive softmax and log(p + 1e-7) together", fn: ceWith((row, y) => -Math.log(naiveP(row, y) + 1e-7)), says: "generic" },
    { name: "twice the loss", fn: ((L, T) => 2 * ceLoop(L, T)) as Ce, says: "generic" },
    {
      name: "naive log-sum-exp minus x[y]",
      fn: ceWith((row, y) => Math.log(row.reduce((s, x) => s + Math.exp(x), 0)) - row[y]),
      says: named("naive log-sum-exp"),
    },
    {
      name: "log Σ exp(x − x[y])",
      fn: ceWith((row, y) => Math.log(row.reduce((s, x) => s + Math.exp(x - row[y]), 0))),
      says: named("shifted by the target's logit"),
    },
    {
      name: "sum and sign flipped",
      fn: ((L, T) => -ceLoop(L, T) * L.length) as Ce,
      says: named("sum instead of mean, and sign flipped"),
    },
    {
      name: "naive softmax and sum",
      fn: ((L, T) => L.reduce((s, row, n) => s - Math.log(naiveP(row, T[n])), 0)) as Ce,
      says: named("naive softmax, and sum instead of mean"),
    },
    {
      name: "log2 and target + 1",
      fn: ceWith((row, y) => (lse(row) - row[y + 1]) / Math.LN2),
      says: named("log base 2, and target index + 1"),
    },
    {
      name: "Math.min(loss, 1000) per row",
      fn: ceWith((row, y) => Math.min(lse(row) - row[y], 1000)),
      says: named("loss capped"),
    },
    {
      name: "Math.min(mean, 1000)",
      fn: ((L, T) => Math.min(ceLoop(L, T), 1000)) as Ce,
      says: named("loss capped"),
    },
    { name: "the per-row losses, not their mean", fn: ((L, T) => L.map((row, n) => lse(row) - row[T[n]])) as unknown as Ce, says: "generic" },
    { name: "divided by C instead of N", fn: ((L, T) => L.reduce((s, row, n) => s + lse(row) - row[T[n]], 0) / L[0].length) as Ce, says: "generic" },
    { name: "the loss of the target's probability, not its log", fn: ceWith((row, y) => 1 - softmaxLoop(row)[y]), says: "generic" },
  ],
};

// ---- crossEntropyIgnoreIndex(logits, targets, ignoreIndex) ----

type Ignore = (logits: number[][], targets: number[], ignoreIndex: number) => number;
const ignoreLoop: Ignore = (L, T, ignore) => {
  let total = 0;
  let count = 0;
  for (let n = 0; n < L.length; n++) {
    if (T[n] === ignore) continue;
    total += lse(L[n]) - L[n][T[n]];
    count++;
  }
  return total / count;
};
const kept = (L: number[][], T: number[], keep: (y: number) => boolean): number[] =>
  L.flatMap((row, n) => (keep(T[n]) ? [lse(row) - row[T[n]]] : []));
export const ignoreIndexAnswers: Answers = {
  right: [
    ["loop", ignoreLoop],
    ["filter then reduce", (L: number[][], T: number[], ignore: number) => {
      const rows = L.map((row, n) => [row, T[n]] as const).filter(([, y]) => y !== ignore);
      return rows.reduce((s, [row, y]) => s + lse(row) - row[y], 0) / rows.length;
    }],
  ],
  wrong: [
    { name: "divided by N", fn: ((L, T, ig) => kept(L, T, (y) => y !== ig).reduce((a, b) => a + b, 0) / L.length) as Ignore, says: named("divided by N") },
    { name: "ignored rows not skipped", fn: ((L, T) => mean(L.map((row, n) => lse(row) - row[T[n]]))) as Ignore, says: named("ignored rows not skipped") },
    { name: "negative targets skipped", fn: ((L, T) => mean(kept(L, T, (y) => y >= 0))) as Ignore, says: named("negative targets ignored") },
    { name: "0 when every target is ignored", fn: ((L, T, ig) => { const k = kept(L, T, (y) => y !== ig); return k.length === 0 ? 0 : mean(k); }) as Ignore, says: named("0 when every target is ignored") },
    { name: "sum", fn: ((L, T, ig) => kept(L, T, (y) => y !== ig).reduce((a, b) => a + b, 0)) as Ignore, says: named("sum instead of mean") },
    { name: "sign flipped", fn: ((L, T, ig) => -ignoreLoop(L, T, ig)) as Ignore, says: named("sign flipped") },
    { name: "float32 throughout", fn: ((L, T, ig) => { const k = L.flatMap((row, n) => (T[n] === ig ? [] : [f(f32Lse(row) - f(row[T[n]]))])); return f32Mean(k); }) as Ignore, says: named("float32 arithmetic") },
    { name: "random noise", fn: ((L, T, ig) => noisy(0.01, 6)(ignoreLoop(L, T, ig))) as Ignore, says: "generic" },
    { name: "constant output", fn: () => 1, says: "placeholder" },
    { name: "target + 1", fn: ((L, T, ig) => mean(L.flatMap((row, n) => (T[n] === ig ? [] : [lse(row) - row[T[n] + 1]])))) as Ignore, says: "generic" },
    { name: "skips the row after the ignored one (off by one)", fn: ((L, T, ig) => mean(L.flatMap((row, n) => (n > 0 && T[n - 1] === ig) || T[n] === ig ? [] : [lse(row) - row[T[n]]]))) as Ignore, says: "generic" },
    { name: "ignores class ignoreIndex + 1", fn: ((L, T, ig) => mean(kept(L, T, (y) => y !== ig + 1))) as Ignore, says: "generic" },
  ],
};

// ---- binaryCrossEntropy(logit, label) ----

type Bce = (z: number, y: 0 | 1) => number;
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const bceRight: Bce = (z, y) => softplus(y === 1 ? -z : z);
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
export const binaryAnswers: Answers = {
  right: [
    ["softplus", bceRight],
    ["branches on the sign", ((z, y) => {
      const t = y === 1 ? z : -z; // −log σ(t)
      return t >= 0 ? Math.log1p(Math.exp(-t)) : -t + Math.log1p(Math.exp(t));
    }) as Bce],
    ["log1p of the smaller exponential, written out", ((z, y) => {
      const t = y === 1 ? z : -z;
      return t > 0 ? Math.log1p(Math.exp(-t)) : -t + Math.log1p(Math.exp(t));
    }) as Bce],
  ],
  wrong: [
    { name: "log of a naive sigmoid", fn: ((z, y) => -Math.log(y === 1 ? sigmoid(z) : 1 - sigmoid(z))) as Bce, says: named("log of a naive sigmoid") },
    { name: "two-term formula", fn: ((z, y) => -(y * Math.log(sigmoid(z)) + (1 - y) * Math.log(1 - sigmoid(z)))) as Bce, says: named("two-term formula") },
    { name: "softplus that overflows", fn: ((z, y) => Math.log(1 + Math.exp(y === 1 ? -z : z))) as Bce, says: named("softplus that overflows") },
    { name: "log(p + 1e-7)", fn: ((z, y) => -Math.log((y === 1 ? sigmoid(z) : 1 - sigmoid(z)) + 1e-7)) as Bce, says: named("log(p + 1e-7)") },
    { name: "log(p + 1e-3)", fn: ((z, y) => -Math.log((y === 1 ? sigmoid(z) : 1 - sigmoid(z)) + 1e-3)) as Bce, says: named("log(p + 0.001)") },
    { name: "labels swapped", fn: ((z, y) => bceRight(z, y === 1 ? 0 : 1)) as Bce, says: named("labels swapped") },
    { name: "sign flipped", fn: ((z, y) => -bceRight(z, y)) as Bce, says: named("sign flipped") },
    { name: "log2", fn: ((z, y) => bceRight(z, y) / Math.LN2) as Bce, says: named("log base 2") },
    { name: "float32 throughout", fn: ((z, y) => { const t = f(y === 1 ? -z : z); return f(f(Math.max(t, 0)) + f(Math.log1p(f(Math.exp(f(-Math.abs(t))))))); }) as Bce, says: named("float32 arithmetic") },
    { name: "random noise", fn: ((z, y) => noisy(0.01, 7)(bceRight(z, y))) as Bce, says: "generic" },
    { name: "constant output", fn: () => 0.5, says: "placeholder" },
    { name: "swapped arguments", fn: ((z, y) => bceRight(y, z as 0 | 1)) as Bce, says: "generic" },
    {
      name: "Math.log(1 + Math.exp(−|z|)), no log1p",
      fn: ((z, y) => {
        const t = y === 1 ? -z : z;
        return Math.max(t, 0) + Math.log(1 + Math.exp(-Math.abs(t)));
      }) as Bce,
      says: named("log(1 + e^−|z|) without log1p"),
    },
    {
      name: "log-sum-exp of [0, −t]: 1 + e^−40 rounds to 1",
      fn: ((z, y) => lse([0, y === 1 ? -z : z])) as Bce,
      says: named("log(1 + e^−|z|) without log1p"),
    },
    {
      name: "Math.min(loss, 1000)",
      fn: ((z, y) => Math.min(bceRight(z, y), 1000)) as Bce,
      says: named("loss capped"),
    },
    { name: "the logit used as a probability", fn: ((z, y) => -Math.log(y === 1 ? z : 1 - z)) as Bce, says: "generic" },
    { name: "−log σ(z), whatever the label", fn: ((z) => softplus(-z)) as Bce, says: "generic" },
    { name: "z clamped to [−30, 30] first", fn: ((z, y) => bceRight(Math.min(30, Math.max(-30, z)), y)) as Bce, says: "generic" },
    { name: "σ(z) without the log", fn: ((z, y) => (y === 1 ? 1 - sigmoid(z) : sigmoid(z))) as Bce, says: "generic" },
    { name: "softplus of z, whatever the label", fn: ((z) => softplus(z)) as Bce, says: "generic" },
  ],
};

// ---- crossEntropyBackward(logits, targets) ----

type Grad = (logits: number[][], targets: number[]) => number[][];
const gradWith = (p: (row: number[]) => number[], hot: (row: number[], y: number) => number, scale: (N: number) => number): Grad =>
  (L, T) => L.map((row, n) => p(row).map((pc, c) => (pc - (c === hot(row, T[n]) ? 1 : 0)) * scale(L.length)));
const gradRight = gradWith(softmaxLoop, (_, y) => y, (N) => 1 / N);
export const backwardAnswers: Answers = {
  right: [
    ["map", gradRight],
    ["loops, divide at the end", ((L, T) => {
      const g: number[][] = [];
      for (let n = 0; n < L.length; n++) {
        const p = softmaxLoop(L[n]);
        p[T[n]] -= 1;
        g.push(p.map((x) => x / L.length));
      }
      return g;
    }) as Grad],
    ["exp of log-softmax", ((L, T) => L.map((row, n) => row.map((x, c) => (Math.exp(x - lse(row)) - (c === T[n] ? 1 : 0)) / L.length))) as Grad],
  ],
  wrong: [
    { name: "missing 1/N", fn: gradWith(softmaxLoop, (_, y) => y, () => 1), says: named("missing 1/N") },
    { name: "one-hot not subtracted", fn: ((L) => L.map((row) => softmaxLoop(row).map((p) => p / L.length))) as Grad, says: named("one-hot not subtracted") },
    { name: "sign flipped", fn: ((L, T) => gradRight(L, T).map((row) => row.map((g) => -g))) as Grad, says: named("sign flipped") },
    { name: "sign flipped and no 1/N", fn: gradWith(softmaxLoop, (_, y) => y, () => -1), says: named("sign flipped and missing 1/N") },
    { name: "naive softmax", fn: gradWith((row) => shiftedSoftmax(row, 0), (_, y) => y, (N) => 1 / N), says: named("naive softmax") },
    { name: "softmax down the columns", fn: ((L, T) => {
      const cols = L[0].map((_, c) => lse(L.map((row) => row[c])));
      return L.map((row, n) => row.map((x, c) => (Math.exp(x - cols[c]) - (c === T[n] ? 1 : 0)) / L.length));
    }) as Grad, says: named("softmax over the wrong axis") },
    { name: "one-hot at target + 1", fn: gradWith(softmaxLoop, (_, y) => y + 1, (N) => 1 / N), says: named("one-hot at target + 1") },
    { name: "one-hot at target − 1", fn: gradWith(softmaxLoop, (_, y) => y - 1, (N) => 1 / N), says: named("one-hot at target − 1") },
    { name: "one-hot at the predicted class", fn: gradWith(softmaxLoop, (row) => row.indexOf(Math.max(...row)), (N) => 1 / N), says: named("one-hot at the predicted class") },
    { name: "float32 throughout", fn: ((L, T) => L.map((row, n) => f32Softmax(row).map((p, c) => f(f(p - (c === T[n] ? 1 : 0)) / L.length)))) as Grad, says: named("float32 arithmetic") },
    { name: "random noise", fn: ((L, T) => deep(gradRight(L, T), noisy(0.01, 8)) as number[][]) as Grad, says: "generic" },
    { name: "constant output", fn: ((L) => L.map((row) => row.map(() => 0))) as Grad, says: "generic" },
    {
      name: "divided by C instead of N",
      fn: ((L, T) =>
        L.map((row, n) =>
          softmaxLoop(row).map((p, c) => (p - (c === T[n] ? 1 : 0)) / row.length),
        )) as Grad,
      says: named("divided by C instead of N"),
    },
    { name: "transposed", fn: ((L, T) => { const g = gradRight(L, T); return g[0].map((_, c) => g.map((row) => row[c])); }) as Grad, says: "generic" },
    { name: "p − 1 at the target, 0 elsewhere", fn: ((L, T) => L.map((row, n) => softmaxLoop(row).map((p, c) => (c === T[n] ? (p - 1) / L.length : 0)))) as Grad, says: "generic" },
    { name: "the softmax's own gradient p(1 − p)", fn: ((L) => L.map((row) => softmaxLoop(row).map((p) => (p * (1 - p)) / L.length))) as Grad, says: "generic" },
  ],
};

// ---- onlineSoftmax(row) ----

type Online = (row: number[]) => { max: number; sum: number };
const onlineRight: Online = (row) => {
  let max = -Infinity;
  let sum = 0;
  for (const x of row) {
    if (x === -Infinity) continue;
    const next = Math.max(max, x);
    sum = sum * Math.exp(max - next) + Math.exp(x - next);
    max = next;
  }
  return { max, sum };
};
const loop = (step: (max: number, sum: number, x: number) => [number, number], start = -Infinity): Online => (row) => {
  let max = start;
  let sum = 0;
  for (const x of row) [max, sum] = step(max, sum, x);
  return { max, sum };
};
export const onlineAnswers: Answers = {
  right: [
    ["for...of with a guard", onlineRight],
    ["index loop, branch on a new max", (row: number[]) => {
      let max = -Infinity;
      let sum = 0;
      for (let i = 0; i < row.length; i++) {
        const x = row[i];
        if (x > max) {
          sum = (max === -Infinity ? 0 : sum * Math.exp(max - x)) + 1;
          max = x;
        } else if (x !== -Infinity) sum += Math.exp(x - max);
      }
      return { max, sum };
    }],
    ["reduce", (row: number[]) => row.reduce(({ max, sum }, x) => {
      if (x === -Infinity) return { max, sum };
      const next = Math.max(max, x);
      return { max: next, sum: sum * Math.exp(max - next) + Math.exp(x - next) };
    }, { max: -Infinity, sum: 0 })],
    ["backwards, in one pass", (row: number[]) => {
      let max = -Infinity;
      let sum = 0;
      for (let i = row.length - 1; i >= 0; i--) {
        const x = row[i];
        if (x === -Infinity) continue;
        const next = Math.max(max, x);
        sum = sum * Math.exp(max - next) + Math.exp(x - next);
        max = next;
      }
      return { max, sum };
    }],
  ],
  wrong: [
    { name: "two passes: Math.max(...row), then the sum", fn: (row: number[]) => { const max = Math.max(...row); return { max, sum: row.reduce((s, x) => s + Math.exp(x - max), 0) }; }, says: "generic" },
    // A copy reads the row once, in order: the hint is the generic one, whose case
    // message says the row was copied (test/exercises.test.ts holds that text).
    {
      name: "a copy, then two passes: [...row]",
      fn: (row: number[]) => {
        const r = [...row];
        const max = Math.max(...r);
        return { max, sum: r.reduce((s, x) => s + Math.exp(x - max), 0) };
      },
      says: "generic",
    },
    {
      name: "a copy, then two passes: row.slice()",
      fn: (row: number[]) => {
        const r = row.slice();
        let max = -Infinity;
        for (const x of r) max = Math.max(max, x);
        let sum = 0;
        for (const x of r) sum += Math.exp(x - max);
        return { max, sum };
      },
      says: "generic",
    },
    {
      name: "a reversed copy, then one pass",
      fn: (row: number[]) => onlineRight([...row].reverse()),
      says: "generic",
    },
    { name: "two index loops", fn: (row: number[]) => { let max = -Infinity; for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]); let sum = 0; for (let i = 0; i < row.length; i++) sum += Math.exp(row[i] - max); return { max, sum }; }, says: "generic" },
    { name: "sum not rescaled", fn: loop((m, s, x) => (x === -Infinity ? [m, s] : [Math.max(m, x), s + Math.exp(x - Math.max(m, x))])), says: named("sum not rescaled when the max grows") },
    { name: "sum not rescaled, no -Infinity guard", fn: loop((m, s, x) => [Math.max(m, x), s + Math.exp(x - Math.max(m, x))]), says: named("sum not rescaled, and -Infinity minus -Infinity") },
    { name: "rescale upside down", fn: loop((m, s, x) => (x === -Infinity ? [m, s] : [Math.max(m, x), s * Math.exp(Math.max(m, x) - m) + Math.exp(x - Math.max(m, x))])), says: named("rescaled the wrong way") },
    { name: "new element dropped", fn: loop((m, s, x) => (x === -Infinity ? [m, s] : x > m ? [x, m === -Infinity ? 0 : s * Math.exp(m - x)] : [m, s + Math.exp(x - m)])), says: named("new element dropped when the max grows") },
    { name: "no -Infinity guard", fn: loop((m, s, x) => [Math.max(m, x), s * Math.exp(m - Math.max(m, x)) + Math.exp(x - Math.max(m, x))]), says: named("-Infinity minus -Infinity") },
    { name: "running max from 0", fn: loop((m, s, x) => (x === -Infinity ? [m, s] : [Math.max(m, x), s * Math.exp(m - Math.max(m, x)) + Math.exp(x - Math.max(m, x))]), 0), says: named("running max starts at 0") },
    { name: "log of the sum", fn: (row: number[]) => { const { max, sum } = onlineRight(row); return { max, sum: max + Math.log(sum) }; }, says: named("log-sum-exp instead of the sum") },
    { name: "float32 throughout", fn: loop((m, s, x) => {
      if (x === -Infinity) return [m, s];
      const next = Math.max(m, f(x));
      return [next, f(f(s * f(Math.exp(f(m - next)))) + f(Math.exp(f(f(x) - next))))];
    }), says: named("float32 arithmetic") },
    { name: "random noise", fn: (row: number[]) => { const { max, sum } = onlineRight(row); return { max, sum: noisy(0.01, 9)(sum) }; }, says: "generic" },
    { name: "constant output", fn: () => ({ max: 1, sum: 1 }), says: "placeholder" },
    { name: "swapped fields", fn: (row: number[]) => { const { max, sum } = onlineRight(row); return { max: sum, sum: max }; }, says: "generic" },
    { name: "loop starts at 1 (off by one)", fn: (row: number[]) => onlineRight(row.slice(1)), says: "generic" },
    { name: "new term taken against the old max", fn: loop((m, s, x) => (x === -Infinity ? [m, s] : [Math.max(m, x), s * Math.exp(m - Math.max(m, x)) + Math.exp(x - m)])), says: "generic" },
  ],
};

// ---- accuracy(logits, targets) ----

type Acc = (logits: number[][], targets: number[]) => number;
const argmaxOf = (row: number[]): number => {
  let best = 0;
  for (let c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
  return best;
};
const accuracyLoop: Acc = (L, T) => {
  let right = 0;
  for (let n = 0; n < L.length; n++) if (argmaxOf(L[n]) === T[n]) right++;
  return right / L.length;
};
/** The share of rows where pick(row, n) holds. */
const shareOf = (L: number[][], pick: (row: number[], n: number) => boolean): number =>
  L.filter(pick).length / L.length;
export const accuracyAnswers: Answers = {
  right: [
    ["loop", accuracyLoop],
    ["indexOf the max", ((L, T) =>
      shareOf(L, (row, n) => row.indexOf(Math.max(...row)) === T[n])) as Acc],
    ["mean of booleans", ((L, T) =>
      mean(L.map((row, n) => (argmaxOf(row) === T[n] ? 1 : 0)))) as Acc],
  ],
  wrong: [
    {
      name: "a count",
      fn: ((L, T) => accuracyLoop(L, T) * L.length) as Acc,
      says: named("a count, not a share"),
    },
    {
      name: "a percentage",
      fn: ((L, T) => 100 * accuracyLoop(L, T)) as Acc,
      says: named("a percentage"),
    },
    {
      name: "error rate",
      fn: ((L, T) => 1 - accuracyLoop(L, T)) as Acc,
      says: named("error rate"),
    },
    {
      name: "argmin",
      fn: ((L, T) =>
        shareOf(L, (row, n) => row.indexOf(Math.min(...row)) === T[n])) as Acc,
      says: named("argmin"),
    },
    {
      name: "a loop with >=: the last largest wins",
      fn: ((L, T) =>
        shareOf(L, (row, n) => row.lastIndexOf(Math.max(...row)) === T[n])) as Acc,
      says: named("the last largest on a tie"),
    },
    {
      name: "row[target] === max",
      fn: ((L, T) => shareOf(L, (row, n) => row[T[n]] === Math.max(...row))) as Acc,
      says: named("right whenever the target's logit is a largest one"),
    },
    {
      name: "float32 throughout",
      fn: ((L, T) => f(f(accuracyLoop(L, T) * L.length) / L.length)) as Acc,
      says: named("float32 arithmetic"),
    },
    {
      name: "random noise",
      fn: ((L, T) => noisy(0.01, 11)(accuracyLoop(L, T))) as Acc,
      says: "generic",
    },
    { name: "constant output", fn: () => 0.5, says: "placeholder" },
    {
      name: "first row only",
      fn: ((L, T) => (argmaxOf(L[0]) === T[0] ? 1 : 0)) as Acc,
      says: "generic",
    },
    {
      name: "targets compared with target + 1",
      fn: ((L, T) => shareOf(L, (row, n) => argmaxOf(row) === T[n] + 1)) as Acc,
      says: "generic",
    },
    {
      name: "divided by C",
      fn: ((L, T) =>
        L.filter((row, n) => argmaxOf(row) === T[n]).length / L[0].length) as Acc,
      says: "generic",
    },
  ],
};

// ---- crossEntropySmoothed(logits, targets, epsilon) ----

type Smooth = (logits: number[][], targets: number[], epsilon: number) => number;
/** −Σ_c q_c (x_c − LSE(x)) per row, with q from `q(C, y, ε)`, then the mean. */
const smoothWith = (q: (C: number, y: number, e: number) => number[]): Smooth =>
  (L, T, e) => mean(L.map((row, n) => {
    const target = q(row.length, T[n], e);
    const l = lse(row);
    return -row.reduce((s, x, c) => s + target[c] * (x - l), 0);
  }));
const smoothRight = smoothWith((C, y, e) =>
  Array.from({ length: C }, (_, c) => (c === y ? 1 - e + e / C : e / C)));
export const smoothingAnswers: Answers = {
  right: [
    ["target vector", smoothRight],
    ["(1 − ε)·NLL + ε·mean of −log p", ((L, T, e) => mean(L.map((row, n) => {
      const l = lse(row);
      const nll = l - row[T[n]];
      const uniform = mean(row.map((x) => l - x));
      return (1 - e) * nll + e * uniform;
    }))) as Smooth],
  ],
  wrong: [
    {
      name: "ε/(C − 1) on the other classes",
      fn: smoothWith((C, y, e) =>
        Array.from({ length: C }, (_, c) => (c === y ? 1 - e : e / (C - 1)))),
      says: named("ε/(C − 1) on the other classes only"),
    },
    {
      name: "the true class keeps 1 − ε",
      fn: smoothWith((C, y, e) =>
        Array.from({ length: C }, (_, c) => (c === y ? 1 - e : e / C))),
      says: named("the true class keeps 1 − ε only"),
    },
    {
      name: "sum",
      fn: ((L, T, e) => smoothRight(L, T, e) * L.length) as Smooth,
      says: named("sum instead of mean"),
    },
    {
      name: "smoothed the probabilities",
      fn: ((L, T, e) => mean(L.map((row, n) =>
        -Math.log((1 - e) * softmaxLoop(row)[T[n]] + e / row.length)))) as Smooth,
      says: named("smoothed the probabilities, not the target"),
    },
    {
      name: "float32 throughout",
      fn: ((L, T, e) => f32Mean(L.map((row, n) => {
        const l = f32Lse(row);
        const C = row.length;
        return f(-row.reduce((s, x, c) =>
          f(s + f(f(c === T[n] ? 1 - e + e / C : e / C) * f(f(x) - l))), 0));
      }))) as Smooth,
      says: named("float32 arithmetic"),
    },
    {
      name: "random noise",
      fn: ((L, T, e) => noisy(0.01, 12)(smoothRight(L, T, e))) as Smooth,
      says: "generic",
    },
    { name: "constant output", fn: () => 1, says: "placeholder" },
    {
      name: "ε ignored",
      fn: ((L, T) => smoothRight(L, T, 0)) as Smooth,
      says: "generic",
    },
    {
      name: "ε doubled",
      fn: ((L, T, e) => smoothRight(L, T, 2 * e)) as Smooth,
      says: "generic",
    },
    {
      name: "first row only",
      fn: ((L, T, e) => smoothRight([L[0]], [T[0]], e)) as Smooth,
      says: "generic",
    },
  ],
};
