/**
 * `npm run bench:linear -- --crossover`: linearCrossEntropyFlat on one thread against two, on
 * calls from about 2^21 to 2^30 operations (forward + backward, float32, 8 · N · D · V as the
 * threads' threshold counts them), in one child process per Node, the two alternated call by
 * call and each time the median of 11: the measurement behind LINEAR_THREAD_MIN_FLOPS
 * (src/flat/linearThreads.ts). The threaded calls are forced onto two threads whatever the
 * threshold says (runLinearFlat's minFlops = 0).
 */
import { execFileSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { checkLinearFlatCall } from "../../flat/checkLinearFlat";
import { runLinearFlat } from "../../flat/linearCrossEntropyFlat";
import { lastLinearShare } from "../../flat/linearThreads";
import { matmulFor } from "../../flat/matmulKernel";
import { sharedFloat32Array } from "../../flat/sharedArrays";
import { closeThreads, startThreads } from "../../flat/threads";

/** (D, V) and the batch sizes N tried at each. */
const GRID: Array<[number, number, number[]]> = [
  [64, 4096, [1, 2, 4, 8, 16, 32, 64, 128, 256]],
  [256, 32000, [1, 2, 4, 8, 16, 64]],
];

/** In the parent: each Node's child, its lines printed. */
export function crossover(nodes: string[]): void {
  const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
  console.log(`machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores; load average ${load()} (1, 5, 15 min) before`);
  for (const node of nodes) {
    for (const [D, V, Ns] of GRID) {
      const out = execFileSync(node, [process.argv[1], "--crossover-child", String(D), String(V), ...Ns.map(String)], { encoding: "utf8", timeout: 600_000 });
      process.stdout.write(out);
    }
  }
  console.log(`load average ${load()} after`);
}

function seconds(call: () => void, inner: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < inner; i++) call();
  return Number(process.hrtime.bigint() - start) / 1e9 / inner;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** In the child: one (D, V), every N; one line each. */
export async function crossoverChild([D, V, ...Ns]: number[]): Promise<void> {
  await startThreads(2);
  const maxN = Math.max(...Ns);
  const x = sharedFloat32Array(maxN * D);
  const W = sharedFloat32Array(V * D);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i) * 0.3;
  for (let i = 0; i < W.length; i++) W[i] = Math.cos(i) * 0.3;
  const gradInput = new Float32Array(maxN * D);
  const gradLinearWeight = sharedFloat32Array(V * D);
  const targets = new Int32Array(maxN).map((_, n) => (n * 7919) % V);
  const matmul = matmulFor("f32");
  console.log(`Node ${process.version} (${matmul.variant} SIMD), D = ${D}, V = ${V}: N, operations 8·N·D·V, one thread, two threads (ms per call), one over two`);
  for (const N of Ns) {
    const make = (threads: number) => {
      const call = checkLinearFlatCall(x.subarray(0, N * D), W, targets.subarray(0, N), V, { gradInput: gradInput.subarray(0, N * D), gradLinearWeight, threads });
      return () => runLinearFlat(call, matmul, 0);
    };
    const [one, two] = [make(1), make(2)];
    one();
    two();
    const threaded = lastLinearShare.threads;
    const inner = Math.max(1, Math.floor(0.02 / seconds(one, 1)));
    const times: [number[], number[]] = [[], []];
    for (let rep = 0; rep < 11; rep++) {
      times[0].push(seconds(one, inner));
      times[1].push(seconds(two, inner));
    }
    const [t1, t2] = times.map(median);
    const flops = 8 * N * D * V;
    console.log(`  N = ${N}: ${flops} (2^${Math.log2(flops).toFixed(1)}), ${(t1 * 1e3).toFixed(3)}, ${(t2 * 1e3).toFixed(3)}${threaded === 2 ? "" : " (stayed on one thread: one chunk)"}, ${(t1 / t2).toFixed(2)}×`);
  }
  await closeThreads();
}
