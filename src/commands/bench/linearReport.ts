/**
 * `npm run bench:linear`'s figures as text: one line per run for the console, and the markdown
 * block that `npm run bench:linear -- --readme` writes into README.md between
 * `<!-- bench-linear:start -->` and `<!-- bench-linear:end -->`, so the README's figures for the
 * fused head are computed by the run, never typed.
 */

/** One run of one shape: its fastest round's seconds, its first round's peak RSS growth. */
export interface LinearRun {
  label: string;
  seconds: number | null;
  rssGrowth: number | null;
  note: string;
}

export interface LinearShape {
  N: number;
  D: number;
  V: number;
  runs: LinearRun[];
  /** The load average after the shape's runs (1, 5, 15 min). */
  loadAfter: string;
}

export interface LinearRecord {
  date: string;
  cpu: string;
  cores: number;
  loadBefore: string;
  torch: string;
  reps: number;
  rounds: number;
  shapes: LinearShape[];
}

const MiB = 2 ** 20;
/** The issue's time goal: at least this fraction of PyTorch's reference speed at 1 thread. */
export const GOAL = 0.4;
/** The issue's goal with threads (`threads: k`): at least PyTorch's reference speed at 1 thread. */
export const THREADS_GOAL = 1.0;

/** The goal a run of ours is held to: THREADS_GOAL for a run with threads, else GOAL. */
const goalOf = (label: string): number => (/, \d+ threads,/.test(label) ? THREADS_GOAL : GOAL);

/** "linearCrossEntropyFlat, 2 threads, Node v24 (relaxed SIMD)" -> "linearCrossEntropyFlat, Node v24 (relaxed SIMD)": the same Node's one-thread run. */
const oneThreadLabel = (label: string): string => label.replace(/, \d+ threads,/, ",");

/** Floating-point operations of forward + backward as the bench counts them: 3 products of 2·N·D·V. */
export const flops = (s: { N: number; D: number; V: number }): number => 6 * s.N * s.D * s.V;

/** The seconds of the run whose label contains `text`, or null. */
const secondsOf = (runs: LinearRun[], text: string): number | null => runs.find((r) => r.label.includes(text))?.seconds ?? null;

/** Each run's speed as a ratio to PyTorch's reference path at 1 thread (its time over ours), or null. */
export function ratios(shape: LinearShape): Array<number | null> {
  const yardstick = secondsOf(shape.runs, "reference, 1 thread");
  return shape.runs.map((r) => (r.seconds && yardstick ? yardstick / r.seconds : null));
}

/** The console line of each run. */
export function runLines(shape: LinearShape): string[] {
  const chunked = secondsOf(shape.runs, "chunked, 1 thread");
  const logits = shape.N * shape.V * 4;
  const toYardstick = ratios(shape);
  return shape.runs.map((r, i) => {
    const speed = r.seconds ? `${r.seconds.toFixed(2)} s, ${(flops(shape) / r.seconds / 1e9).toFixed(1)} GFLOP/s` : "no figures";
    let ratio = toYardstick[i] === null ? "" : `, ${toYardstick[i]!.toFixed(2)}× PyTorch reference 1 thread`;
    if (r.seconds && chunked && r.label.startsWith("linearCrossEntropyFlat")) ratio += `, ${(chunked / r.seconds).toFixed(2)}× chunked 1 thread`;
    const memory = r.rssGrowth === null ? "RSS growth unknown" : `RSS growth ${(r.rssGrowth / MiB).toFixed(1)} MiB (${((r.rssGrowth / logits) * 100).toFixed(1)}% of the logits)`;
    return `  ${r.label}: ${speed}${ratio}; ${memory}; ${r.note}`;
  });
}

