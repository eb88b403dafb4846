/**
 * `npm run bench`: crossEntropyFlat against the nested module, tfjs (CPU) and PyTorch
 * (CPU, 1 thread), float32, on (1024, 32000), (8, 50257), (65536, 10) and (4096, 1000).
 *
 * Prints the machine, then per shape and implementation: ns per logit, GB/s of logits read,
 * speed relative to PyTorch (> 1: faster), and the peak RSS growth of one call (VmHWM after
 * minus VmRSS before, the peak reset through /proc/self/clear_refs). Times are the median
 * of several repetitions after warm-up. The forward's memory claim is checked on its own in
 * a fresh child process on a 512 MiB batch. Results go to bench-results/ as JSON.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { crossEntropy } from "../crossEntropy";
import { checkFlatCall } from "../flat/checkFlat";
import { crossEntropyFlat, runFlat } from "../flat/crossEntropyFlat";

const SHAPES: Array<[number, number]> = [[1024, 32000], [8, 50257], [65536, 10], [4096, 1000]];
/** The slow peers run on at most this many logits (whole rows), so the bench ends in minutes. */
const SUBSAMPLE = 1 << 21;
const ROOT = join(__dirname, "..", "..");

interface Measure {
  impl: string;
  rows: number;
  forward: number | null;
  forwardBackward: number | null;
  forwardGrowth: number | null;
  forwardBackwardGrowth: number | null;
  note?: string;
}

function status(field: string): number {
  const line = readFileSync("/proc/self/status", "utf8").split("\n").find((l) => l.startsWith(field + ":"));
  return line ? Number(line.split(/\s+/)[1]) * 1024 : 0;
}

/** Peak RSS growth of one call: reset the peak, run, read it. */
function growthOf(fn: () => void): number | null {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
  } catch {
    return null;
  }
  const before = status("VmRSS");
  fn();
  return status("VmHWM") - before;
}

/** Median seconds of `reps` runs after `warmup` runs. */
function timeOf(fn: () => void, reps: number, warmup = 2): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return times.sort((a, b) => a - b)[Math.floor(reps / 2)];
}

/** Seeded standard normal logits (Box-Muller on mulberry32), like torch.randn. */
function normal(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  for (let i = 0; i < length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const a = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(a);
    if (i + 1 < length) out[i + 1] = r * Math.sin(a);
  }
  return out;
}

function benchFlat(logits: Float32Array, targets: Int32Array, C: number, reps: number): Measure {
  const grad = new Float32Array(logits.length).fill(1); // touched: its pages are the caller's
  const forward = (): number => crossEntropyFlat(logits, targets, C);
  const both = (): number => crossEntropyFlat(logits, targets, C, { grad });
  return {
    impl: "crossEntropyFlat (wasm)",
    rows: targets.length,
    forward: timeOf(forward, reps),
    forwardBackward: timeOf(both, reps),
    forwardGrowth: growthOf(forward),
    forwardBackwardGrowth: growthOf(both),
  };
}

function benchPlainJs(logits: Float32Array, targets: Int32Array, C: number): Measure {
  const grad = new Float32Array(logits.length);
  const forward = (): number => runFlat(checkFlatCall(logits, targets, C, {}), null);
  const both = (): number => runFlat(checkFlatCall(logits, targets, C, { grad }), null);
  return {
    impl: "same, plain JS (Math.exp)",
    rows: targets.length,
    forward: timeOf(forward, 3, 1),
    forwardBackward: timeOf(both, 3, 1),
    forwardGrowth: growthOf(forward),
    forwardBackwardGrowth: growthOf(both),
  };
}

function benchNested(logits: Float32Array, targets: Int32Array, C: number): Measure {
  const rows: number[][] = [];
  for (let o = 0; o < logits.length; o += C) rows.push(Array.from(logits.subarray(o, o + C)));
  const target = Array.from(targets);
  const forward = (): number => crossEntropy(rows, target);
  return { impl: "crossEntropy (nested)", rows: rows.length, forward: timeOf(forward, 3, 1), forwardBackward: null, forwardGrowth: growthOf(forward), forwardBackwardGrowth: null };
}

