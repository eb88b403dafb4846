/**
 * From what happened in a run to the gradebook's rows: one per exercise of the notebook, or a
 * single `*` row when the notebook could not be graded at all.
 *
 * - passed / failed: a record from the course's checker, stamped with the run's secret: from
 *   the learner's own call, else from the grader's cell that ran the checker on their function;
 * - not attempted: the placeholder is still there (the course's answer cell, unchanged, and no
 *   pass), or the notebook never calls the checker (its exercise cells were deleted);
 * - error: the run stopped at a failing cell before this checker ran, or the checker was
 *   called yet nothing verifiable came back.
 */
import { RECORD_MIME, type ExerciseRecord } from "../../exercises/record";
import { cellSource, checkerCalls, codeCells, declares, normaliseSource, type CourseNotebook, type StoredCell } from "./course";
import type { GraderCell, Run } from "./execute";

export const STATUSES = ["passed", "failed", "not attempted", "error"] as const;
export type Status = (typeof STATUSES)[number];

export interface Row {
  learner: string;
  notebook: string;
  /** The checker's name, or "*" for a notebook that could not be graded. */
  exercise: string;
  status: Status;
  detail: string;
}

/** The parts of the learner's notebook that grading reads. */
export interface LearnerNotebook {
  cells: StoredCell[];
}

/** One row saying why the notebook could not be graded at all. */
export function notebookError(learner: string, notebook: string, detail: string): Row[] {
  return [{ learner, notebook, exercise: "*", status: "error", detail }];
}

/**
 * The grader's cells for a notebook: for each exercise the learner's notebook calls, a cell
 * that runs the course's checker on the learner's function (the argument of their own call,
 * else the course's name for it), if the notebook declares that function. The driver runs one
 * only when the learner's call left no genuine record.
 */
export function graderCells(course: CourseNotebook, learner: LearnerNotebook): GraderCell[] {
  const code = codeCells(learner.cells);
  const calls = code.flatMap(checkerCalls);
  const cells: GraderCell[] = [];
  for (const exercise of course.exercises) {
    const own = calls.filter((c) => c.name === exercise.name);
    if (own.length === 0) continue;
    const argument = own.find((c) => c.argument)?.argument ?? exercise.argument;
    if (!argument || !code.some((cell) => declares(cell, argument))) continue;
    cells.push({
      exercise: exercise.name,
      source:
        `import { exercises as courseGraderExercises } from "../..";\n` +
        `courseGraderExercises.${exercise.name}(${argument} as any);`,
    });
  }
  return cells;
}

