import { describe, expect, it } from "vitest";
import { crossEntropy, crossEntropyBackward, logSoftmax, nllLoss, softmax } from "../src";
import { describe as describeValue } from "../src/inputs/describe";

// Every bad input gets a TypeError or RangeError, at once, whose message names the argument,
// the position and the value. Casting through `any` is what a JavaScript caller can do.
const call = crossEntropy as (...args: any[]) => unknown;
const logits = [
  [1, 2, 3, 4, 5],
  [5, 4, 3, 2, 1],
];

describe.each([
  ["crossEntropy", crossEntropy],
  ["crossEntropyBackward", crossEntropyBackward],
])("%s rejects bad input", (_, fn) => {
  const f = fn as (...args: any[]) => unknown;
  const cases: Array<[string, () => unknown, typeof TypeError | typeof RangeError, RegExp]> = [
    ["a class index out of range", () => f(logits, [0, 7]), RangeError, /^targets\[1\] = 7 is out of range: expected a class index in \[0, 5\) or ignoreIndex \(-100\)$/],
    ["a negative class index", () => f(logits, [-1, 0]), RangeError, /targets\[0\] = -1 is out of range/],
    ["a fractional class index", () => f(logits, [2.5, 0]), RangeError, /targets\[0\] = 2.5 is not a class index/],
    ["a NaN class index", () => f(logits, [0, NaN]), RangeError, /targets\[1\] = NaN is not a class index/],
    ["an Infinity class index", () => f(logits, [Infinity, 0]), RangeError, /targets\[0\] = Infinity is not a class index/],
    ["a target that is a string", () => f(logits, [0, "3"]), TypeError, /targets\[1\] = "3" is not a number/],
    ["a target that is null", () => f(logits, [null, 1]), TypeError, /targets\[0\] = null is not a number/],
    ["a K-dim class index out of range", () => f([[[1, 2], [3, 4]]], [[0, 2]]), RangeError, /targets\[0\]\[1\] = 2 is out of range/],
    ["batch sizes that differ", () => f(logits, [0]), RangeError, /targets has batch size 1 but logits has batch size 2 \(logits shape \[2, 5\], targets shape \[1\]\)/],
    ["spatial sizes that differ", () => f([[[1, 2, 3], [3, 4, 5]]], [[0, 1]]), RangeError, /targets has shape \[1, 2\] but logits of shape \[1, 2, 3\] needs class indices of shape \[1, 3\]/],
    ["ragged logits", () => f([[1, 2, 3], [1, 2]], [0, 0]), RangeError, /logits\[1\] has length 2 but logits\[0\] has length 3/],
    ["ragged depth", () => f([[1, 2], 3], [0, 0]), RangeError, /logits\[1\] = 3 is a number but logits\[0\] is an array/],
    ["a string in the logits", () => f([[1, "2"]], [0]), TypeError, /logits\[0\]\[1\] = "2" is not a number/],
    ["undefined in the logits", () => f([[1, undefined]], [0]), TypeError, /logits\[0\]\[1\] = undefined is not a number/],
    ["null logits", () => f(null, [0]), TypeError, /^logits is null/],
    ["undefined logits", () => f(undefined, [0]), TypeError, /^logits is undefined/],
    ["undefined targets", () => f(logits, undefined), TypeError, /^targets is undefined/],
    ["a scalar input", () => f(3, 0), RangeError, /logits is a single number \(3\)/],
    ["a class index with zero classes", () => f([[], []], [0, -100]), RangeError, /targets\[0\] = 0 is out of range: expected a class index in \[0, 0\) or ignoreIndex \(-100\)/],
    ["a weight of shape [1, 5]", () => f(logits, [0, 1], { weight: [[1, 2, 3, 4, 5]] }), RangeError, /^options.weight has shape \[1, 5\]: expected a 1-D array of 5 numbers, one weight per class$/],
    ["a weight of one entry", () => f(logits, [0, 1], { weight: [1] }), RangeError, /^options.weight has 1 entry but the logits have 5 classes/],
    ["an unknown dtype", () => f(logits, [0, 1], { dtype: "float16" }), RangeError, /^options.dtype = "float16" is not a valid value: expected "float64" or "float32"$/],
    ["an empty input with a class index", () => f([], 0), RangeError, /logits is an empty batch \[\], so targets must be an empty array too/],
    ["a weight of the wrong length", () => f(logits, [0, 1], { weight: [1, 2, 3, 4] }), RangeError, /options.weight has 4 entries but the logits have 5 classes/],
    ["a weight that is not a number", () => f(logits, [0, 1], { weight: [1, 2, "3", 4, 5] }), TypeError, /options.weight\[2\] = "3" is not a number/],
    ["a label smoothing above 1", () => f(logits, [0, 1], { labelSmoothing: 1.5 }), RangeError, /options.labelSmoothing = 1.5 is out of range: expected a number in \[0, 1\]/],
    ["a negative label smoothing (PyTorch silently uses 0)", () => f(logits, [0, 1], { labelSmoothing: -0.1 }), RangeError, /options.labelSmoothing = -0.1 is out of range/],
    ["an unknown reduction", () => f(logits, [0, 1], { reduction: "avg" }), RangeError, /options.reduction = "avg" is not a valid value: expected "mean", "sum" or "none"/],
    ["a Python spelling of an option", () => f(logits, [0, 1], { ignore_index: 1 }), TypeError, /options.ignore_index is not an option here \(did you mean ignoreIndex\?\)/],
    ["a fractional ignoreIndex", () => f(logits, [0, 1], { ignoreIndex: 0.5 }), RangeError, /options.ignoreIndex = 0.5 is not an integer/],
    ["ignoreIndex >= 0 with probability targets", () => f([[1, 2]], [[0.5, 0.5]], { ignoreIndex: 0 }), RangeError, /options.ignoreIndex = 0 cannot be used with class-probability targets/],
    ["an unbatched input with an array target", () => f([1, 2, 3], [2]), RangeError, /logits is a single row of 3 class scores, so targets must be one class index or 3 probabilities, not an array of shape \[1\]/],
    ["a batched input with a single class index", () => f(logits, 1), RangeError, /targets is a single number but logits holds a batch of 2/],
    ["options that are not an object", () => f(logits, [0, 1], "mean"), TypeError, /options is "mean": expected an object/],
  ];
  it.each(cases)("%s", (_name, thunk, type, message) => {
    expect(thunk).toThrow(type);
    expect(thunk).toThrow(message);
  });
});

