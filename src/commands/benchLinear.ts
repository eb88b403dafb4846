/**
 * `npm run bench:linear`: linearCrossEntropyFlat (forward + backward, float32, gradients of the
 * input and the weight) beside PyTorch 2.13's F.linear_cross_entropy, reference and chunked
 * path, at 1 thread and at its default thread count, at (N, D, V) = (1024, 256, 32000),
 * (4096, 512, 50257) and (1024, 256, 128256).
 *
 * Every measurement runs in a fresh child process, one after the other (ours under this Node
 * and, with --node24=PATH, under that Node too), so that its peak RSS growth is its own: the
 * peak reset through /proc/self/clear_refs, VmHWM after minus VmRSS before. Our gradient
 * buffers are the caller's, allocated and touched before; PyTorch's growth includes the gradients autograd
 * allocates, given beside as "grads". Prints the machine (CPU model, cores, load average before
 * and after), then one line per run: seconds, GFLOP/s counting 3 · 2 · N · D · V, RSS growth,
 * and the speed as a ratio to PyTorch's reference path at 1 thread (ours also to the chunked path
 * at 1 thread): ratios measured in one run, which a busy machine skews less than the seconds.
 *
 * With --rounds K every run is repeated K times, the rounds interleaved, and its fastest kept
 * (its RSS growth is the first round's): on a machine shared with others, a burst of their load
 * then costs one round of one run, not the comparison.
 *
 * With --baseline=DIR (another build's dist/, e.g. main's, copied aside) that build's
 * linearCrossEntropyFlat runs too, under each Node, interleaved with this one: a change measured
 * against the old code in one run, as ratios.
 *
 * Before the shapes, under each Node, the ceiling (bench/linearPeak.ts): what 128-bit WebAssembly
 * SIMD multiply-adds reach on this machine with nothing else to do, on one thread and on as many
 * as the threaded runs use. The report sets beside it the GFLOP/s that each of issue 22's time
 * goals asks of our four products.
 *
 * With --readme, README.md's block between `<!-- bench-linear:start -->` and `<!-- bench-linear:end -->`
 * is rewritten with the run's figures (bench/linearReport.ts).
 *
 * With --threads=K (default 2; a list: 2,3), ours also runs with `threads: K` under each Node,
 * its input, W and W's gradient on SharedArrayBuffers, the pool started before the warm-up (the
 * pool's RSS growth printed apart). With --crossover, instead of the shapes, one thread against
 * two on small calls (bench/linearCrossover.ts), the measurement behind LINEAR_THREAD_MIN_FLOPS.
 *
 * npm run bench:linear [-- --shapes 1024x256x32000 --reps 1 --rounds 1 --timeout 300 --node24=/path/to/node --baseline=/path/to/dist --threads=2 --crossover --readme]
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { linearCrossEntropyFlat } from "../flat/linearCrossEntropyFlat";
import { lastLinearShare } from "../flat/linearThreads";
import { matmulFor } from "../flat/matmulKernel";
import { sharedFloat32Array } from "../flat/sharedArrays";
import { startThreads } from "../flat/threads";
import { crossover, crossoverChild } from "./bench/linearCrossover";
import { measurePeak, type Peak } from "./bench/linearPeak";
import { linearReadmeMarkdown, runLines, type LinearRecord, type LinearRun, type LinearShape } from "./bench/linearReport";
import { findTorch } from "./bench/torch";
import { replaceReadmeBlock } from "./shared/readmeBlock";

const SHAPES: Array<[number, number, number]> = [[1024, 256, 32000], [4096, 512, 50257], [1024, 256, 128256]];
const ROOT = join(__dirname, "..", "..");
const MiB = 2 ** 20;

function status(field: string): number {
  const line = readFileSync("/proc/self/status", "utf8").split("\n").find((l) => l.startsWith(field + ":"));
  return line ? Number(line.split(/\s+/)[1]) * 1024 : 0;
}

/** Seeded normal-ish numbers of scale s: the sum of two uniforms, centred (into `out` when given). */
function numbers(length: number, seed: number, scale: number, out = new Float32Array(length)): Float32Array {
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 48271) % 2147483647;
    const u = state / 2147483647;
    state = (state * 48271) % 2147483647;
    out[i] = (u + state / 2147483647 - 1) * 2.45 * scale;
  }
  return out;
}

/**
 * On a SharedArrayBuffer when the call has threads (the workers read and write it where it is),
 * written there directly: a copy from an ordinary array would leave that array for the garbage
 * collector to free during the timed call (measured: 6 MiB more RSS growth under Node 20).
 */
const buffer = (length: number, threads: number): Float32Array => (threads === 1 ? new Float32Array(length) : sharedFloat32Array(length));

/**
 * The child: one shape, `threads` threads, one warm-up, `reps` timed calls; prints JSON. With
 * threads, the pool is started first and its RSS growth reported apart (poolGrowth).
 */
