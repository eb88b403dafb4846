/**
 * What a subnormal float32 costs this machine: a float32 SIMD multiply whose result is
 * subnormal (below 2^-126), against the same multiply with a normal result, ns each.
 *
 * Intel cores compute a subnormal result in a microcode assist, tens of nanoseconds each (on the
 * 2-core Xeon, also a product whose exact value lies below 2^-126 and rounds to 0, down to
 * about 2^-158); other cores (the AMD EPYC of the README's second block) pay little or nothing.
 * The kernel keeps such results out of ordinary rows (wat/exp.ts: "rr1-p5" clamps at -85, not
 * -86, where every short row's target lane meets it; quadFinish.ts; shortRow.ts), so the figure
 * says what one would cost, and why a change that lets one in once a row can be free on one
 * machine and cost 40 ns a row on the next.
 *
 * The loop multiplies a vector loaded from memory (so the multiply cannot leave the loop) by a
 * constant and adds the product into a running sum: 0.2571 · 2^-123 (normal: exp.ts's product
 * r·2^n at its clamp) or 0.0497 · 2^-124 (subnormal: the same product at the old clamp, -86).
 * The sum becomes a normal float within a few steps, so only the multiply's result is subnormal.
 */
import { assemble } from "./assemble";

/** The WebAssembly API this file uses (the project's lib, ES2022 without DOM, does not declare it). */
const Wasm = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object, imports: object) => { exports: object } } }).WebAssembly;

/** The products timed: r and 2^n as exp.ts's "rr1-p5" forms them at -85 and at -86. */
const NORMAL_PRODUCT = [0.2571, 2 ** -123] as const;
const SUBNORMAL_PRODUCT = [0.0497, 2 ** -124] as const;

/** `run(a, b, n)`: n steps of sum += a · b, a stored to and loaded from one of 64 slots a step. */
function subnormalModule(): string {
  const slot = "(i32.and (i32.shl (local.get $n) (i32.const 4)) (i32.const 1008))";
  return `(module (memory 1)
  (func (export "run") (param $a f32) (param $b f32) (param $n i32) (result f32)
    (local $x v128) (local $y v128) (local $sum v128)
    (local.set $x (f32x4.splat (local.get $a)))
    (local.set $y (f32x4.splat (local.get $b)))
    (loop $step
      (v128.store ${slot} (local.get $x))
      (local.set $sum (f32x4.add (local.get $sum) (f32x4.mul (v128.load ${slot}) (local.get $y))))
      (br_if $step (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (f32x4.extract_lane 0 (local.get $sum))))`;
}

/** Rounds of STEPS multiplies, the fastest kept (the same rule as expFloor.ts). */
const ROUNDS = 10;
const STEPS = 200_000;

/** ns a multiply, normal and subnormal result, on this engine. */
export async function subnormalCost(): Promise<{ normalNs: number; subnormalNs: number }> {
  const bytes = await assemble("subnormal.wat", subnormalModule(), false);
  const { run } = new Wasm.Instance(new Wasm.Module(bytes), {}).exports as { run(a: number, b: number, n: number): number };
  const time = ([a, b]: readonly [number, number]): number => {
    const warm = Date.now() + 100;
    while (Date.now() < warm) run(a, b, 10_000);
    let best = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      const start = process.hrtime.bigint();
      if (!(run(a, b, STEPS) > 0)) throw new Error("the subnormal probe's sum is not positive");
      best = Math.min(best, Number(process.hrtime.bigint() - start) / STEPS);
    }
    return best;
  };
  // The products' classes, checked as float32: the figure is only what it says if they are.
  const product = ([a, b]: readonly [number, number]): number => Math.fround(Math.fround(a) * b);
  if (!(product(NORMAL_PRODUCT) >= 2 ** -126) || !(product(SUBNORMAL_PRODUCT) < 2 ** -126 && product(SUBNORMAL_PRODUCT) > 0)) {
    throw new Error("subnormal.ts: the probe's products are not one normal and one subnormal float32");
  }
  return { normalNs: time(NORMAL_PRODUCT), subnormalNs: time(SUBNORMAL_PRODUCT) };
}
