import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CrossEntropyOptions, Target, Tensor } from "../inputs/types";

/** One case recorded from real PyTorch by data/generate_reference.py. */
export interface ReferenceCase {
  name: string;
  group: string;
  logitsShape: number[];
  logits: Tensor;
  targetKind: "index" | "probabilities";
  target: Target;
  options: CrossEntropyOptions;
  /** F.cross_entropy(...): a number, or per position for "none". */
  loss: number | Tensor;
  /** Autograd d loss / d logits (of loss.sum() for "none"). */
  grad: Tensor;
  softmax: Tensor;
  logSoftmax: Tensor;
}

export interface ReferenceFile {
  format: string;
  generator: string;
  torch: string;
  dtype: string;
  seed: number;
  cases: ReferenceCase[];
}

/** The blog's np.random.seed(42) example, with the blog's own result and PyTorch's. */
export interface BlogExample {
  format: string;
  torch: string;
  numpy: string;
  seed: number;
  logits: number[][];
  targets: number[];
  /** The logits as torch.FloatTensor holds them: each rounded to float32. */
  logitsFloat32: number[][];
  /** The blog's numpy function, with -log(p + 1e-7). */
  blogLoss: number;
  blogLossWithoutEpsilon: number;
  torchFloat32Loss: number;
  torchFloat64Loss: number;
  torchFloat64Grad: number[][];
  torchFloat64Softmax: number[][];
}

/**
 * One case recorded from real PyTorch by data/generate_information.py: target distributions q
 * and model distributions p, both (N, C), and one value per row.
 */
export interface InformationCase {
  name: string;
  q: number[][];
  p: number[][];
  /** torch.distributions.Categorical(probs=q).entropy() */
  entropyQ: number[];
  /** torch.distributions.Categorical(probs=p).entropy() */
  entropyP: number[];
  /** F.cross_entropy(p.log(), q, reduction="none"): H(q, p) */
  crossEntropy: number[];
  /** F.kl_div(p.log(), q, reduction="none").sum(-1): KL(q‖p) */
  klQP: number[];
  /** F.kl_div(q.log(), p, reduction="none").sum(-1): KL(p‖q) */
  klPQ: number[];
}

export interface InformationReference {
  format: string;
  generator: string;
  torch: string;
  dtype: string;
  seed: number;
  cases: InformationCase[];
}

export const REFERENCE_FORMAT = "cross-entropy-reference/1";
export const INFORMATION_FORMAT = "information-reference/1";
export const BLOG_EXAMPLE_FORMAT = "blog-example/1";

/** The project's data/ folder, found from src/ or from dist/ whatever the working directory. */
export const dataDir = join(__dirname, "..", "..", "data");

/** The folder the reference JSON lives in: data/reference. */
export const referenceDir = join(dataDir, "reference");

/**
 * The path of a file in the project's data/ folder, e.g. dataFile("iris.csv").
 * @throws RangeError naming the file when it is not there.
 */
export function dataFile(name: string): string {
  const file = join(dataDir, name);
  if (!existsSync(file)) throw new RangeError(`dataFile("${name}"): ${file} does not exist`);
  return file;
}

/**
 * The PyTorch reference cases (data/reference/cross-entropy.json), with "NaN", "Infinity"
 * and "-Infinity" strings decoded back to numbers.
 * @throws Error with a hint to regenerate when the file's format is not the one this code reads.
 */
export function loadReference(file = join(referenceDir, "cross-entropy.json")): ReferenceFile {
  return readChecked<ReferenceFile>(file, REFERENCE_FORMAT);
}

/** The blog's example (data/reference/blog-example.json). */
export function loadBlogExample(file = join(referenceDir, "blog-example.json")): BlogExample {
  return readChecked<BlogExample>(file, BLOG_EXAMPLE_FORMAT);
}

/** Entropy, cross-entropy and KL divergence of distributions (data/reference/information.json). */
export function loadInformationReference(file = join(referenceDir, "information.json")): InformationReference {
  return readChecked<InformationReference>(file, INFORMATION_FORMAT);
}

function readChecked<T extends { format: string }>(file: string, format: string): T {
  const data = decodeNonFinite(JSON.parse(readFileSync(file, "utf8"))) as T;
  if (data.format !== format) {
    throw new Error(
      `${file} has format ${JSON.stringify(data.format)} but this code reads ${JSON.stringify(format)}: ` +
        `regenerate it with "npm run reference" (needs PyTorch: sudo apt-get install -y python3-torch)`,
    );
  }
  return data;
}

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };

/** JSON has no NaN or Infinity, so the generator writes them as strings; turn them back. */
export function decodeNonFinite(value: unknown): unknown {
  if (typeof value === "string" && value in NON_FINITE) return NON_FINITE[value];
  if (Array.isArray(value)) return value.map(decodeNonFinite);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeNonFinite(v)]));
  }
  return value;
}

/** One case recorded by data/generate_loss_variants.py; which fields it has depends on `kind`. */
export interface LossVariantCase {
  kind: "multi-margin" | "focal" | "float16";
  name: string;
  logits: number[][];
  targets: number[];
  /** multi-margin: the hinge's power and margin; focal: γ. */
  p: 1 | 2;
  margin: number;
  gamma: number;
  none: number[];
  sum: number;
  mean: number;
  /** x.grad after the "mean" loss's backward() */
  gradMean: number[][];
  /** float16: the inputs and what .to(float16) and .to(bfloat16) made of them */
  values: number[];
  float16: number[];
  bfloat16: number[];
}

export const LOSS_VARIANTS_FORMAT = "loss-variants-reference/1";

/** The multiclass hinge, focal loss and half-precision rounding (data/reference/loss-variants.json). */
export function loadLossVariantsReference(file = join(referenceDir, "loss-variants.json")): { torch: string; cases: LossVariantCase[] } {
  return readChecked<{ format: string; torch: string; cases: LossVariantCase[] }>(file, LOSS_VARIANTS_FORMAT);
}
