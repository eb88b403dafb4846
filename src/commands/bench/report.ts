/**
 * What `npm run bench` shows of its measurements: the console table per shape, and the
 * markdown block that `npm run bench -- --readme` writes into README.md between
 * `<!-- bench MACHINE:start -->` and `<!-- bench MACHINE:end -->`, one block per machine (its CPU
 * model, benchBlockName), so the README's figures are computed by the bench, never typed.
 */
import { breakdownLines, GOAL_FORWARD, missedLines } from "./breakdown";
import { LOGITS as EXP_FLOOR_LOGITS } from "./expFloor";
import { IMPL, MEMORY_SHAPE, REPS, SUBSAMPLE, TIMED_SECONDS, WARMUP_SECONDS } from "./measure";
import { digits3, mib, nsPerLogit, peerFor, ratio, THREADED, yardstick, type BenchRecord, type Key, type Peer, type ShapeResult } from "./record";
import { TORCH_REPS } from "./torch";

export { benchBlockName, replaceBenchBlock } from "./machineBlock";
export { mib, peerFor, ratio, yardstick } from "./record";
export type { BenchRecord, Machine, Peer, ShapeResult } from "./record";

/** The console table of one shape: ns per logit, GB/s, speed relative to the yardstick, memory. */
export function printShape(shape: ShapeResult, peers: Peer[]): void {
  const { N, C, measures } = shape;
  const against = yardstick(peers);
  console.log(`\n(${N}, ${C}) float32, ${((N * C * 4) / 2 ** 20).toFixed(1)} MiB of logits`);
  const header = ["implementation", "rows", "fwd ns/logit", "fwd GB/s", "fwd vs torch", "fwd+bwd ns/logit", "fwd+bwd GB/s", "fwd+bwd vs torch", "fwd RSS+", "fwd+bwd RSS+"];
  const lines: string[][] = [header];
  const notes: string[] = [];
  for (const peer of peers) {
    const m = measures.find((x) => x.impl === peer.key);
    // Its runs at this shape that failed after it had run (TorchPeer.failures), by their reasons.
    const failed = (peer.failures ?? []).filter((f) => f.startsWith(`(${N}, ${C}): `)).map((f) => f.slice(`(${N}, ${C}): `.length));
    if (!m) {
      notes.push(`${peer.name}: ${peer.missing ?? (failed.length ? `failed: ${failed.join("; ")}` : "not run")}`);
      continue;
    }
    if (failed.length) notes.push(`${peer.name}: ${failed.length} run${failed.length > 1 ? "s" : ""} failed here (${failed.join("; ")}); its figures are its other rounds'`);
    const ns = (s: number | null): string => (s === null ? "-" : (nsPerLogit(s, m.rows, C) as number).toFixed(2));
    const gbs = (s: number | null): string => (s === null ? "-" : ((m.rows * C * 4) / s / 1e9).toFixed(2));
    const vs = (key: Key): string => {
      const r = ratio(shape, THREADED.includes(peer.key) ? peerFor(peer.key, peers) : against, key, peer.key);
      return r === null || m[key] === null ? "-" : `${r.toFixed(2)}x`;
    };
    const rows = m.rows === N ? String(N) : `${m.rows} of ${N}`;
    lines.push([peer.name, rows, ns(m.forward), gbs(m.forward), vs("forward"), ns(m.forwardBackward), gbs(m.forwardBackward), vs("forwardBackward"), mib(m.forwardGrowth), mib(m.forwardBackwardGrowth)]);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? "").length)));
  for (const l of lines) console.log(l.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  "));
  for (const note of notes) console.log(`  ${note}`);
  const versus = peerFor("flatThreads", peers);
  if (measures.some((m) => THREADED.includes(m.impl)) && versus) console.log(`  (the threaded rows' "vs torch" is against ${versus.name})`);
}

