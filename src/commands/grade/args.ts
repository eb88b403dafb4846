/**
 * The command line of `npm run grade`:
 *
 *   npm run grade -- SUBMISSIONS [--out DIR] [--timeout SECONDS] [--jobs N] [--force]
 *
 * Relative paths are taken from the folder `npm run` was started in (npm's INIT_CWD), not
 * the project's root, where npm runs scripts.
 */
import * as os from "node:os";
import * as path from "node:path";

export const USAGE = `usage: npm run grade -- SUBMISSIONS [--out DIR] [--timeout SECONDS] [--jobs N] [--force]

  SUBMISSIONS        a folder laid out as SUBMISSIONS/<learner>/<notebook>.ipynb
  --out DIR          where gradebook.csv, gradebook.html and grades.json go (default gradebook/)
  --timeout SECONDS  the longest one notebook may run (default 120)
  --jobs N           notebooks run at once (default: the number of cores, ${cores()} here)
  --force            grade every notebook again, even those unchanged since the last gradebook`;

export interface Options {
  submissions: string;
  out: string;
  timeoutSeconds: number;
  jobs: number;
  force: boolean;
}

/** A bad command line: the grader prints the message and the usage, and exits with 2. */
export class UsageError extends Error {}

function cores(): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}

/** Parses the arguments after `--`; throws UsageError naming the argument at fault. */
export function parseArgs(argv: ReadonlyArray<string>, cwd: string = process.env.INIT_CWD || process.cwd()): Options {
  const options: Options = { submissions: "", out: path.resolve(cwd, "gradebook"), timeoutSeconds: 120, jobs: cores(), force: false };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--") || arg === "--") {
      if (arg !== "--") positional.push(arg);
      continue;
    }
    const [name, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new UsageError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case "--out":
        options.out = path.resolve(cwd, value());
        break;
      case "--timeout":
        options.timeoutSeconds = positiveNumber(name, value(), false);
        break;
      case "--jobs":
        options.jobs = positiveNumber(name, value(), true);
        break;
      case "--force":
        if (inline !== undefined) throw new UsageError(`--force takes no value, got --force=${inline}`);
        options.force = true;
        break;
      default:
        throw new UsageError(`unknown option ${name}`);
    }
  }
  if (positional.length === 0) throw new UsageError("SUBMISSIONS is missing: name the folder of learners' notebooks");
  if (positional.length > 1) throw new UsageError(`one SUBMISSIONS folder expected, got ${positional.length}: ${positional.join(" ")}`);
  options.submissions = path.resolve(cwd, positional[0]);
  return options;
}

function positiveNumber(name: string, text: string, integer: boolean): number {
  const value = Number(text);
  if (!/^\s*[0-9.eE+]+\s*$/.test(text) || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${name} = ${JSON.stringify(text)}: expected a ${integer ? "whole number" : "number of seconds"} greater than 0`);
  }
  return value;
}