async function child(N: number, D: number, V: number, reps: number, threads: number): Promise<void> {
  const start0 = status("VmRSS");
  if (threads > 1) await startThreads(threads);
  const poolGrowth = threads > 1 ? status("VmRSS") - start0 : null;
  const x = numbers(N * D, 3, D ** -0.25, buffer(N * D, threads));
  const W = numbers(V * D, 5, D ** -0.25, buffer(V * D, threads));
  const targets = new Int32Array(N).map((_, n) => (n * 7919) % V);
  const gradInput = new Float32Array(N * D);
  const gradLinearWeight = buffer(V * D, threads);
  // Touched now, so that the call's RSS growth is its own working memory, not these pages faulting in.
  gradInput.fill(1);
  gradLinearWeight.fill(1);
  // Warm-up on 4 rows of the same head (threaded: 64, above LINEAR_THREAD_MIN_FLOPS, so the
  // workers' matmul memory is there before the timed call): long enough for V8 to optimise the
  // loops, whose first, unoptimised runs box every float and grow the young heap (megabytes of RSS that are V8's).
  const warm = Math.min(N, threads > 1 ? 64 : 4);
  linearCrossEntropyFlat(x.subarray(0, warm * D), W, targets.subarray(0, warm), V, { gradInput: gradInput.subarray(0, warm * D), gradLinearWeight, threads });
  const times: number[] = [];
  let growth: number | null = null;
  let loss = NaN;
  for (let rep = 0; rep < reps; rep++) {
    let peakKnown = true;
    try {
      writeFileSync("/proc/self/clear_refs", "5");
    } catch {
      peakKnown = false;
    }
    const before = status("VmRSS");
    const start = process.hrtime.bigint();
    loss = linearCrossEntropyFlat(x, W, targets, V, { gradInput, gradLinearWeight, threads });
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
    if (rep === 0 && peakKnown) growth = status("VmHWM") - before;
  }
  times.sort((a, b) => a - b);
  const variant = matmulFor("f32").variant;
  const share = { ...lastLinearShare };
  // A row labelled "K threads" must not have run on one: a broken pool or the threshold would leave it there.
  if (threads > 1 && share.threads === 1) {
    throw new Error(`the timed call ran on the calling thread alone, not on ${threads} (a warning above says why)`);
  }
  console.log(JSON.stringify({ node: process.version, variant, seconds: times[Math.floor(times.length / 2)], rssGrowth: growth, loss, poolGrowth, share }));
}


/** A run that takes longer is stopped and reported as such (two threads on a busy machine can crawl). */
let timeoutSeconds = 300;

