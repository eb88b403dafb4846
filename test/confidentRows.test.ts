/**
 * A confident row's loss to its full relative precision, in every path: the nested module,
 * crossEntropyFlat's exact JavaScript path, and its WebAssembly kernel (forward only and with the
 * gradient), float64 and float32 logits.
 *
 * The row [d, 0, ..., 0] with target 0 has a loss computed here by arithmetic, not by the code
 * under test:
 *   loss = log(e^d + (C - 1)) - d = log(1 + (C - 1)·e^-d) = log1p(u),  u = (C - 1)·e^-d,
 * which is u·(1 - u/2 + ...) to full precision. For d = 10 ... 36, u runs from 1e-4 down to
 * 1e-16: a path that forms log(1 + u) instead keeps only 2.2e-16 / u of it (nothing at all at
 * d = 36) and fails every row here.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { crossEntropy, crossEntropyFlat } from "../src";
import { checkFlatCall } from "../src/flat/checkFlat";
import { runFlat } from "../src/flat/crossEntropyFlat";
import { kernelFor } from "../src/flat/kernel";
import { buildKernels } from "../src/flat/wat/build";

beforeAll(async () => {
  // The kernels under test are the ones built from src/flat/wat now, not a stale dist/.
  await buildKernels(join(__dirname, "..", "dist", "flat"));
}, 60_000);

// d integer: exact in float32 too, so both dtypes hold the same numbers.
const GAPS = Array.from({ length: 27 }, (_, k) => 10 + k);
// 270000: rows longer than the kernel's memory chunk (1 MiB: 131072 float64 or 262144 float32
// logits), which the kernel sweeps in pieces and JavaScript finishes (rowMath.ts); shorter rows
// the kernel finishes itself (wat/rowTerms.ts). Three gaps only for those, to stay small.
const LONG_ROW = 270000;
const CLASS_COUNTS = [2, 3, 10, 1000, LONG_ROW];
const gapsFor = (C: number): number[] => (C === LONG_ROW ? [20, 28, 36] : GAPS);
// float64: under 5 ulps of the result (2.2e-16 each) for exp and log1p, plus the bound of a
// sum of C - 1 terms added one by one, (C - 1)·2^-53 (1.1e-13 at C = 1000; the kernel's lanes
// do better). float32 logits: the flat path's documented 1e-6 relative (the kernel's float32
// exp carries 1e-7 into u; the loss is still accumulated in float64).
const rtolFloat64 = (C: number): number => 1e-15 + (C - 1) * 2 ** -53;
const RTOL = (dtype: "float64" | "float32", C: number): number => (dtype === "float64" ? rtolFloat64(C) : 1e-6);

/** Rows [d, 0, ..., 0] for every gap, all with target 0, and each row's loss by arithmetic. */
function confidentRows(C: number): { logits: number[]; targets: number[]; expected: number[] } {
  const logits: number[] = [];
  for (const d of gapsFor(C)) {
    logits.push(d);
    for (let c = 1; c < C; c++) logits.push(0);
  }
  return { logits, targets: gapsFor(C).map(() => 0), expected: gapsFor(C).map((d) => Math.log1p((C - 1) * Math.exp(-d))) };
}

function expectEveryRow(actual: ArrayLike<number>, expected: number[], rtol: number, label: string): void {
  expected.forEach((want, n) => {
    const relative = Math.abs(actual[n] - want) / want;
    expect(relative, `${label}: row ${n}: got ${actual[n]}, expected ${want}`).toBeLessThanOrEqual(rtol);
  });
}

describe("a confident row's loss keeps its full relative precision", () => {
  for (const C of CLASS_COUNTS) {
    const { logits, targets, expected } = confidentRows(C);
    const nested = gapsFor(C).map((_, n) => logits.slice(n * C, (n + 1) * C));

    it(`nested float64, C = ${C}`, () => {
      expectEveryRow(crossEntropy(nested, targets, { reduction: "none" }) as number[], expected, rtolFloat64(C), "nested");
    });

    it(`nested float32 mode, C = ${C}`, () => {
      // The float32 mode rounds the float64 result to float32 once: 2^-24 relative more.
      const losses = crossEntropy(nested, targets, { reduction: "none", dtype: "float32" }) as number[];
      expectEveryRow(losses, expected, 2 ** -24 + rtolFloat64(C), "nested float32");
    });

    for (const dtype of ["float64", "float32"] as const) {
      const Typed = dtype === "float32" ? Float32Array : Float64Array;
      const x = new Typed(logits);
      const t = new Int32Array(targets);

      it(`crossEntropyFlat's exact JavaScript path, ${dtype}, C = ${C}`, () => {
        const losses = new Float64Array(expected.length);
        runFlat(checkFlatCall(x, t, C, { reduction: "none", losses }), null);
        expectEveryRow(losses, expected, rtolFloat64(C), "exact path");
      });

      for (const withGradient of [false, true]) {
        it(`crossEntropyFlat's kernel, ${dtype}, C = ${C}, ${withGradient ? "with" : "without"} the gradient`, () => {
          expect(kernelFor(dtype === "float32" ? "f32" : "f64"), "the kernel loads").not.toBeNull();
          const losses = new Float64Array(expected.length);
          const grad = withGradient ? new Typed(x.length) : undefined;
          crossEntropyFlat(x, t, C, { reduction: "none", losses, grad });
          expectEveryRow(losses, expected, RTOL(dtype, C), "kernel");
        });
      }
    }
  }
});
