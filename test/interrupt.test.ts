// Interrupt (issue 18): under tslab the module takes SIGINT over from tslab's listener while a
// course loop polls, the loop stops at its next poll with one line, and a SIGINT that no loop
// takes still reaches tslab's listener. The process is stood in for by an EventEmitter.
import { EventEmitter } from "node:events";
import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ACTIVE_MS, GRACE_MS, Interrupted, InterruptWatch, YIELD_MS, stopIfInterrupted } from "../src/course/interrupt";

/** A fake process with tslab's listener on it, and a watch on a clock the test moves. */
function setUp() {
  const source = new EventEmitter();
  const tslab = vi.fn();
  source.on("SIGINT", tslab);
  let time = 0;
  const watch = new InterruptWatch(() => time);
  watch.install(source as never);
  return { source, tslab, watch, advance: (ms: number) => (time += ms) };
}

afterEach(() => vi.useRealTimers());

describe("InterruptWatch", () => {
  it("passes a SIGINT on to tslab's listener when no loop is polling", () => {
    const { source, tslab, watch } = setUp();
    source.emit("SIGINT");
    expect(tslab).toHaveBeenCalledTimes(1);
    expect(watch.take()).toBe(false);
  });

  it("keeps a SIGINT from tslab while a loop polls, and the loop's next poll takes it once", () => {
    const { source, tslab, watch, advance } = setUp();
    expect(watch.take()).toBe(false); // the loop's poll: now it counts as running
    advance(ACTIVE_MS - 1);
    source.emit("SIGINT");
    expect(tslab).not.toHaveBeenCalled();
    expect(watch.take()).toBe(true);
    expect(watch.take()).toBe(false);
  });

  it("takes SIGINT over again after vm's breakOnSigint wrapper puts tslab's listener back", () => {
    // node:vm detaches every SIGINT listener while a cell runs synchronously and re-attaches
    // them afterwards: the module, imported inside that window, finds none to take over.
    const source = new EventEmitter();
    const tslab = vi.fn();
    source.on("SIGINT", tslab);
    const saved = source.listeners("SIGINT") as Array<() => void>;
    source.removeAllListeners("SIGINT");
    const watch = new InterruptWatch(() => 0);
    watch.install(source as never);
    for (const listener of saved) source.on("SIGINT", listener);
    expect(watch.take()).toBe(false); // the loop's first poll, after the cell's synchronous part
    source.emit("SIGINT");
    expect(tslab).not.toHaveBeenCalled();
    expect(watch.take()).toBe(true);
    expect(source.listeners("SIGINT")).toHaveLength(1);
  });

  it("treats a loop silent for more than ACTIVE_MS as ended", () => {
    const { source, tslab, watch, advance } = setUp();
    watch.take();
    advance(ACTIVE_MS + 1);
    source.emit("SIGINT");
    expect(tslab).toHaveBeenCalledTimes(1);
    expect(watch.take()).toBe(false);
  });

  it("gives a SIGINT that no poll took within GRACE_MS to tslab after all", () => {
    vi.useFakeTimers();
    const { source, tslab, watch } = setUp();
    watch.take();
    source.emit("SIGINT");
    vi.advanceTimersByTime(GRACE_MS - 1);
    expect(tslab).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(tslab).toHaveBeenCalledTimes(1);
    expect(watch.take()).toBe(false); // and the next loop does not stop on a stale request
  });

  it("yields at most once every YIELD_MS", () => {
    const { watch, advance } = setUp();
    expect(watch.yieldDue()).toBe(true);
    advance(YIELD_MS - 1);
    expect(watch.yieldDue()).toBe(false);
    advance(1);
    expect(watch.yieldDue()).toBe(true);
  });
});

describe("stopIfInterrupted", () => {
  it("throws Interrupted with the loop's message, printed as that one line", async () => {
    const { watch } = setUp();
    await stopIfInterrupted(() => "never built", watch);
    watch.request();
    const error = await stopIfInterrupted(() => "stopped at step 7 of 1000", watch).catch((e) => e);
    expect(error).toBeInstanceOf(Interrupted);
    expect(inspect(error)).toBe("stopped at step 7 of 1000");
    await expect(stopIfInterrupted(() => "again", watch)).resolves.toBeUndefined();
  });

  it("lets a timer (standing in for the signal) fire while a busy loop polls", async () => {
    // Without the yield inside stopIfInterrupted this loop would never see the timer below.
    const watch = new InterruptWatch();
    setTimeout(() => watch.request(), 20);
    const started = performance.now();
    let steps = 0;
    const error = await (async () => {
      for (let step = 0; step < 2000; step++) {
        const until = performance.now() + 1; // 1 ms of work per step
        while (performance.now() < until);
        steps++;
        await stopIfInterrupted(() => `stopped at step ${steps}`, watch);
      }
      return "ran all 2000 steps: the timer never fired";
    })().catch((e) => e);
    expect(error).toBeInstanceOf(Interrupted);
    expect(performance.now() - started).toBeLessThan(20 + YIELD_MS + 200);
  });
});
