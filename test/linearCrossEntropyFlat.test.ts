/**
 * linearCrossEntropyFlat against PyTorch 2.13 (data/reference/linear-cross-entropy.json, the
 * class-index cases, float64 and float32), against the nested linearCrossEntropy on shapes that
 * span several tiles, against finite differences, and its errors. Every matmul variant this
 * engine can run is tested: the exact SIMD module and the JavaScript fallback always, the
 * relaxed-SIMD module where the engine has it (Node 22 and later).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { linearCrossEntropy, linearCrossEntropyBackward, linearCrossEntropyFlat } from "../src";
import { checkLinearFlatCall, type LinearCrossEntropyFlatOptions } from "../src/flat/checkLinearFlat";
import { runLinearFlat } from "../src/flat/linearCrossEntropyFlat";
import { tileLayout } from "../src/flat/linearTile";
import { matmulFor, type Variant } from "../src/flat/matmulKernel";
import { hasRelaxedSimd } from "../src/flat/wat/features";
import { expectAllClose } from "./helpers/allclose";

// float64: the products are summed in another order than PyTorch's MKL and the nested loop.
const FLOAT64 = { rtol: 1e-12, atol: 1e-14 };
// float32 products, summed in float32 as PyTorch's: float32 rounding (6e-8) over sums of up to
// 64 terms, then through exp and the sums over classes.
const FLOAT32 = { rtol: 2e-5, atol: 2e-6 };

const variants: Variant[] = ["exact", "javascript", ...(hasRelaxedSimd() ? (["relaxed"] as const) : [])];

type Element = "f32" | "f64";
const arrayOf = (element: Element, values: number[]) => (element === "f32" ? Float32Array.from(values) : Float64Array.from(values));

interface FlatResult { loss: number; losses: Float64Array; gradInput: Float32Array | Float64Array; gradLinearWeight: Float32Array | Float64Array; gradLinearBias: Float32Array | Float64Array }

function runFlat(element: Element, variant: Variant, x: number[][], W: number[][], b: number[] | null, targets: number[], options: LinearCrossEntropyFlatOptions): FlatResult {
  const N = x.length;
  const [C, D] = [W.length, W[0].length];
  const result = {
    losses: new Float64Array(N),
    gradInput: arrayOf(element, new Array(N * D).fill(0)),
    gradLinearWeight: arrayOf(element, new Array(C * D).fill(0)),
    gradLinearBias: arrayOf(element, new Array(C).fill(0)),
  };
  const call = checkLinearFlatCall(arrayOf(element, x.flat()), arrayOf(element, W.flat()), Int32Array.from(targets), C, {
    ...options,
    ...(b ? { linearBias: b } : {}),
    ...result,
  });
  return { loss: runLinearFlat(call, matmulFor(element, variant)), ...result };
}

const rows = (flat: ArrayLike<number>, width: number) => {
  const all = Array.from(flat);
  return Array.from({ length: all.length / width }, (_, r) => all.slice(r * width, (r + 1) * width));
};

interface Case {
  name: string;
  input: number[][] | number[];
  linearWeight: number[][];
  linearBias: number[] | null;
  targetKind: string;
  target: number[] | number;
  options: LinearCrossEntropyFlatOptions;
  float64: { reference: { loss: number | number[]; gradInput: number[][]; gradLinearWeight: number[][]; gradLinearBias: number[] | null } };
  float32: { reference: { loss: number | number[]; gradInput: number[][]; gradLinearWeight: number[][]; gradLinearBias: number[] | null } };
}

const decode = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(decode) : value === "NaN" ? NaN : value !== null && typeof value === "object" ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)])) : value;
const document = JSON.parse(readFileSync(join(__dirname, "..", "data", "reference", "linear-cross-entropy.json"), "utf8"));
if (document.format !== "linear-cross-entropy-reference/1") throw new Error("data/reference/linear-cross-entropy.json: unknown format, run npm run reference");
// The flat path takes batched class-index targets (Int32Array), like crossEntropyFlat.
const cases = (document.cases as unknown[]).map((c) => decode(c) as Case).filter((c) => c.targetKind === "index" && Array.isArray(c.input[0]));

describe.each(variants)("linearCrossEntropyFlat (%s products) against PyTorch 2.13's reference path", (variant) => {
  it.each(cases.flatMap((c) => (["f64", "f32"] as const).map((element) => [`${c.name} ${element}`, c, element] as const)))("%s", (_, c, element) => {
    const expected = element === "f64" ? c.float64.reference : c.float32.reference;
    const tol = element === "f64" ? FLOAT64 : FLOAT32;
    const x = c.input as number[][];
    const got = runFlat(element, variant, x, c.linearWeight, c.linearBias, c.target as number[], c.options);
    if (c.options.reduction === "none") {
      expectAllClose(Array.from(got.losses), expected.loss as number[], tol, "losses");
      expectAllClose(got.loss, (expected.loss as number[]).reduce((s, v) => s + v, 0), tol, "sum of the losses");
    } else {
      expectAllClose(got.loss, expected.loss as number, tol, "loss");
    }
    expectAllClose(rows(got.gradInput, x[0].length), expected.gradInput, tol, "gradInput");
    expectAllClose(rows(got.gradLinearWeight, x[0].length), expected.gradLinearWeight, tol, "gradLinearWeight");
    if (expected.gradLinearBias) expectAllClose(Array.from(got.gradLinearBias), expected.gradLinearBias, tol, "gradLinearBias");
  });
});

/** Seeded numbers in [-1, 1), written out so the test does not lean on the module's generator. */
function numbers(count: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 48271) % 2147483647;
    return (state / 2147483647) * 2 - 1;
  });
}

