/**
 * Whole-volume FM mitochondria segmentation: the in-memory reference the chunked
 * `segmentFm` must match (identical partitions), and a quick path for small volumes.
 * @module
 */
import { differenceOfGaussians } from "../filters/difference_of_gaussians.ts";
import { labelComponents } from "../filters/label.ts";
import { labelSizes } from "../filters/label_sizes.ts";
import type { TypedArray } from "../io/types.ts";
import {
  accumulateDogStatistics,
  rescaleUnit,
  thresholdSlices,
} from "./fm_segmentation_kernels.ts";
import {
  DOG_HISTOGRAM_BINS,
  type FmSegmentationOptions,
  objectsToKeep,
  resolveFmSegmentation,
  type SliceStatistics,
  sliceThresholds,
} from "./fm_thresholds.ts";

/** What a segmentation reports besides the labels. */
export interface FmSegmentationSummary {
  /** Objects written, labelled 1..count. */
  count: number;
  /** Connected components before the size filter. */
  components: number;
  /** Foreground voxels after the size filter. */
  foregroundVoxels: number;
  /** The threshold of each z slice (DoG units) and the floor that bounded them. */
  thresholds: number[];
  floor: number;
  sigmaLowVoxels: number[];
}

/**
 * Segment mitochondria in an FM volume held in memory.
 * @param volume the FM channel, C-ordered (z, y, x)
 * @param shape its shape
 * @param voxelSizeNm voxel size z, y, x in nanometres
 * @param options the config's `segmentation.fm`
 * @returns uint32 labels (1..count, in order of first voxel) and a summary
 * @example
 * ```ts
 * const { summary } = segmentFmVolume(new Uint16Array(8 * 16 * 16), [8, 16, 16], [130, 35, 35]);
 * ```
 */
export function segmentFmVolume(
  volume: TypedArray,
  shape: readonly number[],
  voxelSizeNm: readonly number[],
  options: FmSegmentationOptions = {},
): { labels: Uint32Array; summary: FmSegmentationSummary } {
  const resolved = resolveFmSegmentation(options, voxelSizeNm);
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < volume.length; i++) {
    const v = volume[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const dog = differenceOfGaussians(rescaleUnit(volume, min, max), shape, {
    sigmaLow: resolved.sigmaLowVoxels,
    sigmaHigh: resolved.sigmaHighVoxels,
  });
  const depth = shape[0]!;
  const stats: SliceStatistics = {
    min: new Float64Array(depth).fill(Infinity),
    max: new Float64Array(depth).fill(-Infinity),
    sum: new Float64Array(depth),
    count: new Float64Array(depth),
  };
  const histogram = new Float64Array(DOG_HISTOGRAM_BINS);
  const whole = { start: shape.map(() => 0), stop: [...shape] };
  accumulateDogStatistics(dog, whole, stats, histogram);
  const { thresholds, floor } = sliceThresholds(stats, histogram, resolved);
  const mask = thresholdSlices(dog, whole, thresholds);
  const { labels, count: components } = labelComponents(mask, shape, { connectivity: 26 });
  const keep = objectsToKeep(labelSizes(labels, { maxLabel: components }), resolved);
  const renumber = new Uint32Array(components + 1);
  let count = 0;
  for (let label = 1; label <= components; label++) if (keep[label]) renumber[label] = ++count;
  let foregroundVoxels = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = renumber[labels[i]!]!;
    labels[i] = label;
    if (label !== 0) foregroundVoxels++;
  }
  return {
    labels,
    summary: {
      count,
      components,
      foregroundVoxels,
      thresholds,
      floor,
      sigmaLowVoxels: resolved.sigmaLowVoxels,
    },
  };
}
