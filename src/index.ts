// The public API, in the order the course teaches it.
export type { Tensor, Target, Reduction, CrossEntropyOptions, NllLossOptions } from "./types";
export { logSumExp, softmax, logSoftmax } from "./softmax";
export { crossEntropy, nllLoss } from "./crossEntropy";
export { crossEntropyBackward } from "./crossEntropyBackward";
