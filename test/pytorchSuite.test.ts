/**
 * PyTorch's own test inputs for cross_entropy and nll_loss (OpInfo samples, ModuleInfo inputs,
 * ModuleInfo error inputs), recorded with PyTorch 2.x's answers by
 * data/generate_pytorch_suite.py into data/reference/pytorch-suite.json.
 *
 * Every case runs through every path whose contract covers it, at PyTorch's own default
 * tolerance for the case's dtype (recorded in the fixture from torch.testing):
 *   nested float64  crossEntropy / nllLoss, their logit gradients, the target gradient
 *   nested float32  the same with { dtype: "float32" }
 *   flat            crossEntropyFlat: (N, C) logits with class-index targets, both dtypes
 * A case no path covers is counted and printed, and the count is held to 0.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  crossEntropy,
  crossEntropyBackward,
  crossEntropyFlat,
  crossEntropyTargetBackward,
  nllLoss,
  nllLossBackward,
  type CrossEntropyOptions,
  type Tensor,
} from "../src";
import { expectAllClose, type Tolerance } from "./helpers/allclose";

const FORMAT = "pytorch-suite/1";

interface SuiteCase {
  name: string;
  sources: string[];
  function: "crossEntropy" | "nllLoss";
  dtype: "float32" | "float64";
  inputShape: number[];
  input: Tensor;
  targetKind: "index" | "probabilities";
  target: number | Tensor;
  options: CrossEntropyOptions;
  loss: number | Tensor;
  grad: Tensor;
  targetGrad: Tensor | null;
}

interface ErrorCase {
  name: string;
  function: "crossEntropy" | "nllLoss";
  inputShape: number[];
  inputDtype: string;
  input: Tensor;
  targetShape: number[];
  targetDtype: string;
  target: number | Tensor;
  weightDtype: string | null;
  options: CrossEntropyOptions;
  expectedError: string;
  pytorchRaises: string | null;
}

interface Suite {
  format: string;
  torch: string;
  tolerances: Record<"float32" | "float64", Tolerance>;
  sources: Record<string, number>;
  errors: ErrorCase[];
  cases: SuiteCase[];
}

function decode(text: string): unknown {
  const special: Record<string, number> = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };
  return JSON.parse(text, (_key, value) => (typeof value === "string" && value in special ? special[value] : value));
}

function loadSuite(): Suite {
  const path = join(__dirname, "..", "data", "reference", "pytorch-suite.json");
  const suite = decode(readFileSync(path, "utf8")) as Suite;
  if (suite.format !== FORMAT) {
    throw new Error(`${path} has format ${suite.format}, not ${FORMAT}: regenerate it with npm run reference:torch2`);
  }
  return suite;
}

const suite = loadSuite();

// ---------------------------------------------------------------------------------------
// The paths, each with the contract it covers
// ---------------------------------------------------------------------------------------

interface Path {
  name: string;
  covers: (c: SuiteCase) => boolean;
  check: (c: SuiteCase, tol: Tolerance) => void;
}

function nestedCheck(c: SuiteCase, tol: Tolerance): void {
  const options: CrossEntropyOptions = { ...c.options, dtype: c.dtype };
  if (c.function === "nllLoss") {
    expectAllClose(nllLoss(c.input, c.target, options), c.loss, tol, `${c.name}: loss`);
    expectAllClose(nllLossBackward(c.input, c.target, options), c.grad, tol, `${c.name}: grad`);
    return;
  }
  expectAllClose(crossEntropy(c.input, c.target, options), c.loss, tol, `${c.name}: loss`);
  expectAllClose(crossEntropyBackward(c.input, c.target, options), c.grad, tol, `${c.name}: grad`);
  if (c.targetGrad) {
    expectAllClose(crossEntropyTargetBackward(c.input, c.target as Tensor, options), c.targetGrad, tol, `${c.name}: target grad`);
  }
}

function flatCheck(c: SuiteCase, tol: Tolerance): void {
  const [N, C] = c.inputShape;
  const Typed = c.dtype === "float32" ? Float32Array : Float64Array;
  const logits = new Typed((c.input as number[][]).flat());
  const targets = new Int32Array(c.target as number[]);
  const grad = new Typed(logits.length);
  const losses = new Float64Array(N);
  const weight = c.options.weight ? new Typed(c.options.weight) : undefined;
  const loss = crossEntropyFlat(logits, targets, C, { ...c.options, weight, grad, losses });
  expectAllClose(c.options.reduction === "none" ? Array.from(losses) : loss, c.loss, tol, `${c.name}: loss`);
  const rows = Array.from({ length: N }, (_, n) => Array.from(grad.subarray(n * C, (n + 1) * C)));
  expectAllClose(rows, c.grad, tol, `${c.name}: grad`);
}

const PATHS: Path[] = [
  { name: "nested float64", covers: (c) => c.dtype === "float64", check: nestedCheck },
  { name: "nested float32 (dtype: \"float32\")", covers: (c) => c.dtype === "float32", check: nestedCheck },
  {
    name: "crossEntropyFlat",
    covers: (c) => c.function === "crossEntropy" && c.targetKind === "index" && c.inputShape.length === 2,
    check: flatCheck,
  },
];

describe(`PyTorch ${suite.torch}'s own test inputs (data/reference/pytorch-suite.json)`, () => {
  it("holds every source the generator enumerates, and at least the 430 cases PyTorch 2.13 has", () => {
    expect(suite.sources.opInfoSamples + suite.sources.moduleInfoInputs).toBeGreaterThanOrEqual(suite.cases.length);
    expect(suite.cases.length).toBeGreaterThanOrEqual(430);
    expect(suite.cases.filter((c) => c.dtype === "float32").length).toBeGreaterThanOrEqual(215);
  });

  it("covers every case by at least one path; the uncovered are counted and printed", () => {
    const uncovered = suite.cases.filter((c) => !PATHS.some((p) => p.covers(c)));
    const lines = PATHS.map((p) => `  ${p.name}: ${suite.cases.filter(p.covers).length} cases`);
    console.log(
      `PyTorch ${suite.torch} suite: ${suite.cases.length} cases\n${lines.join("\n")}\n` +
        `  covered by no path: ${uncovered.length}${uncovered.map((c) => `\n    ${c.name}`).join("")}`,
    );
    expect(uncovered.map((c) => c.name)).toEqual([]);
  });

  for (const path of PATHS) {
    const cases = suite.cases.filter(path.covers);
    describe(path.name, () => {
      it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
        path.check(c, suite.tolerances[c.dtype]);
      });
    });
  }
});

// ---------------------------------------------------------------------------------------
// PyTorch's error inputs
// ---------------------------------------------------------------------------------------

/**
 * What each of PyTorch's error inputs becomes here, by the error PyTorch expects. A dtype the
 * API cannot express is a deliberate difference (README, "Deliberate differences"): it is
 * printed, not silently passed.
 */
