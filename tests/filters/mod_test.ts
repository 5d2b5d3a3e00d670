import assert from "node:assert/strict";
import * as filters from "../../src/filters/mod.ts";

Deno.test("src/filters/mod.ts exports exactly the documented kernels", () => {
  assert.deepEqual(Object.keys(filters).sort(), [
    "UnionFind",
    "chunkEquivalences",
    "differenceOfGaussians",
    "differenceOfGaussiansRegion",
    "downsampleMean",
    "downsampleMode",
    "filterBySize",
    "forwardNeighbourOffsets",
    "gaussianFilter",
    "gaussianFilterRegion",
    "gaussianKernel1d",
    "haloBox",
    "haloVoxels",
    "labelComponents",
    "labelSizes",
    "laplaceOfGaussian",
    "laplaceOfGaussianRegion",
    "relabel",
    "sigmaVoxels",
    "sizePercentileRange",
    "threshold",
  ]);
});
