/**
 * What `npm run bench` shows of its measurements: the console table per shape, and the
 * markdown block that `npm run bench -- --readme` writes into README.md between
 * `<!-- bench MACHINE:start -->` and `<!-- bench MACHINE:end -->`, one block per machine (its CPU
 * model, benchBlockName), so the README's figures are computed by the bench, never typed.
 */
import { blockMarkers, replaceReadmeBlock } from "../shared/readmeBlock";
import { LOGITS as EXP_FLOOR_LOGITS } from "./expFloor";
import { BANDWIDTH_LOGITS, IMPL, MEMORY_SHAPE, type CrossoverPoint, REPS, SUBSAMPLE, TIMED_SECONDS, WARMUP_SECONDS, type Measure } from "./measure";
import { TORCH_REPS } from "./torch";

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  v8: string;
  /** Whether this Node has WebAssembly relaxed SIMD (absent in records from before it was asked). */
  relaxedSimd?: boolean;
  loadBefore: string;
  loadAfter?: string;
}

/**
 * One implementation of the tables: a key (Measure.impl), its full name, a short one for table
 * heads, where it was found (a python, or ""), and why it has no figures (null: it has).
 */
export interface Peer {
  key: string;
  name: string;
  short: string;
  where: string;
  missing: string | null;
}

export interface ShapeResult {
  N: number;
  C: number;
  measures: Measure[];
  /** The forward's copy of the batch into the kernel alone, ns a logit (measure.ts batchCopyCost; absent in older records, null without the kernel). */
  copyNs?: number | null;
}

/** The JSON the bench writes to bench-results/. */
export interface BenchRecord {
  date: string;
  machine: Machine;
  peers: Peer[];
  results: ShapeResult[];
  /** The forward's cost of a row and of a logit in short rows (measure.ts perRowCost), per peer key: flat, flatNode. */
  perRow?: Record<string, { rowNs: number; logitNs: number; expNs?: number }>;
  /**
   * The threaded column's k, the pool's start-up in ms, one thread against k at growing batches,
   * and from how many logits k threads were faster at every larger batch (null: nowhere).
   */
  threads?: { k: number; startupMs: number; copyNs?: { inNs: number; outNs: number }; parallelism?: number; crossover: CrossoverPoint[]; fromForward: number | null; fromForwardBackward: number | null };
  /** A copy of a batch far beyond the caches, ns a logit (measure.ts bandwidthCost; absent in older records). */
  bandwidthNs?: number;
  memoryChild: Record<string, number>;
  seconds: number;
}

