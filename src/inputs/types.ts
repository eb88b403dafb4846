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
}

/** `nllLoss` takes the same options as `crossEntropy` except label smoothing. */
export type NllLossOptions = Omit<CrossEntropyOptions, "labelSmoothing">;
