// The checkers of notebook 4: a right answer passes, each classic mistake fails with the hint
// that names it, and a mistake no foil reproduces gets the generic hint.
import { describe, expect, it } from "vitest";
import { entropy, exercises, klDivergence, perplexity } from "../src";
import { allClose, conform, isClose, TOLERANCE, type Numeric } from "../src/exercises/compare";
import { entropyExercise } from "../src/exercises/entropy";
import { klDivergenceExercise } from "../src/exercises/klDivergence";
import { perplexityExercise } from "../src/exercises/perplexity";
import type { Exercise, ExerciseResult } from "../src/exercises/types";

const quiet = { quiet: true };

// The answers a learner would write.
function goodEntropy(q: number[]): number {
  let h = 0;
  for (const qc of q) if (qc > 0) h -= qc * Math.log(qc);
  return h;
}
function goodKl(q: number[], p: number[]): number {
  let kl = 0;
  for (let c = 0; c < q.length; c++) if (q[c] > 0) kl += q[c] * Math.log(q[c] / p[c]);
  return kl;
}
function goodPerplexity(losses: number[]): number {
  return Math.exp(losses.reduce((a, b) => a + b, 0) / losses.length);
}

const failing = (result: ExerciseResult) => result.cases.filter((c) => !c.passed).map((c) => c.name);

describe("a right answer passes", () => {
  it.each<[string, () => ExerciseResult]>([
    ["entropy", () => exercises.entropy(goodEntropy, quiet)],
    ["klDivergence", () => exercises.klDivergence(goodKl, quiet)],
    ["perplexity", () => exercises.perplexity(goodPerplexity, quiet)],
  ])("%s", (_, run) => {
    const result = run();
    expect(failing(result)).toEqual([]);
    expect(result.hint).toBeUndefined();
  });

  it("takes its expected values from the module", () => {
    const result = exercises.entropy(goodEntropy, quiet);
    expect(result.cases.find((c) => c.name === "certain: one-hot")!.expected).toBe(entropy([0, 1, 0]));
    const kl = exercises.klDivergence(goodKl, quiet).cases.find((c) => c.name === "p misses a class of q")!;
    expect(kl.expected).toBe(klDivergence([0.5, 0.5], [1, 0]));
    expect(kl.expected).toBe(Infinity);
    const ppl = exercises.perplexity(goodPerplexity, quiet).cases.find((c) => c.name === "one token, loss 2.1")!;
    expect(ppl.expected).toBe(perplexity(2.1));
  });
});

describe("each classic mistake is named", () => {
  it("entropy in bits (Math.log2)", () => {
    const result = exercises.entropy((q) => -q.reduce((s, x) => (x > 0 ? s + x * Math.log2(x) : s), 0), quiet);
    expect(failing(result)).not.toContain("certain: one-hot"); // 0 is 0 in any unit
    expect(result.hint).toMatch(/^Your answer is in bits: Math\.log2/);
  });

  it("entropy with 0 * Math.log(0): NaN on the cases with a zero, and only there", () => {
    const result = exercises.entropy((q) => -q.reduce((s, x) => s + x * Math.log(x), 0), quiet);
    expect(failing(result)).toEqual(["certain: one-hot", "a class with probability 0"]);
    expect(result.hint).toMatch(/^In JavaScript 0 \* Math\.log\(0\) is 0 \* -Infinity = NaN/);
  });

  it("entropy: a flipped sign, log10, unweighted surprises, a 1/C", () => {
    expect(exercises.entropy((q) => -goodEntropy(q), quiet).hint).toMatch(/^The entropy has the wrong sign/);
    expect(exercises.entropy((q) => goodEntropy(q) / Math.LN10, quiet).hint).toMatch(/^Math\.log10/);
    expect(exercises.entropy((q) => -q.reduce((s, x) => s + Math.log(x), 0), quiet).hint).toMatch(/without weighting them/);
    expect(exercises.entropy((q) => goodEntropy(q) / q.length, quiet).hint).toMatch(/^You divided by the number of classes/);
  });

  it("KL with its arguments swapped", () => {
    const result = exercises.klDivergence((q, p) => goodKl(p, q), quiet);
    expect(failing(result)).not.toContain("p = q");
    expect(result.hint).toMatch(/^You computed KL\(p‖q\), the arguments swapped/);
  });

  it("KL in bits, with 0 * log 0, as a cross-entropy, with a flipped sign", () => {
    const bits = (q: number[], p: number[]) => goodKl(q, p) / Math.LN2;
    expect(exercises.klDivergence(bits, quiet).hint).toMatch(/^Your answer is in bits/);
    const naive = (q: number[], p: number[]) => q.reduce((s, x, c) => s + x * Math.log(x / p[c]), 0);
    const result = exercises.klDivergence(naive, quiet);
    expect(failing(result)).toEqual(["one-hot q", "q has a zero", "q and p share a zero"]);
    expect(result.hint).toMatch(/^In JavaScript 0 \* Math\.log\(0\)/);
    const cross = (q: number[], p: number[]) => q.reduce((s, x, c) => (x > 0 ? s - x * Math.log(p[c]) : s), 0);
    expect(exercises.klDivergence(cross, quiet).hint).toMatch(/^You returned the cross-entropy H\(q, p\)/);
    expect(exercises.klDivergence((q, p) => -goodKl(q, p), quiet).hint).toMatch(/^The divergence has the wrong sign/);
  });

  it("perplexity: 2^loss, the mean of e^loss, e^sum, no exp, e^−loss, 10^loss", () => {
    const mean = (l: number[]) => l.reduce((a, b) => a + b, 0) / l.length;
    const hint = (fn: (l: number[]) => number) => exercises.perplexity(fn, quiet).hint;
    expect(hint((l) => 2 ** mean(l))).toMatch(/^You raised 2 to the loss, but the losses are in nats/);
    expect(hint((l) => mean(l.map(Math.exp)))).toMatch(/^You averaged e\^loss over the tokens/);
    expect(hint((l) => Math.exp(l.reduce((a, b) => a + b, 0)))).toMatch(/^You took e to the SUM/);
    expect(hint(mean)).toMatch(/^You returned the mean loss/);
    expect(hint((l) => Math.exp(-mean(l)))).toMatch(/^e\^\(−loss\) is the geometric mean/);
    expect(hint((l) => 10 ** mean(l))).toMatch(/^You raised 10 to the loss/);
  });

  it("the mean of per-token perplexities passes one-token texts and fails the others", () => {
    const result = exercises.perplexity((l) => l.reduce((s, x) => s + Math.exp(x), 0) / l.length, quiet);
    expect(failing(result)).toEqual(["four tokens", "one bad token among good ones", "a 50-token text"]);
  });
});