const ERROR_HANDLING: { pattern: RegExp; nested: RegExp | "difference"; flat: RegExp | "difference" | "not flat" }[] = [
  // NLLLoss with a float16 weight: there is no float16 here, and mismatched weight dtypes are accepted.
  { pattern: /expected scalar type/, nested: "difference", flat: "not flat" },
  // Integer class probabilities: the nested API has no target dtype; the flat one takes Int32Array class indices only.
  { pattern: /Expected floating point type for target/, nested: "difference", flat: /^targets has length 6 but logits holds 2 rows/ },
  // Float class indices: nested arrays hold numbers; the flat path wants an Int32Array.
  { pattern: /expected target dtype to be Long/, nested: "difference", flat: /^targets is a Float32Array: expected an Int32Array/ },
  { pattern: /Expected input batch_size/, nested: /^targets has batch size 3 but logits has batch size 2/, flat: /^targets has length 3 but logits holds 2 rows/ },
  { pattern: /weight tensor should be defined/, nested: /^options.weight has 2 entries but the logits have 3 classes/, flat: /^options.weight has 2 entries/ },
  { pattern: /ignore_index is not supported/, nested: /^options.ignoreIndex = 1 cannot be used with class-probability targets/, flat: "not flat" },
  { pattern: /label_smoothing must be between/, nested: /^options.labelSmoothing = 1.5 is out of range/, flat: /^options.labelSmoothing = 1.5 is out of range/ },
  { pattern: /Expected target size/, nested: /^targets has shape \[2, 4\] but logits of shape \[2, 3, 5\] needs/, flat: "not flat" },
];

describe(`PyTorch ${suite.torch}'s error inputs`, () => {
  it("every error input is one PyTorch really raises on", () => {
    for (const e of suite.errors) expect(e.pytorchRaises, e.name).toMatch(new RegExp(e.expectedError));
  });

  it("raises on each error input as PyTorch does, except the listed dtype differences, which are printed", () => {
    const differences: string[] = [];
    for (const e of suite.errors) {
      const handling = ERROR_HANDLING.find((h) => h.pattern.test(e.pytorchRaises ?? ""));
      expect(handling, `${e.name}: ${e.pytorchRaises} has no entry in ERROR_HANDLING`).toBeDefined();
      if (!handling) continue;
      const call = e.function === "crossEntropy" ? crossEntropy : nllLoss;
      if (handling.nested === "difference") differences.push(`${e.name} (nested): ${e.pytorchRaises}`);
      else expect(() => call(e.input, e.target, e.options), e.name).toThrow(handling.nested);
      if (handling.flat === "difference") differences.push(`${e.name} (flat): ${e.pytorchRaises}`);
      if (handling.flat instanceof RegExp) {
        const [N, C] = e.inputShape;
        const Targets = e.targetDtype.startsWith("float") ? Float32Array : Int32Array;
        const targets = new Targets((Array.isArray(e.target) ? e.target : [e.target]).flat(Infinity) as number[]);
        const logits = new Float32Array((e.input as number[][]).flat());
        expect(() => crossEntropyFlat(logits, targets as Int32Array, C, e.options), `${e.name}: N = ${N}`).toThrow(handling.flat);
      }
    }
    console.log(`PyTorch error inputs not raised here (deliberate, see README):\n  ${differences.join("\n  ")}`);
    expect(differences.length).toBe(3);
  });
});
