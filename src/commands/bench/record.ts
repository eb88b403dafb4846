/**
 * The bench's record (the JSON it writes to bench-results/) and what every part of its report
 * reads off it: ns per logit, the yardstick, each column's ratio.
 */
import type { CrossoverPoint, Measure } from "./measure";

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
  /** Its runs that failed after it had run once ("(N, C): why"): the figures it has are the other runs'. Absent in older records. */
  failures?: string[];
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
  /** A float32 SIMD multiply with a normal and with a subnormal result, ns each (subnormal.ts; absent in older records). */
  subnormal?: { normalNs: number; subnormalNs: number };
  /** A copy of a batch far beyond the caches, ns a logit (measure.ts bandwidthCost; absent in older records). */
  bandwidthNs?: number;
  /** The first shape's one-thread forward, ns a logit, as the run measured it and timed again at its end (absent in older records). */
  /** firstRound: startNs is the first round's figure (--rounds K > 1), not the table's fastest of the rounds. */
  drift?: { N: number; C: number; startNs: number; endNs: number; firstRound?: boolean };
  memoryChild: Record<string, number>;
  seconds: number;
  /**
   * How many times the sweep timed PyTorch and crossEntropyFlat side by side (`--rounds`); each
   * figure of theirs is the fastest of the rounds (fastestOf). Absent in older records: 1.
   */
  rounds?: number;
}

/**
 * The same implementations' measures of one shape from several rounds: each one's forward and
 * forward + backward the fastest of its rounds (a round the machine slowed counts for nothing,
 * whichever implementation it fell on); its memory growth, rows and note from the first round
 * that measured it.
 */
export function fastestOf(rounds: Measure[][]): Measure[] {
  const best = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b));
  // Every implementation any round measured (a peer whose child process failed once keeps its other rounds).
  const impls = [...new Set(rounds.flat().map((m) => m.impl))];
  return impls.map((impl) => {
    const all = rounds.flatMap((round) => round.filter((m) => m.impl === impl));
    return { ...all[0], forward: all.map((m) => m.forward).reduce(best), forwardBackward: all.map((m) => m.forwardBackward).reduce(best) };
  });
}

export const mib = (bytes: number | null | undefined): string =>
  bytes === null || bytes === undefined || Number.isNaN(bytes) ? "n/a" : `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** ns per logit of a measure that ran on `rows` rows of C classes. */
export const nsPerLogit = (seconds: number | null, rows: number, C: number): number | null =>
  seconds === null ? null : (seconds * 1e9) / (rows * C);

export type Key = "forward" | "forwardBackward";

/** The peer our speed is compared with: PyTorch 2.x at 1 thread, else 1.13, else none. */
export function yardstick(peers: Peer[]): Peer | null {
  return peers.find((p) => p.key === "torch2" && !p.missing) ?? peers.find((p) => p.key === "torch1" && !p.missing) ?? null;
}

/** Our threaded columns: ordinary arrays, arrays on SharedArrayBuffers (sharedFloat32Array), and the latter under the second Node. */
export const THREADED = ["flatThreads", "flatThreadsShared", "flatNodeThreadsShared"];

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

/** Three significant digits, never in exponent form: 2.52, 65.4, 434, 1234. */
export function digits3(x: number): string {
  return Math.abs(x) >= 100 ? String(Math.round(x)) : x.toPrecision(3);
}
