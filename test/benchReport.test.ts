import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { assemble } from "../src/commands/bench/assemble";
import { expFloorModule, LOGITS } from "../src/commands/bench/expFloor";
import { hasFusedRelaxedSimd } from "../src/flat/wat/features";
import { crossoverLogits, type Measure } from "../src/commands/bench/measure";
import { fastestOf } from "../src/commands/bench/record";
import { runTorch, type TorchPeer } from "../src/commands/bench/torch";
import { benchBlockName, printShape, ratio, readmeMarkdown, replaceBenchBlock, yardstick, type BenchRecord, type Peer } from "../src/commands/bench/report";

// A fixed fake run: round numbers, so each figure of the markdown can be worked out by hand.
const measure = (impl: string, rows: number, forward: number, forwardBackward: number | null, growth = 0): Measure => ({
  impl,
  rows,
  forward,
  forwardBackward,
  forwardGrowth: growth,
  forwardBackwardGrowth: forwardBackward === null ? null : 2 * growth,
});

const peer = (key: string, name: string, short: string, where = "", missing: string | null = null): Peer => ({ key, name, short, where, missing });
const peers: Peer[] = [
  peer("flat", "crossEntropyFlat (wasm)", "crossEntropyFlat"),
  peer("torch2", "PyTorch 2.13.0+cpu, 1 thread", "PyTorch 2.13, 1 thread", ".venv/bin/python"),
  peer("torch2Threads", "PyTorch 2.13.0+cpu, default threads (2)", "PyTorch 2.13, 2 threads", ".venv/bin/python"),
  peer("torch1", "PyTorch 1.13.0a0, 1 thread", "PyTorch 1.13, 1 thread", "/usr/bin/python3"),
  peer("tfjsWasm", "tfjs WebAssembly backend", "tfjs WebAssembly", "", "not installed (optional: npm install --no-save @tensorflow/tfjs-backend-wasm@3.21.0)"),
  peer("tfjsCpu", "tfjs 3.21.0 CPU backend", "tfjs CPU"),
  peer("plainJs", "same, plain JS (Math.exp)", "plain JS (Math.exp)"),
  peer("nested", "crossEntropy (nested)", "nested `crossEntropy`"),
];

const record: BenchRecord = {
  date: "2030-01-02T03:04:05.000Z",
  machine: { cpu: "Test CPU 9000", cores: 2, node: "v20.0.0", v8: "11.3", loadBefore: "0.10 0.20 0.30", loadAfter: "0.40 0.50 0.60" },
  peers,
  results: [
    {
      // 1000 × 1000 = 1e6 logits: 1 ms is 1 ns per logit.
      N: 1000,
      C: 1000,
      measures: [
        measure("torch2", 1000, 0.001, 0.01, 4 * 2 ** 20),
        measure("flat", 1000, 0.002, 0.004, 2 ** 19),
        measure("torch2Threads", 1000, 0.0005, 0.005),
        measure("torch1", 1000, 0.003, 0.006),
        measure("tfjsCpu", 100, 0.04, 0.08), // 1e5 logits: 400 ns per logit
        measure("plainJs", 100, 0.002, 0.006), // 20
        measure("nested", 100, 0.005, null), // 50
      ],
    },
    {
      // 10 × 40000 = 4e5 logits: 0.4 ms is 1 ns per logit.
      N: 10,
      C: 40000,
      measures: [measure("torch2", 10, 0.0012, 0.0024), measure("flat", 10, 0.0004, 0.0008), measure("plainJs", 10, 0.0004 * 1234.5, 0.004)],
    },
  ],
  memoryChild: { batchBytes: 512 * 2 ** 20, forwardGrowth: 0.6 * 2 ** 20, forwardBackwardGrowth: 1.6 * 2 ** 20 },
  seconds: 61.4,
};

