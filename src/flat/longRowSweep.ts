/**
 * Rows longer than the kernel's memory chunk (float32: C > 262144, float64: C > 131072): each
 * row is copied in pieces and fed to the same online sweep (the state M, S, T carries over
 * from piece to piece), finished in JavaScript (rowFinish.ts), then swept again, piece by
 * piece, for the gradient.
 */
import type { Kernel } from "./kernel";
import { addIgnoredRow, type Plan } from "./plan";
import { FAST, finishGradient, finishRow, rowScratch, type Outcome } from "./rowFinish";

export interface SweepOptions {
  mode: number;
  b: number;
  weighted: number;
  rowsPerChunk: number;
}

export function longRowSweep(plan: Plan, kernel: Kernel, { mode, b, weighted }: SweepOptions): void {
  const { logits, targets, C, N, grad } = plan;
  const ex = kernel.exports;
  const at = kernel.at;
  const chunk = kernel.chunkLogits;
  const bytes = kernel.bytesPerLogit;
  const out: Outcome = { kind: FAST, alpha: 0, gy: 0 };
  const scratch = rowScratch();
  for (let n = 0; n < N; n++) {
    const y = targets[n];
    const ignored = y === plan.ignoreIndex;
    const o = n * C;
    if (ignored && !grad) {
      addIgnoredRow(plan, n);
      continue;
    }
    ex.begin(logits[o]);
    for (let a = 0; a < C; a += chunk) {
      const length = Math.min(chunk, C - a);
      kernel.logits.set(logits.subarray(o + a, o + a + length));
      const skip = !ignored && y >= a && y < a + length ? y - a : -1;
      ex.segment(at.logits, length, at.weights + a * 8, skip, mode);
    }
    const M = ex.M.value;
    finishRow(plan, n, M, ex.S.value, ex.MIN.value, ex.T.value, out, scratch);
    if (!grad) continue;
    for (let a = 0; out.kind === FAST && a < C; a += chunk) {
      const length = Math.min(chunk, C - a);
      kernel.logits.set(logits.subarray(o + a, o + a + length));
      ex.gradSegment(at.logits, length, out.alpha, M, at.beta + a * bytes, b, weighted);
      grad.set(kernel.logits.subarray(0, length), o + a);
    }
    finishGradient(plan, n, out.kind, out.gy);
  }
}