/** The part of tfjs used here (typed by hand: tfjs is only a danfojs dependency). */
interface TfTensor {
  dataSync(): unknown;
  toFloat(): TfTensor;
}
interface Tf {
  version: Record<string, string>;
  setBackend(name: string): unknown;
  tensor1d(values: Int32Array, dtype: string): TfTensor;
  tensor2d(values: Float32Array, shape: [number, number]): TfTensor;
  oneHot(indices: TfTensor, depth: number): TfTensor;
  tidy(fn: () => void): void;
  grad(fn: (x: TfTensor) => TfTensor): (x: TfTensor) => TfTensor;
  dispose(tensors: TfTensor[]): void;
  losses: { softmaxCrossEntropy(labels: TfTensor, logits: TfTensor): TfTensor };
}

function loadTf(): Tf | null {
  const quiet = console.log;
  console.log = () => {}; // tfjs greets Node users with advice to install tfjs-node
  try {
    for (const name of ["@tensorflow/tfjs", "@tensorflow/tfjs-node"]) {
      try {
        const tf = require(name) as Tf;
        tf.setBackend("cpu");
        return tf;
      } catch {
        // try the next name: the project maps tfjs-node to the pure-JS tfjs
      }
    }
    return null;
  } finally {
    console.log = quiet;
  }
}

function benchTf(tf: Tf, logits: Float32Array, targets: Int32Array, C: number): Measure {
  const N = targets.length;
  const warn = console.warn;
  console.warn = () => {}; // tfjs's CPU backend advises Node users to install tfjs-node on its first tensor
  const x = tf.tensor2d(logits, [N, C]);
  console.warn = warn;
  const labels = tf.oneHot(tf.tensor1d(targets, "int32"), C).toFloat(); // built once, outside the timing
  const forward = (): void => tf.tidy(() => void tf.losses.softmaxCrossEntropy(labels, x).dataSync());
  const gradient = tf.grad((v) => tf.losses.softmaxCrossEntropy(labels, v));
  const both = (): void => tf.tidy(() => void gradient(x).dataSync());
  const m: Measure = { impl: "tfjs CPU softmaxCrossEntropy", rows: N, forward: timeOf(forward, 3, 1), forwardBackward: timeOf(both, 3, 1), forwardGrowth: growthOf(forward), forwardBackwardGrowth: growthOf(both) };
  tf.dispose([x, labels]);
  return m;
}