describe("the README's benchmark block", () => {
  const markdown = readmeMarkdown(record);
  const lines = markdown.split("\n");

  it("names the machine and the load, and every peer with where it was found", () => {
    expect(lines[0]).toBe(
      "**Test CPU 9000, 2 cores.** Written by `npm run bench -- --readme` on 2030-01-02 (61 s), Node v20.0.0 (V8 11.3); " +
        "load average 0.10 0.20 0.30 before the run, 0.40 0.50 0.60 after (the 1-minute, 5-minute and 15-minute averages).",
    );
    expect(lines[2]).toBe(
      "Peers: PyTorch 2.13.0+cpu, 1 thread (.venv/bin/python); PyTorch 2.13.0+cpu, default threads (2) (.venv/bin/python); " +
        "PyTorch 1.13.0a0, 1 thread (/usr/bin/python3); tfjs 3.21.0 CPU backend; same, plain JS (Math.exp); crossEntropy (nested). " +
        "Missing: tfjs WebAssembly backend: not installed (optional: npm install --no-save @tensorflow/tfjs-backend-wasm@3.21.0).",
    );
    expect(lines[4]).toMatch(/^ns per logit, float32, seeded normal logits: medians of at least 7 runs after 2 warm-ups \(PyTorch: at least 5 after 2, .* at most 2,097,152 logits\), warm-ups lasting at least 0\.25 s and timed runs at least 0\.5 s\. In brackets: the time of PyTorch 2\.13\.0\+cpu, 1 thread over ours/);
  });

  it("says how many rounds each figure is the fastest of, when there were more than one", () => {
    expect(lines[4]).not.toContain("rounds");
    const three = readmeMarkdown({ ...record, rounds: 3 }).split("\n")[4];
    expect(three).toContain(
      "The sweep of PyTorch and crossEntropyFlat, side by side at each shape, ran 3 times over (`--rounds 3`); each of their figures is the fastest of its 3 medians",
    );
  });

  it("keeps each implementation's fastest round (npm run bench -- --rounds K), the memory of the first", () => {
    const rounds = [
      [measure("torch2", 1000, 0.003, 0.02, 5), measure("flat", 1000, 0.002, null, 7)],
      [measure("flat", 1000, 0.001, 0.004, 9), measure("torch2", 1000, 0.004, 0.01, 6)],
      [measure("torch2", 1000, 0.0035, 0.03, 8), measure("flatNode", 1000, 0.0015, 0.003, 3)],
    ];
    // torch2: forward min(0.003, 0.004, 0.0035), forward + backward min(0.02, 0.01, 0.03); flat: min(0.002, 0.001) and the one non-null.
    // flatNode, missing from the first two rounds (its child process failed there), keeps its third.
    expect(fastestOf(rounds)).toEqual([
      measure("torch2", 1000, 0.003, 0.01, 5),
      { ...measure("flat", 1000, 0.001, 0.004, 7), forwardBackwardGrowth: null },
      measure("flatNode", 1000, 0.0015, 0.003, 3),
    ]);
  });

  it("says when the machine was busy", () => {
    expect(lines[0]).not.toContain("busy");
    const busy = readmeMarkdown({ ...record, machine: { ...record.machine, loadBefore: "15.65 15.69 10.43" } });
    expect(busy.split("\n")[0]).toContain("The machine was busy (a load above its 2 cores");
  });

  it("compares with PyTorch: ns per logit, PyTorch 2.x (1 thread)'s time over ours (bold when we are faster), — where nothing ran", () => {
    const table = lines.filter((l) => l.startsWith("|")).slice(0, 4);
    expect(table).toEqual([
      "| shape | crossEntropyFlat fwd | fwd + bwd | PyTorch 2.13, 1 thread fwd | fwd + bwd | PyTorch 2.13, 2 threads fwd | fwd + bwd | PyTorch 1.13, 1 thread fwd | fwd + bwd |",
      "|---|---|---|---|---|---|---|---|---|",
      "| (1000, 1000) | 2.00 (0.50×) | 4.00 (**2.50×**) | 1.00 | 10.0 | 0.500 | 5.00 | 3.00 | 6.00 |",
      "| (10, 40000) | 1.00 (**3.00×**) | 2.00 (**3.00×**) | 3.00 | 6.00 | — | — | — | — |",
    ]);
  });

  it("lists the JavaScript peers, a missing one marked so", () => {
    const table = lines.filter((l) => l.startsWith("|")).slice(4);
    expect(table).toEqual([
      "| shape | tfjs WebAssembly (missing) fwd | fwd + bwd | tfjs CPU fwd | fwd + bwd | plain JS (Math.exp) fwd | fwd + bwd | nested `crossEntropy` fwd |",
      "|---|---|---|---|---|---|---|---|",
      "| (1000, 1000) | — | — | 400 | 800 | 20.0 | 60.0 | 50.0 |",
      "| (10, 40000) | — | — | — | — | 1235 | 10.0 | — |",
    ]);
  });

  it("counts the goals met", () => {
    expect(markdown).toContain(
      "Against PyTorch 2.13.0+cpu, 1 thread, crossEntropyFlat (wasm) is at least as fast at 1 of 2 shapes forward and 2 of 2 " +
        "forward + backward, and at least twice as fast forward + backward at 1 of 1 shapes with C ≥ 32,000. " +
        "Its forward takes at most 1 ns per logit at 1 of 2 shapes with C ≥ 1000. " +
        // Goal 2: PyTorch's 1 ns over our 2 ns at (1000, 1000) is 0.50×, under 0.6; 3.00× at (10, 40000).
        "Forward at least 0.6× as fast as PyTorch 2.13.0+cpu, 1 thread (issue 21's goal 2) at 1 of 2 shapes (the lowest 0.50× at (1000, 1000)).",
    );
  });

  it("gives the machine's drift over the run: the first shape's forward timed again at the end", () => {
    expect(markdown).not.toContain("speed over the run");
    // 2.5 / 2.0 = 1.25; the run's 61.4 s round to 61.
    const drift = readmeMarkdown({ ...record, drift: { N: 1000, C: 1000, startNs: 2, endNs: 2.5 } }).split("\n");
    expect(drift[drift.length - 3]).toBe(
      "The machine's speed over the run: crossEntropyFlat (wasm)'s one-thread forward at (1000, 1000), timed again at the run's end (61 s after its start) " +
        "with the same code and the same batch, took 2.50 ns a logit against 2.00 in the table (1.25×): times move by that much between runs, ratios taken seconds apart less.",
    );
    // With --rounds, against the first round's single timing, not the fastest of the rounds.
    const rounds = readmeMarkdown({ ...record, rounds: 3, drift: { N: 1000, C: 1000, startNs: 2, endNs: 2.5, firstRound: true } }).split("\n");
    expect(rounds[rounds.length - 3]).toContain("took 2.50 ns a logit against 2.00 in the first round (1.25×)");
  });

  it("ends with the memory line", () => {
    expect(lines[lines.length - 1]).toBe(
      "Memory (peak RSS growth of one call, VmHWM after minus VmRSS before): crossEntropyFlat 0.0–1.0 MiB; " +
        "PyTorch 2.13.0+cpu, 1 thread 4.0 MiB (forward) and 8.0 MiB (forward + backward, its autograd allocating the gradient) " +
        "at (1000, 1000). In a fresh process, the forward over a 512.0 MiB float32 batch (4096, 32768) grew the RSS by 0.6 MiB " +
        "(kernel compilation included), forward + backward into a caller's 512.0 MiB grad buffer by 1.6 MiB.",
    );
  });

  it("compares with PyTorch 1.13 when no PyTorch 2.x is installed, and with nothing when neither is", () => {
    const without = peers.map((p) => (p.key.startsWith("torch2") ? { ...p, missing: "not installed (no python with torch >= 2)" } : p));
    expect(yardstick(without)?.key).toBe("torch1");
    expect(ratio(record.results[0], yardstick(without), "forward")).toBeCloseTo(1.5, 12); // 3 ns over 2 ns
    const none = without.map((p) => (p.key === "torch1" ? { ...p, missing: "not installed" } : p));
    const text = readmeMarkdown({ ...record, peers: none });
    expect(text).toContain("No PyTorch ran: no ratios.");
    expect(text).toContain("| PyTorch 2.13, 1 thread (missing) fwd |");
    expect(text).toContain("| (1000, 1000) | 2.00 | 4.00 |");
  });
});

