/**
 * Built-in EM mitochondria inference on one block: per-slice normalisation, 2-D features
 * and the MLP, giving a probability per voxel. Features are per slice, so a block needs a
 * halo of {@linkcode emBlockHalo} voxels in y and x (none in z); the interior of a block
 * read with that halo equals the whole-volume result exactly, so chunks need no blending.
 * @module
 */
import type { EmModel } from "./em_model.ts";
import { computeContextFeatures, contextFeatureCount, contextRadius } from "./context_features.ts";
import { computeFeatures2d, featureCount, featureRadius } from "./features_2d.ts";
import { mlpForward } from "./mlp.ts";

/** Options for {@linkcode segmentEmBlock}. */
export interface SegmentBlockOptions {
  /**
   * Volume intensity mean and standard deviation (raw units). Chunked runs must pass the
   * whole volume's values; when absent they are computed from this block.
   */
  intensityMean?: number;
  intensityStd?: number;
  /** Optional output buffer of `z × y × x` floats. */
  out?: Float32Array;
  signal?: AbortSignal;
}

/**
 * The halo `[z, y, x]` in voxels a block needs for seam-free chunked inference.
 * @param model the model
 * @returns `[0, r, r]` with r the feature radius
 */
export function emBlockHalo(model: EmModel): [number, number, number] {
  const spec = model.file.features;
  const context = model.file.context;
  const radius = featureRadius(spec) +
    (context ? contextRadius(context.sigmasPx, spec.truncate) : 0);
  return [0, radius, radius];
}

/**
 * Mean and standard deviation of a volume's intensities.
 * @param values the intensities
 * @returns `{ mean, std }` (std at least 1e-6)
 */
export function intensityStats(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    sum += value;
    sumSquares += value * value;
  }
  const mean = sum / Math.max(1, values.length);
  const variance = sumSquares / Math.max(1, values.length) - mean * mean;
  return { mean, std: Math.max(1e-6, Math.sqrt(Math.max(0, variance))) };
}

/**
 * Mitochondria probability per voxel of an EM block (block includes its halo).
 * @param volume the EM block, C order
 * @param shape `[z, y, x]` of the block
 * @param model the built-in (or another clemreg MLP) model
 * @param options volume statistics, output buffer, abort signal
 * @returns probabilities in [0, 1], same shape as the block
 * @throws {RangeError} when the volume length does not match the shape
 * @example
 * ```ts ignore
 * const model = await loadEmModel();
 * const probabilities = segmentEmBlock(block, [z, y, x], model, { intensityMean, intensityStd });
 * ```
 */
export function segmentEmBlock(
  volume: Float32Array | Uint8Array | Uint16Array,
  shape: readonly [number, number, number],
  model: EmModel,
  options: SegmentBlockOptions = {},
): Float32Array {
  const [depth, height, width] = shape;
  const plane = height * width;
  if (volume.length !== depth * plane) {
    throw new RangeError(`Cannot segment the block: ${volume.length} values for shape ${shape}`);
  }
  const stats = options.intensityMean !== undefined && options.intensityStd !== undefined
    ? { mean: options.intensityMean, std: options.intensityStd }
    : intensityStats(volume);
  const out = options.out ?? new Float32Array(depth * plane);
  const spec = model.file.features;
  const imageFeatures = featureCount(spec);
  const context = model.file.context;
  const contextLayers = model.contextLayers;
  const contextPlanes = context ? contextFeatureCount(context.sigmasPx) : 0;
  // Image features then context features: stage 2 reads all planes, stage 1 the first ones.
  const features = new Float32Array((imageFeatures + contextPlanes) * plane);
  const firstStage = context ? new Float32Array(plane) : undefined;
  const slice = new Float32Array(plane);
  const inverseStd = 1 / stats.std;
  for (let z = 0; z < depth; z++) {
    options.signal?.throwIfAborted();
    const offset = z * plane;
    for (let p = 0; p < plane; p++) slice[p] = (volume[offset + p]! - stats.mean) * inverseStd;
    computeFeatures2d(slice, height, width, spec, features);
    const target = out.subarray(offset, offset + plane);
    if (context && contextLayers && firstStage) {
      mlpForward(model.layers, features, plane, plane, firstStage);
      computeContextFeatures(
        firstStage,
        height,
        width,
        context.sigmasPx,
        spec.truncate,
        features.subarray(imageFeatures * plane),
      );
      const stageInput = context.contextOnly ? features.subarray(imageFeatures * plane) : features;
      mlpForward(contextLayers, stageInput, plane, plane, target);
    } else {
      mlpForward(model.layers, features, plane, plane, target);
    }
  }
  return out;
}