function benchTorch(): { version: string; shapes: Array<Record<string, number>> } | string {
  if (!existsSync("/usr/bin/python3")) return "not installed (/usr/bin/python3 missing)";
  try {
    const shapes = SHAPES.map(([n, c]) => `${n}x${c}`).join(",");
    const out = execFileSync("/usr/bin/python3", [join(ROOT, "src", "tools", "bench_torch.py"), shapes, "5"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const parsed = JSON.parse(out) as { torch: string; shapes: Array<Record<string, number>> };
    return { version: parsed.torch, shapes: parsed.shapes };
  } catch (error) {
    const text = String((error as { stderr?: string }).stderr ?? error);
    return text.includes("No module named 'torch'") ? "not installed (python3 -c 'import torch' fails)" : `failed: ${text.trim().split("\n").pop()}`;
  }
}

/** The forward on a 512 MiB batch in a fresh process: its peak RSS growth, kernel compile included. */
function memoryChild(): Record<string, number> {
  const N = 4096;
  const C = 32768;
  const logits = normal(N * C, 3);
  const targets = new Int32Array(N).map((_, i) => (i * 7919) % C);
  const grad = new Float32Array(N * C).fill(1);
  const result: Record<string, number> = { batchBytes: logits.byteLength, rssBefore: status("VmRSS") };
  result.forwardGrowth = growthOf(() => crossEntropyFlat(logits, targets, C)) ?? NaN;
  result.forwardBackwardGrowth = growthOf(() => crossEntropyFlat(logits, targets, C, { grad })) ?? NaN;
  return result;
}

const mib = (bytes: number | null): string => (bytes === null ? "n/a" : `${(bytes / 2 ** 20).toFixed(1)} MiB`);

function main(): void {
  if (process.argv[2] === "--memory-child") {
    process.stdout.write(JSON.stringify(memoryChild()));
    return;
  }
  const started = Date.now();
  const machine = {
    cpu: (readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/) ?? [])[1] ?? cpus()[0]?.model,
    cores: cpus().length,
    node: process.version,
    v8: process.versions.v8,
    loadBefore: loadavg().map((l) => l.toFixed(2)).join(" "),
  };
  const torch = benchTorch();
  const tf = loadTf();
  const tfVersion = tf ? `tfjs ${tf.version["tfjs-core"]} (CPU backend)` : "tfjs not installed";
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (V8 ${machine.v8}), ` +
      `torch ${typeof torch === "string" ? torch : torch.version} (1 thread), ${tfVersion}, load average ${machine.loadBefore}`,
  );
  const results: Array<{ N: number; C: number; measures: Measure[]; torch: Record<string, number> | null }> = [];
  for (const [N, C] of SHAPES) {
    const logits = normal(N * C, N + C);
    const targets = new Int32Array(N).map((_, i) => (i * 7919 + 13) % C);
    const sub = Math.max(1, Math.min(N, Math.floor(SUBSAMPLE / C)));
    const head = logits.subarray(0, sub * C);
    const headTargets = targets.subarray(0, sub);
    const measures = [benchFlat(logits, targets, C, 7), benchPlainJs(head, headTargets, C), benchNested(head, headTargets, C)];
    if (tf) measures.push(benchTf(tf, head, headTargets, C));
    const peer = typeof torch === "string" ? null : (torch.shapes.find((s) => s.N === N && s.C === C) ?? null);
    results.push({ N, C, measures, torch: peer });
    printShape(N, C, measures, peer, typeof torch === "string" ? torch : null, tf === null);
  }
  const child = JSON.parse(execFileSync(process.execPath, [__filename, "--memory-child"], { encoding: "utf8" })) as Record<string, number>;
  console.log(
    `\nmemory, fresh process, 512 MiB float32 batch (4096, 32768): forward grew the RSS by ${mib(child.forwardGrowth)}, ` +
      `forward + backward (into a touched 512 MiB grad buffer) by ${mib(child.forwardBackwardGrowth)}`,
  );
  const dir = join(ROOT, "bench-results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  const record = { machine: { ...machine, loadAfter: loadavg().map((l) => l.toFixed(2)).join(" ") }, torch, results, memoryChild: child, seconds: (Date.now() - started) / 1000 };
  writeFileSync(file, JSON.stringify(record, null, 2));
  console.log(`wrote ${file} (${record.seconds.toFixed(0)} s; load average now ${record.machine.loadAfter})`);
}

function printShape(N: number, C: number, measures: Measure[], torch: Record<string, number> | null, torchMissing: string | null, tfMissing: boolean): void {
  console.log(`\n(${N}, ${C}) float32, ${((N * C * 4) / 2 ** 20).toFixed(1)} MiB of logits`);
  const header = ["implementation", "rows", "fwd ns/logit", "fwd GB/s", "fwd vs torch", "fwd+bwd ns/logit", "fwd+bwd GB/s", "fwd+bwd vs torch", "fwd RSS+", "fwd+bwd RSS+"];
  const lines: string[][] = [header];
  const row = (impl: string, rows: number, f: number | null, fb: number | null, gf: number | null, gfb: number | null): string[] => {
    const ns = (s: number | null): string => (s === null ? "-" : ((s * 1e9) / (rows * C)).toFixed(2));
    const gbs = (s: number | null): string => (s === null ? "-" : ((rows * C * 4) / s / 1e9).toFixed(2));
    const vs = (s: number | null, key: string): string => {
      if (s === null || !torch) return "-";
      return `${((torch[key] / (N * C)) / (s / (rows * C))).toFixed(2)}x`;
    };
    return [impl, rows === N ? String(rows) : `${rows} of ${N}`, ns(f), gbs(f), vs(f, "forwardSeconds"), ns(fb), gbs(fb), vs(fb, "forwardBackwardSeconds"), mib(gf), mib(gfb)];
  };
  for (const m of measures) lines.push(row(m.impl, m.rows, m.forward, m.forwardBackward, m.forwardGrowth, m.forwardBackwardGrowth));
  if (tfMissing) lines.push(["tfjs", "-", "not installed", "", "", "", "", "", "", ""]);
  if (torch) lines.push(row("PyTorch 1 thread", N, torch.forwardSeconds, torch.forwardBackwardSeconds, torch.forwardRssGrowth, torch.forwardBackwardRssGrowth));
  else lines.push(["PyTorch", "-", torchMissing ?? "not installed", "", "", "", "", "", "", ""]);
  const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? "").length)));
  for (const l of lines) console.log(l.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  "));
}

main();
