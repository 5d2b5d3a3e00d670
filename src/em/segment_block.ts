/**
 * Built-in EM mitochondria inference on one block: per-slice normalisation, 2-D features
 * and the MLP, giving a probability per voxel. Features are per slice, so a block needs a
 * halo of {@linkcode emBlockHalo} voxels in y and x (in z one slice when the model has
 * z context, else none); the interior of a block
 * read with that halo equals the whole-volume result exactly, so chunks need no blending.
 * @module
 */
import type { EmModel } from "./em_model.ts";
import {
  computeContextFeatures,
  computeZContextFeatures,
  contextFeatureCount,
  contextRadius,
} from "./context_features.ts";
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
    (context ? contextRadius(context.sigmasPx, spec.truncate, context.zSigmasPx) : 0);
  return [context?.zSigmasPx?.length ? 1 : 0, radius, radius];
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
 * What every block segmenter starts with: the shape check, the intensity statistics (given, or
 * the block's own) and the output buffer.
 * @throws {RangeError} when the volume length does not match the shape
 */
export function startBlock(
  volume: Float32Array | Uint8Array | Uint16Array,
  shape: readonly [number, number, number],
  options: SegmentBlockOptions,
): { plane: number; stats: { mean: number; std: number }; out: Float32Array } {
  const [depth, height, width] = shape;
  const plane = height * width;
  if (volume.length !== depth * plane) {
    throw new RangeError(`Cannot segment the block: ${volume.length} values for shape ${shape}`);
  }
  const stats = options.intensityMean !== undefined && options.intensityStd !== undefined
    ? { mean: options.intensityMean, std: options.intensityStd }
    : intensityStats(volume);
  return { plane, stats, out: options.out ?? new Float32Array(depth * plane) };
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
  const { plane, stats, out } = startBlock(volume, shape, options);
  const spec = model.file.features;
  const imageFeatures = featureCount(spec);
  const context = model.file.context;
  const contextLayers = model.contextLayers;
  if (!context || !contextLayers) {
    const features = new Float32Array(imageFeatures * plane);
    const slice = new Float32Array(plane);
    for (let z = 0; z < depth; z++) {
      options.signal?.throwIfAborted();
      normaliseSlice(volume, z * plane, plane, stats, slice);
      computeFeatures2d(slice, height, width, spec, features);
      mlpForward(model.layers, features, plane, plane, out.subarray(z * plane, (z + 1) * plane));
    }
    return out;
  }
  const zSigmas = context.zSigmasPx ?? [];
  // With z context, slice z's second stage needs the first stage of z + 1: run one slice
  // behind, keeping two slices' feature planes (image features, then context features).
  const lag = zSigmas.length > 0 ? 1 : 0;
  const planes = imageFeatures + contextFeatureCount(context.sigmasPx, zSigmas);
  const buffers = [new Float32Array(planes * plane), new Float32Array(planes * plane)];
  const firstStage = new Float32Array((lag ? depth : 1) * plane);
  const slice = new Float32Array(plane);
  const open = new Uint32Array(context.gate === undefined ? 0 : plane);
  const mapOf = (z: number) => lag ? firstStage.subarray(z * plane, (z + 1) * plane) : firstStage;
  const secondStage = (z: number) => {
    const features = buffers[z % 2]!;
    const contextPlanes = features.subarray(imageFeatures * plane);
    computeContextFeatures(mapOf(z), height, width, context.sigmasPx, spec.truncate, contextPlanes);
    if (lag) {
      const below = z > 0 ? z - 1 : Math.min(1, depth - 1);
      const above = z < depth - 1 ? z + 1 : Math.max(0, depth - 2);
      computeZContextFeatures(
        mapOf(below),
        mapOf(above),
        height,
        width,
        zSigmas,
        spec.truncate,
        contextPlanes.subarray(contextFeatureCount(context.sigmasPx) * plane),
      );
    }
    const stageInput = context.contextOnly ? contextPlanes : features;
    const target = out.subarray(z * plane, (z + 1) * plane);
    if (context.gate === undefined) {
      mlpForward(contextLayers, stageInput, plane, plane, target);
      return;
    }
    // Cascade: run the second stage only where the first stage or its neighbourhood is not
    // clearly background (plane 1 of the context features is the map's first smoothing).
    const count = gatePixels(mapOf(z), contextPlanes.subarray(plane), context.gate, target, open);
    mlpForward(contextLayers, stageInput, plane, count, target, open);
  };
  for (let z = 0; z < depth; z++) {
    options.signal?.throwIfAborted();
    normaliseSlice(volume, z * plane, plane, stats, slice);
    const features = buffers[z % 2]!;
    computeFeatures2d(slice, height, width, spec, features);
    mlpForward(model.layers, features, plane, plane, mapOf(z));
    if (z - lag >= 0) secondStage(z - lag);
  }
  if (lag && depth > 0) secondStage(depth - 1);
  return out;
}

/**
 * The pixels that pass the cascade gate, listed in `open`; the others get probability 0.
 * @returns how many passed
 */
function gatePixels(
  map: Float32Array,
  smoothed: Float32Array,
  gate: number,
  target: Float32Array,
  open: Uint32Array,
): number {
  let count = 0;
  for (let p = 0; p < map.length; p++) {
    if (map[p]! >= gate || smoothed[p]! >= gate) open[count++] = p;
    else target[p] = 0;
  }
  return count;
}

/** `(value − mean) / std` of one slice of a volume into `slice`. */
function normaliseSlice(
  volume: Float32Array | Uint8Array | Uint16Array,
  offset: number,
  plane: number,
  stats: { mean: number; std: number },
  slice: Float32Array,
): void {
  const inverseStd = 1 / stats.std;
  for (let p = 0; p < plane; p++) slice[p] = (volume[offset + p]! - stats.mean) * inverseStd;
}