describe("a hint names a mistake only when its foil fails exactly where the learner fails", () => {
  // Each foil, run as a learner's function, must fail on at least one case, and no two foils
  // may fail on the same cases with the same values (or one hint could stand for the other).
  function foilRuns<A extends unknown[]>(exercise: Exercise<A>): Array<{ name: string; values: Numeric[]; fails: boolean[] }> {
    return exercise.mistakes.map((m) => {
      const values = exercise.cases.map((c) => m.output(c.args, exercise.expected(...c.args)));
      const fails = values.map((v, i) => {
        const expected = exercise.expected(...exercise.cases[i].args);
        const conformed = conform(v, expected);
        return "message" in conformed || !allClose(conformed.value, expected, TOLERANCE);
      });
      return { name: m.name, values, fails };
    });
  }
  const exercisesUnderTest = [entropyExercise, klDivergenceExercise, perplexityExercise] as Array<Exercise<unknown[]>>;

  it.each(exercisesUnderTest.map((e) => [e.name, e] as const))("%s: every foil fails somewhere, and no two agree everywhere", (_, exercise) => {
    const runs = foilRuns(exercise);
    for (const run of runs) expect(run.fails.some(Boolean), run.name).toBe(true);
    for (let a = 0; a < runs.length; a++) {
      for (let b = a + 1; b < runs.length; b++) {
        const same = runs[a].values.every((v, i) => isClose(v as number, runs[b].values[i] as number, TOLERANCE));
        expect(same, `${runs[a].name} and ${runs[b].name}`).toBe(false);
      }
    }
  });

  it.each(exercisesUnderTest.map((e) => [e.name, e] as const))("%s: each foil as an answer gets its own hint and no other", (_, exercise) => {
    for (const mistake of exercise.mistakes) {
      const byArgs = new Map(exercise.cases.map((c) => [JSON.stringify(c.args), mistake.output(c.args, exercise.expected(...c.args))]));
      const fn = (...args: unknown[]) => byArgs.get(JSON.stringify(args));
      const result = (exercises as unknown as Record<string, (f: unknown, o: object) => ExerciseResult>)[exercise.name](fn, quiet);
      expect(result.passed, mistake.name).toBe(false);
      expect(result.hint, mistake.name).toBe(`${mistake.hint} (Seen in case "${failing(result)[0]}".)`);
    }
  });

  it("a mistake no foil makes gets the generic hint: the first failing case", () => {
    const offByOne = (q: number[]) => goodEntropy(q) + (q.length === 3 ? 0.1 : 0);
    const result = exercises.entropy(offByOne, quiet);
    expect(result.hint).toMatch(/^Start with case "skewed, 3 classes"/);
    const plusOne = (losses: number[]) => goodPerplexity(losses) + 1;
    expect(exercises.perplexity(plusOne, quiet).hint).toMatch(/^Start with case "one token at chance, 27 characters"/);
  });
});