/** The README's benchmark block (markdown, without the markers). */
export function readmeMarkdown(record: BenchRecord): string {
  const { machine, peers, results } = record;
  const against = yardstick(peers);
  const load = `load average ${machine.loadBefore} before the run${machine.loadAfter ? `, ${machine.loadAfter} after` : ""}`;
  const busy = Number(machine.loadBefore.split(" ")[0]) > machine.cores;
  const present = peers.filter((p) => p.key !== "flat" && !p.missing).map((p) => (p.where ? `${p.name} (${p.where})` : p.name));
  // A second Node is an option of the bench, not a peer to install: not listed as missing.
  const absent = peers.filter((p) => p.missing && !p.key.startsWith("flatNode")).map((p) => `${p.name}: ${p.missing}`);
  // A peer that failed after it had run keeps the figures of its other runs; the failed runs are named.
  const failed = peers.filter((p) => !p.missing && p.failures?.length).map((p) => `${p.name} at ${p.failures!.join("; ")}`);
  const lines = [
    `**${machine.cpu}, ${machine.cores} cores.** Written by \`npm run bench -- --readme\` on ${record.date.slice(0, 10)} (${Math.round(record.seconds)} s), ` +
      `Node ${machine.node} (V8 ${machine.v8}` +
      `${machine.relaxedSimd === undefined ? "" : machine.relaxedSimd ? ", relaxed SIMD" : ", no relaxed SIMD"}); ${load} ` +
      "(the 1-minute, 5-minute and 15-minute averages)." +
      (busy
        ? ` The machine was busy (a load above its ${machine.cores} cores: other jobs shared them), so every figure is slower ` +
          "and noisier than on an idle machine; the ratios, timed side by side, shift less than the times."
        : ""),
    "",
    `Peers: ${present.join("; ")}.` +
      (absent.length ? ` Missing: ${absent.join("; ")}.` : "") +
      (failed.length ? ` Runs that failed (the figures are the other runs'; a shape none of them finished shows —): ${failed.join("; ")}.` : ""),
    "",
    `ns per logit, float32, seeded normal logits: medians of at least ${REPS.fast} runs after ${REPS.fastWarmup} warm-ups ` +
      `(PyTorch: at least ${TORCH_REPS} after 2, run for each shape right before ours; tfjs, plain JS and nested: at least ${REPS.slow} ` +
      `after ${REPS.slowWarmup}, on the first rows of each batch, at most ${SUBSAMPLE.toLocaleString("en-US")} logits), ` +
      `warm-ups lasting at least ${WARMUP_SECONDS} s and timed runs at least ${TIMED_SECONDS} s. ` +
      ((record.rounds ?? 1) > 1
        ? `The sweep of PyTorch and crossEntropyFlat, side by side at each shape, ran ${record.rounds} times over (\`--rounds ${record.rounds}\`); ` +
          `each of their figures is the fastest of its ${record.rounds} medians, so a minute the machine slowed counts for none of them. `
        : "") +
      (against ? `In brackets: the time of ${against.name} over ours, in bold when we are faster.` : "No PyTorch ran: no ratios."),
    "",
    ...table(results, peers.filter((p) => !(p.key.startsWith("flatNode") && p.missing)), against, ["flat", "flatNode", "torch2", "flatThreads", "flatThreadsShared", "flatNodeThreadsShared", "torch2Threads", "torch1"]),
    "",
    ...table(results, peers, null, ["tfjsWasm", "tfjsCpu", "plainJs", "nested"]),
    "",
    goalsLine(results, against, peers),
    ...threadLines(record),
    ...perRowLines(record),
    ...breakdownLines(record),
    ...missedLines(record),
    ...driftLines(record),
    "",
    memoryLine(record, against),
  ];
  return lines.join("\n");
}

