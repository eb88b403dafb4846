// The public API, in the order the course teaches it.
export type { Tensor, Target, Reduction, CrossEntropyOptions, NllLossOptions } from "./types";
export { logSumExp, softmax, logSoftmax } from "./softmax";
export { crossEntropy, nllLoss } from "./crossEntropy";
export { crossEntropyBackward } from "./crossEntropyBackward";
export { crossEntropySteps, rowMaxima, shiftedLogits, exponentials, pickTargets, type CrossEntropySteps } from "./steps";
export { loadReference, loadBlogExample, type ReferenceCase, type BlogExample } from "./reference";
