/**
 * What `npm run bench` shows of its measurements: the console table per shape, and the
 * markdown block that `npm run bench -- --readme` writes into README.md between
 * `<!-- bench:start -->` and `<!-- bench:end -->`, so the README's figures are computed by
 * the bench, never typed.
 */
import { IMPL, MEMORY_SHAPE, REPS, SUBSAMPLE, type Measure } from "./benchMeasure";
import { blockMarkers, replaceReadmeBlock } from "./readmeBlock";
import { TORCH_REPS, type TorchResult, type TorchShape } from "./benchPeers";

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  v8: string;
  loadBefore: string;
  loadAfter?: string;
}

export interface ShapeResult {
  N: number;
  C: number;
  measures: Measure[];
  torch: TorchShape | null;
}

/** The JSON the bench writes to bench-results/ (date and tfjs are absent from older files). */
export interface BenchRecord {
  date?: string;
  machine: Machine;
  torch: TorchResult;
  tfjs?: string;
  results: ShapeResult[];
  memoryChild: Record<string, number>;
  seconds: number;
}

export const [README_START, README_END] = blockMarkers("bench");

export const mib = (bytes: number | null | undefined): string =>
  bytes === null || bytes === undefined || Number.isNaN(bytes) ? "n/a" : `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** ns per logit of a measure that ran on `rows` rows of C classes. */
const nsPerLogit = (seconds: number | null, rows: number, C: number): number | null =>
  seconds === null ? null : (seconds * 1e9) / (rows * C);

/** The console table of one shape: ns per logit, GB/s, speed relative to PyTorch, memory. */
export function printShape(shape: ShapeResult, torchMissing: string | null, tfMissing: boolean): void {
  const { N, C, measures, torch } = shape;
  console.log(`\n(${N}, ${C}) float32, ${((N * C * 4) / 2 ** 20).toFixed(1)} MiB of logits`);
  const header = ["implementation", "rows", "fwd ns/logit", "fwd GB/s", "fwd vs torch", "fwd+bwd ns/logit", "fwd+bwd GB/s", "fwd+bwd vs torch", "fwd RSS+", "fwd+bwd RSS+"];
  const lines: string[][] = [header];
  const row = (impl: string, rows: number, f: number | null, fb: number | null, gf: number | null, gfb: number | null): string[] => {
    const ns = (s: number | null): string => (s === null ? "-" : (nsPerLogit(s, rows, C) as number).toFixed(2));
    const gbs = (s: number | null): string => (s === null ? "-" : ((rows * C * 4) / s / 1e9).toFixed(2));
    const vs = (s: number | null, key: "forwardSeconds" | "forwardBackwardSeconds"): string => {
      if (s === null || !torch) return "-";
      return `${(torch[key] / (N * C) / (s / (rows * C))).toFixed(2)}x`;
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

/** Three significant digits, never in exponent form: 2.52, 65.4, 434, 1234. */
function digits3(x: number): string {
  return Math.abs(x) >= 100 ? String(Math.round(x)) : x.toPrecision(3);
}

/** The README's benchmark block (markdown, without the markers). */
export function readmeMarkdown(record: BenchRecord): string {
  const { machine, torch, results } = record;
  const torchText = typeof torch === "string" ? `PyTorch ${torch}` : `PyTorch ${torch.version} (CPU, \`torch.set_num_threads(1)\`)`;
  const load = `load average ${machine.loadBefore} before the run${machine.loadAfter ? `, ${machine.loadAfter} after` : ""}`;
  const when = record.date ? ` on ${record.date.slice(0, 10)}` : "";
  const lines = [
    `Written by \`npm run bench -- --readme\`${when} (${Math.round(record.seconds)} s). ` +
      `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (V8 ${machine.v8}), ${torchText}, ` +
      `${record.tfjs ?? "tfjs (version not recorded)"}; ${load} (the 1-minute, 5-minute and 15-minute averages).`,
    "",
    `ns per logit, float32, single thread: medians of ${REPS.fast} runs after ${REPS.fastWarmup} warm-ups ` +
      `(PyTorch: ${TORCH_REPS} after 2; plain JS, nested and tfjs: ${REPS.slow} after ${REPS.slowWarmup}, on the first ` +
      `rows of each batch, at most ${SUBSAMPLE.toLocaleString("en-US")} logits). In brackets: PyTorch's time over ours, ` +
      "in bold when we are faster. Repeated runs move by several per cent, more on a busy machine.",
    "",
    "| shape | crossEntropyFlat forward | forward + backward | PyTorch forward | forward + backward | plain JS (Math.exp) fwd | nested `crossEntropy` fwd | tfjs fwd |",
    "|---|---|---|---|---|---|---|---|",
    ...results.map(shapeRow),
    "",
    memoryLine(record),
  ];
  return lines.join("\n");
}

