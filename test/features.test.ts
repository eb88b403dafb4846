// src/flat/wat/features.ts, and the two kernels it chooses between: the exact one (plain SIMD,
// the only one Node 20 can load) and the relaxed one (relaxed_madd, Node 22 and later). The
// rest of the crossEntropyFlat suites run whichever this Node picks, so `npm test` under Node 20
// and under Node 24 (CI runs both) covers one path each; here, under Node 24, both side by side.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { crossEntropy, crossEntropyBackward } from "../src";
import type { CrossEntropyOptions } from "../src";
import { checkFlatCall } from "../src/flat/checkFlat";
import { runFlat } from "../src/flat/crossEntropyFlat";
import wabt from "wabt";
import { Kernel, kernelFailure, kernelFor, type KernelExports } from "../src/flat/kernel";
import { F32, F32_RELAXED, F64, F64_RELAXED, type ExpForm } from "../src/flat/wat/lanes";
import { expClamp, LN2_F32 } from "../src/flat/wat/exp";
import { kernelModule } from "../src/flat/wat/module";
import { buildKernels } from "../src/flat/wat/build";
import { hasFusedRelaxedSimd, hasRelaxedSimd, relaxedMaddProbe } from "../src/flat/wat/features";
import { expectAllClose } from "./helpers/allclose";

const DIST = join(__dirname, "..", "dist", "flat");
const nodeMajor = Number(process.versions.node.split(".")[0]);

beforeAll(async () => {
  await buildKernels(DIST);
}, 60_000);

describe("hasRelaxedSimd", () => {
  it("is what this Node's V8 ships: relaxed SIMD from Node 22 (V8 11.4) on, not in Node 20", () => {
    expect(hasRelaxedSimd()).toBe(nodeMajor >= 22);
  });

  it("picks the kernel crossEntropyFlat uses: the relaxed one where the engine has it and the machine fuses its multiply-adds", () => {
    for (const element of ["f32", "f64"] as const) {
      const kernel = kernelFor(element);
      expect(kernel, kernelFailure()).not.toBeNull();
      expect(kernel!.relaxed).toBe(hasFusedRelaxedSimd());
    }
  });
});

describe("hasFusedRelaxedSimd", () => {
  // (1 + 2^-12)² = 1 + 2^-11 + 2^-24 needs 25 bits; float32 keeps 24, so a multiply rounds it to
  // 1 + 2^-11 and adding -(1 + 2^-11) gives 0, where one fused rounding keeps the 2^-24.
  it("asks relaxed_madd for (1 + 2^-12)² - (1 + 2^-11): 2^-24 fused, 0 unfused, nothing without relaxed SIMD", () => {
    const probe = relaxedMaddProbe();
    if (!hasRelaxedSimd()) {
      expect(probe).toBeNull();
      expect(hasFusedRelaxedSimd()).toBe(false);
      return;
    }
    expect([2 ** -24, 0]).toContain(probe);
    expect(hasFusedRelaxedSimd()).toBe(probe === 2 ** -24);
  });
});