export const mib = (bytes: number | null | undefined): string =>
  bytes === null || bytes === undefined || Number.isNaN(bytes) ? "n/a" : `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** ns per logit of a measure that ran on `rows` rows of C classes. */
const nsPerLogit = (seconds: number | null, rows: number, C: number): number | null =>
  seconds === null ? null : (seconds * 1e9) / (rows * C);

type Key = "forward" | "forwardBackward";

/** The peer our speed is compared with: PyTorch 2.x at 1 thread, else 1.13, else none. */
export function yardstick(peers: Peer[]): Peer | null {
  return peers.find((p) => p.key === "torch2" && !p.missing) ?? peers.find((p) => p.key === "torch1" && !p.missing) ?? null;
}

/** Our threaded columns: ordinary arrays, arrays on SharedArrayBuffers (sharedFloat32Array), and the latter under the second Node. */
const THREADED = ["flatThreads", "flatThreadsShared", "flatNodeThreadsShared"];

/** What a column of ours is compared with: the threaded ones with PyTorch at its default threads, the others with the yardstick. */
export function peerFor(impl: string, peers: Peer[]): Peer | null {
  return THREADED.includes(impl) ? (peers.find((p) => p.key === "torch2Threads" && !p.missing) ?? null) : yardstick(peers);
}

/** The yardstick's time over ours (> 1: we are faster), per logit; null where either is missing. */
export function ratio(shape: ShapeResult, against: Peer | null, key: Key, impl = "flat"): number | null {
  const ours = shape.measures.find((m) => m.impl === impl);
  const theirs = against && shape.measures.find((m) => m.impl === against.key);
  if (!ours || !theirs) return null;
  const a = nsPerLogit(ours[key], ours.rows, shape.C);
  const b = nsPerLogit(theirs[key], theirs.rows, shape.C);
  return a === null || b === null ? null : b / a;
}

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
    if (!m) {
      notes.push(`${peer.name}: ${peer.missing ?? "not run"}`);
      continue;
    }
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

/** Three significant digits, never in exponent form: 2.52, 65.4, 434, 1234. */
function digits3(x: number): string {
  return Math.abs(x) >= 100 ? String(Math.round(x)) : x.toPrecision(3);
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
    `Peers: ${present.join("; ")}.` + (absent.length ? ` Missing: ${absent.join("; ")}.` : ""),
    "",
    `ns per logit, float32, seeded normal logits: medians of at least ${REPS.fast} runs after ${REPS.fastWarmup} warm-ups ` +
      `(PyTorch: at least ${TORCH_REPS} after 2, run for each shape right before ours; tfjs, plain JS and nested: at least ${REPS.slow} ` +
      `after ${REPS.slowWarmup}, on the first rows of each batch, at most ${SUBSAMPLE.toLocaleString("en-US")} logits), ` +
      `warm-ups lasting at least ${WARMUP_SECONDS} s and timed runs at least ${TIMED_SECONDS} s. ` +
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
  const sixTenths = against ? ` At least ${GOAL_FORWARD}× forward at ${lowest("flat")}${second60}.` : "";
  return `${speed}${secondSpeed}Its forward takes at most 1 ns per logit at ${count(wide, (s) => flatNs(s) <= 1)} shapes with C ≥ 1000.${sixTenths}`;

  /** "K of N shapes (the lowest R× at (N, C))": issue 21's goal 2 counted for one of our columns. */
  function lowest(impl: string): string {
    const rated = results.map((s) => ({ s, r: ratio(s, against, "forward", impl) })).filter((x): x is { s: ShapeResult; r: number } => x.r !== null);
    if (!rated.length) return "no shape";
    const low = rated.reduce((a, b) => (b.r < a.r ? b : a));
    return `${rated.filter((x) => x.r >= GOAL_FORWARD).length} of ${rated.length} shapes (the lowest ${low.r.toFixed(2)}× at (${low.s.N}, ${low.s.C}))`;
  }
}

/** Issue 21's goal 2: the forward at least this fraction of PyTorch's speed at 1 thread, at every shape. */
export const GOAL_FORWARD = 0.6;

/**
 * The forward goals this run missed, each with what it asks per logit beside what this kernel
 * cannot go under on that Node: the exp and the sum alone (the floor, expFloor.ts) plus the
 * row's fixed cost spread over its C logits (perRowCost). Goal 2: one thread's forward within
 * PyTorch's 1-thread time over 0.6. Goal 4: with k threads at shapes of at least 1M logits, the
 * forward within PyTorch's time at its default threads, so each thread within k times that (a
 * perfect split). A goal that asks less than the floor and the row's cost cannot be met by this
 * kernel on this machine, whatever else is trimmed.
 */
function missedLines(record: BenchRecord): string[] {
  const { results, peers, perRow } = record;
  const against = yardstick(peers);
  const versus = peerFor("flatThreads", peers);
  if (!perRow || !against) return [];
  const names: Record<string, string> = { flat: `Node ${record.machine.node}` };
  const second = peers.find((p) => p.key === "flatNode" && !p.missing);
  if (second) names.flatNode = second.name.replace(`${IMPL.flat}, `, "");
  const fmt = (x: number): string => x.toFixed(2);
  const bound = (node: string, C: number): string | null => {
    const c = perRow[node];
    if (!c || typeof c.expNs !== "number" || !Number.isFinite(c.expNs)) return null;
    const total = c.expNs + c.rowNs / C;
    return `${fmt(c.expNs)} + ${c.rowNs.toFixed(1)} / ${C} = ${fmt(total)}`;
  };
  const ns = (s: ShapeResult, impl: string): number | null => {
    const m = s.measures.find((x) => x.impl === impl);
    return m ? nsPerLogit(m.forward, m.rows, s.C) : null;
  };
  const missed: string[] = [];
  for (const node of ["flat", "flatNode"]) {
    for (const s of results) {
      const r = ratio(s, against, "forward", node);
      const theirs = ns(s, against.key);
      const ours = ns(s, node);
      const b = bound(node, s.C);
      if (r === null || r >= GOAL_FORWARD || theirs === null || ours === null || b === null) continue;
      missed.push(`goal 2 at (${s.N}, ${s.C}) under ${names[node] ?? node}: at most ${fmt(theirs / GOAL_FORWARD)} ns a logit, taken ${fmt(ours)}; floor and row ${b}`);
    }
  }
  const k = record.threads?.k;
  for (const [impl, node] of [["flatThreadsShared", "flat"], ["flatNodeThreadsShared", "flatNode"]] as const) {
    if (!k || !versus) continue;
    for (const s of results.filter((x) => x.N * x.C >= 1 << 20)) {
      const r = ratio(s, versus, "forward", impl);
      const theirs = ns(s, versus.key);
      const ours = ns(s, impl);
      const b = bound(node, s.C);
      if (r === null || r >= 1 || theirs === null || ours === null || b === null) continue;
      missed.push(
        `goal 4 at (${s.N}, ${s.C}) under ${names[node] ?? node}, ${k} threads, shared arrays: each thread at most ${fmt(k * theirs)} ns a logit, ` +
          `taken ${fmt(k * ours)}; floor and row ${b}`,
      );
    }
  }
  if (!missed.length) return [];
  return [
    "",
    "The forward goals missed in this run: what each asks of a thread per logit, what the thread took, and what this kernel " +
      "cannot go under on that Node (the exp and the sum alone, plus the row's fixed cost over its C logits), ns:",
    "",
    ...missed.map((m) => `- ${m}.`),
  ];
}

/** "Node 24" for "Node v24.22.3" or "crossEntropyFlat (wasm), Node v24.22.3 (relaxed SIMD)". */
const nodeShort = (text: string): string => `Node ${(text.match(/Node v(\d+)/) ?? ["", "?"])[1]}`;

/**
 * What each shape's one-thread forward is made of, per Node, ns a logit: the copy of the batch
 * into the kernel alone (batchCopyCost, measured under the bench's own Node; the copy is V8's
 * memmove under either), the exp and the sum alone (the floor, expFloor.ts), the row's fixed cost
 * over its C logits (perRowCost), and what is left of the forward's time: the max pass, the
 * calls, the row's finish beyond its fixed cost. Parts measured alone can overlap inside the
 * forward, so what is left can come out below zero.
 */
function breakdownLines(record: BenchRecord): string[] {
  const { results, perRow, peers } = record;
  if (!perRow || !results.some((s) => typeof s.copyNs === "number")) return [];
  const second = peers.find((p) => p.key === "flatNode" && !p.missing);
  const nodes = ["flat", "flatNode"].filter((key) => {
    const c = perRow[key];
    return c && typeof c.expNs === "number" && Number.isFinite(c.expNs) && results.some((s) => s.measures.some((m) => m.impl === key && m.forward !== null));
  });
  if (!nodes.length) return [];
  const name = (key: string): string => (key === "flat" ? nodeShort(`Node ${record.machine.node}`) : nodeShort(second?.name ?? ""));
  const cell = (x: number | null): string => (x === null ? "—" : x.toFixed(2));
  const row = (s: ShapeResult): string => {
    const copy = typeof s.copyNs === "number" ? s.copyNs : null;
    const parts = nodes.flatMap((key) => {
      const c = perRow[key];
      const m = s.measures.find((x) => x.impl === key);
      const total = m ? nsPerLogit(m.forward, m.rows, s.C) : null;
      const exp = c.expNs as number;
      const perRowNs = c.rowNs / s.C;
      const rest = total === null || copy === null ? null : total - copy - exp - perRowNs;
      return [cell(total), cell(exp), cell(perRowNs), cell(rest)];
    });
    return `| (${s.N}, ${s.C}) | ${cell(copy)} | ${parts.join(" | ")} |`;
  };
  const heads = nodes.flatMap((key) => [`${name(key)} forward`, "exp and sum", "row's cost / C", "the rest"]);
  const forwards = results.flatMap((s) => nodes.map((key) => {
    const m = s.measures.find((x) => x.impl === key);
    return m ? nsPerLogit(m.forward, m.rows, s.C) : null;
  })).filter((x): x is number => x !== null);
  const bandwidth = record.bandwidthNs;
  const bandwidthText =
    bandwidth && forwards.length
      ? ` The memory's bandwidth, as one copy of ${mib(BANDWIDTH_LOGITS * 4)} of float32 far beyond the caches meets it: ` +
        `${bandwidth.toFixed(3)} ns a logit read and written (${(4 / bandwidth).toFixed(1)} GB/s each way); ` +
        `the fastest one-thread forward above took ${(Math.min(...forwards) / bandwidth).toFixed(1)}× that, ` +
        (Math.min(...forwards) > 2 * bandwidth ? "so none of them is limited by memory bandwidth." : "near enough that bandwidth can limit it.")
      : "";
  return [
    "",
    `What each one-thread forward is made of, ns a logit: the copy of the batch into the kernel's memory alone, chunk by chunk from the ` +
      `array the forward reads (measured under ${nodeShort(`Node ${record.machine.node}`)}: where the batch outgrows the caches, the memory's bandwidth as the forward meets it), ` +
      "the exp and the sum alone (the floor above), the row's fixed cost over its C logits, and the rest of the forward's time: " +
      "its max pass, its calls, the row's finish beyond the fixed cost (below zero where parts measured alone overlap in the forward)." +
      bandwidthText,
    "",
    `| shape | copy | ${heads.join(" | ")} |`,
    `|---|---|${heads.map(() => "---").join("|")}|`,
    ...results.map(row),
  ];
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
        : ""),
  ];
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

