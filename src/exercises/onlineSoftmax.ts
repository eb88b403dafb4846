/**
 * The online softmax exercise: fn(row: number[]) => { max: number; sum: number }, the row's
 * largest value and Σ exp(x − max), computed in one pass with a running max and a running sum
 * that is rescaled by exp(oldMax − newMax) whenever the max grows (Milakov & Gimelshein, 2018).
 * The checker compares the pair [max, sum], and shows it that way in its table. It also watches
 * how the row is read: the learner gets a `row` that records every element read, so a second
 * pass (Math.max(...row), then a loop) fails the case even when the numbers are right.
 * Taught in notebooks/13-making-it-fast.ipynb.
 */
import { exponentials, rowMaxima, shiftedLogits } from "../loss/steps";
import { FLOAT64_TOLERANCE, type Numeric } from "./compare";
import { float32Arithmetic, maxFromZero } from "./foils";
import type { Exercise } from "./types";

/** The running state after `row`, as a learner's loop would leave it, for the foils below. */
function onlineFoil(row: number[], step: (max: number, sum: number, x: number) => [number, number]): Numeric {
  let max = -Infinity;
  let sum = 0;
  for (const x of row) [max, sum] = step(max, sum, x);
  return [max, sum];
}

/** The right update, with -Infinity skipped (it adds exp(-Infinity) = 0); the last foil starts from it. */
function rightStep(max: number, sum: number, x: number): [number, number] {
  if (x === -Infinity) return [max, sum];
  const next = Math.max(max, x);
  return [next, sum * Math.exp(max - next) + Math.exp(x - next)];
}

const UPSIDE_DOWN =
  "Your rescale factor is upside down: when the max grows from m to m', the old sum shrinks to sum · exp(m − m') " +
  "(m − m' ≤ 0); it does not grow by exp(m' − m). (On the first step that also gives 0 · exp(x − (−Infinity)) = " +
  "0 · Infinity = NaN.)";

export const onlineSoftmaxExercise: Exercise<[row: number[]]> = {
  name: "onlineSoftmax",
  signature: "fn(row: number[]) => { max: number; sum: number }",
  argNames: ["row"],
  cases: [
    { name: "growing values", args: [[1, 2, 3, 4, 5]] },
    { name: "shrinking values", args: [[5, 4, 3, 2, 1]] },
    { name: "max comes last", args: [[0.5, -1, 2, 1.5, -3, 4]] },
    { name: "large values", args: [[1000, 1001, 1002]] },
    { name: "very negative values", args: [[-1000, -1001, -1002]] },
    { name: "single element", args: [[7]] },
    { name: "all -Infinity but one", args: [[-Infinity, 2, -Infinity]] },
  ],
  expected: (row) => {
    const shifted = exponentials(shiftedLogits([row]))[0];
    return [rowMaxima([row])[0], shifted.reduce((a, b) => a + b, 0)];
  },
  tolerance: FLOAT64_TOLERANCE,
  call: (fn, [row]) => {
    const watched = watchReads(row);
    const got = asMaxAndSum(watched.during(() => fn(watched.row)));
    return { got, problem: watched.problem() };
  },
  mistakes: [
    {
      name: "sum not rescaled when the max grows",
      output: ([row]) => onlineFoil(row, (max, sum, x) => {
        if (x === -Infinity) return [max, sum];
        const next = Math.max(max, x);
        return [next, sum + Math.exp(x - next)];
      }),
      hint:
        "Your sum is not rescaled when the max grows. The terms already in it are exp(x − old max); once the max " +
        "moves they must be exp(x − new max), so multiply the sum by exp(old max − new max) (a number ≤ 1) before " +
        "adding exp(x − new max).",
    },
    {
      name: "rescaled the wrong way",
      output: ([row]) => onlineFoil(row, (max, sum, x) => {
        if (x === -Infinity) return [max, sum];
        const next = Math.max(max, x);
        return [next, sum * Math.exp(next - max) + Math.exp(x - next)];
      }),
      hint: UPSIDE_DOWN,
    },
    {
      name: "rescaled the wrong way, first step guarded",
      output: ([row]) => onlineFoil(row, (max, sum, x) => {
        if (x === -Infinity) return [max, sum];
        const next = Math.max(max, x);
        return [next, (max === -Infinity ? 0 : sum * Math.exp(next - max)) + Math.exp(x - next)];
      }),
      hint: UPSIDE_DOWN,
    },
    {
      name: "new element dropped when the max grows",
      output: ([row]) => onlineFoil(row, (max, sum, x) => {
        if (x === -Infinity) return [max, sum];
        if (x > max) return [x, max === -Infinity ? 0 : sum * Math.exp(max - x)];
        return [max, sum + Math.exp(x - max)];
      }),
      hint:
        "When a new max arrives you rescale the sum but forget the new element's own term: exp(x − new max) = " +
        "exp(0) = 1 must be added too, so the sum is never below 1.",
    },
    {
      name: "running max starts at 0",
      output: ([row]) => {
        const shift = maxFromZero(row);
        return [shift, row.reduce((sum, x) => sum + Math.exp(x - shift), 0)];
      },
      hint:
        "Your running max starts at 0 instead of -Infinity: for a row of negative values, like [-1000, -1001, -1002], " +
        "it stays at 0, which is not the row's max, and every exp(x − 0) underflows to 0. Start it at -Infinity.",
    },
    {
      name: "not shifted",
      output: ([row]) => [Math.max(...row), row.reduce((sum, x) => sum + Math.exp(x), 0)],
      hint:
        "Your sum is Σ exp(x), not Σ exp(x − max): it overflows to Infinity for [1000, 1001, 1002]. Subtract the " +
        "running max inside every exp, and rescale the sum when the max grows.",
    },
    {
      name: "-Infinity minus -Infinity",
      output: ([row]) => onlineFoil(row, (max, sum, x) => {
        const next = Math.max(max, x);
        return [next, sum * Math.exp(max - next) + Math.exp(x - next)];
      }),
      hint:
        "While the running max is still -Infinity, an -Infinity value gives x − max = -Infinity − (-Infinity) = NaN, " +
        "and NaN spoils the sum for good. An -Infinity value adds exp(-Infinity) = 0: skip it (or rescale only when " +
        "the running max is finite).",
    },
    {
      name: "log-sum-exp instead of the sum",
      output: ([row]) => {
        const right = onlineFoil(row, rightStep) as number[];
        return [right[0], right[0] + Math.log(right[1])];
      },
      hint: "Return the sum itself, Σ exp(x − max); the log-sum-exp is max + log(sum), one step later.",
    },
    {
      name: "sum not rescaled, and -Infinity minus -Infinity",
      output: ([row]) => onlineFoil(row, (max, sum, x) => {
        const next = Math.max(max, x);
        return [next, sum + Math.exp(x - next)];
      }),
      hint:
        "Two things. Your sum is not rescaled when the max grows: multiply it by exp(old max − new max) before " +
        "adding exp(x − new max). And while the running max is still -Infinity, an -Infinity value gives " +
        "-Infinity − (-Infinity) = NaN: skip -Infinity values, they add exp(-Infinity) = 0.",
    },
    float32Arithmetic<[row: number[]]>(),
  ],
};

