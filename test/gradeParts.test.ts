// The grader's parts without a kernel: the command line, the layout, the course's exercises,
// the CSV and HTML (escaping what learners wrote), the cache rule, the process sweep and the
// checker's record. test/grade.test.ts grades a real class end to end.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "../src/commands/grade/args";
import { checkerCalls, declares, normaliseSource, readCourse } from "../src/commands/grade/course";
import { csvText, isCurrent, type Entry } from "../src/commands/grade/gradebook";
import { gradebookHtml } from "../src/commands/grade/html";
import { killMarked, markedProcesses } from "../src/commands/grade/processes";
import { graderCells, gradeRows, type Row } from "../src/commands/grade/rows";
import { findSubmissions } from "../src/commands/grade/submissions";
import { displayBundle, exerciseRecord, RECORD_MIME } from "../src/exercises/record";
import { exercises } from "../src/exercises";
import { projectRoot } from "../src/commands/shared/kernelspec";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "grade-parts-"));

describe("the command line", () => {
  it("has the issue's defaults, relative to the folder npm was started in", () => {
    const o = parseArgs(["class"], "/teacher");
    expect(o).toMatchObject({ submissions: "/teacher/class", out: "/teacher/gradebook", timeoutSeconds: 120, force: false });
    expect(o.jobs).toBe(typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length);
  });

  it("takes --name value and --name=value", () => {
    expect(parseArgs(["--out", "o", "c", "--timeout=2.5", "--jobs", "3", "--force"], "/t")).toEqual({
      submissions: "/t/c", out: "/t/o", timeoutSeconds: 2.5, jobs: 3, force: true,
    });
  });

  it.each([
    [[], /SUBMISSIONS is missing/],
    [["a", "b"], /one SUBMISSIONS folder expected, got 2/],
    [["c", "--colour"], /unknown option --colour/],
    [["c", "--timeout", "0"], /--timeout = "0": expected a number of seconds greater than 0/],
    [["c", "--timeout", "ten"], /--timeout = "ten"/],
    [["c", "--jobs", "1.5"], /--jobs = "1.5": expected a whole number greater than 0/],
    [["c", "--out"], /--out needs a value/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseArgs(argv as string[], "/t")).toThrow(UsageError);
    expect(() => parseArgs(argv as string[], "/t")).toThrow(message);
  });

  it("exits 2 with a clear message for a missing folder or an unknown option", () => {
    const cli = path.join(projectRoot, "dist", "commands", "grade.js");
    const missing = spawnSync(process.execPath, [cli, "/no/such/class"], { encoding: "utf8" });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("grade: SUBMISSIONS: no such folder: /no/such/class");
    expect(missing.stderr).toContain("usage: npm run grade -- SUBMISSIONS");
    const unknown = spawnSync(process.execPath, [cli, tmp(), "--fast"], { encoding: "utf8" });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("grade: unknown option --fast");
  });

  it("exits 1, loudly, when it finds 0 learners (notebooks collected from the wrong folder)", () => {
    const cli = path.join(projectRoot, "dist", "commands", "grade.js");
    const empty = tmp();
    fs.mkdirSync(path.join(empty, "alice", "course"), { recursive: true }); // a learner folder, but notebooks one level too deep
    fs.writeFileSync(path.join(empty, "alice", "course", "01-logits.ipynb"), "{}");
    const result = spawnSync(process.execPath, [cli, empty, "--out", path.join(tmp(), "out")], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("grade: 0 learners found");
    expect(result.stderr).toContain("Nothing was graded.");
  });
});

describe("the layout SUBMISSIONS/<learner>/<notebook>.ipynb", () => {
  it("finds the notebooks and reports everything else", () => {
    const root = tmp();
    const put = (file: string) => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), "{}");
    };
    ["b/02-softmax.ipynb", "a/02-softmax.ipynb", "a/01-logits.ipynb", "top.ipynb", "a/x.txt", "a/99-nope.ipynb", "a/deep/01-logits.ipynb", "gradebook/gradebook.csv"].forEach(put);
    const found = findSubmissions(root, new Set(["01-logits.ipynb", "02-softmax.ipynb"]), path.join(root, "gradebook"));
    expect(found.submissions.map((s) => `${s.learner}/${s.notebook}`)).toEqual(["a/01-logits.ipynb", "a/02-softmax.ipynb", "b/02-softmax.ipynb"]);
    expect(found.skipped.map((s) => s.path)).toEqual([path.join("a", "99-nope.ipynb"), `${path.join("a", "deep")}${path.sep}`, path.join("a", "x.txt"), "top.ipynb"]);
    expect(found.skipped[0].reason).toMatch(/not a course notebook's name/);
  });
});