function shapeRow(shape: ShapeResult): string {
  const { N, C, torch } = shape;
  const find = (impl: string): Measure | undefined => shape.measures.find((m) => m.impl === impl);
  const cell = (m: Measure | undefined, key: "forward" | "forwardBackward"): string => {
    const ns = m ? nsPerLogit(m[key], m.rows, C) : null;
    return ns === null ? "—" : digits3(ns);
  };
  const flat = find(IMPL.flat);
  const versus = (key: "forward" | "forwardBackward", torchKey: "forwardSeconds" | "forwardBackwardSeconds"): string => {
    const ns = flat ? nsPerLogit(flat[key], flat.rows, C) : null;
    if (ns === null) return "—";
    if (!torch) return digits3(ns);
    const ratio = torch[torchKey] / (N * C) / (ns / 1e9);
    const text = `${ratio.toFixed(2)}×`;
    return `${digits3(ns)} (${ratio >= 1 ? `**${text}**` : text})`;
  };
  const torchCell = (key: "forwardSeconds" | "forwardBackwardSeconds"): string =>
    torch ? digits3((torch[key] * 1e9) / (N * C)) : "—";
  return (
    `| (${N}, ${C}) | ${versus("forward", "forwardSeconds")} | ${versus("forwardBackward", "forwardBackwardSeconds")} | ` +
    `${torchCell("forwardSeconds")} | ${torchCell("forwardBackwardSeconds")} | ${cell(find(IMPL.plainJs), "forward")} | ` +
    `${cell(find(IMPL.nested), "forward")} | ${cell(find(IMPL.tfjs), "forward")} |`
  );
}

function memoryLine(record: BenchRecord): string {
  const flat = record.results.flatMap((r) => r.measures.filter((m) => m.impl === IMPL.flat));
  const growths = flat.flatMap((m) => [m.forwardGrowth, m.forwardBackwardGrowth]).filter((g): g is number => g !== null);
  const [low, high] = [mib(Math.min(...growths)), mib(Math.max(...growths))];
  const flatText = `crossEntropyFlat ${!growths.length ? "n/a" : low === high ? high : `${low.replace(" MiB", "")}–${high}`}`;
  const torchShapes = record.results.flatMap((r) => (r.torch ? [r.torch] : []));
  const biggest = torchShapes.sort((a, b) => (b.forwardBackwardRssGrowth ?? 0) - (a.forwardBackwardRssGrowth ?? 0))[0];
  const torchText = biggest
    ? `; PyTorch ${mib(biggest.forwardRssGrowth)} (forward) and ${mib(biggest.forwardBackwardRssGrowth)} (forward + backward) at (${biggest.N}, ${biggest.C})`
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
 * `readme` with the text between the bench markers replaced by `block`.
 * @throws Error when the markers are missing, repeated or out of order.
 */
export const replaceBenchBlock = (readme: string, block: string): string => replaceReadmeBlock(readme, "bench", block);
