/**
 * The peers of `npm run bench` that live outside this module: tfjs' CPU backend (in this
 * process, when installed) and PyTorch (CPU, 1 thread, through bench_torch.py and
 * /usr/bin/python3, when installed).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { IMPL, REPS, growthOf, timeOf, type Measure } from "./benchMeasure";

/** The part of tfjs used here (typed by hand: tfjs is only a danfojs dependency). */
interface TfTensor {
  dataSync(): unknown;
  toFloat(): TfTensor;
}
export interface Tf {
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

export function loadTf(): Tf | null {
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

export function benchTf(tf: Tf, logits: Float32Array, targets: Int32Array, C: number): Measure {
  const N = targets.length;
  const warn = console.warn;
  console.warn = () => {}; // tfjs's CPU backend advises Node users to install tfjs-node on its first tensor
  const x = tf.tensor2d(logits, [N, C]);
  console.warn = warn;
  const labels = tf.oneHot(tf.tensor1d(targets, "int32"), C).toFloat(); // built once, outside the timing
  const forward = (): void => tf.tidy(() => void tf.losses.softmaxCrossEntropy(labels, x).dataSync());
  const gradient = tf.grad((v) => tf.losses.softmaxCrossEntropy(labels, v));
  const both = (): void => tf.tidy(() => void gradient(x).dataSync());
  const m: Measure = {
    impl: IMPL.tfjs,
    rows: N,
    forward: timeOf(forward, REPS.slow, REPS.slowWarmup),
    forwardBackward: timeOf(both, REPS.slow, REPS.slowWarmup),
    forwardGrowth: growthOf(forward),
    forwardBackwardGrowth: growthOf(both),
  };
  tf.dispose([x, labels]);
  return m;
}

/** bench_torch.py's result for one shape: median seconds and bytes of peak RSS growth. */
export interface TorchShape {
  N: number;
  C: number;
  forwardSeconds: number;
  forwardBackwardSeconds: number;
  forwardRssGrowth: number | null;
  forwardBackwardRssGrowth: number | null;
}

/** PyTorch's results, or why there are none ("not installed (...)", "failed: ..."). */
export type TorchResult = { version: string; shapes: TorchShape[] } | string;

/** Repetitions bench_torch.py makes per shape (after its 2 warm-ups). */
export const TORCH_REPS = 5;

export function benchTorch(shapes: ReadonlyArray<[number, number]>, root: string): TorchResult {
  if (!existsSync("/usr/bin/python3")) return "not installed (/usr/bin/python3 missing)";
  try {
    const list = shapes.map(([n, c]) => `${n}x${c}`).join(",");
    const script = join(root, "src", "tools", "bench_torch.py");
    const out = execFileSync("/usr/bin/python3", [script, list, String(TORCH_REPS)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    const parsed = JSON.parse(out) as { torch: string; shapes: TorchShape[] };
    return { version: parsed.torch, shapes: parsed.shapes };
  } catch (error) {
    const text = String((error as { stderr?: string }).stderr ?? error);
    if (text.includes("No module named 'torch'")) return "not installed (python3 -c 'import torch' fails)";
    return `failed: ${text.trim().split("\n").pop()}`;
  }
}
