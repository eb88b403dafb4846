/**
 * Naming the likely mistake. A mistake (a foil such as the naive softmax or log(p + 1e-7)) is
 * named only when it explains the learner's answers completely: it reproduces every failing
 * case and fails no case the learner passes. Anything less is a guess, and a wrong guess sends
 * the learner after a mistake they did not make; then the runner's generic hint (the first
 * failing case, got against expected) is the honest one.
 */
import { allClose, conform, type Numeric, type Tolerance } from "./compare";
import { formatValue } from "./report";
import type { CaseRun, Exercise, Mistake } from "./types";

/**
 * The hint of the first mistake (in the exercise's order) that explains every case, or
 * undefined when none does. A function that returns one value whatever the input is told so.
 */
export function diagnose<A extends unknown[]>(
  exercise: Exercise<A>,
  runs: ReadonlyArray<CaseRun<A>>,
  tolerance: Tolerance,
): string | undefined {
  const constant = sameAnswerEverywhere(runs);
  if (constant !== undefined) {
    return (
      `Your function returns ${constant} whatever the input: is it still the placeholder? ` +
      "Replace it with the computation, then run the check again."
    );
  }
  const mistake = exercise.mistakes.find((m) => explainsEveryCase(m, runs, tolerance));
  if (mistake === undefined) return undefined;
  const first = runs.find((run) => !run.result.passed)!;
  return `${mistake.hint} (Seen in case "${first.result.name}".)`;
}

/**
 * True when `mistake` reproduces the learner's answer on every failing case and, where it has
 * an output, gives the right answer on every case the learner passes. Compared with the
 * checker's own tolerance; a foil's NaN matches only a NaN of the learner's in the same place,
 * and a foil that throws or returns the wrong shape matches nothing.
 */
export function explainsEveryCase<A extends unknown[]>(
  mistake: Mistake<A>,
  runs: ReadonlyArray<CaseRun<A>>,
  tolerance: Tolerance,
): boolean {
  if (mistake.sameOnEveryFailingCase) {
    const failing = new Set(
      runs.filter((run) => !run.result.passed).map((run) => formatValue(run.value, 17)),
    );
    if (failing.size !== 1) return false;
  }
  return runs.every((run) => {
    const { expected, passed } = run.result;
    if (passed) {
      if (!mistake.output) return true; // a test of wrong answers says nothing about right ones
      const foil = foilOutput(mistake, run.args, expected);
      return foil !== undefined && allClose(foil, expected, tolerance);
    }
    if (run.value === undefined) return false; // a throw or a wrong shape is no foil's output
    if (mistake.matches) return safely(() => mistake.matches!(run.value!, run.args, expected)) === true;
    const foil = foilOutput(mistake, run.args, expected);
    return foil !== undefined && allClose(run.value, foil, tolerance);
  });
}

function foilOutput<A extends unknown[]>(mistake: Mistake<A>, args: A, expected: Numeric): Numeric | undefined {
  const output = safely(() => mistake.output?.(args, expected));
  if (output === undefined) return undefined;
  const conformed = conform(output, expected);
  return "message" in conformed ? undefined : conformed.value;
}

function safely<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/**
 * The one answer a function gave to every case, when it did (`return NaN` or `return 0` left
 * in an exercise cell): no foil should be named for that, NaN for NaN being no evidence.
 */
function sameAnswerEverywhere<A extends unknown[]>(runs: ReadonlyArray<CaseRun<A>>): string | undefined {
  if (runs.length < 3 || runs.some((run) => run.value === undefined)) return undefined;
  const answers = new Set(runs.map((run) => formatValue(run.value, 17)));
  return answers.size === 1 ? formatValue(runs[0].value) : undefined;
}
