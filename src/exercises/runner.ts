/**
 * Running a learner's function on an exercise's cases without ever crashing on it: each call
 * gets fresh copies of the inputs, a throw or a wrong kind of value becomes that case's
 * message, and the report, verdict and hint are built from what came back.
 */
import { describe } from "../inputs/describe";
import { TOLERANCE, conform, firstDifference, isThenable, toleranceText, type Numeric, type Tolerance } from "./compare";
import { diagnose } from "./diagnose";
import { formatValue, showReport } from "./report";
import type { CaseResult, CaseRun, CheckOptions, Exercise, ExerciseCase, ExerciseResult } from "./types";

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
