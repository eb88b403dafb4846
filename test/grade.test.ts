// `npm run grade` end to end: a small class built from the course's own notebooks and
// solutions is graded under the real tslab kernel, and every row of the CSV is checked, along
// with what must not happen: a changed submission, a kernel left running, a faked pass.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CSV_HEADER } from "../src/commands/grade/gradebook";
import { markedProcesses } from "../src/commands/grade/processes";
import { RUN_VARIABLE } from "../src/commands/grade/execute";
import { declares } from "../src/commands/grade/course";
import { projectRoot } from "../src/commands/shared/kernelspec";

const TIMEOUT_S = 60;
const NOTEBOOKS = path.join(projectRoot, "notebooks");

interface Cell {
  cell_type: string;
  source: string | string[];
  metadata: Record<string, unknown>;
  outputs?: unknown[];
  execution_count?: null;
  id?: string;
}
interface Notebook {
  cells: Cell[];
}

const source = (cell: Cell) => (Array.isArray(cell.source) ? cell.source.join("") : cell.source);
const read = (file: string): Notebook => JSON.parse(fs.readFileSync(file, "utf8"));
const course = (stem: string) => read(path.join(NOTEBOOKS, `${stem}.ipynb`));
const solution = (stem: string) => path.join(NOTEBOOKS, "solutions", `${stem}-solutions.ipynb`);
const codeCell = (text: string, id: string): Cell => ({ cell_type: "code", source: text, metadata: {}, outputs: [], execution_count: null, id });

/** The index of the code cell that declares `name` (the exercise's answer cell). */
function answerCell(nb: Notebook, name: string): number {
  const index = nb.cells.findIndex((c) => c.cell_type === "code" && declares(source(c), name));
  if (index < 0) throw new Error(`no cell declares ${name}`);
  return index;
}

/** The solution's declaration of `name`: the function alone, up to the first blank line. */
function solvedFunction(stem: string, name: string): string {
  const nb = read(solution(stem));
  return source(nb.cells[answerCell(nb, name)]).split(/\n\s*\n/)[0] + "\n";
}

/** Sets `name`'s answer cell to `text`, keeping the checker call when the cell holds one. */
function answer(nb: Notebook, name: string, text: string): Notebook {
  const cell = nb.cells[answerCell(nb, name)];
  const call = source(cell).split("\n").filter((line) => line.includes("exercises."));
  cell.source = call.length ? `${text}${call.join("\n")}\n` : text;
  return nb;
}

function write(root: string, file: string, content: string | Notebook): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), typeof content === "string" ? content : JSON.stringify(content, null, 1));
}

const LOG_EPSILON = `function myCrossEntropy(logits: number[][], targets: number[]): number {
  let total = 0;
  logits.forEach((row, n) => {
    const max = Math.max(...row);
    const exps = row.map((x) => Math.exp(x - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    total += -Math.log(exps[targets[n]] / sum + 1e-7);
  });
  return total / logits.length;
}
`;