describe.each(variants)("linearCrossEntropyFlat (%s products) against the nested linearCrossEntropy, across tiles", (variant) => {
  // 301 rows: two row tiles of at most 256, the last partial and not a multiple of 4;
  // 1101 classes: several chunks (float32 496 + 496 + 109, float64 4 × 248 + 109: an odd
  // number of cache lines each, then the rest, not a multiple of 4); D = 13: padded to 16.
  const [N, D, C] = [301, 13, 1101];
  const x = rows(numbers(N * D, 7), D);
  const W = rows(numbers(C * D, 11).map((v) => 2 * v), D);
  const b = numbers(C, 13);
  const targets = numbers(N, 17).map((v, n) => (n % 7 === 3 ? -100 : Math.floor((v + 1) * C / 2)));
  const weight = numbers(C, 19).map((v) => v + 1.5);
  const settings: [string, LinearCrossEntropyFlatOptions][] = [
    ["mean", {}],
    ["sum, weights, label smoothing", { reduction: "sum", weight, labelSmoothing: 0.1 }],
    ["none", { reduction: "none" }],
  ];
  it.each(settings.flatMap(([label, o]) => (["f64", "f32"] as const).map((element) => [`${label} ${element}`, o, element] as const)))("%s", (_, o, element) => {
    // float32: the nested module computes in float64 on the same float32 numbers.
    const same = (m: number[][]) => (element === "f32" ? m.map((r) => r.map(Math.fround)) : m);
    const [xs, Ws, bs] = [same(x), same(W), same([b])[0]];
    const nestedOptions = { ...o, linearBias: bs };
    const expectedLoss = linearCrossEntropy(xs, Ws, targets, nestedOptions);
    const expected = linearCrossEntropyBackward(xs, Ws, targets, nestedOptions);
    const got = runFlat(element, variant, x, W, b, targets, o);
    const tol = element === "f64" ? FLOAT64 : { rtol: 1e-4, atol: 1e-6 };
    if (Array.isArray(expectedLoss)) expectAllClose(Array.from(got.losses), expectedLoss, tol, "losses");
    else expectAllClose(got.loss, expectedLoss, tol, "loss");
    expectAllClose(rows(got.gradInput, D), expected.gradInput as number[][], tol, "gradInput");
    expectAllClose(rows(got.gradLinearWeight, D), expected.gradLinearWeight, tol, "gradLinearWeight");
    expectAllClose(Array.from(got.gradLinearBias), expected.gradLinearBias!, tol, "gradLinearBias");
  });
});