/** The README's block (markdown, without the markers): a table per shape, then the goal's count. */
export function linearReadmeMarkdown(record: LinearRecord): string {
  const lines = [
    `Written by \`npm run bench:linear -- --readme\` on ${record.date}. Machine: ${record.cpu}, ${record.cores} cores; load average ${record.loadBefore} before the run (1, 5, 15 min). PyTorch ${record.torch}. Forward + backward, float32, gradients of the input and the weight; ${record.reps} timed call${record.reps > 1 ? "s" : ""} per run after a warm-up${record.rounds > 1 ? `, ${record.rounds} rounds interleaved, each run's fastest` : ""}. GFLOP/s counts 3 · 2 · N · D · V; the ratio is PyTorch's reference path at 1 thread over the run's time; RSS growth is the call's peak (PyTorch's includes the gradients autograd allocates).`,
  ];
  const ours = new Map<string, { met: number; of: number }>();
  /** Each threaded run's speed-up over the same Node's one thread, per shape. */
  const speedups = new Map<string, string[]>();
  for (const shape of record.shapes) {
    const logits = shape.N * shape.V * 4;
    const toYardstick = ratios(shape);
    lines.push("", `(N, D, V) = (${shape.N}, ${shape.D}, ${shape.V}), float32 logits ${(logits / MiB).toFixed(0)} MiB (1/16: ${(logits / 16 / MiB).toFixed(1)} MiB); load average ${shape.loadAfter} after:`, "");
    lines.push("| run | seconds | GFLOP/s | × PyTorch reference, 1 thread | peak RSS growth |", "|---|---|---|---|---|");
    shape.runs.forEach((r, i) => {
      const seconds = r.seconds === null ? `no figures (${r.note})` : r.seconds.toFixed(2);
      const gflops = r.seconds === null ? "" : (flops(shape) / r.seconds / 1e9).toFixed(1);
      const ratio = toYardstick[i] === null ? "" : `${toYardstick[i]!.toFixed(2)}×`;
      const memory = r.rssGrowth === null ? "unknown" : `${(r.rssGrowth / MiB).toFixed(1)} MiB (${((r.rssGrowth / logits) * 100).toFixed(1)}% of the logits)`;
      lines.push(`| ${r.label} | ${seconds} | ${gflops} | ${ratio} | ${memory} |`);
      if (r.label.startsWith("linearCrossEntropyFlat") && !r.label.includes("baseline") && toYardstick[i] !== null) {
        const count = ours.get(r.label) ?? { met: 0, of: 0 };
        count.of += 1;
        // As the table shows it, to two decimals: a 0.40× row counts as meeting 0.4×.
        if (Math.round(toYardstick[i]! * 100) / 100 >= goalOf(r.label)) count.met += 1;
        ours.set(r.label, count);
        const one = shape.runs.find((o) => o.label === oneThreadLabel(r.label));
        if (one !== undefined && one !== r && one.seconds && r.seconds) {
          speedups.set(r.label, [...(speedups.get(r.label) ?? []), `${(one.seconds / r.seconds).toFixed(2)}× at (${shape.N}, ${shape.D}, ${shape.V})`]);
        }
      }
    });
  }
  const count = (goal: number) =>
    [...ours]
      .filter(([label]) => goalOf(label) === goal)
      .map(([label, c]) => `${label}: ${c.met} of ${c.of}`)
      .join("; ");
  if (count(GOAL)) lines.push("", `Shapes where linearCrossEntropyFlat reaches at least ${GOAL}× PyTorch's reference path at 1 thread (issue 22's time goal) — ${count(GOAL)}.`);
  if (count(THREADS_GOAL)) {
    const faster = [...speedups].map(([label, list]) => `${label}: ${list.join(", ")}`).join("; ");
    lines.push(
      "",
      `With threads, shapes where linearCrossEntropyFlat reaches at least ${THREADS_GOAL.toFixed(1)}× PyTorch's reference path at 1 thread (issue 22's threaded goal) — ${count(THREADS_GOAL)}.` +
        (faster ? ` Their speed over the same Node's one thread (its time over theirs) — ${faster}.` : ""),
    );
  }
  return lines.join("\n");
}
