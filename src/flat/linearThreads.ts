/**
 * linearCrossEntropyFlat on several threads (`options.threads`): the calling thread and the
 * worker threads of crossEntropyFlat's pool (threads.ts), each with its own matmul memory.
 *
 * For each tile of rows, the tile's chunks of classes are cut into k contiguous ranges of whole
 * chunks, range i for thread i, the calling thread's the first. Forward: each thread computes its
 * range's logits and each row's partial max, Σ exp, target logit and smoothing sum; the calling
 * thread combines them in range order into each row's log-sum-exp and loss. Backward: each
 * thread recomputes its range, writes its classes' rows of gradLinearWeight and gradLinearBias
 * (no other thread writes them: no reduction) and its part of the tile's input gradient, which
 * the calling thread adds in range order. The workers read the input and W, and write W's
 * gradient, where they are: those arrays lie on SharedArrayBuffers (sharedArrays.ts; checked at
 * the boundary, checkLinearFlat.ts); gradLinearBias too, or a shared copy of it for the call (C
 * numbers). A range a worker has not started when the calling thread needs it is taken back
 * and computed by the calling thread, the same numbers in the same order: a call's results do
 * not depend on which thread computed which range.
 *
 * Not bit for bit one thread's: the ranges' sums are combined in another order than one
 * thread's running sums (linearCrossEntropyFlat.ts says which outputs, and within what).
 */
import type { FlatArray } from "./checkLinearFlat";
import { CHUNK_BYTES } from "./kernel";
import { PHASE, slotGradInput, slotPartial, slotScales, type LinearJob } from "./linearSlot";
import type { LinearPlan, RowPartial, TileRanges } from "./linearTile";
import type { Variant } from "./matmulKernel";
import { isShared } from "./sharedArrays";
import { CONTROL, SLOT_WORD, STATE, slotWord } from "./threadLayout";
import { pooled, type PoolWorker } from "./threads";

/**
 * Calls of fewer floating-point operations stay on the calling thread, whatever options.threads
 * says: 2 · N · D · C for the forward, 4 times that with gradients. Each tile costs a threaded
 * call two hand-overs to each worker and two waits (tens of microseconds each on the 2-core Xeon,
 * more when the worker sleeps: threadLayout.ts's SPIN_MS) and the calling thread's sums of the
 * partials. Chosen from `npm run bench:linear -- --crossover` (one thread against two, forward +
 * backward, float32, medians of 11 alternated, load 1.2, Node 20 exact and Node 24 relaxed SIMD):
 * at D = 64, V = 4096, two threads took 0.84× to 1.03× one thread's speed from 2^21 to 2^23
 * operations (N = 1 to 4), and were faster from 2^24 (N = 8: 1.23× and 1.30×; N = 16: 1.41× and
 * 1.52×); at D = 256, V = 32000 they were faster at every N from 1 (2^26 operations, 1.5×),
 * where copying W's chunks, not the products, is most of a small batch's time.
 */
export const LINEAR_THREAD_MIN_FLOPS = 1 << 24;

/** A range of chunks [from, to). */
interface Range {
  from: number;
  to: number;
}

/** What linearSweep.ts asks of the threads, per tile. */
export interface LinearTeam {
  /** Every range of the loaded tile forward, combined in range order into `out`. */
  forward(t0: number, T: number, targets: Int32Array, out: RowPartial): void;
  /** Every range backward (lse and k in the calling thread's tile); the tile's input gradient into gradInput. */
  backward(t0: number, T: number, targets: Int32Array, gradInput: FlatArray | null): void;
  /** The call's end: the workers poll their job ports for a while, then go back to their event loops; a shared copy of gradLinearBias is copied out. */
  end(): void;
}

/** How the last call shared its ranges: threads 1 when it stayed on the calling thread (for the tests and the bench). */
export const lastLinearShare = { threads: 1, ranges: 0, byWorkers: 0, takenBack: 0 };

/**
 * The threads for a call, or null (one thread): fewer than 2 chunks of classes, fewer than
 * `minFlops` operations, a tile's input gradient larger than a slot's gradient holds (CHUNK_BYTES / 4
 * numbers: D beyond 65536, in tiles of 4 rows), or a pool whose worker failed (a warning said why).
 */
