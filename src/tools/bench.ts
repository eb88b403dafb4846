/**
 * `npm run bench`: crossEntropyFlat against the nested module, tfjs (CPU) and PyTorch
 * (CPU, 1 thread), float32, on (1024, 32000), (8, 50257), (65536, 10) and (4096, 1000).
 *
 * Prints the machine, then per shape and implementation: ns per logit, GB/s of logits read,
 * speed relative to PyTorch (> 1: faster), and the peak RSS growth of one call. Times are the
 * median of several repetitions after warm-up (benchMeasure.ts). The forward's memory claim
 * is checked on its own in a fresh child process on a 512 MiB batch. Results go to
 * bench-results/ as JSON.
 *
 * npm run bench                           measure, print, write the JSON
 * npm run bench -- --readme               also rewrite README.md's block between the bench markers
 * npm run bench -- --readme=FILE          ... in FILE instead
 * node dist/tools/bench.js --readme[=FILE] --from bench-results/X.json
 *                                         rewrite the block from a saved run, measuring nothing
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { benchFlat, benchNested, benchPlainJs, memoryChild, normal, SUBSAMPLE } from "./benchMeasure";
import { benchTf, benchTorch, loadTf } from "./benchPeers";
import { mib, printShape, readmeMarkdown, replaceBenchBlock, type BenchRecord, type Machine, type ShapeResult } from "./benchReport";

const SHAPES: Array<[number, number]> = [[1024, 32000], [8, 50257], [65536, 10], [4096, 1000]];
const ROOT = join(__dirname, "..", "..");

const loadText = (): string => loadavg().map((l) => l.toFixed(2)).join(" ");

function measureAll(): BenchRecord {
  const started = Date.now();
  const machine: Machine = {
    cpu: (readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/) ?? [])[1] ?? cpus()[0]?.model ?? "unknown CPU",
    cores: cpus().length,
    node: process.version,
    v8: process.versions.v8,
    loadBefore: loadText(),
  };
  const torch = benchTorch(SHAPES, ROOT);
  const tf = loadTf();
  const tfjs = tf ? `tfjs ${tf.version["tfjs-core"]} (CPU backend)` : "tfjs not installed";
  const torchMissing = typeof torch === "string" ? torch : null;
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (V8 ${machine.v8}), ` +
      `torch ${typeof torch === "string" ? torch : torch.version} (1 thread), ${tfjs}, load average ${machine.loadBefore}`,
  );
  const results: ShapeResult[] = [];
  for (const [N, C] of SHAPES) {
    const logits = normal(N * C, N + C);
    const targets = new Int32Array(N).map((_, i) => (i * 7919 + 13) % C);
    const sub = Math.max(1, Math.min(N, Math.floor(SUBSAMPLE / C)));
    const head = logits.subarray(0, sub * C);
    const headTargets = targets.subarray(0, sub);
    const measures = [benchFlat(logits, targets, C), benchPlainJs(head, headTargets, C), benchNested(head, headTargets, C)];
    if (tf) measures.push(benchTf(tf, head, headTargets, C));
    const peer = typeof torch === "string" ? null : (torch.shapes.find((s) => s.N === N && s.C === C) ?? null);
    const shape: ShapeResult = { N, C, measures, torch: peer };
    results.push(shape);
    printShape(shape, torchMissing, tf === null);
  }
  const child = JSON.parse(execFileSync(process.execPath, [__filename, "--memory-child"], { encoding: "utf8" })) as Record<string, number>;
  console.log(
    `\nmemory, fresh process, ${mib(child.batchBytes)} float32 batch: forward grew the RSS by ${mib(child.forwardGrowth)}, ` +
      `forward + backward (into a touched grad buffer of the same size) by ${mib(child.forwardBackwardGrowth)}`,
  );
  return {
    date: new Date(started).toISOString(),
    machine: { ...machine, loadAfter: loadText() },
    torch,
    tfjs,
    results,
    memoryChild: child,
    seconds: (Date.now() - started) / 1000,
  };
}

/** The value of `--name=value` or `--name value`; true for a bare `--name`; undefined when absent. */
function option(argv: string[], name: string): string | true | undefined {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  if (argv[i].includes("=")) return argv[i].slice(name.length + 3);
  const next = argv[i + 1];
  return next !== undefined && !next.startsWith("--") ? next : true;
}

function main(argv: string[]): void {
  if (argv[0] === "--memory-child") {
    process.stdout.write(JSON.stringify(memoryChild()));
    return;
  }
  const readme = option(argv, "readme");
  const from = option(argv, "from");
  if (from === true) throw new Error("--from needs a file: --from bench-results/bench-....json");
  let record: BenchRecord;
  if (from) {
    record = JSON.parse(readFileSync(resolve(from), "utf8")) as BenchRecord;
    console.log(`read ${from} (measured nothing)`);
  } else {
    record = measureAll();
    const dir = join(ROOT, "bench-results");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `bench-${(record.date as string).replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, JSON.stringify(record, null, 2));
    console.log(`wrote ${file} (${record.seconds.toFixed(0)} s; load average now ${record.machine.loadAfter})`);
  }
  if (readme !== undefined) {
    const path = readme === true ? join(ROOT, "README.md") : resolve(readme);
    writeFileSync(path, replaceBenchBlock(readFileSync(path, "utf8"), readmeMarkdown(record)));
    console.log(`rewrote the benchmark block of ${path}`);
  }
}

main(process.argv.slice(2));
