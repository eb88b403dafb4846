/**
 * linearCrossEntropy and its backward against PyTorch 2.13's F.linear_cross_entropy
 * (data/reference/linear-cross-entropy.json: the reference and the chunked path, float64 and
 * float32), against crossEntropy of the logits computed here, and against centred finite
 * differences.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { crossEntropy, crossEntropyBackward, linearCrossEntropy, linearCrossEntropyBackward, type LinearCrossEntropyOptions } from "../src";
import { expectAllClose } from "./helpers/allclose";

const FORMAT = "linear-cross-entropy-reference/1";
// float64 against float64 PyTorch: only the matmul's summation order differs (MKL's against a loop).
const FLOAT64 = { rtol: 1e-12, atol: 1e-14 };
// Our float64 on float32 numbers against PyTorch's float32 arithmetic: float32's rounding
// (2^-24 ≈ 6e-8 relative) over sums of up to 64 terms of size about 1.
const FLOAT32 = { rtol: 2e-5, atol: 2e-6 };

type Nested = number | Nested[];
interface Result { loss: Nested; gradInput: Nested; gradLinearWeight: Nested; gradLinearBias: Nested | null }
interface Case {
  name: string;
  input: number[][] | number[];
  linearWeight: number[][];
  linearBias: number[] | null;
  targetKind: "index" | "probabilities";
  target: number | number[] | number[][];
  options: LinearCrossEntropyOptions;
  float64: { reference: Result; chunked: Result | null };
  float32: { reference: Result; chunked: Result | null };
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value === "NaN") return NaN;
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
  return value;
}

function loadCases(): Case[] {
  const document = JSON.parse(readFileSync(join(__dirname, "..", "data", "reference", "linear-cross-entropy.json"), "utf8"));
  if (document.format !== FORMAT) {
    throw new Error(`data/reference/linear-cross-entropy.json has format ${document.format}, expected ${FORMAT}: run npm run reference`);
  }
  return (document.cases as unknown[]).map((c) => decode(c) as Case);
}

const cases = loadCases();
const optionsOf = (c: Case): LinearCrossEntropyOptions => (c.linearBias ? { ...c.options, linearBias: c.linearBias } : c.options);

function expectResult(c: Case, expected: Result, tol: { rtol: number; atol: number }, label: string): void {
  const options = optionsOf(c);
  expectAllClose(linearCrossEntropy(c.input, c.linearWeight, c.target, options), expected.loss, tol, `${label} loss`);
  const grads = linearCrossEntropyBackward(c.input, c.linearWeight, c.target, options);
  expectAllClose(grads.gradInput, expected.gradInput, tol, `${label} gradInput`);
  expectAllClose(grads.gradLinearWeight, expected.gradLinearWeight, tol, `${label} gradLinearWeight`);
  if (expected.gradLinearBias) expectAllClose(grads.gradLinearBias, expected.gradLinearBias, tol, `${label} gradLinearBias`);
  else expect(grads.gradLinearBias, `${label} gradLinearBias`).toBeNull();
}

describe("linearCrossEntropy against PyTorch 2.13's linear_cross_entropy", () => {
  it(`the fixtures are there: ${cases.length} cases, the chunked path in some of them`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(cases.filter((c) => c.float64.chunked).length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s: the reference path, float64 and float32", (name, c) => {
    expectResult(c, c.float64.reference, FLOAT64, `${name} float64`);
    expectResult(c, c.float32.reference, FLOAT32, `${name} float32`);
  });

  // Where every target is ignored the chunked path's gradients are NaN and the reference's 0:
  // we follow the reference path (the test above), so that case is left out here.
  const chunked = cases.filter((c) => c.float64.chunked && !c.name.startsWith("all-ignored"));
  it.each(chunked.map((c) => [c.name, c] as const))("%s: the chunked path, float64 and float32", (name, c) => {
    expectResult(c, c.float64.chunked!, FLOAT64, `${name} chunked float64`);
    expectResult(c, c.float32.chunked!, FLOAT32, `${name} chunked float32`);
  });

  it("all targets ignored: the reference path's loss is NaN and its gradients 0; the chunked path's gradients are NaN", () => {
    const c = cases.find((k) => k.name === "all-ignored/mean")!;
    expect(linearCrossEntropy(c.input, c.linearWeight, c.target, optionsOf(c))).toBeNaN();
    const grads = linearCrossEntropyBackward(c.input, c.linearWeight, c.target, optionsOf(c));
    expect(grads.gradLinearWeight.flat().every((g) => g === 0)).toBe(true);
    expect((c.float64.chunked!.gradLinearWeight as number[][]).flat().every(Number.isNaN)).toBe(true);
  });
});

/** input · Wᵀ + b, written out here so that the test does not lean on the module's own. */
function logitsOf(x: number[][], W: number[][], b?: number[]): number[][] {
  return x.map((row) => W.map((w, c) => row.reduce((s, v, d) => s + v * w[d], 0) + (b ? b[c] : 0)));
}