/** The class: one learner per case the grader must handle. */
function buildClass(root: string): void {
  // ada solved everything: the solution notebooks, handed in under the course's names.
  for (const stem of ["01-logits", "02-softmax", "03-negative-log-likelihood"]) {
    write(root, `ada/${stem}.ipynb`, fs.readFileSync(solution(stem), "utf8"));
  }
  // cy changed nothing but a comment.
  const cy = course("01-logits");
  const placeholder = cy.cells[answerCell(cy, "myNll")];
  placeholder.source = source(placeholder).replace(/\/\/ your code here.*/, "// I will come back to this");
  write(root, "cy/01-logits.ipynb", cy);
  write(root, "cy/02-softmax.ipynb", course("02-softmax"));
  // dee loops forever, after leaving a detached process behind.
  const loop = answer(course("01-logits"), "myNll", "function myNll(lp: number[][], t: number[]): number {\n  while (true) {}\n}\n");
  loop.cells.splice(2, 0, codeCell(`require("child_process").spawn("sleep", ["600"], { detached: true, stdio: "ignore" }).unref();`, "dee-spawn"));
  write(root, "dee/01-logits.ipynb", loop);
  // eve's file is not JSON; gus's is empty.
  write(root, "eve/02-softmax.ipynb", source(course("02-softmax").cells[0]).slice(0, 40));
  write(root, "gus/01-logits.ipynb", "");
  // fay makes the classic mistake: log(p + 1e-7).
  write(root, "fay/03-negative-log-likelihood.ipynb", answer(course("03-negative-log-likelihood"), "myCrossEntropy", LOG_EPSILON));
  // hal solves the softmax, then writes a cell that does not compile.
  const hal = answer(course("02-softmax"), "mySoftmax", solvedFunction("02-softmax", "mySoftmax"));
  answer(hal, "myLogSumExp", `function myLogSumExp(values: number[]): number {\n  const total: number = "oops";\n  return total;\n}\n`);
  write(root, "hal/02-softmax.ipynb", hal);
  // ivy's notebook throws in a cell near the top.
  const ivy = course("01-logits");
  ivy.cells.splice(3, 0, codeCell(`throw new Error("boom: ivy's own cell");`, "ivy-throw"));
  write(root, "ivy/01-logits.ipynb", ivy);
  // jo deleted the softmax exercise's cells and solved log-sum-exp.
  const jo = answer(course("02-softmax"), "myLogSumExp", solvedFunction("02-softmax", "myLogSumExp"));
  jo.cells = jo.cells.filter((c) => !/mySoftmax/.test(source(c)));
  write(root, "jo/02-softmax.ipynb", jo);
  // kit replaces the checker with a fake, and forges a record, over a wrong answer (a sum, not a mean).
  const kit = answer(
    course("01-logits"),
    "myNll",
    "function myNll(lp: number[][], t: number[]): number {\n  return t.reduce((s, y, n) => s - lp[n][y], 0);\n}\n",
  );
  const call = kit.cells.findIndex((c) => source(c).includes("exercises.nllFromLogProbabilities("));
  kit.cells[call].source =
    `const exercises = { nllFromLogProbabilities: (fn: unknown) => ({ passed: true }) };\n` +
    `const nllCheck = exercises.nllFromLogProbabilities(myNll);\n` +
    `import * as tslab from "tslab";\n` +
    `tslab.display.raw("application/vnd.cross-entropy-course.exercise+json", JSON.stringify(` +
    `{ exercise: "nllFromLogProbabilities", passed: true, passing: 9, total: 9, verdict: "forged" }));\n`;
  // kit deleted the accuracy exercise's cells (its fake `exercises` has no accuracy).
  kit.cells = kit.cells.filter((c) => !/myAccuracy/.test(source(c)));
  write(root, "kit/01-logits.ipynb", kit);
  // max's notebook ends the kernel's process.
  const max = course("01-logits");
  max.cells.splice(3, 0, codeCell("process.exit(3);", "max-exit"));
  write(root, "max/01-logits.ipynb", max);
  // Files in the wrong layout.
  write(root, "stray.txt", "not a learner");
  write(root, "lee/notes.txt", "not a notebook");
  write(root, "lee/02-softmax (1).ipynb", course("02-softmax"));
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Every grader this file starts gets a TMPDIR of its own: its scratch folders, its driver and
 * each learner's kernel (whose TMPDIR lies inside) carry it, so the leftover check below sees
 * this file's processes only, not those of a grader another test run has going at the same time.
 */
const GRADER_TMP = fs.mkdtempSync(path.join(os.tmpdir(), "grade-test-tmp-"));
afterAll(() => fs.rmSync(GRADER_TMP, { recursive: true, force: true }));

function grade(args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(projectRoot, "dist", "commands", "grade.js"), ...args], {
      cwd: projectRoot,
      env: { ...process.env, TMPDIR: GRADER_TMP },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** sha256 of every file under `root`, by relative path. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[path.relative(root, full)] = createHash("sha256").update(fs.readFileSync(full)).digest("hex");
    }
  };
  walk(root);
  return out;
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") row.push(field), (field = "");
    else if (ch === "\n") row.push(field), rows.push(row), (row = []), (field = "");
    else field += ch;
  }
  return rows;
}