/** The rows of one graded notebook. */
export function gradeRows(
  learner: string,
  notebook: string,
  course: CourseNotebook,
  learnerNb: LearnerNotebook,
  run: Run,
  timeoutSeconds: number,
): Row[] {
  const { result } = run;
  const cellName = (cell: NonNullable<typeof result.cell>) =>
    `cell ${cell.index + 1}${cell.first_line ? ` (\`${clip(cell.first_line, 60)}\`)` : ""}`;
  switch (result.status) {
    case "invalid":
      return notebookError(learner, notebook, `not a valid notebook (nbformat): ${result.message ?? "unreadable"}`);
    case "timeout":
      return notebookError(learner, notebook, `timed out after ${timeoutSeconds} s`);
    case "kernel-died":
      return notebookError(
        learner,
        notebook,
        `the kernel died${result.cell ? ` in ${cellName(result.cell)}` : ""}${result.message ? `: ${result.message}` : ""}`,
      );
    case "kernel-failed":
      return notebookError(learner, notebook, `the tslab kernel could not run the notebook: ${result.message ?? "unknown error"}`);
  }

  const learnerCells = result.learner_cells ?? learnerNb.cells.length;
  const records = readRecords(run, learnerCells);
  const failed = result.status === "cell-failed" ? result.cell : undefined;
  // By cell index, undefined for markdown: raw for finding calls, normalised for placeholders.
  const code = learnerNb.cells.map((cell) => (cell.cell_type === "code" ? cellSource(cell) : undefined));
  const normalised = code.map((source) => (source === undefined ? undefined : normaliseSource(source)));
  // "Before any checker ran": no genuine record, and the run stopped at or before the first
  // cell that calls a checker (a learner's fake `exercises` is a call, though not a record).
  const firstCall = code.findIndex((source) => source !== undefined && checkerCalls(source).length > 0);
  if (failed && !records.genuine.some((r) => r.fromLearner) && (firstCall < 0 || failed.index <= firstCall)) {
    return notebookError(learner, notebook, `${cellName(failed)} failed before any checker ran: ${failed.message}`);
  }

  return course.exercises.map((exercise) => {
    const row = (status: Status, detail: string): Row => ({ learner, notebook, exercise: exercise.name, status, detail });
    const mine = records.genuine.filter((r) => r.record.exercise === exercise.name);
    const chosen = mine.filter((r) => r.fromLearner).pop() ?? mine.pop();
    const forged = records.forged.has(exercise.name) ? " (a result that did not come from the course's checker was ignored)" : "";
    const byGrader = chosen && !chosen.fromLearner ? " (the notebook's own call reported nothing verifiable; the grader ran the course's checker on the learner's function)" : "";
    const placeholderAt = normalised.findIndex((source) => source === exercise.answerCell);
    if (chosen?.record.passed) return row("passed", chosen.record.verdict + byGrader + forged);
    if (placeholderAt >= 0) {
      return row("not attempted", `the placeholder is still there: cell ${placeholderAt + 1} is the course's cell unchanged${forged}`);
    }
    if (chosen) return row("failed", withHint(chosen.record) + byGrader + forged);
    const callAt = code.findIndex((source) => source !== undefined && checkerCalls(source).some((c) => c.name === exercise.name));
    if (callAt < 0) return row("not attempted", `the notebook does not call exercises.${exercise.name} (its exercise cells were deleted)${forged}`);
    if (failed) return row("error", `not checked: ${cellName(failed)} failed: ${failed.message}${forged}`);
    return row(
      "error",
      `exercises.${exercise.name} was called in cell ${callAt + 1}, but the course's checker reported nothing ` +
        `(was \`exercises\` redefined?) and the grader could not run it on the learner's function${graderFailure(run, exercise.name)}${forged}`,
    );
  });
}

interface FoundRecord {
  record: ExerciseRecord;
  fromLearner: boolean;
}

/** Records in the executed notebook: stamped with the run's secret, and the exercises of the others. */
function readRecords(run: Run, learnerCells: number): { genuine: FoundRecord[]; forged: Set<string> } {
  const genuine: FoundRecord[] = [];
  const forged = new Set<string>();
  (run.executed?.cells ?? []).forEach((cell, index) => {
    for (const output of cell.outputs ?? []) {
      let record = output.data?.[RECORD_MIME];
      if (typeof record === "string") {
        try {
          record = JSON.parse(record);
        } catch {
          continue;
        }
      }
      if (!isRecord(record)) continue;
      if (record.nonce === run.nonce) genuine.push({ record, fromLearner: index < learnerCells });
      else forged.add(record.exercise);
    }
  });
  return { genuine, forged };
}

function isRecord(value: unknown): value is ExerciseRecord {
  const r = value as ExerciseRecord;
  return typeof r === "object" && r !== null && typeof r.exercise === "string" && typeof r.passed === "boolean" && typeof r.verdict === "string";
}

function withHint(record: ExerciseRecord): string {
  return record.hint ? `${record.verdict} Hint: ${record.hint}` : record.verdict;
}

/** What the grader's own cell for `exercise` wrote to stderr, if it ran. */
function graderFailure(run: Run, exercise: string): string {
  const cell = run.executed?.cells.find((c) => (c.metadata?.grader as { exercise?: string } | undefined)?.exercise === exercise);
  const text = (cell?.outputs ?? [])
    .map((o) => (o as { name?: string; text?: string }).name === "stderr" ? (o as { text?: string }).text ?? "" : "")
    .join("")
    .replace(/\x1b\[[0-9;]*[A-Za-z]/g, "")
    .split("\n")
    .find((line) => line.trim());
  return text ? `: ${text.trim()}` : "";
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
