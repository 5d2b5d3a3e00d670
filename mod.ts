/**
 * clemreg: CLEM registration (CLEM-Reg's method) for terabyte-scale OME-Zarr volumes.
 * The public API, as re-exports only.
 * @module
 */
export * from "./src/io/mod.ts";
export * from "./src/chunked/mod.ts";
export {
  chunkEquivalences,
  differenceOfGaussians,
  differenceOfGaussiansRegion,
  downsampleMean,
  downsampleMode,
  filterBySize,
  gaussianFilter,
  gaussianFilterRegion,
  labelComponents,
  labelSizes,
  laplaceOfGaussian,
  laplaceOfGaussianRegion,
  relabel,
  sigmaVoxels,
  sizePercentileRange,
  threshold,
  UnionFind,
} from "./src/filters/mod.ts";
export { type Config, type ConfigInput, configSchema } from "./src/config/schema.ts";
export { ConfigError, loadConfig, parseConfig } from "./src/config/load.ts";
export { generateSample } from "./src/sample/generate.ts";
export { emToFmPoints, fmToEmPoints, readTruth } from "./src/sample/truth_transform.ts";