describe("the second Node (npm run bench -- --node PATH)", () => {
  const node24 = peer("flatNode", "crossEntropyFlat (wasm), Node v24.0.0 (relaxed SIMD)", "crossEntropyFlat, Node 24", "/opt/node24");
  const withSecond: BenchRecord = {
    ...record,
    machine: { ...record.machine, relaxedSimd: false },
    peers: [peers[0], node24, ...peers.slice(1)],
    // Node 24 at 1 ns forward (PyTorch's 1 ns: 1.00×) and 2 ns forward + backward (PyTorch's 10: 5.00×).
    results: [{ ...record.results[0], measures: [...record.results[0].measures, measure("flatNode", 1000, 0.001, 0.002)] }, record.results[1]],
    perRow: { flat: { rowNs: 52.25, logitNs: 1.0449 }, flatNode: { rowNs: 31.5, logitNs: 0.75 } },
  };
  const text = readmeMarkdown(withSecond);

  it("says whether this Node has relaxed SIMD", () => {
    expect(text.split("\n")[0]).toContain("Node v20.0.0 (V8 11.3, no relaxed SIMD); load average");
  });

  it("puts its column beside ours, with its ratio to PyTorch, — where it did not run", () => {
    const table = text.split("\n").filter((l) => l.startsWith("|")).slice(0, 4);
    expect(table[0]).toBe(
      "| shape | crossEntropyFlat fwd | fwd + bwd | crossEntropyFlat, Node 24 fwd | fwd + bwd | PyTorch 2.13, 1 thread fwd | fwd + bwd | PyTorch 2.13, 2 threads fwd | fwd + bwd | PyTorch 1.13, 1 thread fwd | fwd + bwd |",
    );
    expect(table[2]).toBe("| (1000, 1000) | 2.00 (0.50×) | 4.00 (**2.50×**) | 1.00 (**1.00×**) | 2.00 (**5.00×**) | 1.00 | 10.0 | 0.500 | 5.00 | 3.00 | 6.00 |");
    expect(table[3]).toBe("| (10, 40000) | 1.00 (**3.00×**) | 2.00 (**3.00×**) | — | — | 3.00 | 6.00 | — | — | — | — |");
  });

  it("counts its goals, and gives the per-row cost of both", () => {
    expect(text).toContain("Under Node v24.0.0 (relaxed SIMD): 1 of 2 forward and 1 of 2 forward + backward. ");
    expect(text).toContain(
      "The forward's fixed cost per row (the intercept of a least-squares line through the time per row at N = 8192, C = 32, 64, 128 and 256): " +
        "52.3 ns a row and 1.04 ns a logit under Node v20.0.0; 31.5 ns a row and 0.75 ns a logit under Node v24.0.0 (relaxed SIMD).",
    );
    expect(text).not.toContain("The exp and the sum alone");
  });

  it("gives the exp's floor under each Node where it was measured, and checks that Node's forward figures against it", () => {
    // Ours (flat): 2.00 ns a logit forward at (1000, 1000) and 1.00 at (10, 40000); Node 24 (flatNode): 1.00 at (1000, 1000).
    const floors = readmeMarkdown({ ...withSecond, perRow: { flat: { rowNs: 52.25, logitNs: 1.0449, expNs: 0.6944 }, flatNode: { rowNs: 31.5, logitNs: 0.75, expNs: 0.5061 } } });
    expect(floors).toContain(
      "over 1024 logits already in the L1 cache, with no max pass, copy or row's finish (`src/commands/bench/expFloor.ts`), a floor under that Node's one-thread forward: " +
        "0.694 ns a logit under Node v20.0.0 (its 2 forward figures in the table all above it); 0.506 ns a logit under Node v24.0.0 (relaxed SIMD) (its forward figure in the table above it).",
    );
    // A floor of 1.5 ns: the 1.00 at (10, 40000) lies below it, and the block says so.
    const below = readmeMarkdown({ ...withSecond, perRow: { flat: { rowNs: 52.25, logitNs: 1.0449, expNs: 1.5 } } });
    expect(below).toContain("1.500 ns a logit under Node v20.0.0 (below it in the table: 1.000 at (10, 40000), which the floor does not explain).");
  });

  it("gives the machine's price for a subnormal float32 result where it was measured (older records: nothing)", () => {
    const perRow = { flat: { rowNs: 52.25, logitNs: 1.0449, expNs: 0.6944 } };
    // 43.4 / 0.68 = 63.8, printed to the unit.
    const priced = readmeMarkdown({ ...withSecond, perRow, subnormal: { normalNs: 0.68, subnormalNs: 43.4 } });
    expect(priced).toContain(
      "A float32 SIMD multiply whose result is subnormal took 43.4 ns, against 0.68 ns with a normal result (64×, `src/commands/bench/subnormal.ts`, under Node v20.0.0): " +
        "the price of one in every row, which the kernel keeps out of ordinary rows (`src/flat/wat/exp.ts`).",
    );
    expect(readmeMarkdown({ ...withSecond, perRow })).not.toContain("subnormal");
  });

  it("breaks each one-thread forward into the copy, the exp and the sum, the row's cost and the rest, per Node", () => {
    const perRow = { flat: { rowNs: 52.25, logitNs: 1.0449, expNs: 0.6944 }, flatNode: { rowNs: 31.5, logitNs: 0.75, expNs: 0.5061 } };
    // (4096, 4096): 2^24 logits, 64 MiB, the least the bandwidth's verdict counts; Node 20 at 1.00 ns a logit.
    const huge = { N: 4096, C: 4096, measures: [measure("flat", 4096, 2 ** 24 / 1e9, null)], copyNs: 0.3 };
    const results = [{ ...withSecond.results[0], copyNs: 0.25 }, { ...withSecond.results[1], copyNs: 0.2 }, huge];
    const lines = readmeMarkdown({ ...withSecond, perRow, results }).split("\n");
    const head = lines.indexOf("| shape | copy | Node 20 forward | exp and sum | row's cost / C | the rest | Node 24 forward | exp and sum | row's cost / C | the rest |");
    expect(head).toBeGreaterThan(0);
    expect(lines[head - 2]).toMatch(/^What each one-thread forward is made of, ns a logit: the copy of the batch .* \(measured under Node 20: /);
    // (1000, 1000), Node 20: 2.00 - 0.25 - 0.6944 - 52.25 / 1000 = 1.0034; Node 24: 1.00 - 0.25 - 0.5061 - 31.5 / 1000 = 0.2124.
    expect(lines[head + 2]).toBe("| (1000, 1000) | 0.25 | 2.00 | 0.69 | 0.05 | 1.00 | 1.00 | 0.51 | 0.03 | 0.21 |");
    // (10, 40000), Node 20: 1.00 - 0.2 - 0.6944 - 52.25 / 40000 = 0.1043; Node 24 did not run it.
    expect(lines[head + 3]).toBe("| (10, 40000) | 0.20 | 1.00 | 0.69 | 0.00 | 0.10 | — | 0.51 | 0.00 | — |");
    // 1.00 - 0.3 - 0.6944 - 52.25 / 4096 = -0.0072: parts measured apart overlap.
    expect(lines[head + 4]).toBe("| (4096, 4096) | 0.30 | 1.00 | 0.69 | 0.01 | -0.01 | — | 0.51 | 0.01 | — |");
    // The bandwidth: 4 bytes / 0.4 ns = 10.0 GB/s; the fastest forward above, 1.00 ns (Node 20 at (10, 40000), Node 24 at
    // (1000, 1000)), is 2.5× that copy's 0.4: more than twice, so no shape is said to be limited by it. At 0.6 ns it is 1.7×.
    expect(lines[head - 2]).not.toContain("bandwidth, as one copy");
    const withBandwidth = (ns: number): string => readmeMarkdown({ ...withSecond, perRow, results, bandwidthNs: ns });
    expect(withBandwidth(0.4)).toContain(
      "its max pass, its calls, the row's finish beyond the fixed cost (below zero where parts measured alone overlap in the forward). " +
        "The memory's bandwidth, as one copy of 256.0 MiB of float32 far beyond the caches meets it: 0.400 ns a logit, 10.0 GB/s read and as much written. " +
        "The fastest one-thread forward of a batch of at least 64.0 MiB, (4096, 4096), took 2.5× the copy's time a logit while moving half its bytes " +
        "to and from memory, so none of those is limited by memory bandwidth.",
    );
    // 1.00 / 1.25 = 0.8: faster than the copy, which moves twice its bytes: bandwidth can limit it.
    expect(withBandwidth(1.25)).toContain("took 0.8× the copy's time a logit while moving half its bytes to and from memory, so bandwidth can limit it.");
    // Without a batch that large, the bandwidth alone, no verdict (the caches hold the batches).
    const small = readmeMarkdown({ ...withSecond, perRow, results: results.slice(0, 2), bandwidthNs: 0.4 });
    expect(small).toContain("0.400 ns a logit, 10.0 GB/s read and as much written.\n");
    // Without the copy (older records) or without the floors, no table.
    expect(readmeMarkdown({ ...withSecond, perRow }).includes("made of")).toBe(false);
    expect(readmeMarkdown({ ...withSecond, results }).includes("made of")).toBe(false);
  });

  it("lists the forward goals missed, each with what it asks beside the exp, the sum and the row's cost", () => {
    // L = 1024 × 1024 = 2^20 logits, the least goal 4 counts; sec(x) is x ns a logit there.
    const L = 1024 * 1024;
    const sec = (ns: number): number => (ns * L) / 1e9;
    const threaded = ["flatThreads", "flatThreadsShared", "flatNodeThreadsShared", "torch2Threads"].map((key) => peer(key, key === "torch2Threads" ? "PyTorch 2.13.0+cpu, default threads (2)" : key, key));
    const missedRecord: BenchRecord = {
      ...withSecond,
      peers: [peers[0], node24, peers[1], ...threaded],
      perRow: { flat: { rowNs: 52.25, logitNs: 1.0449, expNs: 0.6944 }, flatNode: { rowNs: 31.5, logitNs: 0.75, expNs: 0.5061 } },
      threads: { k: 3, startupMs: 40, crossover: [], fromForward: null, fromForwardBackward: null },
      results: [
        // 1e6 logits, under 2^20: goal 2 only. Node 20 at 2.00 against PyTorch's 1.00 (0.50×): asks 1.00 / 0.6 = 1.67;
        // 0.6944 + 52.25 / 1000 = 0.7466. Node 24 at 0.50 (2.00×) is not listed, nor the threads' 0.50× here.
        { N: 1000, C: 1000, measures: [measure("torch2", 1000, 0.001, null), measure("flat", 1000, 0.002, null), measure("flatNode", 1000, 0.0005, null), measure("torch2Threads", 1000, 0.0005, null), measure("flatThreads", 1000, 0.001, null)] },
        {
          N: 1024,
          C: 1024,
          measures: [
            // Node 20 at exactly 0.6× (0.0006 s against 0.001 s): met, not listed. Node 24 at 2.00 against 0.5722: asks
            // 0.5722 / 0.6 = 0.9537; 0.5061 + 31.5 / 1024 = 0.5369.
            measure("torch2", 1024, 0.0006, null), measure("flat", 1024, 0.001, null), measure("flatNode", 1024, sec(2), null),
            // Goal 4, k = 3 against PyTorch's 2 threads at 0.25: each thread may take 3 × 0.25 = 0.75. Ordinary arrays at 0.50
            // (3 × 0.50 = 1.50; 0.6944 + 52.25 / 1024 = 0.7454), shared arrays at 0.25 (met), Node 24's at 0.30 (3 × 0.30 = 0.90).
            measure("torch2Threads", 1024, sec(0.25), null), measure("flatThreads", 1024, sec(0.5), null), measure("flatThreadsShared", 1024, sec(0.25), null), measure("flatNodeThreadsShared", 1024, sec(0.3), null),
          ],
        },
        // Node 20 at 1.00 against 0.50 (0.50×): asks 0.83; 0.6944 + 52.25 / 128 = 1.1026, more than the 1.00 it took.
        { N: 64, C: 128, measures: [measure("torch2", 64, (0.5 * 64 * 128) / 1e9, null), measure("flat", 64, (64 * 128) / 1e9, null)] },
        // The same parts against 1.10 taken: both print as 1.10, so no line says one is more than the other.
        { N: 32, C: 128, measures: [measure("torch2", 32, (0.5 * 32 * 128) / 1e9, null), measure("flat", 32, (1.1 * 32 * 128) / 1e9, null)] },
      ],
    };
    const lines = readmeMarkdown(missedRecord).split("\n");
    const at = lines.findIndex((l) => l.startsWith("Issue 21's forward goals this run missed"));
    expect(lines[at]).toContain("(goal 2: one thread's forward at least 0.6× PyTorch 2.13.0+cpu, 1 thread's speed; goal 4: 3 threads' forward at least as fast as PyTorch 2.13.0+cpu, default threads (2), at shapes of at least 1M logits)");
    expect(lines.slice(at + 2).filter((l) => l.startsWith("- "))).toEqual([
      "- goal 2 at (1000, 1000), Node 20: at most 1.67, took 2.00; exp and sum 0.69 + row 52.3 / 1000 = 0.75.",
      "- goal 2 at (64, 128), Node 20: at most 0.83, took 1.00; exp and sum 0.69 + row 52.3 / 128 = 1.10 (more than Node 20's one-thread forward here, 1.00: measured apart, the parts overstate it).",
      "- goal 2 at (32, 128), Node 20: at most 0.83, took 1.10; exp and sum 0.69 + row 52.3 / 128 = 1.10.",
      "- goal 2 at (1024, 1024), Node 24: at most 0.95, took 2.00; exp and sum 0.51 + row 31.5 / 1024 = 0.54.",
      "- goal 4 at (1024, 1024), Node 20, 3 threads: each thread at most 0.75, took 1.50; exp and sum 0.69 + row 52.3 / 1024 = 0.75.",
      "- goal 4 at (1024, 1024), Node 24, 3 threads, shared arrays: each thread at most 0.75, took 0.90; exp and sum 0.51 + row 31.5 / 1024 = 0.54.",
    ]);
    // Without the exp's floor, nothing to set the goals against: no list.
    expect(readmeMarkdown({ ...missedRecord, perRow: { flat: { rowNs: 52.25, logitNs: 1.0449 } } })).not.toContain("goals this run missed");
  });

  it("leaves it out, unlisted, when no second Node was given", () => {
    const without = readmeMarkdown({ ...withSecond, peers: [peers[0], { ...node24, missing: "no second Node" }, ...peers.slice(1)] });
    expect(without).not.toContain("Node 24");
    expect(without).not.toContain("no second Node");
  });
});

describe("replacing a machine's block (one per CPU model)", () => {
  const xeon = "Intel(R) Xeon(R) Processor";
  const readme = "# Title\n\ntext\n\n<!-- bench intel-xeon-processor:start -->\nold table\n<!-- bench intel-xeon-processor:end -->\n\n## Next\n";

  it("names a block after the CPU model: lower case, letters and digits, without (R) or (TM)", () => {
    expect(benchBlockName(xeon)).toBe("bench intel-xeon-processor");
    expect(benchBlockName("AMD EPYC")).toBe("bench amd-epyc");
    expect(benchBlockName("Intel(TM) Core(TM) i7-8700 CPU @ 3.20GHz")).toBe("bench intel-core-i7-8700-cpu-3-20ghz");
    expect(benchBlockName("  ")).toBe("bench unknown-cpu");
  });

  it("replaces only what lies between its machine's markers, and again the same way", () => {
    const once = replaceBenchBlock(readme, "new table\n", xeon);
    expect(once).toBe("# Title\n\ntext\n\n<!-- bench intel-xeon-processor:start -->\n\nnew table\n\n<!-- bench intel-xeon-processor:end -->\n\n## Next\n");
    expect(replaceBenchBlock(once, "new table", xeon)).toBe(once);
  });

  it("adds a block after the last machine's for a machine without one, leaving the others' figures", () => {
    const both = replaceBenchBlock(readme, "AMD's table", "AMD EPYC");
    expect(both).toBe(
      "# Title\n\ntext\n\n<!-- bench intel-xeon-processor:start -->\nold table\n<!-- bench intel-xeon-processor:end -->\n" +
        "\n<!-- bench amd-epyc:start -->\n\nAMD's table\n\n<!-- bench amd-epyc:end -->\n\n## Next\n",
    );
    // Then each machine's run replaces its own block only.
    const again = replaceBenchBlock(both, "AMD's second table", "AMD EPYC");
    expect(again).toContain("old table");
    expect(again).toContain("AMD's second table");
    expect(again).not.toContain("AMD's table\n");
    expect(replaceBenchBlock(again, "Xeon's table", xeon)).toContain("<!-- bench intel-xeon-processor:start -->\n\nXeon's table\n\n<!-- bench intel-xeon-processor:end -->\n\n<!-- bench amd-epyc:start -->\n\nAMD's second table");
  });

  it("adds a new machine's block after the last machine's, not after the fused head's block that follows them", () => {
    const amd = "<!-- bench amd-epyc:start -->\nAMD\n<!-- bench amd-epyc:end -->\n";
    const linear = "\n<!-- bench-linear:start -->\nfused\n<!-- bench-linear:end -->\n";
    const three = replaceBenchBlock(readme.replace("\n## Next\n", "") + amd + linear, "Core's table", "Intel(R) Core(TM) i7");
    expect(three.indexOf("<!-- bench intel-core-i7:start -->")).toBeGreaterThan(three.indexOf("<!-- bench amd-epyc:end -->"));
    expect(three.indexOf("<!-- bench intel-core-i7:end -->")).toBeLessThan(three.indexOf("<!-- bench-linear:start -->"));
  });

  it("refuses the README's single block of before, naming the markers to rename it to", () => {
    const old = "# Title\n\n<!-- bench:start -->\nold table\n<!-- bench:end -->\n";
    expect(() => replaceBenchBlock(old, "x", "AMD EPYC")).toThrow(
      'the README holds the old "<!-- bench:start -->" … "<!-- bench:end -->" block: rename its markers after the machine it was measured on (this machine\'s: "<!-- bench amd-epyc:start -->" … "<!-- bench amd-epyc:end -->")',
    );
    expect(() => replaceBenchBlock(readme + old, "x", xeon)).toThrow(/holds the old/);
  });

  it("refuses a README without any machine's block, or with a machine's markers twice or in the wrong order", () => {
    expect(() => replaceBenchBlock("# Title\n", "x", xeon)).toThrow(/the README has no machine's benchmark block .* to add "<!-- bench intel-xeon-processor:start -->"/);
    const message = /exactly one "<!-- bench intel-xeon-processor:start -->" followed by one "<!-- bench intel-xeon-processor:end -->"/;
    expect(() => replaceBenchBlock(readme + readme, "x", xeon)).toThrow(message);
    expect(() => replaceBenchBlock("<!-- bench intel-xeon-processor:end -->\n<!-- bench intel-xeon-processor:start -->\n", "x", xeon)).toThrow(message);
  });
});

describe("the threaded column (npm run bench: threads: 2)", () => {
  const threaded = peer("flatThreads", "crossEntropyFlat (wasm), 2 threads", "crossEntropyFlat, 2 threads");
  const withThreads: BenchRecord = {
    ...record,
    peers: [peers[0], threaded, ...peers.slice(1)],
    // 2 threads at 0.25 ns forward against PyTorch's 2 threads at 0.5 ns: 2.00×; forward + backward 10 ns against 5: 0.50×.
    // Only (1000, 1000) has at least 1M logits (2^20 = 1,048,576: 1e6 has fewer), so none counts.
    results: [{ ...record.results[0], measures: [...record.results[0].measures, measure("flatThreads", 1000, 0.00025, 0.01)] }, record.results[1]],
    threads: {
      k: 2,
      startupMs: 41.26,
      copyNs: { inNs: 0.123, outNs: 0.2 },
      parallelism: 1.254,
      crossover: [
        { N: 64, C: 1000, forward: [2, 3], forwardBackward: [2, 3] },
        { N: 128, C: 1000, forward: [4, 3], forwardBackward: [4, 5] },
        { N: 256, C: 1000, forward: [8, 5], forwardBackward: [8, 6] },
      ],
      fromForward: 128_000,
      fromForwardBackward: 256_000,
    },
  };
  const text = readmeMarkdown(withThreads);

  it("puts its column beside PyTorch's default threads, its ratio taken against them", () => {
    const table = text.split("\n").filter((l) => l.startsWith("|")).slice(0, 3);
    expect(table[0]).toContain("| PyTorch 2.13, 1 thread fwd | fwd + bwd | crossEntropyFlat, 2 threads fwd | fwd + bwd | PyTorch 2.13, 2 threads fwd |");
    expect(table[2]).toContain("| 1.00 | 10.0 | 0.250 (**2.00×**) | 10.0 (0.50×) | 0.500 | 5.00 |");
  });

  it("gives the goal's count, the pool's start-up and the crossover", () => {
    expect(text).toContain(
      "With `threads: 2`, in brackets against PyTorch 2.13.0+cpu, default threads (2): at least as fast at 0 of 0 shapes of at least 1M logits forward and 0 of 0 forward + backward. " +
        "The pool's start-up (`startThreads(2)`, its worker's kernels compiled) took 41.3 ms. " +
        "Handing rows to a worker costs the calling thread 0.12 ns a logit (the copy into its shared slot) and the gradient 0.20 ns a logit back. " +
        "Against one thread at C = 1000 and N = 64, 128, 256, 2 threads were faster from 128,000 logits forward and from 256,000 logits forward + backward; " +
        "smaller batches stay on one thread by themselves. " +
        "At the time, two threads of plain arithmetic got 1.25× one thread's work done (2.00×: a free second core), a bound on any threaded speed-up.",
    );
  });

  it("puts the shared arrays' column beside the threaded one, counted against PyTorch's default threads", () => {
    const shared = peer("flatThreadsShared", "crossEntropyFlat (wasm), 2 threads, shared arrays", "crossEntropyFlat, 2 threads, shared arrays", "sharedFloat32Array");
    // 1024 × 1024 = 2^20 logits, at least 1M: 2^20 ns is 1 ns per logit. PyTorch's 2 threads 1 ns forward and 2 forward +
    // backward; ordinary arrays 2 and 1 (0.50×, 2.00×); shared arrays 0.5 and 1 (2.00×, 2.00×).
    const ns = (x: number): number => (x * 2 ** 20) / 1e9;
    const big = {
      N: 1024,
      C: 1024,
      measures: [measure("torch2Threads", 1024, ns(1), ns(2)), measure("flatThreads", 1024, ns(2), ns(1)), measure("flatThreadsShared", 1024, ns(0.5), ns(1))],
    };
    const both: BenchRecord = {
      ...withThreads,
      peers: [peers[0], threaded, shared, ...peers.slice(1)],
      results: [{ ...withThreads.results[0], measures: [...withThreads.results[0].measures, measure("flatThreadsShared", 1000, 0.0004, 0.004)] }, withThreads.results[1], big],
    };
    const markdown = readmeMarkdown(both);
    const table = markdown.split("\n").filter((l) => l.startsWith("|")).slice(0, 5);
    expect(table[0]).toContain("| crossEntropyFlat, 2 threads fwd | fwd + bwd | crossEntropyFlat, 2 threads, shared arrays fwd | fwd + bwd | PyTorch 2.13, 2 threads fwd |");
    // (1000, 1000): 0.4 ns against 0.5 forward (1.25×), 4.0 against 5.0 forward + backward (1.25×).
    expect(table[2]).toContain("| 0.250 (**2.00×**) | 10.0 (0.50×) | 0.400 (**1.25×**) | 4.00 (**1.25×**) | 0.500 | 5.00 |");
    expect(table[4]).toContain("| 2.00 (0.50×) | 1.00 (**2.00×**) | 0.500 (**2.00×**) | 1.00 (**2.00×**) | 1.00 | 2.00 |");
    expect(markdown).toContain(
      "at least as fast at 0 of 1 shapes of at least 1M logits forward and 1 of 1 forward + backward; with the logits and the gradient on SharedArrayBuffers " +
        "(`sharedFloat32Array`, the workers read and write them where they are), 1 of 1 forward and 1 of 1 forward + backward. ",
    );
    expect(markdown).toContain("crossEntropyFlat (wasm), 2 threads, shared arrays (sharedFloat32Array)");
  });

  it("puts the second Node's threaded column after ours, counted against PyTorch's default threads", () => {
    const shared = peer("flatThreadsShared", "crossEntropyFlat (wasm), 2 threads, shared arrays", "crossEntropyFlat, 2 threads, shared arrays", "sharedFloat32Array");
    const node24 = peer(
      "flatNodeThreadsShared",
      "crossEntropyFlat (wasm), Node v24.0.0 (relaxed SIMD), 2 threads, shared arrays",
      "crossEntropyFlat, Node 24, 2 threads, shared arrays",
      "/opt/node24",
    );
    // 1024 × 1024 logits: PyTorch's 2 threads 1 ns forward, 2 forward + backward; Node 20 shared 2 and 4 (0.50×, 0.50×);
    // Node 24 shared 0.8 and 1 (1/0.8 = 1.25×, 2.00×).
    const ns = (x: number): number => (x * 2 ** 20) / 1e9;
    const big = {
      N: 1024,
      C: 1024,
      measures: [measure("torch2Threads", 1024, ns(1), ns(2)), measure("flatThreads", 1024, ns(2), ns(4)), measure("flatThreadsShared", 1024, ns(2), ns(4)), measure("flatNodeThreadsShared", 1024, ns(0.8), ns(1))],
    };
    const markdown = readmeMarkdown({ ...withThreads, peers: [peers[0], threaded, shared, node24, ...peers.slice(1)], results: [withThreads.results[1], big] });
    const table = markdown.split("\n").filter((l) => l.startsWith("|")).slice(0, 4);
    expect(table[0]).toContain("| crossEntropyFlat, 2 threads, shared arrays fwd | fwd + bwd | crossEntropyFlat, Node 24, 2 threads, shared arrays fwd | fwd + bwd | PyTorch 2.13, 2 threads fwd |");
    expect(table[3]).toContain("| 2.00 (0.50×) | 4.00 (0.50×) | 0.800 (**1.25×**) | 1.00 (**2.00×**) | 1.00 | 2.00 |");
    expect(markdown).toContain(
      "0 of 1 shapes of at least 1M logits forward and 0 of 1 forward + backward" +
        "; with the logits and the gradient on SharedArrayBuffers (`sharedFloat32Array`, the workers read and write them where they are), 0 of 1 forward and 0 of 1 forward + backward" +
        "; the same under Node v24.0.0 (relaxed SIMD): 1 of 1 forward and 1 of 1 forward + backward. ",
    );
    // Missing, it is left out of the table and of the peers, as the one-thread column is.
    const gone = readmeMarkdown({ ...withThreads, peers: [peers[0], threaded, shared, { ...node24, missing: "no second Node" }, ...peers.slice(1)], results: [big] });
    expect(gone).not.toContain("Node 24, 2 threads");
    expect(gone).not.toContain("no second Node");
  });

  it("crossoverLogits: the smallest size from which every larger one is faster", () => {
    const points = withThreads.threads?.crossover ?? [];
    expect(crossoverLogits(points, "forward")).toBe(128_000);
    expect(crossoverLogits(points, "forwardBackward")).toBe(256_000);
    expect(crossoverLogits([...points, { N: 512, C: 1000, forward: [1, 2], forwardBackward: [3, 2] }], "forward")).toBeNull();
  });
});

describe("the exp's floor (expFloor.ts) computes what it times", () => {
  async function check(relaxed: boolean): Promise<void> {
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(await assemble("expFloor.wat", expFloorModule(relaxed), relaxed)), {});
    const { memory, run } = exports as unknown as { memory: WebAssembly.Memory; run(n: number, reps: number): number };
    const x = new Float32Array(memory.buffer, 0, LOGITS);
    for (let i = 0; i < LOGITS; i++) x[i] = Math.fround(Math.sin(i) * 3);
    let expected = 0;
    for (let i = 0; i < LOGITS; i += 4) expected += Math.exp(Math.fround(x[i] - 3));
    // 256 terms in lane 0, each exp within 1.8e-7 relative (exp.ts: the exact build's "rr2-p5";
    // the relaxed build's "rr1-p5", 1.9e-7 for x - 3 in [-6, 0]), summed in float32 over 4
    // running sums of 64 terms then 3 additions: at most 67 roundings of 2^-24 of the total, 4.0e-6.
    const exp = relaxed ? 1.9e-7 : 1.8e-7;
    expect(Math.abs(run(LOGITS, 1) - expected) / expected).toBeLessThan(exp + 67 * 2 ** -24);
    // Twice over the logits: twice the sum.
    expect(Math.abs(run(LOGITS, 2) - 2 * expected) / (2 * expected)).toBeLessThan(exp + 2 * 67 * 2 ** -24);
  }
  it("exact build: lane 0 of its sums is Σ exp(x - 3) over every 4th logit, within the float32 exp's and sum's rounding", () => check(false));
  // Node 20 cannot run the relaxed build; CI runs this file under Node 24 too.
  // The relaxed float32 exp's bound holds with fused multiply-adds (kernelFor loads it only then).
  it.skipIf(!hasFusedRelaxedSimd())("relaxed build (hoisted constants, relaxed multiply-adds): the same", () => check(true));
});

describe("a PyTorch run that fails after PyTorch has run (npm run bench -- --rounds K)", () => {
  // A stand-in python: its runs follow the script of outcomes in `plan` (one line a run: ok or fail), the run's number kept in `count`.
  const fakePython = (plan: string[]): string => {
    const dir = mkdtempSync(join(tmpdir(), "bench-torch-"));
    writeFileSync(join(dir, "plan"), plan.join("\n") + "\n");
    writeFileSync(join(dir, "count"), "0");
    const python = join(dir, "python");
    writeFileSync(
      python,
      `#!/bin/sh
n=$(($(cat ${dir}/count) + 1)); echo $n > ${dir}/count
if [ "$(sed -n "\${n}p" ${dir}/plan)" = fail ]; then echo "Traceback (most recent call last):" >&2; echo "RuntimeError: run $n failed" >&2; exit 1; fi
echo '{"torch": "2.13.0", "threads": 1, "shapes": [{"forwardSeconds": 0.00'$n', "forwardBackwardSeconds": 0.0'$n', "forwardRssGrowth": 0, "forwardBackwardRssGrowth": 0}]}'
`,
    );
    chmodSync(python, 0o755);
    return python;
  };
  // runTorch's root only locates pytorch.py, which the stand-in does not read.
  const ROOT = process.cwd();
  const torchPeer = (python: string): TorchPeer => ({ key: "torch2", python, version: "2.13.0", capability: "", threads: 1, used: null, missing: null, failures: [] });

  it("keeps the peer and its figures, names the failed run, and runs it again", () => {
    const peer = torchPeer(fakePython(["ok", "fail", "ok"]));
    expect(runTorch(peer, 10, 20, ROOT)?.forward).toBe(0.001);
    expect(runTorch(peer, 30, 40, ROOT)).toBeNull();
    expect(peer.missing).toBeNull();
    expect(peer.failures).toEqual(["(30, 40): RuntimeError: run 2 failed"]);
    // The next round at the same shape runs it again.
    expect(runTorch(peer, 30, 40, ROOT)?.forwardBackward).toBe(0.03);
  });

  it("marks a peer whose first run fails missing, and does not run it again", () => {
    const peer = torchPeer(fakePython(["fail", "ok"]));
    expect(runTorch(peer, 10, 20, ROOT)).toBeNull();
    expect(peer.missing).toBe("failed: RuntimeError: run 1 failed");
    expect(runTorch(peer, 10, 20, ROOT)).toBeNull();
    expect(peer.failures).toEqual([]);
  });

  it("shows the figures of the other rounds and names the failed runs, in the README's block and on the console", () => {
    const failures = ["(10, 40000): RuntimeError: out of memory"];
    const withFailures = peers.map((p) => (p.key === "torch2" ? { ...p, failures } : p));
    // Round 1 measured (10, 40000); its second round failed there. (1000, 1000): no round finished.
    const results = record.results.map((r) => (r.N === 1000 ? { ...r, measures: r.measures.filter((m) => m.impl !== "torch2") } : r));
    const block = readmeMarkdown({ ...record, peers: withFailures, results }).split("\n");
    expect(block[2]).toContain(
      " Runs that failed (the figures are the other runs'; a shape none of them finished shows —): PyTorch 2.13.0+cpu, 1 thread at (10, 40000): RuntimeError: out of memory.",
    );
    expect(block[2]).not.toContain("Missing: PyTorch 2.13.0+cpu, 1 thread");
    const rows = block.filter((l) => l.startsWith("|")).slice(2, 4);
    // (1000, 1000): crossEntropyFlat's 2 ns a logit, no PyTorch 2 to compare with; (10, 40000) as before: 1.2 ms over 0.4 = 3.00×.
    expect(rows[0]).toMatch(/^\| \(1000, 1000\) \| 2\.00 \| 4\.00 \| — \| — \|/);
    expect(rows[1]).toMatch(/^\| \(10, 40000\) \| 1\.00 \(\*\*3\.00×\*\*\) \| 2\.00 \(\*\*3\.00×\*\*\) \| 3\.00 \| 6\.00 \|/);
    const logged: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void logged.push(args.join(" ")));
    try {
      printShape(results[0], withFailures);
      printShape(results[1], withFailures);
    } finally {
      log.mockRestore();
    }
    expect(logged).toContain("  PyTorch 2.13.0+cpu, 1 thread: not run");
    expect(logged).toContain("  PyTorch 2.13.0+cpu, 1 thread: 1 run failed here (RuntimeError: out of memory); its figures are its other rounds'");
  });
});
