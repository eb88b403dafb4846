/**
 * Finding the notebooks to grade in SUBMISSIONS/<learner>/<notebook>.ipynb, and every file
 * that does not fit that layout, with the reason, so that it is reported and skipped.
 *
 * findSubmissions("class/", course) -> { submissions: [{ learner: "alice", notebook: "02-softmax.ipynb", file }], skipped: [...] }
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface Submission {
  /** The learner's folder name, as it is (untrusted: escape it wherever it is shown). */
  learner: string;
  /** A course notebook's file name: "02-softmax.ipynb". */
  notebook: string;
  /** Absolute path of the learner's notebook. */
  file: string;
}

export interface Skipped {
  /** Path relative to SUBMISSIONS. */
  path: string;
  reason: string;
}

export interface Found {
  submissions: Submission[];
  skipped: Skipped[];
}

const LAYOUT = "SUBMISSIONS/<learner>/<notebook>.ipynb";

/**
 * Lists the submissions in learner, then notebook order. `courseNotebooks` are the file names a
 * notebook may have; `exclude` (the output folder, if it lies inside) is not looked at.
 */
export function findSubmissions(root: string, courseNotebooks: ReadonlySet<string>, exclude?: string): Found {
  const submissions: Submission[] = [];
  const skipped: Skipped[] = [];
  const skip = (relative: string, reason: string) => skipped.push({ path: relative, reason });
  for (const entry of sortedEntries(root)) {
    const full = path.join(root, entry.name);
    if (exclude !== undefined && path.resolve(full) === path.resolve(exclude)) continue;
    if (!isDirectory(full, entry)) {
      skip(entry.name, `a file directly in SUBMISSIONS; expected ${LAYOUT}`);
      continue;
    }
    for (const inner of sortedEntries(full)) {
      const relative = path.join(entry.name, inner.name);
      const file = path.join(full, inner.name);
      if (isDirectory(file, inner)) {
        skip(`${relative}${path.sep}`, `a folder inside a learner's folder; expected ${LAYOUT}`);
      } else if (!inner.name.endsWith(".ipynb")) {
        skip(relative, "not a notebook (.ipynb)");
      } else if (!courseNotebooks.has(inner.name)) {
        skip(relative, `not a course notebook's name (${[...courseNotebooks].slice(0, 2).join(", ")}, ...)`);
      } else {
        submissions.push({ learner: entry.name, notebook: inner.name, file: path.resolve(file) });
      }
    }
  }
  return { submissions, skipped };
}

function sortedEntries(dir: string): fs.Dirent[] {
  return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A folder, or a symlink to one (a teacher may link learners' home folders in). */
function isDirectory(full: string, entry: fs.Dirent): boolean {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return fs.statSync(full).isDirectory();
  } catch {
    return false;
  }
}