function runChild(command: string, args: string[]): { seconds: number; rssGrowth: number | null; [key: string]: unknown } | string {
  try {
    const out = execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 20, timeout: timeoutSeconds * 1000 });
    return JSON.parse(out.trim().split("\n").pop()!);
  } catch (error) {
    const timedOut = (error as { signal?: string }).signal === "SIGTERM";
    return timedOut ? `stopped after ${timeoutSeconds} s` : `failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
  }
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === "--child") return void child(Number(args[1]), Number(args[2]), Number(args[3]), Number(args[4] ?? 1), Number(args[5] ?? 1));
  if (args[0] === "--crossover-child") return void crossoverChild(args.slice(1).map(Number));
  if (args[0] === "--peak-child") return void measurePeak(Number(args[1])).then((peak) => console.log(JSON.stringify(peak)));
  const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
  const shapes = option("shapes")?.split(",").map((s) => s.split("x").map(Number) as [number, number, number]) ?? SHAPES;
  const reps = Number(option("reps") ?? 1);
  const rounds = Number(option("rounds") ?? 1);
  timeoutSeconds = Number(option("timeout") ?? timeoutSeconds);
  const nodes = [process.execPath, ...(option("node24") ? [option("node24")!] : [])];
  const baseline = option("baseline");
  const threadCounts = (option("threads") ?? "2").split(",").map(Number).filter((k) => k > 1);
  if (args.includes("--crossover")) return crossover(nodes);
  const torch = findTorch(ROOT).find((t) => t.key === "torch2");
  const cpu = (readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/) ?? [])[1] ?? cpus()[0]?.model ?? "unknown CPU";
  const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
  const readme = args.includes("--readme");
  const record: LinearRecord = { date: new Date().toISOString().slice(0, 10), cpu, cores: cpus().length, loadBefore: load(), torch: torch?.missing ?? `${torch!.version} (${torch!.python})`, reps, rounds, shapes: [] };
  console.log(`machine: ${cpu}, ${cpus().length} cores; load average ${record.loadBefore} (1, 5, 15 min) before`);
  // The ceiling under each Node (bench/linearPeak.ts), on as many threads as the threaded runs.
  record.peaks = [];
  for (const node of nodes) {
    // --no-liftoff: V8 compiles the loop optimised before its first call (linearPeak.ts warms it up besides).
    const peak = runChild(node, ["--no-liftoff", __filename, "--peak-child", String(Math.max(2, ...threadCounts))]);
    if (typeof peak === "string") console.log(`ceiling under ${node}: ${peak}`);
    else {
      const p = peak as unknown as Peak;
      record.peaks.push(p);
      console.log(`ceiling under Node ${p.node} (${p.variant} SIMD): ${p.one.toFixed(1)} GFLOP/s on 1 thread (${p.chains} multiply-add chains), ${p.together.toFixed(1)} on ${p.threads} at once`);
    }
  }
  console.log(`PyTorch: ${torch?.missing ?? `${torch!.version} (${torch!.python})`}; timed calls per run: ${reps} after one warm-up (their median); rounds: ${rounds}${rounds > 1 ? " (each run's fastest)" : ""}; GFLOP/s counts 3 · 2 · N · D · V`);
  for (const [N, D, V] of shapes) {
    const logits = N * V * 4;
    const grads = (N + V) * D * 4;
    console.log(`\n(N, D, V) = (${N}, ${D}, ${V}): float32 logits ${(logits / MiB).toFixed(0)} MiB (1/16: ${(logits / 16 / MiB).toFixed(1)} MiB), gradients of input and weight ${(grads / MiB).toFixed(0)} MiB`);
    // Each run is a child process; with --rounds K the whole set runs K times, interleaved, and
    // each keeps its fastest round: a burst of load from the machine's other users then slows
    // one round of one run, not every round of it.
    const jobs: Array<{ command: string; args: string[]; label: (r: Record<string, unknown>) => string; failed: string; note: string }> = [];
    for (const node of nodes) {
      jobs.push({ command: node, args: [__filename, "--child", String(N), String(D), String(V), String(reps)], label: (r) => `linearCrossEntropyFlat, Node ${r.node} (${r.variant} SIMD)`, failed: `linearCrossEntropyFlat, ${node}`, note: "caller's gradient buffers allocated before" });
      for (const k of threadCounts) {
        jobs.push({
          command: node,
          args: [__filename, "--child", String(N), String(D), String(V), String(reps), String(k)],
          label: (r) => `linearCrossEntropyFlat, ${k} threads, Node ${r.node} (${r.variant} SIMD)`,
          failed: `linearCrossEntropyFlat, ${k} threads, ${node}`,
          note: "input, W and its gradient on SharedArrayBuffers; pool started before (its growth: see the console)",
        });
      }
      if (baseline) {
        const script = join(baseline, "commands", "benchLinear.js");
        jobs.push({ command: node, args: [script, "--child", String(N), String(D), String(V), String(reps)], label: (r) => `linearCrossEntropyFlat, baseline ${baseline}, Node ${r.node} (${r.variant} SIMD)`, failed: `linearCrossEntropyFlat, baseline ${baseline}, ${node}`, note: "caller's gradient buffers allocated before" });
      }
    }
    if (torch && !torch.missing) {
      for (const path of ["reference", "chunked"]) {
        for (const threads of ["1", "default"]) {
          const label = `PyTorch ${torch.version} ${path}, ${threads === "1" ? "1 thread" : `default threads`}`;
          jobs.push({ command: join(ROOT, torch.python), args: [join(ROOT, "src", "commands", "bench", "linear_pytorch.py"), String(N), String(D), String(V), path, threads, String(reps)], label: (r) => `${label} (${r.threads})`, failed: label, note: "growth includes the gradients" });
        }
      }
    }
    const runs: LinearRun[] = jobs.map((job) => ({ label: job.failed, seconds: null, rssGrowth: null, note: job.note }));
    for (let round = 0; round < rounds; round++) {
      jobs.forEach((job, i) => {
        const r = runChild(job.command, job.args);
        const run = runs[i];
        if (typeof r === "string") {
          if (run.seconds === null) run.note = r;
          return;
        }
        if (run.seconds === null) run.note = job.note;
        if (r.poolGrowth !== null && r.poolGrowth !== undefined) console.log(`  ${job.label(r)}: startThreads grew the RSS by ${(Number(r.poolGrowth) / MiB).toFixed(1)} MiB; ranges ${JSON.stringify(r.share)}`);
        run.label = job.label(r);
        if (run.seconds === null || r.seconds < run.seconds) run.seconds = r.seconds;
        if (run.rssGrowth === null) run.rssGrowth = r.rssGrowth;
      });
    }
    const shape: LinearShape = { N, D, V, runs, loadAfter: load() };
    for (const line of runLines(shape)) console.log(line);
    console.log(`  load average ${shape.loadAfter}`);
    record.shapes.push(shape);
  }
  if (readme) {
    const path = join(ROOT, "README.md");
    writeFileSync(path, replaceReadmeBlock(readFileSync(path, "utf8"), "bench-linear", linearReadmeMarkdown(record)));
    console.log(`rewrote the bench-linear block of ${path}`);
  }
}

main();