describe("the two builds of the kernel", () => {
  it("differ only in the multiply-adds and where the exp's constants live: the exact one has no relaxed instruction", () => {
    for (const element of ["f32", "f64"]) {
      const exact = readFileSync(join(DIST, `kernel-${element}.wat`), "utf8");
      const shipped = readFileSync(join(DIST, `kernel-${element}-relaxed.wat`), "utf8");
      const [plain, fused] = element === "f32" ? [F32, F32_RELAXED] : [F64, F64_RELAXED];
      expect(shipped).toBe(kernelModule(fused));
      // The relaxed build also unrolls short rows' sum pass 16 vectors at a time, the exact one
      // 8, and their max pass 16 at a time, the exact one 4, and with a gradient stores each exp
      // at once where the exact one stores a round's after it (lanes.ts sumGroup, maxGroup,
      // storesAfterRound; the next test shows that changes no result), and its float32 exp
      // reduces in one step (expForm "rr1-p5", whose accuracy the exp tests below measure):
      // compare at the same.
      const relaxed = kernelModule({ ...fused, sumGroup: plain.sumGroup, maxGroup: plain.maxGroup, storesAfterRound: plain.storesAfterRound, expForm: plain.expForm });
      expect(exact).not.toMatch(/relaxed/);
      expect(relaxed.match(/relaxed_n?madd/g)?.length ?? 0).toBeGreaterThan(100);
      // Put every relaxed_madd back as the add of a mul, every relaxed_nmadd as the sub of one, and
      // each hoisted constant back in place: the exact kernel.
      expect(unfuse(inlineConstants(relaxed.replace(", relaxed SIMD multiply-adds", "")))).toBe(exact);
    }
  });

  it("unroll the sums 8 or 16 vectors at a time and the max 4 or 16, and store a gradient's exps at once or after each round, with the same results, bit for bit", async () => {
    // Short rows (32 to 4096 logits, no smoothing) take shortRow.ts's two passes, longer ones
    // and smoothed ones stats.ts's online sweep: both group by L.sumGroup and, with a gradient,
    // store by L.storesAfterRound; the short rows' max pass groups by L.maxGroup. Each call
    // runs forward only and forward + backward.
    const toolkit = await wabt();
    for (const lanes of [F32, F64]) {
      const instance = (group: 8 | 16, storesAfterRound: boolean, maxGroup: 4 | 16 = group === 8 ? 4 : 16): Kernel => {
        const parsed = toolkit.parseWat("k.wat", kernelModule({ ...lanes, sumGroup: group, storesAfterRound, maxGroup }), { simd: true });
        const bytes = parsed.toBinary({}).buffer;
        parsed.destroy();
        const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as KernelExports;
        return new Kernel(lanes.element, exports, false);
      };
      // The exact build as shipped first: (8, after each round, max 4).
      const kernels = [instance(8, true), instance(8, false), instance(16, false), instance(16, true), instance(8, true, 16)];
      let seed = 5;
      const next = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
      let calls = 0;
      // (4, 65): one full block (64 float32 logits; two of 32 float64) and a partial one. Spread -1: each row's
      // logits ascend (0.05 a class), so the online sweep's running max rises at every block.
      for (const [N, C] of [[40, 32], [4, 65], [33, 100], [64, 128], [9, 1000], [3, 4096], [2, 5000]]) {
        // shortRow.ts's sum pass without the exp's clamp at spreads up to 30 (every row within 80
        // of its max; 700 in float64), with it for most float32 rows at 60 and for some float64
        // rows at 400 (rows past 80 or 700).
        for (const [spread, labelSmoothing] of [[0.01, 0], [1, 0], [30, 0], [60, 0], [400, 0], [1, 0.1], [-1, 0]]) {
          const Logits = lanes.element === "f32" ? Float32Array : Float64Array;
          const logits = Logits.from({ length: N * C }, (_, i) => (spread < 0 ? 0.05 * (i % C) : spread * (next() * 2 - 1)));
          const targets = Int32Array.from({ length: N }, () => Math.floor(next() * C));
          const run = (k: Kernel, withGrad: boolean): { losses: Float64Array; grad: Float32Array | Float64Array | null } => {
            const losses = new Float64Array(N);
            const grad = withGrad ? new Logits(N * C) : null;
            runFlat(checkFlatCall(logits, targets, C, { reduction: "none", losses, labelSmoothing, ...(grad ? { grad } : {}) }), k);
            return { losses, grad };
          };
          for (const withGrad of [false, true]) {
            const [first, ...others] = kernels.map((k) => run(k, withGrad));
            others.forEach((other, o) => {
              const what = `${lanes.element} (${N}, ${C}), spread ${spread}, smoothing ${labelSmoothing}, ${withGrad ? "forward + backward" : "forward"}, kernel ${o + 1}`;
              for (let n = 0; n < N; n++) expect(Object.is(first.losses[n], other.losses[n]), `${what} row ${n}: ${first.losses[n]} vs ${other.losses[n]}`).toBe(true);
              if (!withGrad) return;
              const [g, h] = [first.grad!, other.grad!];
              let differ = 0;
              for (let i = 0; i < N * C; i++) if (!Object.is(g[i], h[i])) differ++;
              expect(differ, `${what}: gradient entries that differ`).toBe(0);
            });
            calls++;
          }
        }
      }
      expect(calls).toBe(98);
    }
  });

  // Both kernels, where this Node can load both (Node 22 and later): the same tolerances as
  // test/crossEntropyFlat.test.ts, against the nested module on the same numbers.
  describe.skipIf(!hasRelaxedSimd()).each([false, true])("relaxed = %s", (relaxed) => {
    it.each(["f32", "f64"] as const)("%s: exp within the accuracy src/flat/wat/exp.ts documents", (element, context) => {
      // The relaxed float32 exp ("rr1-p5") is documented with fused multiply-adds; a machine
      // without them loads the exact kernel instead (kernelFor).
      if (element === "f32" && relaxed && !hasFusedRelaxedSimd()) context.skip();
      const k = kernelFor(element, relaxed)!.exports;
      const L = element === "f32" ? (relaxed ? F32_RELAXED : F32) : relaxed ? F64_RELAXED : F64;
      // From the form's clamp (-86, or -85 for "rr1-p5"; -708 for float64) to 0: below it, exp(d) is exp(clamp).
      const low = expClamp(L.vec, L.expForm);
      let worst = 0;
      for (let i = 0; i <= 200_000; i++) {
        const d = element === "f32" ? Math.fround((low * i) / 200_000) : (low * i) / 200_000;
        worst = Math.max(worst, Math.abs(k.expLane(d) - Math.exp(d)) / Math.exp(d));
      }
      expect(worst).toBeLessThan(element === "f64" ? 3.3e-16 : relaxed ? 3.8e-7 : 1.8e-7);
    });

    it.each(
      ["f32", "f64"].flatMap((element) =>
        [
          [3, 10, {}],
          [64, 128, {}],
          [17, 1000, { labelSmoothing: 0.1 }],
          [5, 300, { weight: Array.from({ length: 300 }, (_, c) => 0.5 + (c % 7) / 7), labelSmoothing: 0.2 }],
          [9, 70, { reduction: "none", ignoreIndex: 3 }],
        ].map(([N, C, options]) => ({ element, N, C, options })),
      ) as Array<{ element: "f32" | "f64"; N: number; C: number; options: CrossEntropyOptions }>,
    )("$element ($N, $C) $options: loss and gradient equal the nested module", ({ element, N, C, options }) => {
      const Type = element === "f32" ? Float32Array : Float64Array;
      let seed = N * 1000 + C;
      const next = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 8 - 4;
      const logits = Type.from({ length: N * C }, next);
      const targets = Int32Array.from({ length: N }, (_, n) => (n * 7 + 1) % C);
      const grad = new Type(N * C);
      const losses = new Float64Array(N);
      const kernel = kernelFor(element, relaxed)!;
      expect(kernel.relaxed).toBe(relaxed);
      const loss = runFlat(checkFlatCall(logits, targets, C, { ...options, grad, losses }), kernel);
      const nested = Array.from({ length: N }, (_, n) => Array.from(logits.subarray(n * C, (n + 1) * C)));
      const target = Array.from(targets);
      const f32 = element === "f32";
      // test/crossEntropyFlat.test.ts's FLOAT32_LOSS / FLOAT64 and FLOAT32_GRAD (with smoothing's absolute term)
      const lossTol = f32 ? { rtol: 1e-6, atol: 1e-15 } : { rtol: 1e-12, atol: 1e-15 };
      const k = (options.reduction ?? "mean") === "mean" ? 1 / targets.filter((y) => y !== (options.ignoreIndex ?? -100)).length : 1;
      const w = Math.max(1, ...(options.weight ?? []));
      const gradTol = f32 ? { rtol: 1e-6, atol: options.labelSmoothing ? Math.max(1e-9, 3e-7 * k * w) : 1e-9 } : { rtol: 1e-12, atol: 1e-15 };
      const none = (options.reduction ?? "mean") === "none";
      expectAllClose(loss, none ? losses.reduce((a, b) => a + b, 0) : crossEntropy(nested, target, options), lossTol, "loss");
      expectAllClose(Array.from(losses), crossEntropy(nested, target, { ...options, reduction: "none" }), lossTol, "losses");
      const gradRows = Array.from({ length: N }, (_, n) => Array.from(grad.subarray(n * C, (n + 1) * C)));
      expectAllClose(gradRows, crossEntropyBackward(nested, target, options) as number[][], gradTol, "grad");
    });
  });
});

