/**
 * Grading a class: every SUBMISSIONS/<learner>/<notebook>.ipynb is run (N at once), its
 * checkers' records become rows, and the gradebook is written. A notebook unchanged since the
 * last gradebook (same bytes, same course exercises) keeps its rows without running.
 *
 * grade(options, log) -> { rows, ... }; writes <out>/gradebook.csv, gradebook.html, grades.json
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Options } from "./args";
import { readCourse, type CourseNotebook } from "./course";
import { runNotebook } from "./execute";
import { csvText, entryKey, isCurrent, readState, writeState, type State } from "./gradebook";
import { gradebookHtml } from "./html";
import { gradeRows, graderCells, notebookError, STATUSES, type LearnerNotebook, type Row, type Status } from "./rows";
import { findSubmissions, type Skipped, type Submission } from "./submissions";

export interface GradeReport {
  rows: Row[];
  skipped: Skipped[];
  learners: number;
  notebooks: number;
  /** Notebooks run this time (the others were unchanged). */
  graded: number;
  counts: Record<Status, number>;
  seconds: number;
}

/** The scratch folders of the runs in progress, removed by removeScratch() if the grader is stopped. */
const scratchRoots = new Set<string>();

/** Removes the scratch folders of an interrupted grading (after stopAllRuns()). */
export function removeScratch(): void {
  for (const dir of scratchRoots) fs.rmSync(dir, { recursive: true, force: true });
  scratchRoots.clear();
}

/** Grades the class in `options.submissions`; `log` receives the progress lines. */
export async function grade(options: Options, notebooksDir: string, log: (line: string) => void): Promise<GradeReport> {
  const started = Date.now();
  const course = readCourse(notebooksDir);
  const { submissions, skipped } = findSubmissions(options.submissions, new Set(course.keys()), options.out);
  for (const s of skipped) log(`skipped ${s.path}: ${s.reason}`);

  fs.mkdirSync(options.out, { recursive: true });
  const previous = readState(options.out);
  const state: State = new Map();
  const results = new Map<Submission, Row[]>();
  const scratchRoot = fs.mkdtempSync(path.join(os.tmpdir(), "cross-entropy-grade-"));
  scratchRoots.add(scratchRoot);
  let done = 0;
  let graded = 0;
  const width = String(submissions.length).length;
  const progress = (s: Submission, rows: Row[], note: string) => {
    done++;
    const counted = STATUSES.map((status) => [status, rows.filter((r) => r.status === status).length] as const)
      .filter(([, n]) => n > 0)
      .map(([status, n]) => `${n} ${status}`)
      .join(", ");
    const whole = rows.length === 1 && rows[0].exercise === "*" ? `: ${rows[0].detail}` : "";
    log(`[${String(done).padStart(width)}/${submissions.length}] ${s.learner}/${s.notebook}: ${counted || "no exercises"}${whole} (${note})`);
  };

  try {
    const queue = [...submissions];
    const worker = async () => {
      for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
        const notebook = course.get(s.notebook)!;
        const bytes = fs.readFileSync(s.file);
        const sha256 = createHash("sha256").update(bytes).digest("hex");
        const key = entryKey(s.learner, s.notebook);
        const old = previous.get(key);
        if (!options.force && old && isCurrent(old, sha256, notebook.key, options.timeoutSeconds)) {
          state.set(key, old);
          results.set(s, old.rows);
          progress(s, old.rows, "unchanged since the last gradebook");
          continue;
        }
        const begun = Date.now();
        const { rows, timedOut, retry } = await gradeOne(s, bytes, notebook, options, scratchRoot);
        graded++;
        results.set(s, rows);
        if (!retry) {
          state.set(key, { sha256, courseKey: notebook.key, rows, ...(timedOut ? { timeoutSeconds: options.timeoutSeconds } : {}) });
          writeState(options.out, state); // after each notebook, so an interrupted run resumes
        }
        progress(s, rows, `${((Date.now() - begun) / 1000).toFixed(1)} s`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.jobs, Math.max(1, submissions.length)) }, worker));
  } finally {
    fs.rmSync(scratchRoot, { recursive: true, force: true });
    scratchRoots.delete(scratchRoot);
  }

  const rows = submissions.flatMap((s) => results.get(s) ?? []);
  writeState(options.out, state);
  const counts = Object.fromEntries(STATUSES.map((s) => [s, rows.filter((r) => r.status === s).length])) as Record<Status, number>;
  const report: GradeReport = {
    rows,
    skipped,
    learners: new Set(submissions.map((s) => s.learner)).size,
    notebooks: submissions.length,
    graded,
    counts,
    seconds: (Date.now() - started) / 1000,
  };
  fs.writeFileSync(path.join(options.out, "gradebook.csv"), csvText(rows));
  const summary = `${summaryLine(report)} Graded ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC.`;
  fs.writeFileSync(path.join(options.out, "gradebook.html"), gradebookHtml({ rows, course, skipped, summary }));
  return report;
}

/** "3 learners, 7 notebooks (5 run, 2 unchanged): 9 passed, 2 failed, 4 not attempted, 1 error." */
export function summaryLine(r: GradeReport): string {
  const counts = STATUSES.map((s) => `${r.counts[s]} ${s}`).join(", ");
  return `${r.learners} learner${r.learners === 1 ? "" : "s"}, ${r.notebooks} notebook${r.notebooks === 1 ? "" : "s"} ` +
    `(${r.graded} run, ${r.notebooks - r.graded} unchanged): ${counts}.`;
}

async function gradeOne(
  s: Submission,
  bytes: Buffer,
  course: CourseNotebook,
  options: Options,
  scratchRoot: string,
): Promise<{ rows: Row[]; timedOut?: boolean; retry?: boolean }> {
  const parsed = parseNotebook(bytes);
  if (typeof parsed === "string") return { rows: notebookError(s.learner, s.notebook, parsed) };
  const run = await runNotebook(bytes, s.notebook, {
    timeoutSeconds: options.timeoutSeconds,
    scratchRoot,
    graderCells: graderCells(course, parsed),
  });
  const rows = gradeRows(s.learner, s.notebook, course, parsed, run, options.timeoutSeconds);
  return { rows, timedOut: run.result.status === "timeout", retry: run.result.status === "kernel-failed" };
}

/** The notebook's cells, or why it is not a notebook (nbformat itself has the last word, in the run). */
function parseNotebook(bytes: Buffer): LearnerNotebook | string {
  const text = bytes.toString("utf8");
  if (text.trim() === "") return "not valid JSON: the file is empty";
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch (error) {
    return `not valid JSON: ${(error as Error).message}`;
  }
  const cells = (nb as { cells?: unknown })?.cells;
  if (typeof nb !== "object" || nb === null || Array.isArray(nb) || !Array.isArray(cells)) {
    return "not a valid notebook (nbformat): no list of cells";
  }
  return { cells: cells.filter((c): c is LearnerNotebook["cells"][number] => typeof c === "object" && c !== null) };
}