/** Processes still carrying a grader run's marker, of the graders this file started. */
const leftovers = () => {
  const ours = new Set(markedProcesses(Buffer.from(`TMPDIR=${GRADER_TMP}`)));
  return markedProcesses(Buffer.from(`${RUN_VARIABLE}=`)).filter((pid) => pid !== process.pid && ours.has(pid));
};

describe("npm run grade on a small class", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "grade-test-"));
  const submissions = path.join(work, "class");
  const out = path.join(work, "gradebook");
  let before: Record<string, string>;
  let first: Result;
  let rows: string[][];
  let csv: string;

  beforeAll(async () => {
    buildClass(submissions);
    before = snapshot(submissions);
    first = await grade([submissions, "--out", out, "--timeout", String(TIMEOUT_S), "--jobs", "2"]);
    csv = fs.readFileSync(path.join(out, "gradebook.csv"), "utf8");
    rows = parseCsv(csv);
  }, 400_000);

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it("finishes with exit 0, a line per notebook and a summary", () => {
    expect(first.code, first.stderr).toBe(0);
    console.log(first.stdout);
    const lines = first.stdout.split("\n").filter((l) => /^\[\s*\d+\/\d+\]/.test(l));
    expect(lines).toHaveLength(14);
    expect(first.stdout).toContain(
      "11 learners, 14 notebooks (14 run, 0 unchanged): " +
        "7 passed, 2 failed, 6 not attempted, 6 error.",
    );
    expect(first.stdout).toMatch(/Took \d+\.\d s\./);
  });

  it("writes every row as expected", () => {
    const expected: Array<[string, string, string, string, RegExp]> = [
      ["ada", "01-logits.ipynb", "nllFromLogProbabilities", "passed", /^✓ nllFromLogProbabilities: all \d+ cases pass/],
      ["ada", "01-logits.ipynb", "accuracy", "passed", /^✓ accuracy: all \d+ cases pass/],
      ["ada", "02-softmax.ipynb", "softmax", "passed", /^✓ softmax: all \d+ cases pass/],
      ["ada", "02-softmax.ipynb", "logSumExp", "passed", /^✓ logSumExp: all \d+ cases pass/],
      ["ada", "03-negative-log-likelihood.ipynb", "crossEntropy", "passed", /^✓ crossEntropy: all \d+ cases pass/],
      ["cy", "01-logits.ipynb", "nllFromLogProbabilities", "not attempted", /^the placeholder is still there: cell 19 is the course's cell unchanged$/],
      [
        "cy", "01-logits.ipynb", "accuracy", "not attempted",
        /^the placeholder is still there: cell 22 /,
      ],
      ["cy", "02-softmax.ipynb", "softmax", "not attempted", /^the placeholder is still there: cell 21 /],
      ["cy", "02-softmax.ipynb", "logSumExp", "not attempted", /^the placeholder is still there: cell 24 /],
      ["dee", "01-logits.ipynb", "*", "error", new RegExp(`^timed out after ${TIMEOUT_S} s$`)],
      ["eve", "02-softmax.ipynb", "*", "error", /^not valid JSON: /],
      ["fay", "03-negative-log-likelihood.ipynb", "crossEntropy", "failed", /^✗ crossEntropy: \d+ of \d+ cases pass.* Hint: log\(p \+ 1e-7\) caps every loss/],
      ["gus", "01-logits.ipynb", "*", "error", /^not valid JSON: the file is empty$/],
      ["hal", "02-softmax.ipynb", "softmax", "passed", /^✓ softmax/],
      ["hal", "02-softmax.ipynb", "logSumExp", "error", /^not checked: cell 24 \(`function myLogSumExp\(values: number\[\]\): number \{`\) failed: .*Type 'string' is not assignable to type 'number'/],
      ["ivy", "01-logits.ipynb", "*", "error", /^cell 4 \(`throw new Error\("boom: ivy's own cell"\);`\) failed before any checker ran: Error: boom: ivy's own cell$/],
      ["jo", "02-softmax.ipynb", "softmax", "not attempted", /^the notebook does not call exercises\.softmax/],
      ["jo", "02-softmax.ipynb", "logSumExp", "passed", /^✓ logSumExp/],
      [
        "kit", "01-logits.ipynb", "nllFromLogProbabilities", "failed",
        /^✗ nllFromLogProbabilities: .*the grader ran the course's checker on the learner's function\).*\(a result that did not come from the course's checker was ignored\)$/,
      ],
      [
        "kit", "01-logits.ipynb", "accuracy", "not attempted",
        /^the notebook does not call exercises\.accuracy/,
      ],
      ["max", "01-logits.ipynb", "*", "error", /^the kernel died in cell 4 \(`process\.exit\(3\);`\)/],
    ];
    expect(rows[0].join(",")).toBe(CSV_HEADER);
    const body = rows.slice(1);
    expect(body.map((r) => r.slice(0, 4))).toEqual(expected.map((e) => e.slice(0, 4)));
    body.forEach((row, i) => {
      expect(row, `row ${i + 1}`).toHaveLength(5);
      expect(row[4], `row ${i + 1}: ${row.slice(0, 3).join(", ")}`).toMatch(expected[i][4]);
    });
  });

  it("reports the files in the wrong layout and gives them no rows", () => {
    expect(first.stdout).toContain("skipped stray.txt: a file directly in SUBMISSIONS");
    expect(first.stdout).toContain("skipped lee/notes.txt: not a notebook (.ipynb)");
    expect(first.stdout).toContain("skipped lee/02-softmax (1).ipynb: not a course notebook's name");
    expect(rows.some((r) => r[0] === "lee" || r[0] === "stray.txt")).toBe(false);
  });

  it("leaves the submissions byte-identical and nothing running", () => {
    expect(snapshot(submissions)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  it("writes a gradebook page that escapes what learners wrote", () => {
    const html = fs.readFileSync(path.join(out, "gradebook.html"), "utf8");
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|https?:\/\//); // nothing to fetch: opens offline
    for (const learner of ["ada", "cy", "dee", "kit"]) expect(html).toContain(`<th scope="row" class="learner">${learner}</th>`);
    expect(html).toContain("throw new Error(&quot;boom: ivy&#39;s own cell&quot;);`) failed before any checker ran");
  });

  it("re-grades only what changed, and everything with --force", async () => {
    const again = await grade([submissions, "--out", out, "--timeout", String(TIMEOUT_S), "--jobs", "2"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/\(0 run, 14 unchanged\)/);
    expect(fs.readFileSync(path.join(out, "gradebook.csv"), "utf8")).toBe(csv);

    // A separate, cheap class for the rest: one real notebook and one broken file.
    const small = path.join(work, "small");
    const smallOut = path.join(work, "small-gradebook");
    write(small, "una/01-logits.ipynb", course("01-logits"));
    write(small, "vic/01-logits.ipynb", "{");
    const run1 = await grade([small, "--out", smallOut, "--jobs", "2"]);
    expect(run1.stdout).toMatch(/\(2 run, 0 unchanged\)/);
    write(small, "vic/01-logits.ipynb", "{ still not JSON");
    const run2 = await grade([small, "--out", smallOut, "--jobs", "2"]);
    expect(run2.stdout).toMatch(/una\/01-logits\.ipynb: 2 not attempted \(unchanged since the last gradebook\)/);
    expect(run2.stdout).toMatch(/vic\/01-logits\.ipynb: 1 error: not valid JSON: .* \(\d+\.\d s\)/);
    expect(run2.stdout).toMatch(/\(1 run, 1 unchanged\)/);
    const run3 = await grade([small, "--out", smallOut, "--jobs", "2", "--force"]);
    expect(run3.stdout).toMatch(/\(2 run, 0 unchanged\)/);
    expect(leftovers()).toEqual([]);
  }, 300_000);
});