/** relaxed_madd a b c -> add (mul a b) c; relaxed_nmadd a b c -> sub c (mul a b), on WAT text. */
function unfuse(text: string): string {
  const opener = /\((f32x4|f64x2)\.relaxed_(n?)madd /g;
  let out = "";
  let from = 0;
  for (let match = opener.exec(text); match; match = opener.exec(text)) {
    const [vec, negated] = [match[1], match[2] === "n"];
    const args: string[] = [];
    let at = match.index + match[0].length;
    while (text[at] !== ")") {
      const end = closing(text, at);
      args.push(unfuse(text.slice(at, end)));
      at = end;
      while (text[at] === " ") at++;
    }
    const [a, b, c] = args;
    out += text.slice(from, match.index) + (negated ? `(${vec}.sub ${c} (${vec}.mul ${a} ${b}))` : `(${vec}.add (${vec}.mul ${a} ${b}) ${c})`);
    from = at + 1;
    opener.lastIndex = from;
  }
  return out + text.slice(from);
}
/** The exp's constants, set once per function as `(local.set $expN (v128.const ...))`, put back at each use. */
function inlineConstants(text: string): string {
  const values = new Map<string, string>();
  for (const [, n, value] of text.matchAll(/\n *\(local\.set \$exp(\d+) (\(v128\.const [^)]*\))\)/g)) values.set(n, value);
  expect(values.size).toBeGreaterThan(5);
  return text
    .replace(/\n *\(local\.set \$exp\d+ \(v128\.const [^)]*\)\)/g, "")
    .replace(/ ?\(local \$exp\d+ v128\)/g, "")
    .replace(/\(local\.get \$exp(\d+)\)/g, (_, n: string) => values.get(n) as string);
}