describe("the other public functions check their arguments too", () => {
  it("softmax and logSoftmax", () => {
    expect(() => softmax([[1, NaN], [1]])).toThrow(/logits\[1\] has length 1 but logits\[0\] has length 2/);
    expect(() => logSoftmax("1, 2" as any)).toThrow(/logits is "1, 2": expected a number or a nested array/);
    expect(() => softmax(7 as any)).toThrow(/logits is a single number \(7\)/);
    // Zero classes are no error, as in PyTorch: torch.softmax(torch.zeros(1, 0), 1) is a (1, 0) tensor.
    expect(softmax([[]])).toEqual([[]]);
  });

  it("nllLoss names its own argument", () => {
    expect(() => nllLoss([[-1, "x"]] as any, [0])).toThrow(/logProbabilities\[0\]\[1\] = "x" is not a number/);
    expect(() => nllLoss([[-1, -2]], [[0.5, 0.5]] as any)).toThrow(/needs class indices of shape \[1\]/);
  });

  it("NaN and Infinity logits are data, not errors", () => {
    expect(() => call([[NaN, Infinity, -Infinity]], [0])).not.toThrow();
  });
});

describe("class weights as typed arrays", () => {
  const weight = [0.5, 2, 1.25, 0, 3];
  it.each([
    ["crossEntropy", (w: unknown) => crossEntropy(logits, [0, 4], { weight: w as number[], labelSmoothing: 0.2 })],
    ["crossEntropyBackward", (w: unknown) => crossEntropyBackward(logits, [0, 4], { weight: w as number[], reduction: "sum" })],
    ["nllLoss", (w: unknown) => nllLoss(logSoftmax(logits) as number[][], [0, 4], { weight: w as number[] })],
  ])("%s takes a Float64Array or a Float32Array like the array of the same numbers", (_name, run) => {
    // Every weight here is exact in float32, so the three answers agree to the last bit.
    expect(run(new Float64Array(weight))).toEqual(run(weight));
    expect(run(new Float32Array(weight))).toEqual(run(weight));
  });

  it("an integer typed array is still refused, with the right article", () => {
    expect(() => crossEntropy(logits, [0, 1], { weight: new Int32Array(5) as any })).toThrow(
      /^options.weight is an Int32Array: expected an array \(or a Float64Array or Float32Array\) of 5 numbers, one per class$/,
    );
    expect(() => crossEntropy(logits, [0, 1], { weight: new Float64Array([1, 2, Infinity, 4, 5]) })).toThrow(/options.weight\[2\] = Infinity is not a finite number/);
  });
});

describe("error messages name a typed array with the article it is said with", () => {
  it.each([
    [new Int8Array(1), "an Int8Array"],
    [new Int16Array(1), "an Int16Array"],
    [new Int32Array(1), "an Int32Array"],
    [new Uint8Array(1), "a Uint8Array"],
    [new Float32Array(1), "a Float32Array"],
    [new Float64Array(1), "a Float64Array"],
    [new BigInt64Array(1), "a BigInt64Array"],
    [new DataView(new ArrayBuffer(1)), "a DataView"],
  ])("%o is %s", (value, text) => {
    expect(describeValue(value)).toBe(text);
  });
});
