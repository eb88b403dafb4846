/**
 * The gradebook's files: gradebook.csv (one row per learner, notebook and exercise) and
 * grades.json, the state that makes a second run re-grade only what changed.
 *
 * grades.json = { version, entries: { "<learner>/<notebook>": { sha256, courseKey, timeoutSeconds, rows } } }
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Row } from "./rows";

export const CSV_HEADER = "learner,notebook,exercise,status,detail";
const STATE_VERSION = 1;

/** A field as RFC 4180 wants it; details are one line, whatever a learner's message held. */
function csvField(value: string): string {
  const text = value.replace(/\r\n|\r|\n/g, " ");
  return /[",\n\r]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV text: the header, then the rows as given. */
export function csvText(rows: ReadonlyArray<Row>): string {
  const lines = rows.map((r) => [r.learner, r.notebook, r.exercise, r.status, r.detail].map(csvField).join(","));
  return [CSV_HEADER, ...lines].join("\n") + "\n";
}

export interface Entry {
  /** sha256 of the submitted file's bytes. */
  sha256: string;
  /** The course notebook's key (its exercises and placeholders) when this was graded. */
  courseKey: string;
  /** Set for a run that timed out: a longer --timeout grades it again. */
  timeoutSeconds?: number;
  rows: Row[];
}

export type State = Map<string, Entry>;

export function entryKey(learner: string, notebook: string): string {
  return `${learner}/${notebook}`;
}

/** The previous run's state, or an empty one when there is none or it is unreadable. */
export function readState(outDir: string): State {
  try {
    const saved = JSON.parse(fs.readFileSync(path.join(outDir, "grades.json"), "utf8"));
    if (saved?.version !== STATE_VERSION || typeof saved.entries !== "object") return new Map();
    return new Map(Object.entries(saved.entries as Record<string, Entry>));
  } catch {
    return new Map();
  }
}

/** Writes the state atomically: an interrupted run leaves the old file or the new one. */
export function writeState(outDir: string, state: State): void {
  const file = path.join(outDir, "grades.json");
  const entries = Object.fromEntries([...state].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  fs.writeFileSync(`${file}.tmp`, JSON.stringify({ version: STATE_VERSION, entries }, null, 1) + "\n");
  fs.renameSync(`${file}.tmp`, file);
}

/** True when `entry` still holds for a file with this hash, course key and time limit. */
export function isCurrent(entry: Entry | undefined, sha256: string, courseKey: string, timeoutSeconds: number): boolean {
  if (entry === undefined || entry.sha256 !== sha256 || entry.courseKey !== courseKey) return false;
  return entry.timeoutSeconds === undefined || entry.timeoutSeconds >= timeoutSeconds;
}