describe("linearCrossEntropy is crossEntropy of input · Wᵀ + b", () => {
  const x = [[0.5, -1, 2], [1.5, 0.25, -0.75], [-2, 1, 0.5], [0, 0.3, 0.9]];
  const W = [[0.2, -0.4, 0.1], [1, 0.5, -0.3], [-0.7, 0.2, 0.9], [0.3, 0.3, 0.3], [-1.1, 0.6, 0]];
  const b = [0.1, -0.2, 0.3, 0, 0.05];
  const targets = [4, 0, -100, 2];
  const logits = logitsOf(x, W, b);
  const options = [
    {},
    { reduction: "sum" as const },
    { reduction: "none" as const },
    { weight: [1, 2, 0.5, 3, 1.5], labelSmoothing: 0.1 },
  ];

  it.each(options.map((o) => [JSON.stringify(o), o] as const))("%s: the loss, and d loss / d b = d loss / d logits summed over rows", (_, o) => {
    expectAllClose(linearCrossEntropy(x, W, targets, { ...o, linearBias: b }), crossEntropy(logits, targets, o) as Nested, FLOAT64, "loss");
    const G = crossEntropyBackward(logits, targets, o);
    const grads = linearCrossEntropyBackward(x, W, targets, { ...o, linearBias: b });
    expectAllClose(grads.gradLinearBias, W.map((_, c) => G.reduce((s, row) => s + row[c], 0)), FLOAT64, "gradLinearBias");
    expectAllClose(grads.gradInput, x.map((_, n) => x[0].map((__, d) => G[n].reduce((s, g, c) => s + g * W[c][d], 0))), FLOAT64, "gradInput");
    expectAllClose(grads.gradLinearWeight, W.map((_, c) => x[0].map((__, d) => G.reduce((s, row, n) => s + row[c] * x[n][d], 0))), FLOAT64, "gradLinearWeight");
  });

  it("worked by hand: x = [1, 0], W = [[2, 0], [1, 0], [0.1, 0]] gives the logits [2, 1, 0.1]", () => {
    // -log(e^2 / (e^2 + e^1 + e^0.1))
    const expected = -(2 - Math.log(Math.exp(2) + Math.exp(1) + Math.exp(0.1)));
    expect(linearCrossEntropy([[1, 0]], [[2, 0], [1, 0], [0.1, 0]], [0])).toBeCloseTo(expected, 14);
    expect(linearCrossEntropy([1, 0], [[2, 0], [1, 0], [0.1, 0]], 0, { reduction: "none" })).toBeCloseTo(expected, 14);
  });
});

