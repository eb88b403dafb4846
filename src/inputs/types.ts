/**
 * The shapes and options every function in the module speaks.
 *
 * Inputs are plain nested JavaScript arrays of numbers, computed in float64.
 */

/** A nested array of numbers of any depth: `number[]`, `number[][]`, `number[][][]`, ... */
export type Tensor = number[] | Tensor[];

/** Class-index targets: one number (unbatched), `(N)` or `(N, d1, ..., dk)`; or probabilities of the logits' shape. */
export type Target = number | Tensor;

/** How the per-position losses are combined, as in PyTorch. */
export type Reduction = "mean" | "sum" | "none";

/**
 * The precision a nested call computes in: "float64" (default), or "float32", which reads
 * every input value as a float32 tensor holds it and rounds every result to float32.
 */
export type Dtype = "float64" | "float32";

/** The options of `torch.nn.CrossEntropyLoss`, in the course's spelling. */
export interface CrossEntropyOptions {
  /** One weight per class (length C), an array or a Float64Array / Float32Array. Default: every class weighs 1. */
  weight?: number[] | Float64Array | Float32Array;
  /** Targets equal to this contribute nothing and are not range-checked. Default -100. */
  ignoreIndex?: number;
  /** Default "mean". */
  reduction?: Reduction;
  /** Default 0, in [0, 1]. */
  labelSmoothing?: number;
  /**
   * Default "float64". "float32" holds the logits, targets and weights as float32 tensors do
   * (each value rounded to the nearest float32) and rounds the results to float32; the
   * arithmetic between stays in float64. Not taken by crossEntropyFlat, whose dtype is its array's.
   */
  dtype?: Dtype;
}

/** `nllLoss` takes the same options as `crossEntropy` except label smoothing. */
export type NllLossOptions = Omit<CrossEntropyOptions, "labelSmoothing">;