// The WebAssembly variants only: the JavaScript fallback takes 10 s a case here, and the tiles
// it is given are the same (the "across tiles" cases above run it).
describe.each(variants.filter((v) => v !== "javascript"))("linearCrossEntropyFlat (%s products) against the nested linearCrossEntropy, wide rows", (variant) => {
  // D = 512 (no padding) and D = 515 (padded to 520): float32 tiles of 256 and 252 rows and
  // chunks of 240 classes (15 cache lines); float64 of 128 and 124 rows, 120 classes. 258 rows:
  // a last tile of 2; 260 classes: a last chunk of 20.
  const [N, C] = [258, 260];
  const targets = numbers(N, 53).map((v, n) => (n % 5 === 2 ? -100 : Math.floor((v + 1) * C / 2)));
  it.each([512, 515].flatMap((D) => (["f64", "f32"] as const).map((element) => [`D = ${D}, ${element}`, D, element] as const)))("%s", (_, D, element) => {
    const x = rows(numbers(N * D, 47), D);
    const W = rows(numbers(C * D, 59).map((v) => 0.2 * v), D);
    const b = numbers(C, 61);
    const same = (m: number[][]) => (element === "f32" ? m.map((r) => r.map(Math.fround)) : m);
    const [xs, Ws, bs] = [same(x), same(W), same([b])[0]];
    const options = { labelSmoothing: 0.05 };
    const expectedLoss = linearCrossEntropy(xs, Ws, targets, { ...options, linearBias: bs }) as number;
    const expected = linearCrossEntropyBackward(xs, Ws, targets, { ...options, linearBias: bs });
    const got = runFlat(element, variant, x, W, b, targets, options);
    const tol = element === "f64" ? FLOAT64 : { rtol: 1e-4, atol: 1e-6 };
    expectAllClose(got.loss, expectedLoss, tol, "loss");
    expectAllClose(rows(got.gradInput, D), expected.gradInput as number[][], tol, "gradInput");
    expectAllClose(rows(got.gradLinearWeight, D), expected.gradLinearWeight, tol, "gradLinearWeight");
    expectAllClose(Array.from(got.gradLinearBias), expected.gradLinearBias!, tol, "gradLinearBias");
  });
});

describe.each(variants)("linearCrossEntropyFlat (%s products): a NaN or infinite logit makes its row's loss NaN, and only its row's", (variant) => {
  // 5 rows, D = 3, 1030 classes: two chunks (1008 + 22), so the non-finite logit can sit in the second.
  const [N, D, C] = [5, 3, 1030];
  const x = rows(numbers(N * D, 41), D);
  const W = rows(numbers(C * D, 43), D);
  const targets = [2, 1029, 7, 500, 1024];
  it.each([
    ["an infinite input (row 1: every logit ±Infinity or NaN)", 1, (xs: number[][], Ws: number[][]) => [xs.map((r, n) => (n === 1 ? [r[0], Infinity, r[2]] : r)), Ws]],
    ["a NaN bias of class 1027, in the second chunk", -1, (xs: number[][], Ws: number[][]) => [xs, Ws]],
  ] as const)("%s", (_, badRow, change) => {
    for (const element of ["f64", "f32"] as const) {
      const [xs, Ws] = change(x, W);
      const b = new Array(C).fill(0.25);
      if (badRow === -1) b[1027] = NaN;
      const got = runFlat(element, variant, xs as number[][], Ws as number[][], b, targets, { reduction: "none" });
      const clean = runFlat(element, variant, x, W, new Array(C).fill(0.25), targets, { reduction: "none" });
      for (let n = 0; n < N; n++) {
        if (badRow === -1 || n === badRow) expect(got.losses[n], `${element} row ${n}`).toBeNaN();
        else expect(got.losses[n], `${element} row ${n}`).toBe(clean.losses[n]);
      }
      if (badRow >= 0) {
        for (let d = 0; d < D; d++) expect(got.gradInput[badRow * D + d], `${element} gradInput[${badRow}][${d}]`).toBeNaN();
        expect(Array.from(got.gradInput.subarray(0, D)), `${element} gradInput[0]`).toEqual(Array.from(clean.gradInput.subarray(0, D)));
      }
    }
  });
});

