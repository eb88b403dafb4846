// The public API, in the order the course teaches it.
export type { Tensor, Target, Reduction, Dtype, CrossEntropyOptions, NllLossOptions } from "./inputs/types";
export { logSumExp, softmax, logSoftmax } from "./loss/softmax";
export { crossEntropy, nllLoss } from "./loss/crossEntropy";
// Why this loss: information theory of distributions, and the units of a loss (notebook 4).
export { entropy, crossEntropyOfDistributions, klDivergence } from "./loss/information";
export { natsToBits, bitsToNats, perplexity } from "./loss/units";
export { crossEntropyBackward, crossEntropyTargetBackward, nllLossBackward } from "./loss/crossEntropyBackward";
export { crossEntropyFlat } from "./flat/crossEntropyFlat";
export { closeThreads, startThreads, THREAD_MIN_LOGITS } from "./flat/threads";
export { sharedFloat32Array, sharedFloat64Array } from "./flat/sharedArrays";
// The loss at LLM scale: the linear head and the loss in one call (issue 22).
export {
  linearCrossEntropy, linearCrossEntropyBackward, type LinearCrossEntropyOptions, type LinearCrossEntropyGradients,
} from "./loss/linearCrossEntropy";
export { linearCrossEntropyFlat, type LinearCrossEntropyFlatOptions } from "./flat/linearCrossEntropyFlat";
export { LINEAR_THREAD_MIN_FLOPS } from "./flat/linearThreads";
export { crossEntropySteps, rowMaxima, shiftedLogits, exponentials, pickTargets, type CrossEntropySteps } from "./loss/steps";
export { mulberry32, gaussian, randomNormals, shuffledIndices } from "./course/random";
// Training on real data (notebooks 10 and 11): batches, softmax regression, calibration.
export { loadDigits, pixelFeatures, DIGITS_RECIPE, DIGIT_IMAGE_SIZE, DIGIT_CLASSES, DIGIT_MAX_PIXEL, type Digits } from "./course/digits";
export { trainValidationSplit, miniBatches, pick } from "./course/batches";
export {
  initialModel, linearLogits, softmaxRegressionGradients, sgdStep, predictions, accuracy, type LinearModel, type StepOptions,
} from "./course/softmaxRegression";
export { trainSoftmaxRegression, newTrainingRun, type Dataset, type TrainingOptions, type EpochRecord, type TrainingHistory, type TrainingRun } from "./course/training";
// Jupyter's Interrupt stops the course's long loops at their next step (notebooks 10 to 12).
export { stopIfInterrupted, Interrupted } from "./course/interrupt";
export { predictionConfidences, reliabilityBins, expectedCalibrationError, type Confidences, type ReliabilityBin } from "./course/calibration";
export { divideByTemperature, temperatureNll, fitTemperature, type TemperatureFit } from "./course/temperature";
export { START_END, characterVocabulary, encodeWord, bigramCounts, bigramProbabilities, bigramLoss } from "./course/bigram";
export { sampleIndex, sampleWord } from "./course/bigramSampling";
export { loadReference, loadBlogExample, dataFile, type ReferenceCase, type BlogExample } from "./course/reference";
export { loadInformationReference, type InformationCase } from "./course/reference";
// Showing it: danfo DataFrames as HTML tables, charts as static SVG.
export { show, showSvg, showHtml, showCode } from "./display/show";
export { tableHtml, formatNumber, type TableOptions } from "./display/table";
export { barChart, type BarChartOptions } from "./display/barChart";
export { lineChart, type LineChartOptions, type LineSeries } from "./display/lineChart";
export { heatmap, type HeatmapOptions } from "./display/heatmap";
export { categoryMap, type CategoryMapOptions } from "./display/categoryMap";
export { imageGrid, type ImageGridOptions } from "./display/imageGrid";
export { reliabilityDiagram, type ReliabilityDiagramOptions } from "./display/reliabilityDiagram";
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
// Beside cross-entropy: the multiclass hinge (notebook 7), focal loss (notebook 5), half precision (appendix A1).
export { multiMarginLoss, multiMarginBackward, type MultiMarginOptions } from "./loss/multiMargin";
export { focalLoss, focalBackward, type FocalLossOptions } from "./loss/focal";
export { toFloat16, toBfloat16 } from "./loss/halfPrecision";
export { loadLossVariantsReference, type LossVariantCase } from "./course/reference";
// The first loss and the bias at the log prior (notebook 4); accumulating padded micro-batches (appendix A1).
export { classPrior, logPriorBias } from "./course/prior";
// Reading the weights as templates: each pixel's vote for a class (notebook 10).
export { pixelVotes } from "./course/templates";
export { accumulatedTokenMean } from "./course/accumulation";
