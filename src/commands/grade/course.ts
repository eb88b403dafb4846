/**
 * What a course notebook asks of a learner, read from the notebook itself at grading time:
 * every `exercises.NAME(fn)` call in its code cells is an exercise, and the code cell that
 * declares `fn` holds the placeholder the learner replaces. Notebooks added to the course
 * are graded without touching the grader.
 *
 * notebooks/02-softmax.ipynb -> [{ name: "softmax", argument: "mySoftmax", answerCell: "function mySoftmax(..." }, ...]
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export interface CourseExercise {
  /** The checker: the member of `exercises` ("softmax"). */
  name: string;
  /** The learner's function the course notebook passes to the checker ("mySoftmax"). */
  argument?: string;
  /** The course's answer cell, normalised (see normaliseSource): the placeholder. */
  answerCell: string;
}

export interface CourseNotebook {
  /** "02-softmax.ipynb" */
  file: string;
  exercises: CourseExercise[];
  /** Changes when what grading depends on changes: the exercises and their placeholders. */
  key: string;
}

/** A notebook cell as it is stored: `source` is a string or a list of lines. */
export interface StoredCell {
  cell_type?: unknown;
  source?: unknown;
}

const IDENTIFIER = String.raw`[A-Za-z_$][\w$]*`;
const CHECKER_CALL = new RegExp(String.raw`\bexercises\s*\.\s*(${IDENTIFIER})\s*\(\s*(${IDENTIFIER})?`, "g");

/** A cell's source as one string, whatever way it was saved. */
export function cellSource(cell: StoredCell): string {
  if (typeof cell.source === "string") return cell.source;
  if (Array.isArray(cell.source)) return cell.source.filter((line) => typeof line === "string").join("");
  return "";
}

/**
 * Source compared for "unchanged": comments and whitespace do not count, so a placeholder is
 * still recognised after a learner (or the course) only rewords its comment.
 *
 * @example normaliseSource("return 0; // placeholder\n") // "return0;"
 */
export function normaliseSource(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/[^\n]*/g, "")
    .replace(/\s+/g, "");
}

/** Every checker call in code: [{ name: "softmax", argument: "mySoftmax" }], in order. */
export function checkerCalls(code: string): Array<{ name: string; argument?: string }> {
  return [...code.matchAll(CHECKER_CALL)].map((m) => ({ name: m[1], argument: m[2] }));
}

/** True when `code` declares `name` at the start of a statement (function, const, let, var, class). */
export function declares(code: string, name: string): boolean {
  const escaped = name.replace(/\$/g, "\\$");
  return new RegExp(String.raw`(^|[^\w$.])(function\s*\*?|const|let|var|class)\s+${escaped}(?![\w$])`, "m").test(code);
}

/** The code cells' sources of a parsed notebook. */
export function codeCells(cells: ReadonlyArray<StoredCell>): string[] {
  return cells.filter((cell) => cell.cell_type === "code").map(cellSource);
}

/** Reads one course notebook's exercises. */
export function readCourseNotebook(file: string): CourseNotebook {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as { cells?: StoredCell[] };
  const code = codeCells(nb.cells ?? []);
  const exercises: CourseExercise[] = [];
  code.forEach((source) => {
    for (const call of checkerCalls(source)) {
      if (exercises.some((e) => e.name === call.name)) continue;
      const answer = (call.argument && code.find((cell) => declares(cell, call.argument!))) ?? source;
      exercises.push({ name: call.name, argument: call.argument, answerCell: normaliseSource(answer) });
    }
  });
  const key = createHash("sha256").update(JSON.stringify(exercises)).digest("hex");
  return { file: path.basename(file), exercises, key };
}

/** The course's notebooks (not the solutions), by file name. */
export function readCourse(notebooksDir: string): Map<string, CourseNotebook> {
  const course = new Map<string, CourseNotebook>();
  for (const name of fs.readdirSync(notebooksDir).sort()) {
    if (!name.endsWith(".ipynb") || name.startsWith(".")) continue;
    course.set(name, readCourseNotebook(path.join(notebooksDir, name)));
  }
  return course;
}