/** A markdown table: per peer its forward and (where measured) forward + backward. */
function table(results: ShapeResult[], peers: Peer[], against: Peer | null, keys: string[]): string[] {
  const columns = keys.flatMap((key) => {
    const peer = peers.find((p) => p.key === key);
    if (!peer) return [];
    const name = peer.missing ? `${peer.short} (missing)` : peer.short;
    const backward = results.some((r) => r.measures.some((m) => m.impl === key && m.forwardBackward !== null)) || peer.missing;
    return backward ? [{ key, head: `${name} fwd`, what: "forward" as Key }, { key, head: "fwd + bwd", what: "forwardBackward" as Key }] : [{ key, head: `${name} fwd`, what: "forward" as Key }];
  });
  const cell = (shape: ShapeResult, key: string, what: Key): string => {
    const m = shape.measures.find((x) => x.impl === key);
    const ns = m ? nsPerLogit(m[what], m.rows, shape.C) : null;
    if (ns === null) return "—";
    const r = key === "flat" || key === "flatNode" ? ratio(shape, against, what, key) : THREADED.includes(key) ? ratio(shape, peerFor(key, peers), what, key) : null;
    if (r === null) return digits3(ns);
    const text = `${r.toFixed(2)}×`;
    return `${digits3(ns)} (${r >= 1 ? `**${text}**` : text})`;
  };
  return [
    `| shape | ${columns.map((c) => c.head).join(" | ")} |`,
    `|---|${columns.map(() => "---").join("|")}|`,
    ...results.map((shape) => `| (${shape.N}, ${shape.C}) | ${columns.map((c) => cell(shape, c.key, c.what)).join(" | ")} |`),
  ];
}

/** The issue's goals, counted: forward and forward + backward at least 1.0×, 2.0× at C ≥ 32,000, ≤ 1 ns/logit at C ≥ 1000. */
function goalsLine(results: ShapeResult[], against: Peer | null, peers: Peer[] = []): string {
  const count = (shapes: ShapeResult[], test: (s: ShapeResult) => boolean): string => `${shapes.filter(test).length} of ${shapes.length}`;
  const big = results.filter((s) => s.C >= 32_000);
  const wide = results.filter((s) => s.C >= 1000);
  const flatNs = (s: ShapeResult): number => {
    const m = s.measures.find((x) => x.impl === "flat");
    return (m && nsPerLogit(m.forward, m.rows, s.C)) ?? Infinity;
  };
  const atLeast = (key: Key, times: number, impl = "flat") => (s: ShapeResult): boolean => (ratio(s, against, key, impl) ?? 0) >= times;
  const speed = against
    ? `Against ${against.name}, ${IMPL.flat} is at least as fast at ${count(results, atLeast("forward", 1))} shapes forward and ` +
      `${count(results, atLeast("forwardBackward", 1))} forward + backward, and at least twice as fast forward + backward at ` +
      `${count(big, atLeast("forwardBackward", 2))} shapes with C ≥ 32,000. `
    : "";
  const second = peers.find((p) => p.key === "flatNode" && !p.missing);
  const secondSpeed = against && second && results.some((s) => s.measures.some((m) => m.impl === "flatNode"))
    ? `Under ${second.name.replace(`${IMPL.flat}, `, "")}: ${count(results, atLeast("forward", 1, "flatNode"))} forward and ` +
      `${count(results, atLeast("forwardBackward", 1, "flatNode"))} forward + backward. `
    : "";
  const second60 = second && results.some((s) => s.measures.some((m) => m.impl === "flatNode")) ? `; under ${second.name.replace(`${IMPL.flat}, `, "")}, ${lowest("flatNode")}` : "";
  const sixTenths = against ? ` Forward at least ${GOAL_FORWARD}× as fast as ${against.name} (issue 21's goal 2) at ${lowest("flat")}${second60}.` : "";
  return `${speed}${secondSpeed}Its forward takes at most 1 ns per logit at ${count(wide, (s) => flatNs(s) <= 1)} shapes with C ≥ 1000.${sixTenths}`;

  /** "K of N shapes (the lowest R× at (N, C))": issue 21's goal 2 counted for one of our columns. */
  function lowest(impl: string): string {
    const rated = results.map((s) => ({ s, r: ratio(s, against, "forward", impl) })).filter((x): x is { s: ShapeResult; r: number } => x.r !== null);
    if (!rated.length) return "no shape";
    const low = rated.reduce((a, b) => (b.r < a.r ? b : a));
    return `${rated.filter((x) => x.r >= GOAL_FORWARD).length} of ${rated.length} shapes (the lowest ${low.r.toFixed(2)}× at (${low.s.N}, ${low.s.C}))`;
  }
}

