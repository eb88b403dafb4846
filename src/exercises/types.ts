/**
 * The shapes every exercise shares: an exercise, its cases and foils, and what a check returns.
 * Kept apart from runner.ts so that the runner, the diagnosis, the report and the record can
 * all speak of them without importing one another in a circle.
 */
import type { Numeric, Tolerance } from "./compare";

/** One input the learner's function is called with; `args` in the function's parameter order. */
export interface ExerciseCase<A extends unknown[]> {
  name: string;
  args: A;
}

/**
 * A classic wrong answer, written as a foil so that the checker can recognise it: either the
 * `output` a function with this mistake returns, or, for a mistake with no single output (float32
 * arithmetic rounds differently in every implementation), a test `matches` of a wrong answer.
 * Its hint is given only when it reproduces every failing case and fails no case the learner
 * passes (see diagnose.ts).
 */
export interface Mistake<A extends unknown[]> {
  name: string;
  /** What a function with this mistake returns, often derived from the module's `expected`. */
  output?(args: A, expected: Numeric): Numeric;
  /** Instead of `output`: whether a failing answer `got` shows this mistake. */
  matches?(got: Numeric, args: A, expected: Numeric): boolean;
  /** With `matches`: the failing answers must also be one and the same number (a cap). */
  sameOnEveryFailingCase?: boolean;
  /** Names the mistake and the fix, in the course's words. */
  hint: string;
}

/** What an exercise's own `call` returns: the learner's answer, and what was wrong with how it was reached. */
export interface Call {
  got: unknown;
  /** Set when the way fails the exercise even if the value is right ("read the row twice"). */
  problem?: string;
}

/** An exercise: the cases, the module's answer, and the mistakes it can name. */
export interface Exercise<A extends unknown[]> {
  /** The member of `exercises`: "softmax". */
  name: string;
  /** The learner's function, as the notebook states it: "fn(row: number[]) => number[]". */
  signature: string;
  argNames: string[];
  cases: ReadonlyArray<ExerciseCase<A>>;
  /** The module's answer: expected values are computed, never typed in. */
  expected(...args: A): Numeric;
  mistakes: ReadonlyArray<Mistake<A>>;
  /** The comparison's tolerance; default TOLERANCE. */
  tolerance?: Tolerance;
  /**
   * How the learner's function is called, when the exercise watches more than the value (how
   * the input is read) or turns the answer into a Numeric; default `fn(...args)`. May throw
   * what `fn` throws.
   */
  call?(fn: (...args: A) => unknown, args: A): Call;
}

export interface CaseResult {
  name: string;
  /** The arguments by parameter name, e.g. { logits: [[0, 40]], targets: [0] }. */
  input: Record<string, unknown>;
  expected: Numeric;
  /** What the learner's function returned (undefined when it threw). */
  got: unknown;
  passed: boolean;
  /** Why the case failed: a throw, a wrong shape, or the first number that differs. */
  message?: string;
}

export interface ExerciseResult {
  exercise: string;
  passed: boolean;
  cases: CaseResult[];
  /** One line: how many cases pass, which fail, and the tolerance. */
  verdict: string;
  /** On failure: the likely mistake, or where to start. */
  hint?: string;
  tolerance: Tolerance;
}

export interface CheckOptions {
  /** Return the result without displaying anything. Default false. */
  quiet?: boolean;
}

/** A case's result plus what the diagnosis needs: the learner's value in the expected shape. */
export interface CaseRun<A extends unknown[]> {
  result: CaseResult;
  args: A;
  value?: Numeric;
}
