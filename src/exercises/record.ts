/**
 * The machine-readable side of a checker's report: a small JSON record sent in the same
 * display bundle as the HTML table, under a mime type of the course's own. A notebook
 * front end shows the richest type it knows (the HTML) and ignores the record; the grader
 * (`npm run grade`, src/commands/grade/) reads it from the executed notebook instead of scraping HTML.
 *
 * record = { exercise, passed, passing, total, verdict, hint?, nonce? }
 *
 * @example { "application/vnd.cross-entropy-course.exercise+json": { "exercise": "softmax", "passed": true, ... } }
 * NOTE: JupyterLab (RenderMimeRegistry.preferredMimeType), Notebook 6 (OutputArea.display_order)
 * and nbconvert pick the first mime type they have a renderer for, so a bundle of HTML and this
 * record shows the HTML alone. A bundle of the record alone would show JupyterLab's "No renderer"
 * notice: it is never sent on its own (a quiet check sends nothing).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { tslabDisplay } from "../display/show";
import type { ExerciseResult } from "./types";

/** The mime type of a checker's record. */
export const RECORD_MIME = "application/vnd.cross-entropy-course.exercise+json";

/**
 * Names a file holding the grader's per-run secret. The module reads it once, when it is
 * loaded, and deletes it, so that notebook code run after the import cannot read it and stamp
 * a record of its own. Set only by the grader.
 */
export const SECRET_FILE_VARIABLE = "CROSS_ENTROPY_COURSE_GRADER_SECRET_FILE";

export interface ExerciseRecord {
  /** The member of `exercises` that checked: "softmax". */
  exercise: string;
  passed: boolean;
  /** Cases that pass, out of `total`. */
  passing: number;
  total: number;
  verdict: string;
  hint?: string;
  /** The grader's secret for this run, when the grader runs the notebook. */
  nonce?: string;
}

const nonce = takeSecret();

function takeSecret(): string | undefined {
  const file = process.env[SECRET_FILE_VARIABLE];
  if (!file) return undefined;
  delete process.env[SECRET_FILE_VARIABLE];
  try {
    const secret = fs.readFileSync(file, "utf8").trim();
    fs.unlinkSync(file);
    return secret || undefined;
  } catch {
    return undefined; // already taken: a second copy of the module stamps nothing
  }
}

/** The record of a checker's result. */
export function exerciseRecord(result: ExerciseResult): ExerciseRecord {
  const record: ExerciseRecord = {
    exercise: result.exercise,
    passed: result.passed,
    passing: result.cases.filter((c) => c.passed).length,
    total: result.cases.length,
    verdict: result.verdict,
  };
  if (result.hint !== undefined) record.hint = result.hint;
  if (nonce !== undefined) record.nonce = nonce;
  return record;
}

/** The function tslab's kernel sends display_data through: (content, update) => void. */
type WriteDisplayData = (content: { data: Record<string, unknown>; metadata: object; transient: object }, update: boolean) => void;

/**
 * Sends one display_data message holding several mime types, e.g. HTML and a record.
 * tslab's public `display` sends one type per message, so this uses the function its
 * `display.raw` calls (tslab/dist/jupyter.js, tslab 1.0.22). Returns false, sending nothing,
 * outside a tslab kernel or when that function is not there.
 */
export function displayBundle(data: Record<string, unknown>): boolean {
  const display = tslabDisplay();
  if (display === undefined) return false;
  const write = tslabWriteDisplayData(display);
  if (write === undefined) return false;
  write({ data, metadata: {}, transient: {} }, false);
  return true;
}

function tslabWriteDisplayData(display: object): WriteDisplayData | undefined {
  // tslab's `display` object is exported by tslab/dist/public.js; jupyter.js sits beside it.
  for (const loaded of Object.values(require.cache)) {
    if (loaded?.exports?.display !== display) continue;
    const jupyter = require.cache[path.join(path.dirname(loaded.filename), "jupyter.js")]?.exports;
    const write = jupyter?.lastWriteDisplayData;
    return typeof write === "function" ? (write as WriteDisplayData) : undefined;
  }
  return undefined;
}