/** The threaded column's goal (at least PyTorch at its default threads at every shape of ≥ 1M logits), start-up and crossover. */
function threadLines(record: BenchRecord): string[] {
  const t = record.threads;
  const versus = peerFor("flatThreads", record.peers);
  if (!t) return [];
  const big = record.results.filter((s) => s.N * s.C >= 1 << 20 && s.measures.some((m) => m.impl === "flatThreads"));
  const count = (key: Key, impl = "flatThreads"): string => `${big.filter((s) => (ratio(s, versus, key, impl) ?? 0) >= 1).length} of ${big.length}`;
  const shared = record.results.some((s) => s.measures.some((m) => m.impl === "flatThreadsShared"));
  const second = record.peers.find((p) => p.key === "flatNodeThreadsShared" && !p.missing);
  const secondShared = second && record.results.some((s) => s.measures.some((m) => m.impl === "flatNodeThreadsShared"));
  const from = (x: number | null): string => (x === null ? "at none of the sizes measured" : `from ${x.toLocaleString("en-US")} logits`);
  const C = t.crossover[0]?.C;
  return [
    "",
    (versus
      ? `With \`threads: ${t.k}\`, in brackets against ${versus.name}: at least as fast at ${count("forward")} shapes of at least 1M logits forward and ${count("forwardBackward")} forward + backward` +
        (shared ? `; with the logits and the gradient on SharedArrayBuffers (\`sharedFloat32Array\`, the workers read and write them where they are), ${count("forward", "flatThreadsShared")} forward and ${count("forwardBackward", "flatThreadsShared")} forward + backward` : "") +
        (secondShared ? `; the same under ${second.name.replace(`${IMPL.flat}, `, "").replace(/, \d+ threads, shared arrays$/, "")}: ${count("forward", "flatNodeThreadsShared")} forward and ${count("forwardBackward", "flatNodeThreadsShared")} forward + backward` : "") +
        ". "
      : "") +
      `The pool's start-up (\`startThreads(${t.k})\`, its worker's kernels compiled) took ${t.startupMs.toFixed(1)} ms. ` +
      (t.copyNs
        ? `Handing rows to a worker costs the calling thread ${t.copyNs.inNs.toFixed(2)} ns a logit (the copy into its shared slot) and the gradient ${t.copyNs.outNs.toFixed(2)} ns a logit back. `
        : "") +
      `Against one thread at C = ${C} and N = ${t.crossover.map((p) => p.N).join(", ")}, ${t.k} threads were faster ${from(t.fromForward)} forward and ` +
      `${from(t.fromForwardBackward)} forward + backward; smaller batches stay on one thread by themselves.` +
      (t.parallelism === undefined
        ? ""
        : ` At the time, two threads of plain arithmetic got ${t.parallelism.toFixed(2)}× one thread's work done (2.00×: a free second core), a bound on any threaded speed-up.`),
  ];
}

/** The per-row cost of short rows, when measured: one line per Node. */
function perRowLines(record: BenchRecord): string[] {
  if (!record.perRow) return [];
  const names: Record<string, string> = { flat: `Node ${record.machine.node}` };
  const second = record.peers.find((p) => p.key === "flatNode" && !p.missing);
  if (second) names.flatNode = second.name.replace(`${IMPL.flat}, `, "");
  const parts = Object.entries(record.perRow).map(([key, c]) => `${c.rowNs.toFixed(1)} ns a row and ${c.logitNs.toFixed(2)} ns a logit under ${names[key] ?? key}`);
  const floors = Object.entries(record.perRow)
    .filter(([, c]) => typeof c.expNs === "number" && Number.isFinite(c.expNs))
    .map(([key, c]) => `${c.expNs!.toFixed(3)} ns a logit under ${names[key] ?? key}${floorCheck(record, key, c.expNs!)}`);
  return [
    "",
    `The forward's fixed cost per row (the intercept of a least-squares line through the time per row at N = 8192, C = 32, 64, 128 and 256): ${parts.join("; ")}.` +
      (floors.length
        ? ` The exp and the sum alone, the kernel's own instructions for them over ${EXP_FLOOR_LOGITS} logits already in the L1 cache, with no max pass, copy or row's finish (\`src/commands/bench/expFloor.ts\`), a floor under that Node's one-thread forward: ${floors.join("; ")}.`
        : "") +
      subnormalSentence(record),
  ];
}

/**
 * The machine's price for a subnormal float32 result (subnormal.ts), when measured: what a
 * change that lets one into each row would cost here, which the kernel's exps avoid.
 */
