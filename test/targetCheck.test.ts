// src/flat/wat/targetCheck.ts: the kernel's range check of crossEntropyFlat's targets
// (Kernel.firstBadTarget), against checkFlat.ts's JavaScript loop, which names the same target.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { crossEntropyFlat } from "../src";
import { firstBadTarget } from "../src/flat/checkFlat";
import { Kernel, MAX_ROWS, kernelFailure, kernelFor, kernelPath, type KernelExports } from "../src/flat/kernel";
import { hasRelaxedSimd } from "../src/flat/wat/features";

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Each build this Node can load: the exact ones, and the relaxed ones where it has relaxed SIMD. */
const builds = [
  ["f32", false],
  ["f64", false],
  ...(hasRelaxedSimd() ? [["f32", true], ["f64", true]] : []),
] as Array<["f32" | "f64", boolean]>;

/** A new instance of a built kernel, its memory as small as the module declares it, before any prepare(). */
function fresh(element: "f32" | "f64", relaxed: boolean): Kernel {
  const module = new WebAssembly.Module(readFileSync(kernelPath(element, relaxed)));
  return new Kernel(element, new WebAssembly.Instance(module, {}).exports as unknown as KernelExports, relaxed);
}

describe("Kernel.firstBadTarget", () => {
  it("names the first target neither in [0, C) nor ignoreIndex, as JavaScript's loop does, wherever it lies", () => {
    // Lengths around the eight-target rounds and around the MAX_ROWS targets copied in at a time;
    // the bad target first, in a round, in the last n mod 8, and after a piece's boundary.
    const lengths = [0, 1, 7, 8, 9, 15, 16, 17, 31, 33, MAX_ROWS - 1, MAX_ROWS, MAX_ROWS + 1, 2 * MAX_ROWS + 5];
    const C = 10;
    const cases: Array<{ ignoreIndex: number; bad: number[] }> = [
      { ignoreIndex: -100, bad: [C, C + 1, -1, -99, -101, INT32_MIN, INT32_MAX] },
      { ignoreIndex: C, bad: [C + 1, -1, -100] },
      { ignoreIndex: INT32_MIN, bad: [-1, INT32_MAX, C] },
      // Outside int32: it equals no target, so -(2^31) is as bad as any other.
      { ignoreIndex: 2 ** 31, bad: [INT32_MIN, -1, C] },
      { ignoreIndex: -(2 ** 40), bad: [INT32_MIN, C] },
    ];
    let seed = 11;
    const random = (): number => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    let checked = 0;
    for (const [element, relaxed] of builds) {
      const kernel = fresh(element, relaxed);
      for (const { ignoreIndex, bad } of cases) {
        const ignorable = ignoreIndex === (ignoreIndex | 0);
        for (const n of lengths) {
          const targets = new Int32Array(n);
          // Every class, and ignoreIndex where a target can hold it, so a check too strict fails.
          for (let i = 0; i < n; i++) targets[i] = ignorable && i % 5 === 4 ? ignoreIndex : Math.floor(random() * C);
          expect(kernel.firstBadTarget(targets, C, ignoreIndex), `${element} n = ${n}`).toBe(-1);
          const positions = new Set([0, 3, 7, 8, n - 9, n - 8, n - 1, MAX_ROWS - 1, MAX_ROWS, MAX_ROWS + 7, Math.floor(n / 2)].filter((p) => p >= 0 && p < n));
          for (const p of positions) {
            for (const value of bad) {
              const spoilt = targets.slice();
              spoilt[p] = value;
              // A second bad target after the first: the first is named.
              if (p + 9 < n) spoilt[p + 9] = value;
              const expected = firstBadTarget(spoilt, C, ignoreIndex);
              expect(expected).toBe(p);
              expect(kernel.firstBadTarget(spoilt, C, ignoreIndex), `${element}${relaxed ? " relaxed" : ""} n = ${n}, targets[${p}] = ${value}, ignoreIndex ${ignoreIndex}`).toBe(p);
              checked++;
            }
          }
        }
      }
    }
    // 5 cases × 14 lengths, each bad value at each position that fits: enough to count.
    expect(checked).toBeGreaterThan(builds.length * 1000);
  });

  it("reads C unsigned: C of 2^31 or more takes every index from 0 to 2^31 - 1, and no negative one", () => {
    const targets = new Int32Array([0, INT32_MAX, 5, -1, 7, 8, 9, 10, 11]);
    for (const [element, relaxed] of builds) {
      const kernel = fresh(element, relaxed);
      for (const C of [2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, 2 ** 53]) {
        expect(kernel.firstBadTarget(targets, C, -100), `C = ${C}`).toBe(firstBadTarget(targets, C, -100));
        expect(kernel.firstBadTarget(targets.subarray(0, 3), C, -100), `C = ${C}`).toBe(firstBadTarget(targets.subarray(0, 3), C, -100));
      }
      expect(kernel.firstBadTarget(targets, 2 ** 31 - 1, -100)).toBe(1);
      expect(kernel.firstBadTarget(targets, 2 ** 31, -100)).toBe(3);
      expect(kernel.firstBadTarget(targets, 2 ** 31, -1)).toBe(-1);
    }
  });
});

describe("crossEntropyFlat's targets, checked by the kernel", () => {
  it("throws the JavaScript check's RangeError, naming the first bad target past the first MAX_ROWS, before writing anything", () => {
    expect(kernelFor("f32"), kernelFailure()).not.toBeNull();
    const C = 7;
    const N = MAX_ROWS + 300;
    const logits = new Float32Array(N * C).fill(0.5);
    const targets = new Int32Array(N).map((_, i) => i % C);
    targets[MAX_ROWS + 17] = C;
    targets[MAX_ROWS + 200] = -3;
    const grad = new Float32Array(N * C).fill(9);
    const losses = new Float64Array(N).fill(9);
    expect(() => crossEntropyFlat(logits, targets, C, { grad, losses })).toThrow(
      new RangeError(`targets[${MAX_ROWS + 17}] = ${C} is out of range: expected a class index in [0, ${C}) or ignoreIndex (-100)`),
    );
    expect(grad.every((g) => g === 9) && losses.every((l) => l === 9)).toBe(true);
    targets[MAX_ROWS + 17] = -100;
    expect(() => crossEntropyFlat(logits, targets, C, { threads: 2 })).toThrow(`targets[${MAX_ROWS + 200}] = -3 is out of range`);
    targets[MAX_ROWS + 200] = 0;
    // Equal logits: log(C), within float32's rounding of the row's sum (1e-6 of it).
    expect(Math.abs(crossEntropyFlat(logits, targets, C) - Math.log(C))).toBeLessThan(1e-6 * Math.log(C));
  });
});
