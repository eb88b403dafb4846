/**
 * Naming the likely mistake: the learner's answers are compared, case by case, with what each
 * known wrong variant (a foil such as the naive softmax or log(p + 1e-7)) returns there.
 */
import { allClose, conform, type Tolerance } from "./compare";
import { formatValue } from "./report";
import { caseMessage, type CaseRun, type Exercise, type Mistake } from "./runner";

/** At most this many mistakes are named in one hint; past that the hint stops helping. */
const MAX_MISTAKES = 3;

interface Match<A extends unknown[]> {
  mistake: Mistake<A>;
  /** Failing cases whose answer this mistake reproduces, by position. */
  explained: Set<number>;
  /** All cases (passing too) on which the learner agrees with this mistake. */
  agreed: number;
}

/**
 * The hint naming the mistakes that reproduce the learner's failing answers, or undefined when
 * none does. Greedy: first the mistake reproducing the most failing cases (ties go to the one
 * agreeing with the learner on more cases, then to the exercise's order), then the mistake
 * reproducing the most of the rest, so "naive softmax and log(p + eps)" are both named.
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
  const matches = exercise.mistakes.map((mistake) => match(mistake, runs, tolerance));
  const unexplained = new Set(runs.flatMap((run, i) => (run.result.passed ? [] : [i])));
  const chosen: Array<{ mistake: Mistake<A>; firstCase: number }> = [];
  while (chosen.length < MAX_MISTAKES) {
    let best: { m: Match<A>; gain: number } | undefined;
    for (const m of matches) {
      const gain = [...m.explained].filter((i) => unexplained.has(i)).length;
      if (gain > 0 && (!best || gain > best.gain || (gain === best.gain && m.agreed > best.m.agreed))) best = { m, gain };
    }
    if (!best) break;
    const firstCase = Math.min(...[...best.m.explained].filter((i) => unexplained.has(i)));
    best.m.explained.forEach((i) => unexplained.delete(i));
    chosen.push({ mistake: best.m.mistake, firstCase });
  }
  if (chosen.length === 0) return undefined;
  const named = chosen.map(({ mistake, firstCase }) => `${mistake.hint} (Seen in case "${runs[firstCase].result.name}".)`);
  let hint = named.length === 1 ? named[0] : named.map((text, i) => `(${i + 1}) ${text}`).join(" ");
  const rest = [...unexplained].map((i) => runs[i].result);
  if (rest.length > 0) hint += ` Also check case "${rest[0].name}": ${caseMessage(rest[0])}`;
  return hint;
}

function match<A extends unknown[]>(mistake: Mistake<A>, runs: ReadonlyArray<CaseRun<A>>, tolerance: Tolerance): Match<A> {
  const explained = new Set<number>();
  let agreed = 0;
  runs.forEach((run, i) => {
    if (run.value === undefined) return; // a throw or a wrong shape matches no foil
    let foil: unknown;
    try {
      foil = mistake.output(run.args, run.result.expected);
    } catch {
      return;
    }
    const conformed = conform(foil, run.result.expected);
    if ("message" in conformed || !allClose(run.value, conformed.value, tolerance)) return;
    agreed++;
    if (!run.result.passed) explained.add(i);
  });
  return { mistake, explained, agreed };
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