/**
 * The name of a machine's block: "bench " and its CPU model in lower case, letters and digits
 * only ("Intel(R) Xeon(R) Processor" → "bench intel-xeon-processor"). Each machine keeps a block
 * of its own, so a run on one machine does not erase another's figures.
 */
export function benchBlockName(cpu: string): string {
  const slug = cpu.toLowerCase().replace(/\((r|tm)\)/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return `bench ${slug || "unknown-cpu"}`;
}

/** Every machine's block in the README, by its start marker: `<!-- bench SLUG:start -->`. */
const MACHINE_BLOCK_END = /<!-- bench [a-z0-9-]+:end -->\n?/g;

/**
 * `readme` with the block of the machine named `cpu` replaced by `block`; a machine without one
 * gets a new block right after the last machine's, so the machines' figures stand side by side.
 * @throws Error when the README has no machine's block at all, or this machine's markers are repeated or out of order.
 */
export function replaceBenchBlock(readme: string, block: string, cpu: string): string {
  const name = benchBlockName(cpu);
  const [start, end] = blockMarkers(name);
  if (readme.includes(start) || readme.includes(end)) return replaceReadmeBlock(readme, name, block);
  const ends = [...readme.matchAll(MACHINE_BLOCK_END)];
  const last = ends[ends.length - 1];
  if (!last || last.index === undefined) {
    throw new Error(`the README has no machine's benchmark block ("<!-- bench MACHINE:start -->" … "<!-- bench MACHINE:end -->") after which to add "${start}"`);
  }
  const at = last.index + last[0].length;
  return `${readme.slice(0, at)}\n${start}\n\n${block.trim()}\n\n${end}\n${readme.slice(at)}`;
}

