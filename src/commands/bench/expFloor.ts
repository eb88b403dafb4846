/**
 * A floor under crossEntropyFlat's forward: the exp and the sum alone, ns per float32 logit.
 *
 * A loop over LOGITS float32 logits already in the L1 cache that does, for each vector of 4,
 * what the kernel's sum pass cannot avoid: load, subtract the row's max, the exp (the kernel's
 * own instructions, wat/exp.ts, in the build this engine loads: relaxed multiply-adds,
 * hoisted constants and the one-step reduction where it has fused relaxed SIMD) and add into
 * one of 4 running sums, unrolled as the kernel unrolls it. No max pass, no copy, no row's
 * finish, no target: the forward's other costs, which the bench measures apart (the per-row
 * cost, the copy), come on top. Repeated over the same logits for about
 * 0.1 s, after 0.2 s of warm-up so that V8's optimised code runs; the fastest of ROUNDS.
 */
import { hasFusedRelaxedSimd } from "../../flat/wat/features";
import { expInstructions, expSetup } from "../../flat/wat/exp";
import { F32, F32_RELAXED } from "../../flat/wat/lanes";
import { assemble } from "./assemble";

/** The WebAssembly API this file uses (the project's lib, ES2022 without DOM, does not declare it). */
const Wasm = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object, imports: object) => { exports: object } } }).WebAssembly;

/** Logits a pass: 4 KiB, in L1. */
export const LOGITS = 1024;
/**
 * Vectors a loop step, as the kernel's sum pass (stats.ts): a block of 16 under relaxed SIMD,
 * rounds of 8 in the exact build. The kernel's block also sets (relaxed) or zeroes (exact) its 4
 * sums and folds them into the row's sum: at least the 16 additions per 16 vectors done here.
 */
const unroll = (relaxed: boolean): number => (relaxed ? 16 : 8);

/** The module's text: `run(n, reps)` sums exp(x - 3) over n float32s at address 0, reps times; returns a lane of the sum. */
export function expFloorModule(relaxed: boolean): string {
  const vectors = unroll(relaxed);
  const form = (relaxed ? F32_RELAXED : F32).expForm;
  let body = "";
  for (let u = 0; u < vectors; u++) {
    body += `(local.set $d (f32x4.sub (v128.load offset=${u * 16} (local.get $p)) (local.get $mx)))\n`;
    body += expInstructions("f32x4", "d", "e", relaxed, relaxed, form) + "\n";
    body += `(local.set $s${u % 4} (f32x4.add (local.get $s${u % 4}) (local.get $e)))\n`;
  }
  return `(module (memory (export "memory") 1)
  (func (export "run") (param $n i32) (param $reps i32) (result f32)
    (local $p i32) (local $end i32) (local $mx v128) (local $d v128) (local $e v128) (local $k v128) (local $kn v128) (local $r v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)${expSetup("f32x4", relaxed, form)}
    (local.set $mx (f32x4.splat (f32.const 3)))
    (local.set $end (i32.mul (local.get $n) (i32.const 4)))
    (loop $rep
      (local.set $p (i32.const 0))
      (loop $step
        ${body}
        (local.set $p (i32.add (local.get $p) (i32.const ${vectors * 16})))
        (br_if $step (i32.lt_u (local.get $p) (local.get $end))))
      (local.set $reps (i32.sub (local.get $reps) (i32.const 1)))
      (br_if $rep (local.get $reps)))
    (f32x4.extract_lane 0 (f32x4.add (f32x4.add (local.get $s0) (local.get $s1)) (f32x4.add (local.get $s2) (local.get $s3))))))`;
}

/**
 * Timed rounds of about 0.1 s, the fastest kept: on a shared machine whose speed moves by a
 * third within minutes (the AMD EPYC), a floor is the best round, and more short rounds find
 * it more often than 3 long ones did.
 */
const ROUNDS = 10;

/** The exp-and-sum loop's time per logit on this engine, ns (seeded logits in [-3, 3)). */
export async function expFloor(): Promise<number> {
  const relaxed = hasFusedRelaxedSimd();
  const bytes = await assemble("expFloor.wat", expFloorModule(relaxed), relaxed);
  // Not named `exports`: CommonJS output reads this module's own constants through that name.
  const instance = new Wasm.Instance(new Wasm.Module(bytes), {});
  const { memory, run } = instance.exports as unknown as { memory: { buffer: ArrayBuffer }; run(n: number, reps: number): number };
  const x = new Float32Array(memory.buffer, 0, LOGITS);
  let state = 12345;
  for (let i = 0; i < LOGITS; i++) {
    state = (state * 48271) % 2147483647;
    x[i] = (state / 2147483647) * 6 - 3;
  }
  const warm = Date.now() + 200;
  while (Date.now() < warm) run(LOGITS, 16);
  const probe = 1000;
  let start = process.hrtime.bigint();
  run(LOGITS, probe);
  const reps = Math.max(probe, Math.round((probe * 0.1e9) / Number(process.hrtime.bigint() - start)));
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    start = process.hrtime.bigint();
    if (!Number.isFinite(run(LOGITS, reps))) throw new Error("the exp floor's sum is not finite");
    best = Math.min(best, Number(process.hrtime.bigint() - start) / (LOGITS * reps));
  }
  return best;
}
