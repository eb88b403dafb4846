// danfojs-node's heavy or risky dependencies are replaced by the folders in src/shims/
// (package.json "overrides"). These tests hold the replacements to what the course needs.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..");

/** Runs a snippet in a fresh Node process from the project root: module state is per process. */
function node(code: string) {
  const run = spawnSync(process.execPath, ["-e", code], { cwd: root, encoding: "utf8" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("@tensorflow/tfjs-node is tfjs-core on the pure-JavaScript CPU backend", () => {
  it("gives danfo one tfjs-core instance, the CPU backend, and no warnings", () => {
    const run = node(`
      const dfd = require("danfojs-node");
      const fromDanfo = require.resolve("@tensorflow/tfjs-core", { paths: [require.resolve("@tensorflow/tfjs-node", { paths: [require.resolve("danfojs-node")] })] });
      const core = require("@tensorflow/tfjs-core");
      const df = new dfd.DataFrame({ a: [1, 2, 3], b: [4, 5, 6.5] });
      const tensor = df.tensor; // danfo's own tf tensor of the frame, made on the registered backend
      console.log(JSON.stringify({
        tensor: Array.from(tensor.dataSync()),
        chained: Array.from(tensor.toFloat().sum(0).dataSync()),
        argMax: new dfd.Series([1, 5, 2]).argMax(),
        same: fromDanfo === require.resolve("@tensorflow/tfjs-core"),
        backend: core.getBackend(),
        backends: Object.keys(core.engine().registryFactory),
        sum: df.sum({ axis: 0 }).values,
        mean: df.mean({ axis: 0 }).values,
      }));
    `);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe(""); // no "Platform node has already been set", no "install tfjs-node" advice
    const result = JSON.parse(run.stdout);
    expect(result.same).toBe(true);
    expect(result.backend).toBe("cpu");
    expect(result.backends).toEqual(["cpu"]);
    expect(result.tensor).toEqual([1, 4, 2, 5, 3, 6.5]);
    expect(result.chained).toEqual([1 + 2 + 3, 4 + 5 + 6.5]); // the chained methods tfjs-node adds
    expect(result.argMax).toBe(1); // Series.argMax uses one of them
    expect(result.sum).toEqual([1 + 2 + 3, 4 + 5 + 6.5]);
    expect(result.mean).toEqual([(1 + 2 + 3) / 3, (4 + 5 + 6.5) / 3]);
  });

  it("gives danfo tf.data, for sample()", () => {
    const run = node(`new (require("danfojs-node").DataFrame)({ a: [1, 2, 3, 4, 5] }).sample(2, { seed: 1 }).then((df) => console.log(JSON.stringify(df.shape)))`);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([2, 1]);
  });

  it("reads the course's CSV files", () => {
    const run = node(`require("danfojs-node").readCSV("data/iris.csv").then((df) => console.log(JSON.stringify(df.shape)))`);
    expect(run.status, run.stderr).toBe(0);
    const lines = readFileSync(join(root, "data", "iris.csv"), "utf8").trim().split("\n");
    expect(JSON.parse(run.stdout)).toEqual([lines.length - 1, lines[0].split(",").length]);
  });
});

describe("Excel and URL reading are left out, with a message that says so", () => {
  it("xlsx: loading works, any call throws naming the call", () => {
    const run = node(`
      const xlsx = require(require.resolve("xlsx", { paths: [require.resolve("danfojs-node")] }));
      for (const call of [() => xlsx.readFile("a.xlsx"), () => xlsx.utils.sheet_to_json({})]) {
        try { call(); console.log("no error"); } catch (e) { console.log(e.message); }
      }
    `);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("xlsx.readFile: Excel files are left out of this course");
    expect(run.stdout).toContain("xlsx.utils.sheet_to_json: Excel files are left out of this course");
  });

  it("request: a URL read throws naming the URL", () => {
    const run = node(`
      const request = require(require.resolve("request", { paths: [require.resolve("danfojs-node")] }));
      try { request.get("https://example.org/data.csv"); } catch (e) { console.log(e.message); }
    `);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("reading https://example.org/data.csv over the network is left out of this course");
  });
});