describe("every gradient against a centred finite difference", () => {
  const x = [[0.3, -0.8], [1.2, 0.4], [-0.5, 0.9]];
  const W = [[0.6, -0.2], [-0.4, 1.1], [0.25, 0.5], [0.9, -0.7]];
  const b = [0.2, -0.1, 0, 0.3];
  const h = 1e-6;
  // A centred difference errs by about h² · f''' (1e-12) plus rounding 1e-16 / h (1e-10).
  const FD = { rtol: 1e-6, atol: 1e-8 };
  const settings: [string, number[] | number[][], LinearCrossEntropyOptions][] = [
    ["index targets, weights, smoothing, an ignored row", [3, -100, 1], { weight: [1, 0.5, 2, 1.5], labelSmoothing: 0.2 }],
    ["probability targets, sum", [[0.1, 0.2, 0.3, 0.4], [0, 1, 0, 0], [0.25, 0.25, 0.25, 0.25]], { reduction: "sum" }],
    ["none: the gradient of the summed losses", [0, 2, 3], { reduction: "none" }],
  ];
  const total = (value: number | number[]) => (Array.isArray(value) ? value.reduce((s, v) => s + v, 0) : value);

  it.each(settings)("%s", (_, targets, o) => {
    const loss = (xx: number[][], WW: number[][], bb: number[]) => total(linearCrossEntropy(xx, WW, targets, { ...o, linearBias: bb }));
    const grads = linearCrossEntropyBackward(x, W, targets, { ...o, linearBias: b });
    const nudge = (m: number[][], i: number, j: number, by: number) => m.map((row, r) => row.map((v, k) => (r === i && k === j ? v + by : v)));
    const fdInput = x.map((row, n) => row.map((__, d) => (loss(nudge(x, n, d, h), W, b) - loss(nudge(x, n, d, -h), W, b)) / (2 * h)));
    const fdWeight = W.map((row, c) => row.map((__, d) => (loss(x, nudge(W, c, d, h), b) - loss(x, nudge(W, c, d, -h), b)) / (2 * h)));
    const fdBias = b.map((__, c) => (loss(x, W, nudge([b], 0, c, h)[0]) - loss(x, W, nudge([b], 0, c, -h)[0])) / (2 * h));
    expectAllClose(grads.gradInput, fdInput, FD, "gradInput");
    expectAllClose(grads.gradLinearWeight, fdWeight, FD, "gradLinearWeight");
    expectAllClose(grads.gradLinearBias, fdBias, FD, "gradLinearBias");
  });
});

describe("bad arguments: an immediate error naming the argument, the position and the value", () => {
  const W = [[1, 2], [3, 4], [5, 6]];
  it.each([
    ["a weight of one dimension", () => linearCrossEntropy([[1, 2]], [1, 2] as unknown as number[][], [0]), /linearWeight has shape \[2\]: expected \(C, D\)/],
    ["input features not D", () => linearCrossEntropy([[1, 2, 3]], W, [0]), /input has 3 features per row \(input shape \[1, 3\]\) but linearWeight has 2/],
    ["a ragged input", () => linearCrossEntropy([[1, 2], [3]], W, [0, 1]), /input\[1\] has length 1 but input\[0\] has length 2/],
    ["a string in the weight", () => linearCrossEntropy([[1, 2]], [[1, 2], [3, "4" as unknown as number]], [0]), /linearWeight\[1\]\[1\] = "4" is not a number/],
    ["a bias of the wrong length", () => linearCrossEntropy([[1, 2]], W, [0], { linearBias: [1, 2] }), /options.linearBias has 2 entries but linearWeight has 3 rows/],
    ["a target out of range", () => linearCrossEntropy([[1, 2]], W, [3]), /targets\[0\] = 3 is out of range: expected a class index in \[0, 3\)/],
    ["targets of the wrong batch", () => linearCrossEntropy([[1, 2]], W, [0, 1]), /targets has batch size 2 but input · linearWeightᵀ has batch size 1/],
    ["a Python spelling", () => linearCrossEntropy([[1, 2]], W, [0], { linear_bias: [0, 0, 0] } as never), /options.linear_bias is not an option here: expected one of .*linearBias/],
  ])("%s", (_, call, message) => {
    expect(call).toThrow(message);
  });
});
