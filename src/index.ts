// The public API, in the order the course teaches it.
export type { Tensor, Target, Reduction, CrossEntropyOptions, NllLossOptions } from "./types";
export { logSumExp, softmax, logSoftmax } from "./softmax";
export { crossEntropy, nllLoss } from "./crossEntropy";
export { crossEntropyBackward } from "./crossEntropyBackward";
export { crossEntropyFlat } from "./flat/crossEntropyFlat";
export { crossEntropySteps, rowMaxima, shiftedLogits, exponentials, pickTargets, type CrossEntropySteps } from "./steps";
export { mulberry32, gaussian, randomNormals, shuffledIndices } from "./random";
export { loadReference, loadBlogExample, dataFile, type ReferenceCase, type BlogExample } from "./reference";
// Showing it: danfo DataFrames as HTML tables, charts as static SVG.
export { show, showSvg, showHtml, showCode } from "./display/show";
export { tableHtml, formatNumber, type TableOptions } from "./display/table";
export { barChart, type BarChartOptions } from "./display/barChart";
export { lineChart, type LineChartOptions, type LineSeries } from "./display/lineChart";
export { heatmap, type HeatmapOptions } from "./display/heatmap";
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
