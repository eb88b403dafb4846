/**
 * tfjs as a peer of `npm run bench`, in this process: tf.losses.softmaxCrossEntropy, forward
 * ("mean") and forward + backward (tf.grad), on two backends:
 *   - WebAssembly (@tensorflow/tfjs-backend-wasm 3.21.0, SIMD): the JavaScript peer a user
 *     would pick for speed. An optional install, too big for the course's node_modules budget:
 *     `npm install --no-save @tensorflow/tfjs-backend-wasm@3.21.0`. Absent, its column says so.
 *   - the pure-JavaScript CPU backend, which the project installs (danfo's tfjs).
 */
import { createRequire } from "node:module";
import { REPS, growthOf, timeOf, type Measure } from "./measure";

/** The part of tfjs-core used here (typed by hand: tfjs is only a danfojs dependency). */
interface TfTensor {
  dataSync(): unknown;
}
export interface Tf {
  version?: Record<string, string>;
  version_core?: string;
  setBackend(name: string): Promise<boolean>;
  getBackend(): string;
  env(): { getAsync(flag: string): Promise<unknown> };
  tensor1d(values: Int32Array, dtype: string): TfTensor;
  tensor2d(values: Float32Array, shape: [number, number]): TfTensor;
  oneHot(indices: TfTensor, depth: number): TfTensor;
  cast(x: TfTensor, dtype: string): TfTensor;
  tidy(fn: () => void): void;
  grad(fn: (x: TfTensor) => TfTensor): (x: TfTensor) => TfTensor;
  dispose(tensors: TfTensor[]): void;
  Reduction: { NONE: number };
  losses: { softmaxCrossEntropy(labels: TfTensor, logits: TfTensor, weights?: TfTensor, labelSmoothing?: number, reduction?: number): TfTensor };
}

/** A tfjs backend ready to run, or why not. */
export interface TfPeer {
  key: "tfjsWasm" | "tfjsCpu";
  name: string;
  tf: Tf | null;
  missing: string | null;
}

/** The install line the bench and the README give for the optional WebAssembly backend. */
export const TFJS_WASM_INSTALL = "npm install --no-save @tensorflow/tfjs-backend-wasm@3.21.0";

/** Run `fn` with console.log and console.warn silenced (tfjs advises Node users to install tfjs-node). */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const { log, warn } = console;
  console.log = console.warn = () => {};
  try {
    return await fn();
  } finally {
    Object.assign(console, { log, warn });
  }
}

/** tfjs-core's WebAssembly backend, from the tfjs-core the backend itself resolves (one instance). */
export async function loadTfWasm(): Promise<TfPeer> {
  const peer: TfPeer = { key: "tfjsWasm", name: "tfjs WebAssembly backend", tf: null, missing: null };
  let entry: string;
  try {
    entry = require.resolve("@tensorflow/tfjs-backend-wasm");
  } catch {
    peer.missing = `not installed (optional: ${TFJS_WASM_INSTALL})`;
    return peer;
  }
  try {
    const from = createRequire(entry);
    const tf = from("@tensorflow/tfjs-core") as Tf;
    const backend = from("@tensorflow/tfjs-backend-wasm") as { version_wasm: string };
    if (!(await quietly(() => tf.setBackend("wasm")))) throw new Error("tf.setBackend('wasm') returned false");
    const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) ? "SIMD" : "no SIMD";
    peer.name = `tfjs ${backend.version_wasm} WebAssembly backend (${simd})`;
    peer.tf = tf;
  } catch (error) {
    peer.missing = `failed to load: ${error instanceof Error ? error.message : String(error)}`;
  }
  return peer;
}

/** tfjs' pure-JavaScript CPU backend: the project's tfjs-node stand-in, or @tensorflow/tfjs. */
export async function loadTfCpu(): Promise<TfPeer> {
  const peer: TfPeer = { key: "tfjsCpu", name: "tfjs CPU backend", tf: null, missing: "not installed (@tensorflow/tfjs-node or @tensorflow/tfjs)" };
  for (const name of ["@tensorflow/tfjs-node", "@tensorflow/tfjs"]) {
    try {
      const tf = await quietly(async () => require(name) as Tf);
      if (!(await quietly(() => Promise.resolve(tf.setBackend("cpu"))))) continue;
      return { ...peer, name: `tfjs ${tf.version?.["tfjs-core"] ?? tf.version_core ?? "(version unknown)"} CPU backend`, tf, missing: null };
    } catch {
      // try the next name
    }
  }
  return peer;
}

/** Both backends share one tfjs-core when the wasm backend is installed: each measure selects its own. */
export async function benchTf(peer: TfPeer, logits: Float32Array, targets: Int32Array, C: number): Promise<Measure | null> {
  const tf = peer.tf;
  if (!tf) return null;
  await quietly(() => Promise.resolve(tf.setBackend(peer.key === "tfjsWasm" ? "wasm" : "cpu")));
  const N = targets.length;
  const x = await quietly(async () => tf.tensor2d(logits, [N, C]));
  const labels = tf.cast(tf.oneHot(tf.tensor1d(targets, "int32"), C), "float32"); // built once, outside the timing
  const forward = (): void => tf.tidy(() => void tf.losses.softmaxCrossEntropy(labels, x).dataSync());
  // The gradient of the per-row losses' sum (N times the mean's, the same work): tfjs-core
  // alone registers no gradient for the mean's division, only softmaxCrossEntropy's own.
  const gradient = tf.grad((v) => tf.losses.softmaxCrossEntropy(labels, v, undefined, 0, tf.Reduction.NONE));
  const both = (): void => tf.tidy(() => void gradient(x).dataSync());
  const m: Measure = {
    impl: peer.key,
    rows: N,
    forward: timeOf(forward, REPS.slow, REPS.slowWarmup),
    forwardBackward: timeOf(both, REPS.slow, REPS.slowWarmup),
    forwardGrowth: growthOf(forward),
    forwardBackwardGrowth: growthOf(both),
  };
  tf.dispose([x, labels]);
  return m;
}
