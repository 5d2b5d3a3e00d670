/**
 * EM mitochondria segmentation: the built-in CNN (a small 2-D U-Net, convolutions in
 * WebAssembly SIMD), the earlier pixel classifier (2-D multi-scale features + a small MLP, then
 * an auto-context MLP with z context), a user's ONNX model, or given labels; block-wise
 * inference with halos and a whole-image driver that writes an OME-Zarr label image.
 * @module
 */
export {
  computeFeatures2d,
  defaultFeatureSpec,
  featureCount,
  featureRadius,
} from "./features_2d.ts";
export type { FeatureSpec } from "./features_2d.ts";
export { convolveSeparable2d, gaussianKernel1d, gaussianRadius } from "./gaussian_2d.ts";
export {
  computeContextFeatures,
  computeZContextFeatures,
  contextFeatureCount,
  contextRadius,
} from "./context_features.ts";
export { type DenseLayer, mlpForward } from "./mlp.ts";
export {
  builtinModelUrl,
  type EmModel,
  type EmModelFile,
  loadEmModel,
  prepareEmModel,
} from "./em_model.ts";
export {
  builtinCnnUrl,
  type CnnModel,
  type CnnModelFile,
  loadCnnModel,
  prepareCnnModel,
} from "./cnn_model.ts";
export {
  cnnForward,
  cnnMacsPerPixel,
  cnnParameterCount,
  type CnnSpec,
  createCnn,
  createTape,
} from "./cnn_net.ts";
export { createWasmTape } from "./cnn_wasm.ts";
export { segmentCnnBlock } from "./segment_cnn_block.ts";
export {
  emBlockHalo,
  intensityStats,
  type SegmentBlockOptions,
  segmentEmBlock,
} from "./segment_block.ts";
export {
  loadOnnxModel,
  type OnnxEmModel,
  type OnnxModelConfig,
  segmentOnnxBlock,
} from "./onnx_backend.ts";
export { builtinBackend, type EmBackend, onnxBackend, openEmBackend } from "./em_backend.ts";
export { type ComponentFilter, labelComponents, type LabelResult } from "./label_components.ts";
export { cleanMask2d, type CleanOptions } from "./clean_mask_2d.ts";
export { type OverlapScores, overlapScores } from "./mask_metrics.ts";
export { nearestInPlaneLevel, segmentEmImage, type SegmentImageOptions } from "./segment_volume.ts";
export { type GivenLabels, openGivenLabels } from "./given_labels.ts";
export { type LabelledSlice, loadVncSlice, pngForeground } from "./training_data.ts";
