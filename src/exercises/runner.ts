/**
 * Running a learner's function on an exercise's cases without ever crashing on it: each call
 * gets fresh copies of the inputs, a throw or a wrong kind of value becomes that case's
 * message, and the report, verdict and hint are built from what came back.
 */
import { describe } from "../checks/describe";
import { TOLERANCE, conform, firstDifference, isThenable, toleranceText, type Numeric, type Tolerance } from "./compare";
import { diagnose } from "./diagnose";
import { formatValue, showReport } from "./report";

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

/**
 * Runs `fn` on every case of `exercise`, displays the report unless `options.quiet`, and
 * returns the result. Throws only for a bad `fn` or `options`, never for what `fn` does.
 */
export function runExercise<A extends unknown[]>(exercise: Exercise<A>, fn: unknown, options?: unknown): ExerciseResult {
  const quiet = checkArguments(exercise, fn, options);
  const tolerance = { ...TOLERANCE, ...exercise.tolerance };
  const runs = exercise.cases.map((c) => runCase(exercise, c, fn as (...args: A) => unknown, tolerance));
  const cases = runs.map((r) => r.result);
  const failing = cases.filter((c) => !c.passed);
  const passed = failing.length === 0;
  const verdict = passed
    ? `✓ ${exercise.name}: all ${cases.length} cases pass (${toleranceText(tolerance)}).`
    : `✗ ${exercise.name}: ${cases.length - failing.length} of ${cases.length} cases pass; failing: ` +
      `${nameList(failing.map((c) => c.name))} (${toleranceText(tolerance)}).`;
  const result: ExerciseResult = { exercise: exercise.name, passed, cases, verdict, tolerance };
  if (!passed) result.hint = diagnose(exercise, runs, tolerance) ?? firstFailureHint(runs, exercise);
  // tslab prints a cell's last value with util.inspect: one line, not the whole object.
  Object.defineProperty(result, Symbol.for("nodejs.util.inspect.custom"), {
    value: () => `[exercises.${exercise.name}: ${cases.length - failing.length}/${cases.length} cases pass]`,
    enumerable: false,
  });
  if (!quiet) showReport(exercise, result);
  return result;
}

function runCase<A extends unknown[]>(
  exercise: Exercise<A>,
  testCase: ExerciseCase<A>,
  fn: (...args: A) => unknown,
  tolerance: Tolerance,
): CaseRun<A> {
  const input: Record<string, unknown> = {};
  exercise.argNames.forEach((name, i) => (input[name] = copy(testCase.args[i])));
  const expected = exercise.expected(...copy(testCase.args));
  const result: CaseResult = { name: testCase.name, input, expected, got: undefined, passed: false };
  let problem: string | undefined;
  try {
    // A fresh copy for the learner: a function that works in place must not spoil the next case.
    const args = copy(testCase.args);
    if (exercise.call) ({ got: result.got, problem } = exercise.call(fn, args));
    else result.got = fn(...args);
  } catch (error) {
    result.message = `threw ${errorText(error)}`;
    return { result, args: testCase.args };
  }
  // A rejected Promise nobody awaits would end the node process or the kernel.
  if (isThenable(result.got)) Promise.resolve(result.got).catch(() => undefined);
  const conformed = conform(result.got, expected);
  if ("message" in conformed) {
    result.message = conformed.message;
    return { result, args: testCase.args };
  }
  const difference = firstDifference(conformed.value, expected, tolerance);
  if (difference === undefined && problem === undefined) result.passed = true;
  else result.message = [difference, problem].filter((text) => text !== undefined).join("; ");
  return { result, args: testCase.args, value: conformed.value };
}

/** "a", "b", "c" and 4 more: the verdict stays one line however many cases fail. */
function nameList(names: string[], shown = 4): string {
  const quoted = names.slice(0, names.length > shown ? shown - 1 : shown).map((name) => `"${name}"`);
  return names.length > shown ? `${quoted.join(", ")} and ${names.length - quoted.length} more` : quoted.join(", ");
}

/** The generic hint: the first failing case, its input and what went wrong. */
function firstFailureHint<A extends unknown[]>(runs: ReadonlyArray<CaseRun<A>>, exercise: Exercise<A>): string {
  const first = runs.find((r) => !r.result.passed)!.result;
  const input = exercise.argNames.map((name) => `${name} = ${formatValue(first.input[name], 10)}`).join(", ");
  return `Start with case "${first.name}" (${input}): ${caseMessage(first)}`;
}

/** Validates the checker's own arguments; returns `quiet`. */
function checkArguments<A extends unknown[]>(exercise: Exercise<A>, fn: unknown, options: unknown): boolean {
  const call = `exercises.${exercise.name}(fn)`;
  if (typeof fn !== "function") {
    const called = fn === undefined ? "" : " — pass the function itself, not the result of calling it";
    throw new TypeError(
      `${call}: fn is ${describe(fn)}, expected your function ${exercise.signature}, ` +
        `e.g. exercises.${exercise.name}(my${exercise.name[0].toUpperCase()}${exercise.name.slice(1)})${called}`,
    );
  }
  if (options === undefined || options === null) return false;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${call}: options is ${describe(options)}, expected an object such as { quiet: true }`);
  }
  for (const [key, value] of Object.entries(options)) {
    if (key !== "quiet") throw new TypeError(`${call}: options.${key} is not an option: expected { quiet?: boolean }`);
    if (value !== undefined && typeof value !== "boolean") {
      throw new TypeError(`${call}: options.quiet is ${describe(value)}, expected true or false`);
    }
  }
  return (options as CheckOptions).quiet === true;
}

/** A failing case's message as a sentence: "your function threw ...", "got[0] = NaN, expected 0.09.". */
export function caseMessage(result: CaseResult): string {
  const text = result.message ?? "failed";
  const subject = /^(threw|returned|read)/.test(text) ? `your function ${text}` : text;
  return /[.?!]$/.test(subject) ? subject : `${subject}.`; // not after 'did you forget "return"?'
}

function errorText(error: unknown): string {
  // Duck-typed, not instanceof: an error thrown by a notebook cell may come from another realm.
  if (typeof error === "object" && error !== null && typeof (error as Error).message === "string") {
    const { name, message } = error as Error;
    return `${typeof name === "string" ? name : "Error"}: ${message}`;
  }
  return describe(error);
}

/** A deep copy of nested arrays of numbers (the only inputs the cases hold). */
function copy<T>(value: T): T {
  return (Array.isArray(value) ? value.map(copy) : value) as T;
}
