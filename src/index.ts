// The public API, in the order the course teaches it.
export type { Tensor, Target, Reduction, CrossEntropyOptions, NllLossOptions } from "./types";
export { logSumExp, softmax, logSoftmax } from "./softmax";
export { crossEntropy, nllLoss } from "./crossEntropy";
// Why this loss: information theory of distributions, and the units of a loss (notebook 4).
export { entropy, crossEntropyOfDistributions, klDivergence } from "./information";
export { natsToBits, bitsToNats, perplexity } from "./units";
export { crossEntropyBackward } from "./crossEntropyBackward";
export { crossEntropyFlat } from "./flat/crossEntropyFlat";
export { crossEntropySteps, rowMaxima, shiftedLogits, exponentials, pickTargets, type CrossEntropySteps } from "./steps";
export { mulberry32, gaussian, randomNormals, shuffledIndices } from "./random";
export { START_END, characterVocabulary, encodeWord, bigramCounts, bigramProbabilities, bigramLoss } from "./bigram";
export { sampleIndex, sampleWord } from "./bigramSampling";
export { loadReference, loadBlogExample, dataFile, type ReferenceCase, type BlogExample } from "./reference";
export { loadInformationReference, type InformationCase } from "./reference";
// Showing it: danfo DataFrames as HTML tables, charts as static SVG.
export { show, showSvg, showHtml } from "./display/show";
export { tableHtml, formatNumber, type TableOptions } from "./display/table";
export { barChart, type BarChartOptions } from "./display/barChart";
export { lineChart, type LineChartOptions, type LineSeries } from "./display/lineChart";
export { heatmap, type HeatmapOptions } from "./display/heatmap";
export { categoryMap, type CategoryMapOptions } from "./display/categoryMap";
export {
  classLabels,
  sampleLabels,
  matrixFrame,
  logitsFrame,
  targetHighlight,
  sampleStepsFrame,
  sampleTargetHighlight,
  perSampleFrame,
} from "./display/frames";
export { exercises } from "./exercises";