function subnormalSentence(record: BenchRecord): string {
  const s = record.subnormal;
  if (!s) return "";
  return ` A float32 SIMD multiply whose result is subnormal took ${s.subnormalNs.toFixed(1)} ns, against ${s.normalNs.toFixed(2)} ns with a normal result (${(s.subnormalNs / s.normalNs).toFixed(0)}×, \`src/commands/bench/subnormal.ts\`, under Node ${record.machine.node}): the price of one in every row, which the kernel keeps out of ordinary rows (\`src/flat/wat/exp.ts\`).`;
}

/**
 * Whether every one-thread forward figure of the Node measured under `key` ("flat" or
 * "flatNode", the table's columns) lies above its floor, said in the block: the table's
 * figures checked against the floor rather than the floor's claim taken on trust.
 */
function floorCheck(record: BenchRecord, key: string, floor: number): string {
  const below = record.results.flatMap((shape) =>
    shape.measures
      .filter((m) => m.impl === key)
      .map((m) => ({ shape, ns: nsPerLogit(m.forward, m.rows, shape.C) }))
      .filter((f): f is { shape: ShapeResult; ns: number } => f.ns !== null && f.ns < floor),
  );
  const figures = record.results.filter((shape) => shape.measures.some((m) => m.impl === key && m.forward !== null)).length;
  if (figures === 0) return "";
  if (below.length === 0) return figures === 1 ? " (its forward figure in the table above it)" : ` (its ${figures} forward figures in the table all above it)`;
  return ` (below it in the table: ${below.map((b) => `${b.ns.toFixed(3)} at (${b.shape.N}, ${b.shape.C})`).join(", ")}, which the floor does not explain)`;
}

/** How far the machine's speed moved over the run: the first shape's forward at its start and again at its end. */
function driftLines(record: BenchRecord): string[] {
  const d = record.drift;
  if (!d) return [];
  const ratioText = (d.endNs / d.startNs).toFixed(2);
  return [
    "",
    `The machine's speed over the run: ${IMPL.flat}'s one-thread forward at (${d.N}, ${d.C}), timed again at the run's end ` +
      `(${Math.round(record.seconds)} s after its start) with the same code and the same batch, took ${digits3(d.endNs)} ns a logit ` +
      `against ${digits3(d.startNs)} ${d.firstRound ? "in the first round" : "in the table"} (${ratioText}×): times move by that much between runs, ratios taken seconds apart less.`,
  ];
}

function memoryLine(record: BenchRecord, against: Peer | null): string {
  const flat = record.results.flatMap((r) => r.measures.filter((m) => m.impl === "flat"));
  const growths = flat.flatMap((m) => [m.forwardGrowth, m.forwardBackwardGrowth]).filter((g): g is number => g !== null);
  const [low, high] = [mib(Math.min(...growths)), mib(Math.max(...growths))];
  const flatText = `crossEntropyFlat ${!growths.length ? "n/a" : low === high ? high : `${low.replace(" MiB", "")}–${high}`}`;
  const torch = record.results.flatMap((r) => r.measures.filter((m) => against && m.impl === against.key).map((m) => ({ N: r.N, C: r.C, m })));
  const biggest = torch.sort((a, b) => (b.m.forwardBackwardGrowth ?? 0) - (a.m.forwardBackwardGrowth ?? 0))[0];
  const torchText = biggest && against
    ? `; ${against.name} ${mib(biggest.m.forwardGrowth)} (forward) and ${mib(biggest.m.forwardBackwardGrowth)} (forward + backward, its autograd allocating the gradient) at (${biggest.N}, ${biggest.C})`
    : "";
  const child = record.memoryChild;
  const [N, C] = MEMORY_SHAPE;
  return (
    `Memory (peak RSS growth of one call, VmHWM after minus VmRSS before): ${flatText}${torchText}. ` +
    `In a fresh process, the forward over a ${mib(child.batchBytes)} float32 batch (${N}, ${C}) grew the RSS by ` +
    `${mib(child.forwardGrowth)} (kernel compilation included), forward + backward into a caller's ` +
    `${mib(child.batchBytes)} grad buffer by ${mib(child.forwardBackwardGrowth)}.`
  );
}