describe.each(variants)("linearCrossEntropyFlat (%s products), float32 with a bias: the loss compares each logit with itself", (variant) => {
  // One row, D = 1: the logits are exact float32 arithmetic, z_c = fround(fround(x · W_c) + fround(b_c)),
  // as PyTorch's float32 addmm rounds them. In the first two the target's logit is far above the
  // other, so the loss is log(1 + exp(z_1 - z_0)), about 1e-22 and 1e-70; the fused head's
  // log-sum-exp, m + log(s) with s = 1 + 1e-22, gives 0 there (no log1p, unlike crossEntropyFlat),
  // within 1e-12 of it, never below. The target's logit taken in float64 (x · W_0 + b_0 unrounded)
  // beside a log-sum-exp of the rounded one gave -7.6e-7 and 2.1e-6 here.
  const cases: [number, number[], number[], number][] = [
    [1, [20.1, 0], [0.3, -30], 0],
    [1, [100.3, 0], [0.01, -60], 0],
    [-1.7, [0.9, -3.3], [-2.21, 4.05], 1],
  ];
  it.each(cases)("x = %s, W = %j, b = %j, target %s", (x, W, b, y) => {
    const f = Math.fround;
    const z = W.map((w, c) => f(f(f(x) * f(w)) + f(b[c])));
    const other = z[1 - y];
    const expected = Math.log1p(Math.exp(other - z[y]));
    const { loss } = runFlat("f32", variant, [[x]], W.map((w) => [w]), b, [y], {});
    expect(loss).toBeGreaterThanOrEqual(0);
    // float32 exps inside the log-sum-exp (relative error about 1e-7), float64 elsewhere.
    expect(Math.abs(loss - expected)).toBeLessThanOrEqual(1e-12 + 1e-6 * expected);
  });
});

describe("linearCrossEntropyFlat's gradients against centred finite differences (float64)", () => {
  const [N, D, C] = [6, 5, 9];
  const x = numbers(N * D, 23);
  const W = numbers(C * D, 29);
  const b = numbers(C, 31);
  const targets = new Int32Array([3, -100, 8, 0, 5, 5]);
  const options = { weight: numbers(C, 37).map((v) => v + 1.5), labelSmoothing: 0.2, reduction: "sum" as const };
  const loss = (xx: number[], WW: number[], bb: number[]) => linearCrossEntropyFlat(Float64Array.from(xx), Float64Array.from(WW), targets, C, { ...options, linearBias: bb });
  const h = 1e-6;
  // Centred difference: h² · f''' (1e-12) plus rounding 1e-16 / h (1e-10).
  const FD = { rtol: 1e-6, atol: 1e-8 };
  const nudge = (v: number[], i: number, by: number) => v.map((value, k) => (k === i ? value + by : value));
  it("d loss / d input, d loss / d linearWeight, d loss / d linearBias", () => {
    const gradInput = new Float64Array(N * D);
    const gradLinearWeight = new Float64Array(C * D);
    const gradLinearBias = new Float64Array(C);
    linearCrossEntropyFlat(Float64Array.from(x), Float64Array.from(W), targets, C, { ...options, linearBias: b, gradInput, gradLinearWeight, gradLinearBias });
    expectAllClose(Array.from(gradInput), x.map((_, i) => (loss(nudge(x, i, h), W, b) - loss(nudge(x, i, -h), W, b)) / (2 * h)), FD, "gradInput");
    expectAllClose(Array.from(gradLinearWeight), W.map((_, i) => (loss(x, nudge(W, i, h), b) - loss(x, nudge(W, i, -h), b)) / (2 * h)), FD, "gradLinearWeight");
    expectAllClose(Array.from(gradLinearBias), b.map((_, i) => (loss(x, W, nudge(b, i, h)) - loss(x, W, nudge(b, i, -h))) / (2 * h)), FD, "gradLinearBias");
  });
});

