// The bigram checkers: a right answer passes, each classic mistake fails every case and gets
// its own hint, and every foil differs from the right answer in every case (so a hint names a
// mistake only when the learner's answers match it everywhere).
import { describe, expect, it } from "vitest";
import { exercises } from "../src";
import { allClose, conform, TOLERANCE } from "../src/exercises/compare";
import { bigramLossExercise } from "../src/exercises/bigramLoss";
import { bigramStepExercise } from "../src/exercises/bigramStep";
import { reportHtml } from "../src/exercises/report";
import type { Exercise } from "../src/exercises/types";

const quiet = { quiet: true };

// The answers a learner would write, with plain loops.
function goodLoss(probabilities: number[][], vocabulary: string[], words: string[]): number {
  let total = 0;
  let count = 0;
  for (const word of words) {
    const tokens = [".", ...word, "."].map((c) => vocabulary.indexOf(c));
    for (let t = 0; t + 1 < tokens.length; t++) {
      total -= Math.log(probabilities[tokens[t]][tokens[t + 1]]);
      count++;
    }
  }
  return total / count;
}

function goodStep(W: number[][], inputs: number[], targets: number[], learningRate: number): number[][] {
  const N = inputs.length;
  const dW = W.map((row) => row.map(() => 0));
  for (let n = 0; n < N; n++) {
    const row = W[inputs[n]];
    const max = Math.max(...row);
    const exps = row.map((x) => Math.exp(x - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    exps.forEach((e, c) => (dW[inputs[n]][c] += (e / sum - (c === targets[n] ? 1 : 0)) / N));
  }
  return W.map((row, i) => row.map((w, c) => w - learningRate * dW[i][c]));
}

describe("a correct answer passes", () => {
  it("bigramLoss", () => {
    const result = exercises.bigramLoss(goodLoss, quiet);
    expect(result.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`)).toEqual([]);
    expect(result.hint).toBeUndefined();
  });

  it("bigramStep", () => {
    const result = exercises.bigramStep(goodStep, quiet);
    expect(result.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`)).toEqual([]);
  });

  it("the loss's first case is the arithmetic written out: .a ab b. .b b.", () => {
    const result = exercises.bigramLoss(goodLoss, quiet);
    const byHand = -(Math.log(0.7) + Math.log(0.4) + Math.log(0.5) + Math.log(0.3) + Math.log(0.5)) / 5;
    expect(result.cases[0].expected).toBeCloseTo(byHand, 15);
  });

  it("the step's first case is the arithmetic written out: W = 0, so softmax is 1/3 everywhere", () => {
    // inputs [0, 1, 1], targets [1, 2, 0], N = 3, learning rate 0.5:
    // dW[0] = ([1/3, 1/3, 1/3] − [0, 1, 0]) / 3; dW[1] = ([2/3, 2/3, 2/3] − [1, 0, 1]) / 3; dW[2] = 0
    const result = exercises.bigramStep(goodStep, quiet);
    const dW = [[1 / 9, -2 / 9, 1 / 9], [-1 / 9, 2 / 9, -1 / 9], [0, 0, 0]];
    const expected = dW.map((row) => row.map((g) => -0.5 * g));
    expect(allClose(result.cases[0].expected, expected, { rtol: 1e-14, atol: 1e-16 })).toBe(true);
  });
});

/** Each foil of an exercise, run as if a learner had written it. */
function foilsAsLearners<A extends unknown[]>(exercise: Exercise<A>) {
  return exercise.mistakes.map((mistake) => ({
    name: mistake.name,
    hint: mistake.hint,
    fn: (...args: A) => mistake.output(args, exercise.expected(...args)),
  }));
}

describe.each([
  ["bigramLoss", bigramLossExercise, exercises.bigramLoss],
  ["bigramStep", bigramStepExercise, exercises.bigramStep],
] as const)("%s: every mistake", (_, exercise, check) => {
  const foils = foilsAsLearners(exercise as Exercise<unknown[]>);

  it.each(foils)("$name differs from the right answer in every case", ({ fn }) => {
    for (const testCase of exercise.cases) {
      const expected = (exercise as Exercise<unknown[]>).expected(...testCase.args);
      const got = conform(fn(...testCase.args), expected);
      expect("value" in got && allClose(got.value, expected, TOLERANCE), testCase.name).toBe(false);
    }
  });

  it.each(foils)("$name fails every case and gets its own hint, and only that one", ({ fn, hint }) => {
    const result = (check as (f: unknown, o: unknown) => ReturnType<typeof exercises.bigramLoss>)(fn, quiet);
    expect(result.cases.every((c) => !c.passed)).toBe(true);
    expect(result.hint).toBe(`${hint} (Seen in case "${exercise.cases[0].name}".)`);
  });

  it("no two foils agree with each other in every case (each hint has its own evidence)", () => {
    for (const a of foils) {
      for (const b of foils) {
        if (a === b) continue;
        const same = exercise.cases.every((testCase) => {
          const expected = (exercise as Exercise<unknown[]>).expected(...testCase.args);
          const x = conform(a.fn(...testCase.args), expected);
          const y = conform(b.fn(...testCase.args), expected);
          return "value" in x && "value" in y && allClose(x.value, y.value, TOLERANCE);
        });
        expect(same, `${a.name} vs ${b.name}`).toBe(false);
      }
    }
  });
});

describe("an answer no foil explains gets the generic hint", () => {
  it("bigramLoss off by a constant", () => {
    const result = exercises.bigramLoss((...args: [number[][], string[], string[]]) => goodLoss(...args) + 0.1, quiet);
    expect(result.passed).toBe(false);
    expect(result.hint).toMatch(/^Start with case "two words"/);
  });

  it("bigramStep with its own softmax bug: no shift, so the large weights overflow", () => {
    const naive = (W: number[][], inputs: number[], targets: number[], rate: number) => {
      const N = inputs.length;
      const dW = W.map((row) => row.map(() => 0));
      inputs.forEach((i, n) => {
        const exps = W[i].map(Math.exp);
        const sum = exps.reduce((a, b) => a + b, 0);
        exps.forEach((e, c) => (dW[i][c] += (e / sum - (c === targets[n] ? 1 : 0)) / N));
      });
      return W.map((row, i) => row.map((w, c) => w - rate * dW[i][c]));
    };
    const result = exercises.bigramStep(naive, quiet);
    expect(result.cases.filter((c) => !c.passed).map((c) => c.name)).toEqual(["large weights"]);
    expect(result.hint).toMatch(/^Start with case "large weights"/);
  });
});

describe("the report", () => {
  it("shows the words and the vocabulary as code, not described one by one", () => {
    const html = reportHtml(bigramLossExercise, exercises.bigramLoss(goodLoss, quiet));
    expect(html).toContain("words [&quot;ab&quot;, &quot;b&quot;]");
    expect(html).not.toContain("a string &quot;ab&quot;");
  });
});
