import { afterEach, describe, expect, it, vi } from "vitest";
import { crossEntropy, exercises, softmax } from "../src";
import { binaryCrossEntropyExercise } from "../src/exercises/binaryCrossEntropy";
import { FLOAT64_TOLERANCE, TOLERANCE, toleranceText } from "../src/exercises/compare";
import { crossEntropyExercise } from "../src/exercises/crossEntropy";
import { crossEntropyBackwardExercise } from "../src/exercises/crossEntropyBackward";
import { crossEntropyIgnoreIndexExercise } from "../src/exercises/ignoreIndex";
import { logSumExpExercise } from "../src/exercises/logSumExp";
import { nllFromLogProbabilitiesExercise } from "../src/exercises/nllLoss";
import { onlineSoftmaxExercise } from "../src/exercises/onlineSoftmax";
import { reportHtml, valueHtml } from "../src/exercises/report";
import { runExercise } from "../src/exercises/runner";
import type { Exercise, ExerciseResult } from "../src/exercises/types";
import { softmaxExercise } from "../src/exercises/softmax";
import { accuracyExercise } from "../src/exercises/accuracy";
import { crossEntropySmoothedExercise } from "../src/exercises/labelSmoothing";
import {
  accuracyAnswers,
  backwardAnswers,
  smoothingAnswers,
  binaryAnswers,
  crossEntropyAnswers,
  ignoreIndexAnswers,
  logSumExpAnswers,
  nllAnswers,
  onlineAnswers,
  softmaxAnswers,
  type Answers,
} from "./helpers/answers";

/** The checkers' tolerance as their verdicts print it. */
const TOLERANCE_TEXT = toleranceText(FLOAT64_TOLERANCE);

// The answers a learner would write: plain loops, the max shift, the log-sum-exp form.
function goodSoftmax(row: number[]): number[] {
  let max = -Infinity;
  for (const x of row) if (x > max) max = x;
  const out: number[] = [];
  let sum = 0;
  for (const x of row) {
    const e = Math.exp(x - max);
    out.push(e);
    sum += e;
  }
  for (let c = 0; c < out.length; c++) out[c] /= sum;
  return out;
}

function goodLogSumExp(values: number[]): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

function goodCrossEntropy(logits: number[][], targets: number[]): number {
  let total = 0;
  for (let n = 0; n < logits.length; n++) total += goodLogSumExp(logits[n]) - logits[n][targets[n]];
  return total / logits.length;
}

function goodNll(logProbabilities: number[][], targets: number[]): number {
  let total = 0;
  for (let n = 0; n < targets.length; n++) total -= logProbabilities[n][targets[n]];
  return total / targets.length;
}

function goodIgnoreIndex(logits: number[][], targets: number[], ignoreIndex: number): number {
  let total = 0;
  let count = 0;
  for (let n = 0; n < logits.length; n++) {
    if (targets[n] === ignoreIndex) continue;
    total += goodLogSumExp(logits[n]) - logits[n][targets[n]];
    count++;
  }
  return total / count; // 0 / 0 = NaN when every target is ignored, as in PyTorch
}