export function linearTeam(plan: LinearPlan, tiles: TileRanges, variant: Variant, threads: number, minFlops: number): LinearTeam | null {
  const { N, D, C, element } = plan;
  const chunks = tiles.chunks;
  const size = Math.min(threads, chunks);
  const withGrad = plan.gradInput || !!plan.gradLinearWeight || !!plan.gradLinearBias;
  const flops = 2 * N * D * C * (withGrad ? 4 : 1);
  Object.assign(lastLinearShare, { threads: 1, ranges: 0, byWorkers: 0, takenBack: 0 });
  if (size < 2 || flops < minFlops || pooled.isBroken() || tiles.L.rows * D > CHUNK_BYTES / 4) return null;
  const team = pooled.workers(size - 1);
  const ranges: Range[] = Array.from({ length: size }, (_, i) => ({ from: Math.floor((i * chunks) / size), to: Math.floor(((i + 1) * chunks) / size) }));
  const callerBias = plan.gradLinearBias;
  if (callerBias && !isShared(callerBias)) {
    // In the caller's type, which may differ from the input's: one thread adds into the caller's array itself.
    plan.gradLinearBias = callerBias instanceof Float32Array ? new Float32Array(new SharedArrayBuffer(C * 4)) : new Float64Array(new SharedArrayBuffer(C * 8));
  }
  const job: LinearJob = { kind: "linear", id: pooled.nextJob(), variant, plan: { ...plan, weight: plan.weight ? Float64Array.from(plan.weight) : null }, layout: tiles.L };
  for (const w of team) {
    pooled.freeSlots(w);
    w.port.postMessage(job);
  }
  const rows = tiles.L.rows;
  const own: RowPartial = { m: new Float64Array(rows), s: new Float64Array(rows), zy: new Float64Array(rows), zw: new Float64Array(rows) };
  const apart: RowPartial = { m: new Float64Array(rows), s: new Float64Array(rows), zy: new Float64Array(rows), zw: new Float64Array(rows) };
  const gi = element === "f32" ? new Float32Array(rows * D) : new Float64Array(rows * D);
  lastLinearShare.threads = size;

  /** Hand range i of the tile to worker i - 1 (its slot 0). */
  const handOut = (t0: number, T: number, targets: Int32Array, phase: number): void => {
    team.forEach((w, i) => {
      // A worker that failed earlier in the call: its ranges stay with the calling thread.
      if (w.dead) return;
      const v = w.slots[0];
      v.targets.set(targets);
      if (phase === PHASE.BACKWARD) {
        const { lse, k } = slotScales(v);
        lse.set(tiles.lse.subarray(0, T));
        k.set(tiles.k.subarray(0, T));
      }
      const words: [number, number][] = [
        [SLOT_WORD.FIRST, t0],
        [SLOT_WORD.ROWS, T],
        [SLOT_WORD.FROM, ranges[i + 1].from],
        [SLOT_WORD.TO, ranges[i + 1].to],
        [SLOT_WORD.PHASE, phase],
        [SLOT_WORD.JOB, job.id],
        [SLOT_WORD.STATE, STATE.FULL],
      ];
      for (const [word, value] of words) Atomics.store(w.control, slotWord(0, word), value);
      pooled.wake(w);
    });
  };

  /** Worker i - 1's range: "worker" when it computed it (results in its slot), "caller" when the calling thread must. */
  const collect = (w: PoolWorker, phase: number): "worker" | "caller" => {
    const state = slotWord(0, SLOT_WORD.STATE);
    let waitedSince = 0;
    for (;;) {
      const seen = pooled.doneCount();
      const now = Atomics.load(w.control, state);
      if (now === STATE.DONE) return "worker";
      // Not handed out (the worker failed earlier in the call).
      if (now === STATE.FREE) return "caller";
      if (now === STATE.FULL && Atomics.compareExchange(w.control, state, STATE.FULL, STATE.FREE) === STATE.FULL) return "caller";
      if (now === STATE.FAILED || now === STATE.REFUSED) {
        Atomics.store(w.control, state, STATE.FREE);
        w.dead ??= "it failed on a range of classes";
        pooled.breakPool();
        // Not started (the worker had failed before): nothing of it written, the calling thread computes it.
        if (now === STATE.REFUSED) return "caller";
        // Backward, it may have added part of its range to W's gradient: computing it again would add it twice.
        if (phase === PHASE.BACKWARD) throw new Error("linearCrossEntropyFlat: a worker thread failed in the backward pass (a warning says why); the gradients are incomplete, and later calls stay on one thread");
        return "caller";
      }
      if (pooled.sleep(seen) === "timed-out") {
        waitedSince ||= Date.now();
        if (Date.now() - waitedSince > pooled.STALL_MS) {
          w.dead = `stalled over ${pooled.STALL_MS / 1000} s in a range of classes`;
          void w.worker.terminate();
          throw new Error(
            `linearCrossEntropyFlat: a worker thread has not finished its range in ${pooled.STALL_MS / 1000} s; it was stopped` +
              (phase === PHASE.BACKWARD ? " (it may write W's gradient until it has exited)" : ""),
          );
        }
      } else waitedSince = 0;
    }
  };

  return {
    forward(t0, T, targets, out) {
      handOut(t0, T, targets, PHASE.FORWARD);
      tiles.forward(targets, T, ranges[0].from, ranges[0].to, own);
      team.forEach((w, i) => {
        const { from, to } = ranges[i + 1];
        let part: RowPartial;
        if (collect(w, PHASE.FORWARD) === "worker") {
          part = slotPartial(w.slots[0]);
          lastLinearShare.byWorkers++;
        } else {
          tiles.forward(targets, T, from, to, apart);
          part = apart;
          lastLinearShare.takenBack++;
        }
        combine(own, part, T, targets, tiles.L.classes * from, tiles.L.classes * to);
        Atomics.store(w.control, slotWord(0, SLOT_WORD.STATE), STATE.FREE);
      });
      lastLinearShare.ranges += ranges.length;
      for (const key of ["m", "s", "zy", "zw"] as const) if (out[key] !== own[key]) out[key].set(own[key].subarray(0, T));
    },
    backward(t0, T, targets, gradInput) {
      handOut(t0, T, targets, PHASE.BACKWARD);
      tiles.backward(targets, T, ranges[0].from, ranges[0].to, tiles.lse, tiles.k);
      if (gradInput) for (let t = 0; t < T; t++) gi.set(tiles.giRow(t), t * D);
      team.forEach((w, i) => {
        const { from, to } = ranges[i + 1];
        if (collect(w, PHASE.BACKWARD) === "worker") {
          if (gradInput) add(gi, slotGradInput(w.slots[0], plan, T), T * D);
          lastLinearShare.byWorkers++;
        } else {
          tiles.backward(targets, T, from, to, tiles.lse, tiles.k);
          if (gradInput) for (let t = 0; t < T; t++) add(gi.subarray(t * D), tiles.giRow(t), D);
          lastLinearShare.takenBack++;
        }
        Atomics.store(w.control, slotWord(0, SLOT_WORD.STATE), STATE.FREE);
      });
      lastLinearShare.ranges += ranges.length;
      if (gradInput) gradInput.set(gi.subarray(0, T * D), t0 * D);
    },
    end() {
      for (const w of team) {
        Atomics.store(w.control, CONTROL.ENDED, job.id);
        pooled.wake(w);
      }
      if (callerBias && callerBias !== plan.gradLinearBias) {
        callerBias.set(plan.gradLinearBias as FlatArray);
        plan.gradLinearBias = callerBias;
      }
    },
  };
}

/** into[i] += from[i] for i < count, in the arrays' type (a Float32Array rounds each sum to float32). */
function add(into: FlatArray, from: ArrayLike<number>, count: number): void {
  for (let i = 0; i < count; i++) into[i] += from[i];
}

/**
 * A range's partial sums into the running ones, row by row: max m, Σ exp(z - m) rescaled to
 * the new max, the target's logit from the range that holds the target (classes [c0, c1)),
 * the smoothing sums added. A NaN max (a row with a NaN or infinite logit) stays NaN.
 */
function combine(acc: RowPartial, part: RowPartial, T: number, targets: Int32Array, c0: number, c1: number): void {
  for (let t = 0; t < T; t++) {
    const [m0, m1] = [acc.m[t], part.m[t]];
    const m = Math.max(m0, m1);
    acc.s[t] = acc.s[t] * Math.exp(m0 - m) + part.s[t] * Math.exp(m1 - m);
    acc.m[t] = m;
    const y = targets[t];
    if (y >= c0 && y < c1) acc.zy[t] = part.zy[t];
    acc.zw[t] += part.zw[t];
  }
}
