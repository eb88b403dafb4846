import { afterAll, describe, expect, it, vi } from "vitest";
import { crossEntropyFlat, linearCrossEntropyFlat, mulberry32 as random, sharedFloat64Array, startThreads } from "../src";
import { lastLinearShare } from "../src/flat/linearThreads";
import { closeThreads, lastShare } from "../src/flat/threads";

// What the calling thread does when a worker of the pool fails. The worker reads
// CROSS_ENTROPY_THREAD_FAULT when it starts (threadWorker.ts): "setup" (every job's set-up
// throws), "refuse-backward" (it fails before linearCrossEntropyFlat's first backward range it
// takes: nothing of it written), "backward" (it fails right after computing that range: its
// rows of W's gradient written). Results must be the healthy pool's bit for bit whenever nothing
// was half written, and the call must throw when something was.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh pool of one worker whose fault is `fault`; the warnings it raises collected. */
async function pool(fault: string | null): Promise<string[]> {
  await closeThreads();
  if (fault) process.env.CROSS_ENTROPY_THREAD_FAULT = fault;
  try {
    await startThreads(2);
  } finally {
    delete process.env.CROSS_ENTROPY_THREAD_FAULT;
  }
  return warnings;
}

const warnings: string[] = [];
const spy = vi.spyOn(process, "emitWarning").mockImplementation((warning: string | Error) => {
  warnings.push(String(warning));
});

afterAll(async () => {
  await closeThreads();
  spy.mockRestore();
});

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`${what}[${i}]: ${a[i]} and ${b[i]}`);
}

/** A worker's failure reaches the calling thread as a message: its warning comes on a later turn of the event loop. */
async function warned(pattern: RegExp): Promise<boolean> {
  for (let i = 0; i < 50 && !warnings.some((w) => pattern.test(w)); i++) await sleep(10);
  return warnings.some((w) => pattern.test(w));
}

describe("crossEntropyFlat: a worker whose set-up fails", () => {
  it("leaves its chunks to the calling thread, with one thread's bits, warns, and later calls stay on one thread", async () => {
    // 1024 × 1000 float64 logits: above THREAD_MIN_LOGITS, so the call is shared.
    const [N, C] = [1024, 1000];
    const next = random(7);
    const logits = new Float64Array(N * C).map(() => (next() - 0.5) * 6);
    const targets = new Int32Array(N).map((_, n) => (n * 31) % C);
    const grad1 = new Float64Array(N * C);
    const one = crossEntropyFlat(logits, targets, C, { grad: grad1 });
    warnings.length = 0;
    await pool("setup");
    const grad2 = new Float64Array(N * C);
    const two = crossEntropyFlat(logits, targets, C, { grad: grad2, threads: 2 });
    expect(Object.is(two, one), `loss ${two} with the failing worker, ${one} on one thread`).toBe(true);
    sameBits(grad2, grad1, "grad");
    expect(await warned(/worker thread failed \(a fault injected in the set-up/), warnings.join("\n")).toBe(true);
    // lastShare is written by shared calls only.
    lastShare.chunks = -1;
    crossEntropyFlat(logits, targets, C, { threads: 2 });
    expect(lastShare.chunks, "a call after the failure: not shared").toBe(-1);
  }, 30_000);
});

describe("linearCrossEntropyFlat: a worker that fails", () => {
  // (96, 256, 8000) float64: two chunks of classes or more, a range of several ms each, so the
  // worker (awake: its pool was awaited) takes its range before the calling thread could take it back.
  const [N, D, C] = [96, 256, 8000];
  const next = random(11);
  const x = sharedFloat64Array(N * D);
  const W = sharedFloat64Array(C * D);
  for (let i = 0; i < x.length; i++) x[i] = next() - 0.5;
  for (let i = 0; i < W.length; i++) W[i] = (next() - 0.5) * 0.2;
  const targets = new Int32Array(N).map((_, n) => (n * 13) % C);
  const call = (threads: number) => {
    const gradLinearWeight = sharedFloat64Array(C * D);
    const gradInput = new Float64Array(N * D);
    const gradLinearBias = new Float64Array(C);
    const loss = linearCrossEntropyFlat(x, W, targets, C, { linearBias: new Float64Array(C), gradInput, gradLinearWeight, gradLinearBias, threads });
    return { loss, gradInput, gradLinearWeight, gradLinearBias, share: { ...lastLinearShare } };
  };
  type Result = ReturnType<typeof call>;
  const expectSame = (a: Result, b: Result) => {
    expect(Object.is(a.loss, b.loss), `loss ${a.loss} and ${b.loss}`).toBe(true);
    sameBits(a.gradInput, b.gradInput, "gradInput");
    sameBits(a.gradLinearWeight, b.gradLinearWeight, "gradLinearWeight");
    sameBits(a.gradLinearBias, b.gradLinearBias, "gradLinearBias");
  };

  it("before writing a backward range: the calling thread computes it, the call's results are the healthy pool's bits", async () => {
    await pool(null);
    const healthy = call(2);
    expect(healthy.share.threads).toBe(2);
    // Until the worker took a backward range (it may be late to a call): each attempt a fresh pool.
    let refused = false;
    for (let attempt = 0; attempt < 10 && !refused; attempt++) {
      warnings.length = 0;
      await pool("refuse-backward");
      const failing = call(2);
      expectSame(failing, healthy);
      refused = await warned(/fault injected before a backward range/);
    }
    expect(refused, "a worker that refused a backward range").toBe(true);
    expect(call(2).share.threads, "a call after the failure").toBe(1);
  }, 60_000);

  it("after writing a backward range: the call throws (its W gradient is half added), later calls stay on one thread", async () => {
    let threw: unknown = null;
    for (let attempt = 0; attempt < 10 && !threw; attempt++) {
      await pool("backward");
      try {
        call(2);
      } catch (error) {
        threw = error;
      }
    }
    expect(String(threw)).toMatch(/a worker thread failed in the backward pass .* the gradients are incomplete, and later calls stay on one thread/);
    const after = call(2);
    expect(after.share.threads).toBe(1);
    expectSame(after, call(1));
  }, 60_000);
});