function goodBinary(logit: number, label: 0 | 1): number {
  const z = label === 1 ? logit : -logit; // −log σ(z) for label 1, −log σ(−z) for label 0
  return Math.max(-z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

function goodBackward(logits: number[][], targets: number[]): number[][] {
  const N = logits.length;
  const grad: number[][] = [];
  for (let n = 0; n < N; n++) {
    const p = goodSoftmax(logits[n]);
    grad.push(p.map((pc, c) => (pc - (c === targets[n] ? 1 : 0)) / N));
  }
  return grad;
}

// The classic mistakes, written out.
const naiveSoftmax = (row: number[]): number[] => {
  const e = row.map((x) => Math.exp(x));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};
const rowLoss = (row: number[], y: number): number => goodLogSumExp(row) - row[y];

const quiet = { quiet: true };

function failedCase(result: ExerciseResult, name: string): void {
  const found = result.cases.find((c) => c.name === name);
  expect(found, name).toBeDefined();
  expect(found!.passed, name).toBe(false);
}

describe("a correct answer passes every checker", () => {
  it.each<[string, () => ExerciseResult]>([
    ["softmax", () => exercises.softmax(goodSoftmax, quiet)],
    ["logSumExp", () => exercises.logSumExp(goodLogSumExp, quiet)],
    ["nllFromLogProbabilities", () => exercises.nllFromLogProbabilities(goodNll, quiet)],
    ["crossEntropy", () => exercises.crossEntropy(goodCrossEntropy, quiet)],
    ["crossEntropyIgnoreIndex", () => exercises.crossEntropyIgnoreIndex(goodIgnoreIndex, quiet)],
    ["binaryCrossEntropy", () => exercises.binaryCrossEntropy(goodBinary, quiet)],
    ["crossEntropyBackward", () => exercises.crossEntropyBackward(goodBackward, quiet)],
  ])("%s", (name, run) => {
    const result = run();
    const failures = result.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`);
    expect(failures).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.hint).toBeUndefined();
    expect(result.verdict).toBe(`✓ ${name}: all ${result.cases.length} cases pass (${toleranceText(result.tolerance)}).`);
    // Every checker holds answers to float64; binaryCrossEntropy with no absolute floor
    // (see its file).
    const atol = name === "binaryCrossEntropy" ? 0 : FLOAT64_TOLERANCE.atol;
    expect(result.tolerance).toEqual({ ...FLOAT64_TOLERANCE, atol });
  });

  it("takes its expected values from the module", () => {
    const result = exercises.softmax(goodSoftmax, quiet);
    expect(result.cases.find((c) => c.name === "large logits")!.expected).toEqual(softmax([1000, 1001, 1002]));
    const ce = exercises.crossEntropy(goodCrossEntropy, quiet);
    const wrong = ce.cases.find((c) => c.name === "confident and wrong")!;
    expect(wrong.input).toEqual({ logits: [[0, 40]], targets: [0] });
    expect(wrong.expected).toBe(crossEntropy([[0, 40]], [0]));
    expect(result.tolerance).toEqual(FLOAT64_TOLERANCE);
    expect(TOLERANCE_TEXT).toBe("|got − expected| ≤ 1e-12 + 1e-9·|expected|");
    expect(ce.tolerance).toEqual(FLOAT64_TOLERANCE);
    // The default, which none of the checkers above uses.
    expect(TOLERANCE).toEqual({ rtol: 1e-6, atol: 1e-9 });
  });
});

describe("each classic mistake fails with a hint that names it", () => {
  it("naive softmax: NaN on large logits, named as overflow", () => {
    const result = exercises.softmax(naiveSoftmax, quiet);
    expect(result.passed).toBe(false);
    failedCase(result, "large logits");
    expect(result.cases.find((c) => c.name === "three logits")!.passed).toBe(true);
    expect(result.hint).toMatch(/^Math\.exp overflows/);
    expect(result.hint).toContain('case "large logits"');
    expect(result.verdict).toMatch(/^✗ softmax: 5 of 9 cases pass; failing: "large logits", "very negative logits", "wide row", "wide row, largest first"/);
  });

  it("softmax with a running max that starts at 0", () => {
    const maxFromZero = (row: number[]): number[] => {
      let max = 0;
      for (const x of row) max = Math.max(max, x);
      const e = row.map((x) => Math.exp(x - max));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((x) => x / s);
    };
    const result = exercises.softmax(maxFromZero, quiet);
    failedCase(result, "very negative logits");
    expect(result.hint).toMatch(/starts at 0 instead of -Infinity/);
  });

  it("naive log-sum-exp", () => {
    const result = exercises.logSumExp((v) => Math.log(v.reduce((s, x) => s + Math.exp(x), 0)), quiet);
    failedCase(result, "large values");
    expect(result.hint).toMatch(/^Math\.exp overflows/);
  });

  it("eps-clipped log: caps the confident mistake at 16.12", () => {
    const clipped = (logits: number[][], targets: number[]): number => {
      let total = 0;
      for (let n = 0; n < logits.length; n++) total -= Math.log(goodSoftmax(logits[n])[targets[n]] + 1e-7);
      return total / logits.length;
    };
    const result = exercises.crossEntropy(clipped, quiet);
    failedCase(result, "confident and wrong");
    expect(result.cases.find((c) => c.name === "confident and wrong")!.got).toBeCloseTo(16.118, 3);
    expect(result.hint).toMatch(/^log\(p \+ 1e-7\) caps every loss at −log\(1e-7\) = 16\.12/);
  });

  it("naive softmax inside the loss; with log(p + 1e-7) as well, no one mistake explains it", () => {
    const naive = (logits: number[][], targets: number[]): number =>
      logits.reduce((s, row, n) => s - Math.log(naiveSoftmax(row)[targets[n]]), 0) / logits.length;
    expect(exercises.crossEntropy(naive, quiet).hint).toMatch(/^Math\.exp overflows/);
    const both = (logits: number[][], targets: number[]): number =>
      logits.reduce((s, row, n) => s - Math.log(naiveSoftmax(row)[targets[n]] + 1e-7), 0) / logits.length;
    // Naming either mistake would leave the other unexplained: the first failing case it is.
    // At float64's tolerance even the ε's bias on an ordinary row fails (it passed at
    // rtol 1e-6).
    expect(exercises.crossEntropy(both, quiet).hint).toBe(
      'Start with case "one row" (logits = [[2, 1, 0.1]], targets = [0]): ' +
        "got 0.4170298645, expected 0.4170300163.",
    );
  });

  it("sum instead of mean", () => {
    const sum = (logits: number[][], targets: number[]): number => logits.reduce((s, row, n) => s + rowLoss(row, targets[n]), 0);
    const result = exercises.crossEntropy(sum, quiet);
    failedCase(result, "batch of 4 rows");
    expect(result.cases.find((c) => c.name === "one row")!.passed).toBe(true);
    expect(result.hint).toMatch(/^You returned the sum over the batch; the loss is the mean/);
  });

  it("log base 2 and a flipped sign", () => {
    const log2 = (logits: number[][], targets: number[]): number => goodCrossEntropy(logits, targets) / Math.LN2;
    expect(exercises.crossEntropy(log2, quiet).hint).toMatch(/^Your loss is in bits: Math\.log2/);
    const negative = (logits: number[][], targets: number[]): number => -goodCrossEntropy(logits, targets);
    expect(exercises.crossEntropy(negative, quiet).hint).toMatch(/^The loss has the wrong sign/);
  });

  it("the one-hot sum: 0 * log 0 is NaN", () => {
    const oneHotSum = (logits: number[][], targets: number[]): number => {
      let total = 0;
      for (let n = 0; n < logits.length; n++) {
        const lse = goodLogSumExp(logits[n]);
        for (let c = 0; c < logits[n].length; c++) total -= (c === targets[n] ? 1 : 0) * (logits[n][c] - lse);
      }
      return total / logits.length;
    };
    const result = exercises.crossEntropy(oneHotSum, quiet);
    failedCase(result, "all -Infinity but one");
    expect(result.hint).toMatch(/^In JavaScript 0 \* -Infinity is NaN/);
  });

  it("gradient: missing 1/N, one-hot not subtracted, sign flipped", () => {
    const noMean = (logits: number[][], targets: number[]): number[][] =>
      goodBackward(logits, targets).map((row) => row.map((g) => g * logits.length));
    const result = exercises.crossEntropyBackward(noMean, quiet);
    failedCase(result, "batch of 3 rows");
    expect(result.hint).toMatch(/^The loss is a mean over the N rows, so its gradient carries the 1\/N/);

    const noOneHot = (logits: number[][]): number[][] => logits.map((row) => goodSoftmax(row).map((p) => p / logits.length));
    expect(exercises.crossEntropyBackward(noOneHot, quiet).hint).toMatch(/^Subtract the one-hot target/);

    const flipped = (logits: number[][], targets: number[]): number[][] =>
      goodBackward(logits, targets).map((row) => row.map((g) => -g));
    expect(exercises.crossEntropyBackward(flipped, quiet).hint).toMatch(/^The sign is flipped/);
  });

  it("NLL: applying Math.log to log-probabilities", () => {
    const again = (l: number[][], targets: number[]): number => -targets.reduce((s, y, n) => s + Math.log(l[n][y]), 0) / targets.length;
    expect(exercises.nllFromLogProbabilities(again, quiet).hint).toMatch(/^The inputs are already log-probabilities/);
  });

  it("ignoreIndex: dividing by N, including the padding", () => {
    const byN = (logits: number[][], targets: number[], ignoreIndex: number): number => {
      let total = 0;
      for (let n = 0; n < logits.length; n++) if (targets[n] !== ignoreIndex) total += rowLoss(logits[n], targets[n]);
      return total / logits.length;
    };
    const result = exercises.crossEntropyIgnoreIndex(byN, quiet);
    failedCase(result, "one padded row");
    expect(result.hint).toMatch(/^The mean is over the targets that are not ignored/);
  });

  it("binary cross-entropy: the two-term formula and the naive sigmoid", () => {
    const twoTerm = (z: number, y: 0 | 1): number => {
      const p = 1 / (1 + Math.exp(-z));
      return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
    };
    const result = exercises.binaryCrossEntropy(twoTerm, quiet);
    failedCase(result, "confident and right");
    expect(result.hint).toMatch(/^In JavaScript 0 \* Math\.log\(0\) is NaN/);
    const swapped = (z: number, y: 0 | 1): number => goodBinary(z, y === 1 ? 0 : 1);
    expect(exercises.binaryCrossEntropy(swapped, quiet).hint).toMatch(/^The labels are swapped/);
  });
});

describe("a learner's function that misbehaves gets a message per case, never a crash", () => {
  it("throws", () => {
    const result = exercises.softmax(() => {
      throw new RangeError("boom");
    }, quiet);
    expect(result.passed).toBe(false);
    expect(result.cases.every((c) => c.message === "threw RangeError: boom")).toBe(true);
    expect(result.hint).toBe('Start with case "three logits" (row = [1, 2, 3]): your function threw RangeError: boom.');
  });

  it("a placeholder left in the cell is called a placeholder", () => {
    expect(exercises.nllFromLogProbabilities(() => NaN, quiet).hint).toBe(
      "Your function returns NaN whatever the input: is it still the placeholder? " +
        "Replace it with the computation, then run the check again.",
    );
    expect(exercises.crossEntropyIgnoreIndex(() => 0, quiet).hint).toMatch(/^Your function returns 0 whatever the input/);
  });

  it("with no known mistake, the hint starts from the first failing case", () => {
    const reversed = exercises.softmax((row) => goodSoftmax(row).reverse(), quiet);
    expect(reversed.hint).toBe(
      'Start with case "three logits" (row = [1, 2, 3]): got[0] = 0.6652409558, expected 0.09003057317 (2 of 3 values differ).',
    );
    const broken = exercises.crossEntropy(() => undefined as unknown as number, quiet);
    expect(broken.verdict).toMatch(
      new RegExp(
        '^✗ crossEntropy: 0 of 12 cases pass; failing: "one row", "batch of 4 rows", ' +
          '"negative logits" and 9 more \\(',
      ),
    );
  });

  it("returns undefined (a forgotten return)", () => {
    const result = exercises.crossEntropy((() => undefined) as never, quiet);
    expect(result.cases[0].message).toBe('returned undefined, expected a number — did you forget "return"?');
  });

  it("returns the wrong length, a string, a number for an array, an array for a number", () => {
    expect(exercises.softmax((row) => row.slice(1), quiet).cases[0].message).toBe(
      "returned an array of length 2, expected an array of 3 numbers",
    );
    expect(exercises.logSumExp((v) => goodLogSumExp(v).toFixed(3), quiet).cases[0].message).toMatch(
      /^returned a string "3\.408", expected a number — return the number itself/,
    );
    expect(exercises.softmax(() => 0.5, quiet).cases[0].message).toBe(
      "returned a number (0.5), expected an array of 3 numbers",
    );
    expect(exercises.crossEntropy((logits) => logits.map(() => 1), quiet).cases[0].message).toBe(
      "returned an array of length 1, expected a number",
    );
    const flat = exercises.crossEntropyBackward((logits) => logits[0], quiet);
    expect(flat.cases[0].message).toBe("returned an array of length 3, expected an array of 1 row of 3 numbers (shape [1, 3])");
    expect(flat.cases[2].message).toBe("got[0] is a number (1), expected an array of 3 numbers");
  });

  it("returns NaN, or a Promise", () => {
    expect(exercises.logSumExp(() => NaN, quiet).cases[0].message).toBe("got NaN, expected 3.407605964");
    const result = exercises.logSumExp(async (v) => goodLogSumExp(v), quiet);
    expect(result.cases[0].message).toBe("returned a Promise, expected a number — make the function synchronous (drop async/await)");
  });

  it("gets fresh inputs each call: working in place spoils nothing", () => {
    const inPlace = (row: number[]): number[] => {
      const p = goodSoftmax(row);
      for (let c = 0; c < row.length; c++) row[c] = p[c];
      return row;
    };
    expect(exercises.softmax(inPlace, quiet).passed).toBe(true);
    expect(exercises.softmax(goodSoftmax, quiet).cases[0].input).toEqual({ row: [1, 2, 3] });
  });

  it("accepts a Float64Array where an array is expected", () => {
    expect(exercises.softmax((row) => Float64Array.from(goodSoftmax(row)), quiet).passed).toBe(true);
  });

  it("a non-function or bad options are a TypeError", () => {
    expect(() => exercises.softmax(goodSoftmax([1, 2]) as never)).toThrow(
      new TypeError(
        "exercises.softmax(fn): fn is an array of length 2, expected your function fn(row: number[]) => number[], " +
          "e.g. exercises.softmax(mySoftmax) — pass the function itself, not the result of calling it",
      ),
    );
    expect(() => exercises.crossEntropy(undefined as never)).toThrow(TypeError);
    expect(() => exercises.softmax(goodSoftmax, { quite: true } as never)).toThrow(
      "exercises.softmax(fn): options.quite is not an option: expected { quiet?: boolean }",
    );
    expect(() => exercises.softmax(goodSoftmax, { quiet: "yes" } as never)).toThrow(TypeError);
  });
});

describe("display", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    delete (globalThis as { __tslab__?: unknown }).__tslab__;
  });

  it("quiet mode prints nothing", () => {
    const log = vi.spyOn(console, "log");
    const write = vi.spyOn(process.stdout, "write");
    exercises.crossEntropy(goodCrossEntropy, quiet);
    exercises.softmax(naiveSoftmax, quiet);
    expect(log).not.toHaveBeenCalled();
    expect(write).not.toHaveBeenCalled();
  });

  it("without quiet, plain node prints the table as text with the verdict and the hint", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const result = exercises.softmax(naiveSoftmax);
    expect(log).toHaveBeenCalledTimes(1);
    const text = String(log.mock.calls[0][0]);
    expect(text).toContain("large logits row [1000, 1001, 1002] [0.0900306, 0.244728, 0.665241] [NaN, NaN, NaN] ✗ fail");
    expect(text).toContain(result.verdict);
    expect(text).toContain(`Hint: ${result.hint}`);
  });

  it("inside a tslab kernel it shows one HTML block", () => {
    const html = vi.fn();
    (globalThis as { __tslab__?: unknown }).__tslab__ = { require: () => ({ display: { html, svg: vi.fn() } }) };
    exercises.logSumExp(goodLogSumExp);
    expect(html).toHaveBeenCalledTimes(1);
    expect(html.mock.calls[0][0]).toMatch(/^<div class="ce-exercise">\n<table/);
  });

  it("escapes what the learner returned and formats the numbers", () => {
    const result = exercises.softmax(() => "<b>&</b>", quiet);
    const html = reportHtml(softmaxExercise, result);
    expect(html).toContain("a string &quot;&lt;b&gt;&amp;&lt;/b&gt;&quot;");
    expect(html).not.toContain("<b>&</b>");
    expect(html).toContain("[0.0900306, 0.244728, 0.665241]");
    // The verdict's tolerance, each number kept whole (it broke as "1e-" / "9" at 572 px).
    const whole = (n: string) => `<span style="white-space:nowrap">${n}</span>`;
    expect(html).toContain(`${whole("1e-12")} + ${whole("1e-9")}·|expected|`);
  });

  it("keeps a chip and a negative number on one line, and every value cell's padding (issue 18, item 5)", () => {
    const result = exercises.softmax(naiveSoftmax, quiet);
    const html = reportHtml(softmaxExercise, result);
    expect(valueHtml("[1, -Infinity, -0.5]")).toBe(
      '[1, <span style="white-space:nowrap">-Infinity</span>, <span style="white-space:nowrap">-0.5</span>]',
    );
    // A negative exponent stays whole (the browser suite saw "4.248354255e-" / "18" in notebook 08's message).
    expect(valueHtml("got 0, expected 4.248354255e-18, -1e-5")).toBe(
      'got 0, expected <span style="white-space:nowrap">4.248354255e-18</span>, <span style="white-space:nowrap">-1e-5</span>',
    );
    const failed = result.cases.find((c) => !c.passed && /\d/.test(c.message ?? ""));
    expect(failed, "a failed case whose message shows a number").toBeDefined();
    expect(html).toContain(`</span>: ${valueHtml(failed!.message!)}</td>`);
    // The verdict is a sentence: it may wrap (no nowrap), inside a box no wider than the output.
    const verdict = /<div class="ce-verdict"[^>]*><span style="([^"]*)">/.exec(html)?.[1] ?? "";
    expect(verdict).toContain("display:inline-block;max-width:100%;box-sizing:border-box");
    expect(verdict).not.toContain("nowrap");
    expect(html).toMatch(/<span style="[^"]*white-space:nowrap[^"]*;font-weight:600">✓ pass<\/span>/);
    expect(html).toMatch(/<span style="[^"]*white-space:nowrap[^"]*;font-weight:600">✗ fail<\/span>/);
    // The "got" cell of a failed case takes the fail colours but keeps the row's 4 px padding.
    const cells = html.match(/<td style="[^"]*">/g) ?? [];
    expect(cells.length).toBeGreaterThan(0);
    expect(cells.filter((td) => !td.includes("padding:4px 10px") || td.includes("padding:0"))).toEqual([]);
    expect(cells.every((td) => td.includes("vertical-align:baseline"))).toBe(true);
  });

  it("prints as one line in a notebook's last expression", () => {
    const result = exercises.softmax(naiveSoftmax, quiet);
    const inspect = (result as unknown as Record<symbol, () => string>)[Symbol.for("nodejs.util.inspect.custom")];
    expect(inspect()).toBe("[exercises.softmax: 5/9 cases pass]");
    expect(Object.keys(result)).toEqual(["exercise", "passed", "cases", "verdict", "tolerance", "hint"]);
  });
});

describe("exercises.onlineSoftmax: one pass, a running max and a rescaled running sum", () => {
  // One pass: when the max grows, the sum so far is rescaled by exp(old max − new max).
  function goodOnline(row: number[]): { max: number; sum: number } {
    let max = -Infinity;
    let sum = 0;
    for (const x of row) {
      if (x === -Infinity) continue; // adds exp(-Infinity) = 0, and -Infinity − (-Infinity) would be NaN
      const next = Math.max(max, x);
      sum = sum * Math.exp(max - next) + Math.exp(x - next);
      max = next;
    }
    return { max, sum };
  }
  // The loop with one line changed: `update` replaces the rescale-and-add.
  const online =
    (update: (max: number, sum: number, x: number) => [number, number], start = -Infinity) =>
    (row: number[]): { max: number; sum: number } => {
      let max = start;
      let sum = 0;
      for (const x of row) [max, sum] = update(max, sum, x);
      return { max, sum };
    };

  it("a correct one-pass answer passes; a two-pass one with the right numbers does not", () => {
    const result = exercises.onlineSoftmax(goodOnline, quiet);
    expect(result.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`)).toEqual([]);
    expect(result.verdict).toBe(`✓ onlineSoftmax: all 7 cases pass (${TOLERANCE_TEXT}).`);
    const twoPass = (row: number[]) => {
      const max = Math.max(...row);
      return { max, sum: row.reduce((s, x) => s + Math.exp(x - max), 0) };
    };
    const two = exercises.onlineSoftmax(twoPass, quiet);
    expect(two.passed).toBe(false);
    const growing = two.cases.find((c) => c.name === "growing values")!;
    expect(growing.got).toEqual(growing.expected); // the numbers are right...
    expect(growing.message).toBe(
      "read row[0] again after row[4]: that is a second pass over the row. " +
        "Update the running max and the running sum together, in one loop.",
    ); // ...the way is not
    expect(two.cases.find((c) => c.name === "single element")!.passed).toBe(true); // one element, one read
    expect(two.hint).toBe(`Start with case "growing values" (row = [1, 2, 3, 4, 5]): your function ${growing.message}`);
  });

  it("reading an element twice within one step of the loop is still one pass", () => {
    const rereads = (row: number[]) => {
      let max = -Infinity;
      let sum = 0;
      for (let i = 0; i < row.length; i++) {
        if (row[i] === -Infinity) continue;
        const next = Math.max(max, row[i]);
        sum = sum * Math.exp(max - next) + Math.exp(row[i] - next);
        max = next;
      }
      return { max, sum };
    };
    expect(exercises.onlineSoftmax(rereads, quiet).passed).toBe(true);
  });

  it("takes [max, sum] from the module's steps", () => {
    const large = exercises.onlineSoftmax(goodOnline, quiet).cases.find((c) => c.name === "large values")!;
    expect(large.expected).toEqual([1002, Math.exp(-2) + Math.exp(-1) + 1]);
    expect(large.got).toEqual([1002, goodOnline([1000, 1001, 1002]).sum]);
  });

  it.each<[string, (max: number, sum: number, x: number) => [number, number], string, RegExp]>([
    [
      "sum not rescaled when the max grows",
      (m, s, x) => [Math.max(m, x), s + Math.exp(x - Math.max(m, x))],
      "growing values",
      // this loop also lets -Infinity − (-Infinity) = NaN in: a foil makes both mistakes, and is named
      /^Two things\. Your sum is not rescaled when the max grows.*-Infinity − \(-Infinity\) = NaN/,
    ],
    [
      "rescale factor upside down",
      (m, s, x) => [Math.max(m, x), s * Math.exp(Math.max(m, x) - m) + Math.exp(x - Math.max(m, x))],
      "growing values",
      /^Your rescale factor is upside down/,
    ],
    [
      "the new element's own term dropped",
      (m, s, x) => (x === -Infinity ? [m, s] : x > m ? [x, s * Math.exp(m - x)] : [m, s + Math.exp(x - m)]),
      "shrinking values",
      /forget the new element's own term/,
    ],
    [
      "no guard for -Infinity",
      (m, s, x) => [Math.max(m, x), s * Math.exp(m - Math.max(m, x)) + Math.exp(x - Math.max(m, x))],
      "all -Infinity but one",
      /^While the running max is still -Infinity/,
    ],
  ])("%s fails, named by its hint", (_, update, failing, hint) => {
    const result = exercises.onlineSoftmax(online(update), quiet);
    expect(result.passed).toBe(false);
    failedCase(result, failing);
    expect(result.hint).toMatch(hint);
  });

  it("a running max that starts at 0, an unshifted sum, the log of the sum", () => {
    const fromZero = exercises.onlineSoftmax(
      online((m, s, x) => [Math.max(m, x), s * Math.exp(m - Math.max(m, x)) + Math.exp(x - Math.max(m, x))], 0),
      quiet,
    );
    failedCase(fromZero, "very negative values");
    expect(fromZero.hint).toMatch(/^Your running max starts at 0 instead of -Infinity/);
    const unshifted = exercises.onlineSoftmax((row) => ({ max: Math.max(...row), sum: row.reduce((s, x) => s + Math.exp(x), 0) }), quiet);
    failedCase(unshifted, "large values");
    expect(unshifted.hint).toMatch(/^Your sum is Σ exp\(x\), not Σ exp\(x − max\)/);
    const logged = exercises.onlineSoftmax((row) => {
      const { max, sum } = goodOnline(row);
      return { max, sum: max + Math.log(sum) };
    }, quiet);
    expect(logged.hint).toMatch(/^Return the sum itself/);
  });

  it("names a missing field, a forgotten return and a placeholder", () => {
    const noSum = exercises.onlineSoftmax((row) => ({ max: Math.max(...row) }), quiet);
    expect(noSum.cases[0].message).toBe("got[1] is undefined, expected a number — was every entry filled in?");
    const noReturn = exercises.onlineSoftmax((() => undefined) as never, quiet);
    expect(noReturn.cases[0].message).toBe('returned undefined, expected an array of 2 numbers — did you forget "return"?');
    expect(exercises.onlineSoftmax(() => ({ max: 0, sum: 0 }), quiet).hint).toMatch(/^Your function returns \[0, 0\] whatever the input/);
    expect(() => exercises.onlineSoftmax(goodOnline([1, 2]) as never)).toThrow(
      /^exercises\.onlineSoftmax\(fn\): fn is an object \(Object\), expected your function fn\(row: number\[\]\) => \{ max: number; sum: number \}/,
    );
  });
});