/** The index just past the parenthesised expression starting at `at`. */
function closing(text: string, at: number): number {
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced WAT from ${at}`);
}

// exp.ts: every float32 form clamps d where its arithmetic stays on normal floats. Each short
// row with a target meets the clamp (shortRow.ts: the target's lane is -Infinity), and a
// subnormal result costs Intel cores a microcode assist (src/commands/bench/subnormal.ts: 43 ns
// against 0.7 on the 2-core Xeon).
describe("the float32 exp's clamp keeps its arithmetic on normal floats", () => {
  const MIN_NORMAL = 2 ** -126;
  const LOG2E = Math.LOG2E;
  /** "rr1-p5" at d = c: n = round(c·log2 e), r = c - n·ln 2 (one fused rounding), then r·2^n as a float32 multiply. */
  const scaledProduct = (c: number): { n: number; r: number; product: number } => {
    const n = Math.round(c * LOG2E);
    const r = Math.fround(c - n * LN2_F32);
    return { n, r, product: Math.fround(r * 2 ** n) };
  };

  it.each(["rr2-p6", "rr2-p5", "rr1-p5"] as ExpForm[])("%s: exp(clamp) is a normal float32", (form) => {
    const c = expClamp("f32x4", form);
    expect(Math.fround(Math.exp(c))).toBeGreaterThanOrEqual(MIN_NORMAL);
  });

  it('"rr1-p5": r·2^n at its clamp (-85) is normal, 0.2571·2^-123; at -86 it was 2^-128.3, subnormal', () => {
    const at = scaledProduct(expClamp("f32x4", "rr1-p5"));
    expect(at.n).toBe(-123);
    expect(at.r).toBeCloseTo(0.2571, 4);
    expect(Math.abs(at.product)).toBeGreaterThanOrEqual(MIN_NORMAL);
    const old = scaledProduct(-86);
    expect(old.n).toBe(-124);
    expect(old.r).toBeCloseTo(-0.0497, 4);
    expect(Math.abs(old.product)).toBeLessThan(MIN_NORMAL);
  });

  it.skipIf(!hasFusedRelaxedSimd())("the relaxed kernel's exp of d at and below its clamp: exp(-85), a normal float32", () => {
    const k = kernelFor("f32", true)!.exports;
    for (const d of [-85, -85.5, -86, -100, -1e30, -Infinity]) {
      const e = k.expLane(d);
      expect(e, `exp(${d})`).toBeGreaterThanOrEqual(MIN_NORMAL);
      expect(Math.abs(e - Math.exp(-85)) / Math.exp(-85), `exp(${d})`).toBeLessThan(3.8e-7);
    }
  });
});
