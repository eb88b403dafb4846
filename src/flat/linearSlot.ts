/**
 * What linearCrossEntropyFlat's calling thread (linearThreads.ts) and a worker thread
 * (threadWorker.ts) pass through one of the worker's shared slots (threadLayout.ts), per tile
 * and per pass: the range of chunks of classes to compute, and its results.
 *
 * In the slot's control words: FIRST the tile's first row, ROWS its rows T, FROM and TO the
 * range of chunks, PHASE forward or backward. In its memory:
 *   targets  the tile's T targets
 *   terms    forward: the range's m, s, zy, zw (float64s, MAX_TILE_ROWS each);
 *            backward: each row's lse and k, written by the calling thread
 *   grad     backward: the range's part of the tile's input gradient, T rows of D, the input's type
 * The input, the weights and W's gradient are read and written where they are: the job carries
 * views on the caller's SharedArrayBuffers (sharedArrays.ts), never a copy of W.
 */
import type { Layout, LinearPlan, RowPartial } from "./linearTile";
import { MAX_TILE_ROWS, TileRanges } from "./linearTile";
import { matmulFor, type Variant } from "./matmulKernel";
import { SLOT_WORD, slotWord, type SlotViews } from "./threadLayout";

export const PHASE = { FORWARD: 0, BACKWARD: 1 } as const;

/** What the calling thread posts to each worker at the start of a threaded linearCrossEntropyFlat call. */
export interface LinearJob {
  kind: "linear";
  id: number;
  variant: Variant;
  /** The call's plan: input, linearWeight, gradLinearWeight and gradLinearBias are views on SharedArrayBuffers. */
  plan: LinearPlan;
  layout: Layout;
}

/** A slot's forward results, as views on its terms. */
export function slotPartial(v: SlotViews): RowPartial {
  const part = (i: number) => v.terms.subarray(i * MAX_TILE_ROWS, (i + 1) * MAX_TILE_ROWS);
  return { m: part(0), s: part(1), zy: part(2), zw: part(3) };
}

/** A slot's lse and k (backward), as views on its terms. */
export function slotScales(v: SlotViews): { lse: Float64Array; k: Float64Array } {
  const { m, s } = slotPartial(v);
  return { lse: m, k: s };
}

/** A slot's part of the input gradient: T rows of D numbers of the input's type. */
export function slotGradInput(v: SlotViews, plan: LinearPlan, T: number): Float32Array | Float64Array {
  return (plan.element === "f32" ? v.grad32 : v.grad64).subarray(0, T * plan.D);
}

/**
 * The worker's side of a job: its own matmul memory (linearTile.ts) and a function that
 * computes the range in slot s. Throws if the products cannot be set up (before any write).
 */
export function linearCompute(job: LinearJob, control: Int32Array, slots: SlotViews[]): (s: number) => void {
  const { plan } = job;
  const tiles = new TileRanges(plan, matmulFor(plan.element, job.variant), job.layout);
  return (s: number) => {
    const word = (w: number) => Atomics.load(control, slotWord(s, w));
    const [t0, T, from, to] = [word(SLOT_WORD.FIRST), word(SLOT_WORD.ROWS), word(SLOT_WORD.FROM), word(SLOT_WORD.TO)];
    const v = slots[s];
    const targets = v.targets.subarray(0, T);
    tiles.loadRows(t0, T);
    if (word(SLOT_WORD.PHASE) === PHASE.FORWARD) {
      tiles.forward(targets, T, from, to, slotPartial(v));
      return;
    }
    const { lse, k } = slotScales(v);
    tiles.backward(targets, T, from, to, lse, k);
    if (plan.gradInput) {
      const gi = slotGradInput(v, plan, T);
      for (let t = 0; t < T; t++) gi.set(tiles.giRow(t), t * plan.D);
    }
  };
}
