/**
 * Compute kernels for clemreg's chunked pipeline, on C-ordered (z, y, x) typed arrays:
 * Gaussian, difference of Gaussians and Laplacian of Gaussian matching `scipy.ndimage` (each
 * with a region form for chunk + halo execution, bit-identical to a whole-volume run),
 * threshold, connected components with cross-chunk merging, object sizes and size filters,
 * and pyramid downsampling.
 * @module
 */
export { haloBox, type RegionSpec } from "./region.ts";
export { haloVoxels, sigmaVoxels } from "./sigma.ts";
export { gaussianKernel1d } from "./gaussian_kernel.ts";
export { gaussianFilter, gaussianFilterRegion, type GaussianOptions } from "./gaussian.ts";
export {
  differenceOfGaussians,
  type DifferenceOfGaussiansOptions,
  differenceOfGaussiansRegion,
} from "./difference_of_gaussians.ts";
export { laplaceOfGaussian, laplaceOfGaussianRegion } from "./laplace.ts";
export { threshold } from "./threshold.ts";
export { type Connectivity, labelComponents, type LabelOptions } from "./label.ts";
export { UnionFind } from "./union_find.ts";
export { chunkEquivalences, forwardNeighbourOffsets } from "./chunk_equivalences.ts";
export { relabel } from "./relabel.ts";
export { labelSizes } from "./label_sizes.ts";
export { filterBySize, type SizeFilterOptions, sizePercentileRange } from "./size_filter.ts";
export { downsampleMean, downsampleMode, type DownsampleOptions } from "./downsample.ts";