describe("the course's exercises, read from its notebooks", () => {
  const course = readCourse(path.join(projectRoot, "notebooks"));

  it("finds every checker call and the cell that holds the placeholder", () => {
    const softmax = course.get("02-softmax.ipynb")!;
    expect(softmax.exercises.map((e) => [e.name, e.argument])).toEqual([["softmax", "mySoftmax"], ["logSumExp", "myLogSumExp"]]);
    expect(softmax.exercises[0].answerCell).toMatch(/^functionmySoftmax\(row:number\[\]\):number\[\]\{/);
    // The placeholder cell of log-sum-exp also holds its checker call.
    expect(softmax.exercises[1].answerCell).toMatch(/exercises\.logSumExp\(myLogSumExp\);$/);
  });

  it("reads calls and declarations as a learner may write them", () => {
    expect(checkerCalls("const a = exercises . softmax( mine );\nexercises.logSumExp((v) => 0)")).toEqual([
      { name: "softmax", argument: "mine" },
      { name: "logSumExp", argument: undefined },
    ]);
    expect(declares("const mySoftmax = (r: number[]) => r;", "mySoftmax")).toBe(true);
    expect(declares("function mySoftmax2() {}", "mySoftmax")).toBe(false);
    expect(declares("x.mySoftmax = 1; mySoftmax(1)", "mySoftmax")).toBe(false);
    expect(normaliseSource("return 0; // placeholder\r\n/* a\nnote */ f(1,  2)\n\n")).toBe("return0;f(1,2)");
  });

  it("gives the grader a cell only for a checker the notebook calls on a function it declares", () => {
    const softmax = course.get("02-softmax.ipynb")!;
    const cells = graderCells(softmax, {
      cells: [
        { cell_type: "code", source: "const mine = (r: number[]) => r;\nexercises.softmax(mine, { quiet: true });" },
        { cell_type: "code", source: "exercises.logSumExp(notDeclared);" },
      ],
    });
    expect(cells).toEqual([{ exercise: "softmax", source: expect.stringContaining("courseGraderExercises.softmax(mine as any);") }]);
  });
});

describe("rows from a run", () => {
  const course = readCourse(path.join(projectRoot, "notebooks")).get("02-softmax.ipynb")!;
  const record = (exercise: string, passed: boolean, nonce: string) => ({
    outputs: [{ data: { "text/html": "<table>", [RECORD_MIME]: { exercise, passed, passing: 1, total: 2, verdict: `${exercise} verdict`, nonce } } }],
  });
  const learner = { cells: [{ cell_type: "code", source: "exercises.softmax(mySoftmax)" }, { cell_type: "code", source: "exercises.logSumExp(myLogSumExp)" }] };

  it("trusts only records stamped with the run's secret", () => {
    const run = { nonce: "n1", seconds: 1, result: { status: "ran" as const, learner_cells: 2 }, executed: { cells: [record("softmax", true, "forged"), record("logSumExp", false, "n1")] } };
    const rows = gradeRows("a", "02-softmax.ipynb", course, learner, run, 120);
    expect(rows.map((r) => [r.exercise, r.status])).toEqual([["softmax", "error"], ["logSumExp", "failed"]]);
    expect(rows[0].detail).toMatch(/was called in cell 1, but the course's checker reported nothing.*was ignored\)$/);
  });

  it("gives one * row for a notebook that timed out, whatever ran before", () => {
    const run = { nonce: "n1", seconds: 9, result: { status: "timeout" as const }, executed: undefined };
    expect(gradeRows("a", "02-softmax.ipynb", course, learner, run, 7)).toEqual([
      { learner: "a", notebook: "02-softmax.ipynb", exercise: "*", status: "error", detail: "timed out after 7 s" },
    ]);
  });
});

describe("the gradebook files", () => {
  const rows: Row[] = [
    { learner: 'x,"y"\nz', notebook: "02-softmax.ipynb", exercise: "softmax", status: "failed", detail: "got [1, 2], expected 3\nsecond line" },
    { learner: "<script>alert(1)</script>", notebook: "02-softmax.ipynb", exercise: "*", status: "error", detail: `cell 3 ("<img src=x onerror=alert(1)>") failed` },
  ];

  it("quotes CSV fields and keeps every row on one line", () => {
    expect(csvText(rows)).toBe(
      "learner,notebook,exercise,status,detail\n" +
        '"x,""y"" z",02-softmax.ipynb,softmax,failed,"got [1, 2], expected 3 second line"\n' +
        '<script>alert(1)</script>,02-softmax.ipynb,*,error,"cell 3 (""<img src=x onerror=alert(1)>"") failed"\n',
    );
  });

  it("escapes learner names and details in the page", () => {
    const course = readCourse(path.join(projectRoot, "notebooks"));
    const html = gradebookHtml({ rows, course, skipped: [{ path: "<b>.txt", reason: "not a notebook" }], summary: "2 learners" });
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;b&gt;.txt");
    expect(html).toContain('colspan="2"'); // the * row spans both exercises of 02-softmax
  });

  it("keeps an entry only for the same bytes, the same course, and not after a longer timeout", () => {
    const entry: Entry = { sha256: "h", courseKey: "k", rows: [] };
    expect(isCurrent(entry, "h", "k", 120)).toBe(true);
    expect(isCurrent(entry, "h2", "k", 120)).toBe(false);
    expect(isCurrent(entry, "h", "k2", 120)).toBe(false);
    expect(isCurrent({ ...entry, timeoutSeconds: 60 }, "h", "k", 120)).toBe(false);
    expect(isCurrent({ ...entry, timeoutSeconds: 60 }, "h", "k", 30)).toBe(true);
    expect(isCurrent(undefined, "h", "k", 120)).toBe(false);
  });
});

describe("the process sweep", () => {
  it.runIf(fs.existsSync("/proc/self/environ"))("kills a process that left its group but kept the run's marker", async () => {
    const marker = `test-${process.pid}-${Date.now()}`;
    const child = spawn("sleep", ["60"], { detached: true, stdio: "ignore", env: { ...process.env, GRADE_PARTS_MARK: marker } });
    const exited = new Promise((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(markedProcesses(Buffer.from(`GRADE_PARTS_MARK=${marker}\0`))).toEqual([child.pid]);
    expect(killMarked("GRADE_PARTS_MARK", marker)).toEqual([child.pid]);
    expect(await exited).toBe("SIGKILL");
  });
});

describe("the checker's record", () => {
  it("holds the verdict and the counts, and is not displayed outside a notebook", () => {
    const result = exercises.softmax((row: number[]) => row, { quiet: true });
    expect(exerciseRecord(result)).toEqual({
      exercise: "softmax",
      passed: false,
      passing: result.cases.filter((c) => c.passed).length,
      total: result.cases.length,
      verdict: result.verdict,
      hint: result.hint,
    });
    expect(displayBundle({ "text/html": "<p>x</p>" })).toBe(false);
  });

  it("comes from checkers a notebook cannot swap", () => {
    expect(Object.isFrozen(exercises)).toBe(true);
    expect(() => {
      (exercises as Record<string, unknown>).softmax = () => ({ passed: true });
    }).toThrow(TypeError);
  });
});