describe("the matrix: many answers per checker, right ones pass, wrong ones get only the hint they earn", () => {
  const checkers: Array<[Exercise<never[]>, (fn: never, options: { quiet: boolean }) => ExerciseResult, Answers]> = [
    [softmaxExercise, exercises.softmax, softmaxAnswers],
    [logSumExpExercise, exercises.logSumExp, logSumExpAnswers],
    [nllFromLogProbabilitiesExercise, exercises.nllFromLogProbabilities, nllAnswers],
    [crossEntropyExercise, exercises.crossEntropy, crossEntropyAnswers],
    [crossEntropyIgnoreIndexExercise, exercises.crossEntropyIgnoreIndex, ignoreIndexAnswers],
    [binaryCrossEntropyExercise, exercises.binaryCrossEntropy, binaryAnswers],
    [crossEntropyBackwardExercise, exercises.crossEntropyBackward, backwardAnswers],
    [onlineSoftmaxExercise, exercises.onlineSoftmax, onlineAnswers],
    [accuracyExercise, exercises.accuracy, accuracyAnswers],
    [crossEntropySmoothedExercise, exercises.crossEntropySmoothed, smoothingAnswers],
  ] as never;

  const rights = checkers.flatMap(([exercise, check, answers]) =>
    answers.right.map(([name, fn]) => [exercise.name, name, () => check(fn as never, quiet)] as const),
  );
  it.each(rights)("%s: %s passes", (_, __, run) => {
    const result = run();
    expect(result.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`)).toEqual([]);
    expect(result.hint).toBeUndefined();
  });

  const wrongs = checkers.flatMap(([exercise, check, answers]) =>
    answers.wrong.map((wrong) => [exercise.name, wrong.name, exercise, () => check(wrong.fn as never, quiet), wrong] as const),
  );
  it.each(wrongs)("%s: %s is rejected with the hint it earns", (_, __, exercise, run, wrong) => {
    const result = run();
    expect(result.passed).toBe(false);
    const first = result.cases.find((c) => !c.passed)!;
    // Every hint is exactly one of three kinds; a specific one is the named mistake's own text.
    if (wrong.says === "generic") {
      expect(result.hint).toMatch(new RegExp(`^Start with case "${escape(first.name)}" \\(`));
    } else if (wrong.says === "placeholder") {
      expect(result.hint).toMatch(/^Your function returns .* whatever the input: is it still the placeholder\?/);
    } else {
      const mistake = exercise.mistakes.find((m) => m.name === (wrong.says as { mistake: string }).mistake);
      expect(mistake, `no mistake named ${wrong.says.mistake}`).toBeDefined();
      expect(result.hint).toBe(`${mistake!.hint} (Seen in case "${first.name}".)`);
    }
  });

  it("the matrix is broad: every checker has right answers and at least 10 wrong ones, classic and unclassified", () => {
    for (const [exercise, , answers] of checkers) {
      expect(answers.right.length, exercise.name).toBeGreaterThanOrEqual(2);
      expect(answers.wrong.length, exercise.name).toBeGreaterThanOrEqual(10);
      expect(answers.wrong.some((w) => w.says === "generic"), exercise.name).toBe(true);
      expect(answers.wrong.some((w) => typeof w.says === "object"), exercise.name).toBe(true);
      expect(answers.wrong.some((w) => w.name === "float32 throughout"), exercise.name).toBe(true);
      expect(answers.wrong.some((w) => w.name === "random noise"), exercise.name).toBe(true);
    }
    const all = checkers.flatMap(([, , a]) => a.wrong);
    const specific = all.filter((w) => typeof w.says === "object").length;
    console.log(`matrix: ${all.length} wrong answers over ${checkers.length} checkers; ${specific} named, ${all.length - specific} generic or placeholder`);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("diagnose: a mistake is named only when it explains every case", () => {
  // A toy exercise: fn(x) = 2x, with two foils, "x + x + 1" and "NaN for x > 2".
  const toy: Exercise<[x: number]> = {
    name: "toy",
    signature: "fn(x: number) => number",
    argNames: ["x"],
    cases: [1, 2, 3, 4].map((x) => ({ name: `x = ${x}`, args: [x] as [number] })),
    expected: (x) => 2 * x,
    mistakes: [
      { name: "plus one", output: ([x]) => 2 * x + 1, hint: "PLUS ONE" },
      { name: "NaN past 2", output: ([x]) => (x > 2 ? NaN : 2 * x), hint: "NAN PAST 2" },
    ],
  };
  const run = (fn: (x: number) => number): ExerciseResult => runExercise(toy, fn, quiet);

  it("names the foil that reproduces every failing case and passes every passing one", () => {
    expect(run((x) => 2 * x + 1).hint).toBe('PLUS ONE (Seen in case "x = 1".)');
    expect(run((x) => (x > 2 ? NaN : 2 * x)).hint).toBe('NAN PAST 2 (Seen in case "x = 3".)');
  });

  it("not when it reproduces only some failing cases", () => {
    expect(run((x) => (x === 4 ? 2 * x + 1 : 2 * x - 5)).hint).toMatch(/^Start with case "x = 1" \(x = 1\): got -3, expected 2/);
  });

  it("not when the learner passes a case the foil fails", () => {
    expect(run((x) => (x === 1 ? 2 : 2 * x + 1)).hint).toMatch(/^Start with case "x = 2"/);
  });

  it("not by NaN alone: a NaN where the foil has a number, or a number where it has NaN, is no match", () => {
    expect(run((x) => (x > 3 ? NaN : 2 * x)).hint).toMatch(/^Start with case "x = 4"/); // foil is NaN at x = 3 too
    expect(run((x) => (x > 1 ? NaN : 2 * x)).hint).toMatch(/^Start with case "x = 2"/); // foil is right at x = 2
  });

  it("not within the checker's tolerance only: the same tolerance decides pass, fail and match", () => {
    expect(run((x) => 2 * x + 1 + 1e-3).hint).toMatch(/^Start with case "x = 1"/);
    expect(run((x) => 2 * x + 1 + 1e-13).hint).toBe('PLUS ONE (Seen in case "x = 1".)');
  });
});

describe("the audit's loopholes: each wrong answer gets a hint naming it", () => {
  const rowLossOf = (row: number[], y: number): number => goodLogSumExp(row) - row[y];
  const meanOf =
    (loss: (row: number[], y: number) => number) =>
    (logits: number[][], targets: number[]): number =>
      logits.reduce((s, row, n) => s + loss(row, targets[n]), 0) / logits.length;
  const failing = (result: ExerciseResult): string[] =>
    result.cases.filter((c) => !c.passed).map((c) => c.name);

  it("onlineSoftmax: a copy of the row, then two passes over it", () => {
    const spread = (row: number[]) => {
      const r = [...row];
      const max = Math.max(...r);
      return { max, sum: r.reduce((s, x) => s + Math.exp(x - max), 0) };
    };
    const sliced = (row: number[]) => {
      const r = row.slice();
      let max = -Infinity;
      for (const x of r) max = Math.max(max, x);
      let sum = 0;
      for (const x of r) sum += Math.exp(x - max);
      return { max, sum };
    };
    for (const answer of [spread, sliced]) {
      const result = exercises.onlineSoftmax(answer, quiet);
      expect(result.passed).toBe(false);
      expect(result.hint).toMatch(/^Start with case "growing values" .*read the whole/);
      expect(result.hint).toContain("before the first Math.exp: that copies the row");
      // Every number is right; only a row of one element (nothing to tell) passes.
      const passing = result.cases.filter((c) => c.passed).map((c) => c.name);
      expect(passing).toEqual(["single element"]);
    }
  });

  it("a loss capped by Math.min(loss, 1000): the checkers hold losses past 1000", () => {
    const capped = meanOf((row, y) => Math.min(rowLossOf(row, y), 1000));
    const result = exercises.crossEntropy(capped, quiet);
    expect(failing(result)).toEqual(["wrong by 5000"]);
    expect(result.hint).toMatch(/^Your loss stops at one fixed value/);
    expect(result.hint).toContain("(Math.min(loss, 1000), or clamped logits)");
    expect(result.hint).toContain("(logits [0, 5000], target 0: true loss 5000)");
    const bceCapped = (z: number, y: 0 | 1): number => Math.min(goodBinary(z, y), 1000);
    const bce = exercises.binaryCrossEntropy(bceCapped, quiet);
    expect(bce.hint).toMatch(/^Your loss stops at one fixed value/);
    // Caps of different heights are an epsilon's bias, not one cap: no cap is named.
    const epsilon = meanOf((row, y) => -Math.log(goodSoftmax(row)[y] + 1e-11));
    expect(exercises.crossEntropy(epsilon, quiet).hint).toMatch(/^Start with case/);
  });

  it("two mistakes at once are both named", () => {
    const sumAndSign = (logits: number[][], targets: number[]): number =>
      logits.reduce((s, row, n) => s - rowLossOf(row, targets[n]), 0);
    expect(exercises.crossEntropy(sumAndSign, quiet).hint).toMatch(
      /^Two things: the sign is flipped, and you returned the sum/,
    );
    const nllSumAndSign = (l: number[][], targets: number[]): number =>
      targets.reduce((s, y, n) => s + l[n][y], 0);
    const nll = exercises.nllFromLogProbabilities(nllSumAndSign, quiet);
    expect(nll.hint).toMatch(/^Two things: the sign is flipped/);

    const naiveAndSum = (logits: number[][], targets: number[]): number =>
      logits.reduce((s, row, n) => s - Math.log(naiveSoftmax(row)[targets[n]]), 0);
    const naive = exercises.crossEntropy(naiveAndSum, quiet).hint;
    expect(naive).toMatch(/^Two things\. Math\.exp overflows/);
    expect(naive).toContain("you returned the sum over the batch");

    const log2AndPlusOne = meanOf(
      (row, y) => (goodLogSumExp(row) - row[y + 1]) / Math.LN2);
    const both = exercises.crossEntropy(log2AndPlusOne, quiet).hint;
    expect(both).toMatch(/^Two things\. Your loss is in bits/);
    expect(both).toContain("one place after the target's");
  });

  it("logSumExp as max + log Σ exp(x)", () => {
    const twice = (v: number[]): number =>
      Math.max(...v) + Math.log(v.reduce((s, x) => s + Math.exp(x), 0));
    const hint = exercises.logSumExp(twice, quiet).hint;
    expect(hint).toMatch(/^You add the max outside but never subtract it inside/);
  });

  it("log Σ exp(x − x[y]) is a shift by the target's logit, not log(softmax)", () => {
    const byTarget = meanOf((row, y) =>
      Math.log(row.reduce((s, x) => s + Math.exp(x - row[y]), 0)),
    );
    const result = exercises.crossEntropy(byTarget, quiet);
    expect(result.hint).toMatch(/^log Σ exp\(x − x\[target\]\) is the loss in exact/);
    // [0, 720]: exp(720) overflows, while the stable softmax's p = e^-720 is still > 0.
    failedCase(result, "wrong by 720");
    const logOfSoftmax = meanOf((row, y) => -Math.log(goodSoftmax(row)[y]));
    const stable = exercises.crossEntropy(logOfSoftmax, quiet);
    expect(stable.cases.find((c) => c.name === "wrong by 720")!.passed).toBe(true);
    expect(stable.hint).toMatch(/^Math\.log\(softmax\(row\)\[target\]\) breaks/);
  });

  it("a naive log-sum-exp minus x[y] in crossEntropy", () => {
    const naive = meanOf(
      (row, y) => Math.log(row.reduce((s, x) => s + Math.exp(x), 0)) - row[y],
    );
    expect(exercises.crossEntropy(naive, quiet).hint).toMatch(
      /^log Σ exp\(x\) − x\[target\] is the right formula, but Math\.exp\(1000\)/,
    );
  });

  it("the gradient divided by C instead of N", () => {
    const byC = (logits: number[][], targets: number[]): number[][] =>
      logits.map((row, n) =>
        goodSoftmax(row).map((p, c) => (p - (c === targets[n] ? 1 : 0)) / row.length),
      );
    const hint = exercises.crossEntropyBackward(byC, quiet).hint;
    expect(hint).toMatch(/^You divide by C, the number of classes/);
  });

  it("NLL with the indices the wrong way round, l[y][n]", () => {
    const swapped = (l: number[][], targets: number[]): number =>
      -targets.reduce((s, y, n) => s + l[y][n], 0) / targets.length;
    const result = exercises.nllFromLogProbabilities(swapped, quiet);
    expect(result.hint).toMatch(/^Your indices are the wrong way round/);
    // Every target is below N, so no case throws: each failing case shows a number.
    expect(result.cases.every((c) => !/threw/.test(c.message ?? ""))).toBe(true);
  });

  it("NLL: a sum instead of the mean fails every case but one row and C = 1", () => {
    const sum = (l: number[][], targets: number[]): number =>
      -targets.reduce((s, y, n) => s + l[n][y], 0);
    const result = exercises.nllFromLogProbabilities(sum, quiet);
    const passing = result.cases.filter((c) => c.passed).map((c) => c.name);
    expect(passing).toEqual(["one row", "single class (C = 1)"]);
    expect(result.hint).toMatch(/^You returned the sum over the batch/);
  });

  it("binary cross-entropy without log1p: 1 + e^−40 rounds to 1", () => {
    const noLog1p = (z: number, y: 0 | 1): number => {
      const t = y === 1 ? -z : z;
      return Math.max(t, 0) + Math.log(1 + Math.exp(-Math.abs(t)));
    };
    const result = exercises.binaryCrossEntropy(noLog1p, quiet);
    expect(failing(result)).toEqual(["confident and right"]);
    const right = result.cases.find((c) => c.name === "confident and right")!;
    expect(right.expected).toBe(Math.log1p(Math.exp(-40)));
    expect(result.hint).toMatch(/^The large part is out, but 1 \+ e\^−\|z\| rounds to/);
  });
});
