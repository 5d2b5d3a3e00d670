/**
 * Coherent Point Drift (rigid, affine, non-rigid) for 3-D point clouds: the registration core
 * of clemreg. Start with {@link cpd}; save with {@link transformToJson}, reload with
 * {@link loadTransform} and map points with {@link applyTransform}.
 * @module
 */
export { cpd, cpdSteps } from "./cpd.ts";
export { cpdParallel, type CpdParallelOptions } from "./cpd_parallel.ts";
export { EStepPool } from "./estep_pool.ts";
export { driveSync, type EmOutcome, type EmSteps, type EStepRequest } from "./em.ts";
export type { CpdMethod, CpdOptions, CpdResult } from "./types.ts";
export { GaussianDeformation, type GaussianDeformationJson } from "./deformation.ts";
export {
  applyTransform,
  loadTransform,
  type SavedTransform,
  type TransformJson,
  transformToJson,
} from "./transform_io.ts";
export { formatPointsCsv, parsePointsText } from "./points_text.ts";
export type { Normalization } from "./normalize.ts";
export { rotationMatrix, sampleSurfaceCloud, type SurfaceCloudOptions } from "./synthetic.ts";
export { seededRandom } from "../random.ts";
export { transformPointsAffine } from "./mat3.ts";
export { cubeRotations } from "./multistart.ts";
export { eStepDense } from "./estep_dense.ts";
export { eStepGrid, truncationRadiusFactor } from "./estep_grid.ts";
export { createEStepBuffers, type EStepBuffers, type EStepTotals } from "./estep_types.ts";
export { MovingGrid } from "./moving_grid.ts";
