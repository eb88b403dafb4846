/**
 * `npm run bench:linear`'s figures as text: one line per run for the console, and the markdown
 * block that `npm run bench:linear -- --readme` writes into README.md between
 * `<!-- bench-linear:start -->` and `<!-- bench-linear:end -->`, so the README's figures for the
 * fused head are computed by the run, never typed.
 */
import type { Peak } from "./linearPeak";

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
  /** The engine's multiply-add ceiling under each Node (linearPeak.ts), when measured. */
  peaks?: Peak[];
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

/**
 * Products of 2 · N · D · V that linearCrossEntropyFlat does in forward + backward: the logits,
 * the logits again in the backward (its memory stays a tile), G · W and Gᵀ · x.
 */
export const OUR_PRODUCTS = 4;

/** GFLOP/s our products need to reach `goal` × PyTorch's reference at 1 thread, which took `yardstick` seconds. */
export const neededGflops = (s: { N: number; D: number; V: number }, yardstick: number, goal: number): number => (OUR_PRODUCTS * 2 * s.N * s.D * s.V * goal) / yardstick / 1e9;

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
  if (record.peaks?.length) lines.push("", ...ceilingMarkdown(record, record.peaks));
  return lines.join("\n");
}

const peakLabel = (p: Peak): string => `Node ${p.node} (${p.variant} SIMD)`;

/**
 * What each time goal asks of the products, against the ceiling the run measured: a table of
 * the GFLOP/s our four products need at each goal's time, and that as a share of each Node's
 * peak (one thread; its threads at once); then the share our own runs reached, and the goals
 * that need more than the ceiling. Nothing without PyTorch's reference time to set the goals.
 */
export function ceilingMarkdown(record: LinearRecord, peaks: Peak[]): string[] {
  const timed = record.shapes.flatMap((shape) => {
    const yardstick = secondsOf(shape.runs, "reference, 1 thread");
    return yardstick ? [{ shape, yardstick }] : [];
  });
  if (timed.length === 0) return [];
  const k = peaks[0].threads;
  const lines = [
    `The ceiling, measured in the same run (\`src/commands/bench/linearPeak.ts\`): independent chains of 128-bit multiply-adds, each a += b · x with b loaded, as the products' own steps, and nothing else — ${peaks
      .map((p) => `${peakLabel(p)}: ${p.one.toFixed(1)} GFLOP/s on 1 thread, ${p.together.toFixed(1)} on ${p.threads} at once`)
      .join("; ")}. A product on that engine is not expected to run faster. linearCrossEntropyFlat does ${OUR_PRODUCTS} products of 2 · N · D · V (the logits twice, so that its memory stays a tile; the tables above count 3, PyTorch's). The GFLOP/s its products need to finish in PyTorch's reference time at 1 thread over the goal's ratio, and that as a share of each ceiling:`,
    "",
    `| (N, D, V) | ${GOAL}× on 1 thread needs | ${THREADS_GOAL.toFixed(1)}× on ${k} threads needs | ${peaks.map((p) => `share of ${peakLabel(p)}'s ceiling (1 thread / ${p.threads})`).join(" | ")} |`,
    `|---|---|---|${peaks.map(() => "---|").join("")}`,
  ];
  const beyond: string[] = [];
  for (const { shape, yardstick } of timed) {
    const [one, all] = [neededGflops(shape, yardstick, GOAL), neededGflops(shape, yardstick, THREADS_GOAL)];
    const shares = peaks.map((p) => {
      // Judged as the table shows it, to a whole per cent: 100% is not above the ceiling.
      const [a, b] = [Math.round((one / p.one) * 100), Math.round((all / p.together) * 100)];
      if (a > 100) beyond.push(`${GOAL}× on 1 thread at (${shape.N}, ${shape.D}, ${shape.V}) under ${peakLabel(p)}`);
      if (b > 100) beyond.push(`${THREADS_GOAL.toFixed(1)}× on ${p.threads} threads at (${shape.N}, ${shape.D}, ${shape.V}) under ${peakLabel(p)}`);
      return `${a}% / ${b}%`;
    });
    lines.push(`| (${shape.N}, ${shape.D}, ${shape.V}) | ${one.toFixed(1)} GFLOP/s | ${all.toFixed(1)} GFLOP/s | ${shares.join(" | ")} |`);
  }
  // Our own runs, counting their 4 products, as a share of their Node's ceiling (its threads' for a threaded run).
  const reached = new Map<string, string[]>();
  for (const { shape } of timed) {
    for (const r of shape.runs) {
      const peak = peaks.find((p) => r.label.includes(peakLabel(p)));
      if (!peak || !r.seconds || !r.label.startsWith("linearCrossEntropyFlat") || r.label.includes("baseline")) continue;
      const threads = Number(/, (\d+) threads,/.exec(r.label)?.[1] ?? 1);
      // A threaded run against the ceiling of as many threads; other counts have none measured.
      if (threads > 1 && threads !== peak.threads) continue;
      const ceiling = threads > 1 ? peak.together : peak.one;
      const share = Math.round((neededGflops(shape, r.seconds, 1) / ceiling) * 100);
      reached.set(r.label, [...(reached.get(r.label) ?? []), `${share}% at (${shape.N}, ${shape.D}, ${shape.V})`]);
    }
  }
  if (reached.size) {
    lines.push("", `Our runs' products, all ${OUR_PRODUCTS} counted, as a share of their Node's ceiling (a threaded run's: its threads at once) — ${[...reached].map(([label, list]) => `${label}: ${list.join(", ")}`).join("; ")}.`);
  }
  lines.push(
    "",
    beyond.length
      ? `Above the ceiling measured in this run, so not reachable with ${OUR_PRODUCTS} products on that engine and machine unless the ceiling was measured low: ${beyond.join("; ")}.`
      : `No goal needs more than the ceiling measured in this run.`,
  );
  return lines;
}