describe("linearCrossEntropyFlat's working memory is a tile, whatever N and C", () => {
  it.each([
    [8192, 256, 128256, 4],
    [8192, 4096, 128256, 4],
    [1_000_000, 512, 50257, 8],
    [16, 16384, 32000, 8],
  ])("N = %i, D = %i, C = %i, %i-byte numbers: at most 2.5 MiB + 24 KiB", (N, D, C, bytes) => {
    // x, W, W's gradient, the input's gradient and the logits at most 512 KiB each, the
    // softmax's float64s 2 per class (1024) and 4 per row (256).
    expect(tileLayout(N, D, C, bytes).end).toBeLessThanOrEqual(5 * 2 ** 19 + (2 * 1024 + 4 * 256) * 8);
  });
  it.each([
    [1024, 256, 32000, 4],
    [4096, 512, 50257, 4],
    [1024, 256, 32000, 8],
    [301, 13, 1101, 4],
    [64, 515, 5000, 8],
  ])("N = %i, D = %i, C = %i, %i-byte numbers: a chunk of classes is an odd number of 64-byte cache lines", (N, D, C, bytes) => {
    const { classes, rows } = tileLayout(N, D, C, bytes);
    expect(classes).toBeLessThan(C);
    expect(((classes * bytes) / 64) % 2).toBe(1);
    expect(rows % 4).toBe(0);
  });
});

describe("linearCrossEntropyFlat: bad arguments get crossEntropyFlat's clear errors", () => {
  const x = new Float32Array(6);
  const W = new Float32Array(9);
  const y = new Int32Array([0, 2]);
  const call = (...args: unknown[]) => () => (linearCrossEntropyFlat as (...a: unknown[]) => number)(...args);
  it.each([
    ["nested input", call([[1, 2, 3]], W, y, 3), /input is an array of length 1: expected a Float32Array or Float64Array/],
    ["mixed types", call(x, new Float64Array(9), y, 3), /linearWeight is a Float64Array but input is a Float32Array: expected both float32 or both float64/],
    ["C not dividing the weight", call(x, W, y, 4), /linearWeight has length 9, which is not a positive multiple of numClasses = 4/],
    ["D not dividing the input", call(new Float32Array(7), W, y, 3), /input has length 7, which is not a multiple of D = 3/],
    ["targets of the wrong length", call(x, W, new Int32Array(3), 3), /targets has length 3 but input holds 2 rows of 3 features/],
    ["a target out of range", call(x, W, new Int32Array([0, 3]), 3), /targets\[1\] = 3 is out of range: expected a class index in \[0, 3\) or ignoreIndex \(-100\)/],
    ["a short gradInput", call(x, W, y, 3, { gradInput: new Float32Array(5) }), /options.gradInput has length 5 but input has length 6/],
    ["a gradient over the weight", call(x, W, y, 3, { gradLinearWeight: W }), /options.gradLinearWeight shares memory with another argument/],
    ["a bias of the wrong length", call(x, W, y, 3, { linearBias: [1, 2] }), /options.linearBias has length 2 but numClasses = 3/],
    ["none without losses", call(x, W, y, 3, { reduction: "none" }), /options.losses is required for reduction "none"/],
    ["a Python spelling", call(x, W, y, 3, { label_smoothing: 0.1 }), /options.label_smoothing is not an option here \(did you mean labelSmoothing\?\)/],
  ])("%s", (_, run, message) => {
    expect(run).toThrow(message);
  });

  it("an empty batch: mean is NaN and sum 0, as PyTorch", () => {
    expect(linearCrossEntropyFlat(new Float64Array(0), new Float64Array(6), new Int32Array(0), 3)).toBeNaN();
    expect(linearCrossEntropyFlat(new Float64Array(0), new Float64Array(6), new Int32Array(0), 3, { reduction: "sum" })).toBe(0);
  });
});