/**
 * The row as the learner's function sees it: the same numbers, in an array that records which
 * element was read when. Reading an element again after other elements is a second pass
 * (reading row[i] twice in a row, within one step of the loop, is not). So is a copy:
 * [...row] or row.slice() reads every element once, in order, and the passes then run
 * over the copy, unseen. What gives it away is Math.exp: a one-pass loop calls it before
 * it has read the whole row (the second element at the latest), a copy reads the whole
 * row before the first call. (A function that never calls Math.exp, or a one-element row,
 * says nothing either way.)
 */
function watchReads(row: number[]): {
  row: number[];
  during<T>(run: () => T): T;
  problem(): string | undefined;
} {
  const seen = new Set<number>();
  let last = -1;
  let revisit: { index: number; after: number } | undefined;
  let readBeforeFirstExp: number | undefined;
  const watched = new Proxy(row, {
    get(target, key, receiver) {
      if (typeof key === "string" && /^(0|[1-9]\d*)$/.test(key) && Number(key) < target.length) {
        const index = Number(key);
        if (seen.has(index) && index !== last && revisit === undefined) revisit = { index, after: last };
        seen.add(index);
        last = index;
      }
      return Reflect.get(target, key, receiver);
    },
  });
  return {
    row: watched,
    during: (run) => {
      const exp = Math.exp;
      Math.exp = (x: number): number => {
        readBeforeFirstExp ??= seen.size;
        return exp(x);
      };
      try {
        return run();
      } finally {
        Math.exp = exp;
      }
    },
    problem: () => {
      if (revisit) {
        return (
          `read row[${revisit.index}] again after row[${revisit.after}]: ` +
          "that is a second pass over the row. " +
          "Update the running max and the running sum together, in one loop."
        );
      }
      if (row.length >= 2 && readBeforeFirstExp === row.length) {
        return (
          "read the whole row before the first Math.exp: that copies the row " +
          "([...row], row.slice()) and passes over the copy, and the copy is itself a " +
          "pass over the row. Read each element once, in the loop that updates the " +
          "running max and the running sum."
        );
      }
      return undefined;
    },
  };
}

/**
 * The learner's { max, sum } as the pair [max, sum] the runner compares (a missing field shows
 * as undefined in its place); anything else passes through so the runner can name it.
 */
export function asMaxAndSum(got: unknown): unknown {
  if (typeof got !== "object" || got === null || Array.isArray(got) || ArrayBuffer.isView(got)) return got;
  if (typeof (got as { then?: unknown }).then === "function") return got;
  const { max, sum } = got as { max?: unknown; sum?: unknown };
  return [max, sum];
}
