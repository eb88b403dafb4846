import { describe, expect, it } from "vitest";
import { IMPL, type Measure } from "../src/tools/benchMeasure";
import { readmeMarkdown, replaceBenchBlock, type BenchRecord } from "../src/tools/benchReport";

// A fixed fake run: round numbers, so each figure of the markdown can be worked out by hand.
const measure = (impl: string, rows: number, forward: number, forwardBackward: number | null, growth = 0): Measure => ({
  impl,
  rows,
  forward,
  forwardBackward,
  forwardGrowth: growth,
  forwardBackwardGrowth: forwardBackward === null ? null : 2 * growth,
});

const record: BenchRecord = {
  date: "2030-01-02T03:04:05.000Z",
  machine: { cpu: "Test CPU 9000", cores: 2, node: "v20.0.0", v8: "11.3", loadBefore: "0.10 0.20 0.30", loadAfter: "0.40 0.50 0.60" },
  torch: { version: "1.13.0", shapes: [] },
  tfjs: "tfjs 3.21.0 (CPU backend)",
  results: [
    {
      // 1000 × 1000 = 1e6 logits: 1 ms is 1 ns per logit.
      N: 1000,
      C: 1000,
      measures: [
        measure(IMPL.flat, 1000, 0.002, 0.004, 2 ** 19),
        measure(IMPL.plainJs, 100, 0.002, 0.006), // 1e5 logits: 20 ns per logit
        measure(IMPL.nested, 100, 0.005, null), // 50
        measure(IMPL.tfjs, 100, 0.04, 0.08), // 400
      ],
      torch: { N: 1000, C: 1000, forwardSeconds: 0.001, forwardBackwardSeconds: 0.01, forwardRssGrowth: 4 * 2 ** 20, forwardBackwardRssGrowth: 8 * 2 ** 20 },
    },
    {
      N: 10,
      C: 100,
      measures: [measure(IMPL.flat, 10, 2e-6, 3e-6), measure(IMPL.plainJs, 10, 1234.5e-6, 1e-5), measure(IMPL.nested, 10, 5e-5, null)],
      torch: null,
    },
  ],
  memoryChild: { batchBytes: 512 * 2 ** 20, forwardGrowth: 0.6 * 2 ** 20, forwardBackwardGrowth: 1.6 * 2 ** 20 },
  seconds: 61.4,
};

describe("the README's benchmark block", () => {
  const markdown = readmeMarkdown(record);
  const lines = markdown.split("\n");

  it("names the machine, the versions and the load", () => {
    expect(lines[0]).toBe(
      "Written by `npm run bench -- --readme` on 2030-01-02 (61 s). Machine: Test CPU 9000, 2 cores, Node v20.0.0 (V8 11.3), " +
        "PyTorch 1.13.0 (CPU, `torch.set_num_threads(1)`), tfjs 3.21.0 (CPU backend); load average 0.10 0.20 0.30 before the run, " +
        "0.40 0.50 0.60 after (the 1-minute, 5-minute and 15-minute averages).",
    );
    expect(lines[2]).toMatch(/^ns per logit, float32, single thread: medians of 7 runs after 2 warm-ups \(PyTorch: 5 after 2; .* at most 2,097,152 logits\)/);
  });

  it("has one row per shape: ns per logit, PyTorch's time over ours (bold when we are faster), — where nothing ran", () => {
    const table = lines.filter((l) => l.startsWith("|"));
    expect(table).toEqual([
      "| shape | crossEntropyFlat forward | forward + backward | PyTorch forward | forward + backward | plain JS (Math.exp) fwd | nested `crossEntropy` fwd | tfjs fwd |",
      "|---|---|---|---|---|---|---|---|",
      "| (1000, 1000) | 2.00 (0.50×) | 4.00 (**2.50×**) | 1.00 | 10.0 | 20.0 | 50.0 | 400 |",
      "| (10, 100) | 2.00 | 3.00 | — | — | 1235 | 50.0 | — |",
    ]);
  });

  it("ends with the memory line", () => {
    expect(lines[lines.length - 1]).toBe(
      "Memory (peak RSS growth of one call, VmHWM after minus VmRSS before): crossEntropyFlat 0.0–1.0 MiB; " +
        "PyTorch 4.0 MiB (forward) and 8.0 MiB (forward + backward) at (1000, 1000). In a fresh process, the forward over a " +
        "512.0 MiB float32 batch (4096, 32768) grew the RSS by 0.6 MiB (kernel compilation included), forward + backward " +
        "into a caller's 512.0 MiB grad buffer by 1.6 MiB.",
    );
  });

  it("gives one figure when every call of crossEntropyFlat grew the RSS alike", () => {
    const flat = (m: Measure): Measure => (m.impl === IMPL.flat ? { ...m, forwardGrowth: 0, forwardBackwardGrowth: 0 } : m);
    const same = readmeMarkdown({ ...record, results: record.results.map((r) => ({ ...r, measures: r.measures.map(flat) })) });
    expect(same).toContain("before): crossEntropyFlat 0.0 MiB; PyTorch");
  });

  it("says so when PyTorch is missing", () => {
    const without = readmeMarkdown({ ...record, torch: "not installed (/usr/bin/python3 missing)", tfjs: undefined });
    expect(without).toContain("PyTorch not installed (/usr/bin/python3 missing), tfjs (version not recorded);");
  });
});

describe("replacing the block between the markers", () => {
  const readme = "# Title\n\ntext\n\n<!-- bench:start -->\nold table\n<!-- bench:end -->\n\n## Next\n";

  it("replaces only what lies between the markers, and again the same way", () => {
    const once = replaceBenchBlock(readme, "new table\n");
    expect(once).toBe("# Title\n\ntext\n\n<!-- bench:start -->\n\nnew table\n\n<!-- bench:end -->\n\n## Next\n");
    expect(replaceBenchBlock(once, "new table")).toBe(once);
  });

  it("refuses a README without the markers, with them twice, or in the wrong order", () => {
    const message = /exactly one "<!-- bench:start -->" followed by one "<!-- bench:end -->"/;
    expect(() => replaceBenchBlock("# Title\n", "x")).toThrow(message);
    expect(() => replaceBenchBlock(readme + readme, "x")).toThrow(message);
    expect(() => replaceBenchBlock("<!-- bench:end -->\n<!-- bench:start -->\n", "x")).toThrow(message);
  });
});
