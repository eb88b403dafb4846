/**
 * `npm run grade -- SUBMISSIONS [--out DIR] [--timeout SECONDS] [--jobs N] [--force]`: turns a
 * folder of learners' notebooks into a gradebook (see src/commands/grade/ and "Grading a class" in
 * notebooks/README.md).
 *
 * Exit 0 when grading finished, whatever the grades; 2 for a bad command line; 1 when the
 * machine cannot run notebooks at all (Jupyter's Python packages missing, build failed) or when
 * SUBMISSIONS holds no learner's notebook at all.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { USAGE, UsageError, parseArgs, type Options } from "./grade/args";
import { stopAllRuns } from "./grade/execute";
import { grade, removeScratch, summaryLine } from "./grade/gradeFolder";
import { buildIsStale, jupyterPython, projectRoot, writeKernelspec } from "./shared/kernelspec";

function checkFolders(options: Options): void {
  if (!fs.existsSync(options.submissions)) throw new UsageError(`SUBMISSIONS: no such folder: ${options.submissions}`);
  if (!fs.statSync(options.submissions).isDirectory()) throw new UsageError(`SUBMISSIONS is not a folder: ${options.submissions}`);
  if (fs.existsSync(options.out) && !fs.statSync(options.out).isDirectory()) {
    throw new UsageError(`--out is a file, not a folder: ${options.out}`);
  }
}

/** What the run needs besides the arguments; a message when it is missing. */
function checkMachine(): string | undefined {
  const python = jupyterPython();
  const probe = spawnSync(python, ["-c", "import nbclient, nbformat, jupyter_client"], { encoding: "utf8" });
  if (probe.status !== 0) {
    return `Jupyter's Python packages are missing, so no notebook can run. Install them for ${python}
(or point $JUPYTER_PYTHON at a Python that has them):
  Debian/Ubuntu: sudo apt-get install -y python3-nbclient jupyter-client
  elsewhere:     pip install nbclient ipykernel jupyter_client`;
  }
  if (buildIsStale()) {
    const build = spawnSync("npm", ["run", "--silent", "build"], { cwd: projectRoot, stdio: "inherit" });
    if (build.status !== 0) return "npm run build failed: learners' notebooks would import an old module.";
  }
  writeKernelspec();
  return undefined;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  let options: Options;
  try {
    options = parseArgs(argv);
    checkFolders(options);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`grade: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  const problem = checkMachine();
  if (problem) {
    console.error(`grade: ${problem}`);
    return 1;
  }
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      stopAllRuns();
      removeScratch();
      console.error(`grade: stopped by ${signal}; the notebooks graded so far are kept in ${path.join(options.out, "grades.json")}`);
      process.exit(130);
    });
  }
  console.log(`Grading ${options.submissions} (${options.jobs} at a time, at most ${options.timeoutSeconds} s per notebook)`);
  // Learner folder names are untrusted: no control characters reach the teacher's terminal.
  const log = (line: string) => console.log(line.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, "\ufffd"));
  const report = await grade(options, path.join(projectRoot, "notebooks"), log);
  if (report.learners === 0) {
    // Loud, and not 0: a gradebook of nobody usually means the notebooks were collected from the
    // wrong folder (the hub's learners work in ~/cross-entropy/notebooks: deploy/hub/grade.sh).
    console.error(`\ngrade: 0 learners found: no ${path.join(options.submissions, "<learner>", "<notebook>.ipynb")} ` +
      `with a course notebook's name (01-logits.ipynb, ...). Nothing was graded.`);
    return 1;
  }
  console.log(`\n${summaryLine(report)}`);
  if (report.skipped.length) console.log(`${report.skipped.length} file(s) skipped: they do not fit SUBMISSIONS/<learner>/<notebook>.ipynb (listed above).`);
  console.log(`Took ${report.seconds.toFixed(1)} s.`);
  console.log(`Wrote ${path.join(options.out, "gradebook.csv")} and ${path.join(options.out, "gradebook.html")}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    stopAllRuns();
    removeScratch();
    console.error(error);
    process.exit(1);
  },
);
