// src/commands/tslabKernel.ts: the kernel's launcher, which makes tslab's shell and control
// messages wait until every socket is bound (tslab 1.0.22 answered none that came before its
// IOPub socket was bound, and Jupyter waited 60 s for the kernel_info reply).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { waitForBinds, type ZmqServerClass } from "../src/commands/tslabKernel";

const root = join(__dirname, "..");

/** A stand-in for tslab's ZmqServer: init's binds end when the test says; each message handled is logged with whether the binds had ended. */
function fakeServer(failBinds = false) {
  let endBinds = (): void => undefined;
  const handled: Array<[string, boolean]> = [];
  let bindsDone = false;
  class FakeZmqServer {
    init(): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        endBinds = () => {
          bindsDone = true;
          if (failBinds) reject(new Error("bind failed"));
          else resolve();
        };
      });
    }
    async handleShellMessage(...args: unknown[]): Promise<void> {
      handled.push([String(args[0]), bindsDone]);
    }
  }
  return { FakeZmqServer, handled, endBinds: () => endBinds() };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 10));

describe("waitForBinds", () => {
  it("holds the messages that come before init's binds end, then handles them in order", async () => {
    const { FakeZmqServer, handled, endBinds } = fakeServer();
    waitForBinds(FakeZmqServer as unknown as ZmqServerClass);
    const server = new FakeZmqServer();
    const binds = server.init();
    const first = server.handleShellMessage("kernel_info_request");
    const second = server.handleShellMessage("execute_request");
    await settle();
    expect(handled).toEqual([]);
    endBinds();
    await Promise.all([binds, first, second]);
    expect(handled).toEqual([
      ["kernel_info_request", true],
      ["execute_request", true],
    ]);
    await server.handleShellMessage("later");
    expect(handled[2]).toEqual(["later", true]);
  });

  it("without it, the stand-in handles a message at once, before the binds end (the race it closes)", async () => {
    const { FakeZmqServer, handled } = fakeServer();
    const server = new FakeZmqServer();
    void server.init();
    await server.handleShellMessage("kernel_info_request");
    expect(handled).toEqual([["kernel_info_request", false]]);
  });

  it("leaves a failed bind to init's caller, and still handles the messages", async () => {
    const { FakeZmqServer, handled, endBinds } = fakeServer(true);
    waitForBinds(FakeZmqServer as unknown as ZmqServerClass);
    const server = new FakeZmqServer();
    const binds = server.init();
    const message = server.handleShellMessage("kernel_info_request");
    endBinds();
    await expect(binds).rejects.toThrow("bind failed");
    await message;
    expect(handled).toEqual([["kernel_info_request", true]]);
  });
});

describe("the launcher with the project's tslab", () => {
  it("wraps the ZmqServer tslab's main uses: its init and handleShellMessage are there to wrap", () => {
    const tslab = dirname(require.resolve("tslab/package.json"));
    const { ZmqServer } = require(join(tslab, "dist", "jupyter.js")) as { ZmqServer: ZmqServerClass };
    expect(typeof ZmqServer.prototype.init).toBe("function");
    expect(typeof ZmqServer.prototype.handleShellMessage).toBe("function");
    // main.js builds its server from the same module the launcher wraps.
    expect(readFileSync(join(tslab, "dist", "main.js"), "utf8")).toMatch(/new jupyter_1\.ZmqServer\(/);
  });

  it("runs tslab's own command line: --version prints tslab's version", () => {
    const launcher = join(root, "dist", "commands", "tslabKernel.js");
    expect(existsSync(launcher)).toBe(true);
    const run = spawnSync(process.execPath, [launcher, "--version"], { encoding: "utf8" });
    const { version } = JSON.parse(readFileSync(require.resolve("tslab/package.json"), "utf8")) as { version: string };
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(`tslab ${version}`);
  });
});
