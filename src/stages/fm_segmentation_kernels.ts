/**
 * Chunk kernels of FM mitochondria segmentation: the global min/max reduction, the
 * rescaled difference of Gaussians with its per-slice statistics and histogram (one pass),
 * and the per-slice threshold + per-chunk labelling. The per-voxel arithmetic lives in
 * shared helpers so the whole-volume reference computes bit-identical values.
 * @module
 */
import type { KernelContext, KernelInput, KernelResult } from "../chunked/types.ts";
import { differenceOfGaussiansRegion } from "../filters/difference_of_gaussians.ts";
import { labelComponents } from "../filters/label.ts";
import { releaseBuffers } from "../io/release.ts";
import type { Box, TypedArray } from "../io/types.ts";
import { chunkLabelsPartial, readTable } from "./chunked_labels.ts";
import { DOG_HISTOGRAM_BINS, dogBin, type SliceStatistics } from "./fm_thresholds.ts";

/** Reduce kernel: `{ min, max }` of the chunk (NaN ignored). */
export function minMaxKernel(inputs: KernelInput[]): KernelResult {
  const data = inputs[0]!.data;
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { partial: { min, max } };
}

/** Merge of {@link minMaxKernel}. */
export function minMaxMerge(partials: unknown[]): { min: number; max: number } {
  let min = Infinity, max = -Infinity;
  for (const p of partials as { min: number; max: number }[]) {
    if (p.min < min) min = p.min;
    if (p.max > max) max = p.max;
  }
  return { min, max };
}

/**
 * Rescale to [0, 1] as float32: `(v − min) / (max − min)`, one rounding per voxel.
 * @param data input voxels
 * @param min global minimum
 * @param max global maximum (a flat image becomes all zeros)
 * @param inPlace write over `data` when it is float32 (a chunk kernel owns its input)
 * @returns rescaled float32 voxels
 */
export function rescaleUnit(
  data: TypedArray,
  min: number,
  max: number,
  inPlace = false,
): Float32Array {
  const out = inPlace && data instanceof Float32Array ? data : new Float32Array(data.length);
  const inverse = max > min ? 1 / (max - min) : 0;
  for (let i = 0; i < data.length; i++) out[i] = (data[i]! - min) * inverse;
  return out;
}

/**
 * Add a DoG box's per-slice min, max, sum, count and its histogram into running totals.
 * @param dog DoG voxels of `box` (C order, z, y, x)
 * @param box where they lie in the volume
 * @param stats per-slice totals of the whole volume
 * @param histogram `DOG_HISTOGRAM_BINS` counts
 */
export function accumulateDogStatistics(
  dog: Float32Array,
  box: Box,
  stats: SliceStatistics,
  histogram: Float64Array | Uint32Array,
): void {
  const depth = box.stop[0]! - box.start[0]!;
  const plane = dog.length / depth;
  for (let dz = 0; dz < depth; dz++) {
    const z = box.start[0]! + dz;
    let min = stats.min[z]!, max = stats.max[z]!, sum = 0;
    for (let i = dz * plane, end = i + plane; i < end; i++) {
      const v = dog[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      histogram[dogBin(v)]!++;
    }
    stats.min[z] = min;
    stats.max[z] = max;
    stats.sum[z] = stats.sum[z]! + sum;
    stats.count[z] = stats.count[z]! + plane;
  }
}

/** Params of {@link dogKernel}. */
export interface DogParams {
  min: number;
  max: number;
  sigmaLow: number[];
  sigmaHigh: number[];
}

/** Map kernel: DoG of the rescaled input; partial = per-slice statistics + sparse histogram. */
export function dogKernel(
  inputs: KernelInput[],
  params: DogParams,
  context: KernelContext,
): KernelResult {
  const input = inputs[0]!;
  const scaled = rescaleUnit(input.data, params.min, params.max, true);
  const output = differenceOfGaussiansRegion(
    scaled,
    { inputBox: input.box, volumeShape: input.arrayShape, outputBox: context.outputBox },
    { sigmaLow: params.sigmaLow, sigmaHigh: params.sigmaHigh },
  );
  const box = context.outputBox;
  if (scaled !== input.data) releaseBuffers([scaled]); // scratch
  const depth = box.stop[0]! - box.start[0]!;
  const local: SliceStatistics = {
    min: new Float64Array(depth).fill(Infinity),
    max: new Float64Array(depth).fill(-Infinity),
    sum: new Float64Array(depth),
    count: new Float64Array(depth),
  };
  const histogram = new Uint32Array(DOG_HISTOGRAM_BINS);
  accumulateDogStatistics(output, { start: [0], stop: [depth] }, local, histogram);
  let used = 0;
  for (let bin = 0; bin < histogram.length; bin++) if (histogram[bin] !== 0) used++;
  const bins = new Uint16Array(used), counts = new Uint32Array(used);
  for (let bin = 0, at = 0; bin < histogram.length; bin++) {
    if (histogram[bin] === 0) continue;
    bins[at] = bin;
    counts[at++] = histogram[bin]!;
  }
  releaseBuffers([histogram]); // 256 KiB of scratch per task
  return { output, partial: { z0: box.start[0]!, ...local, bins, counts } };
}

/** Merge of {@link dogKernel}: per-slice statistics of the volume and its DoG histogram. */
export function dogMerge(
  partials: unknown[],
  params: { depth: number },
): { stats: SliceStatistics; histogram: Float64Array } {
  const stats: SliceStatistics = {
    min: new Float64Array(params.depth).fill(Infinity),
    max: new Float64Array(params.depth).fill(-Infinity),
    sum: new Float64Array(params.depth),
    count: new Float64Array(params.depth),
  };
  const merged = { stats, histogram: new Float64Array(DOG_HISTOGRAM_BINS) };
  for (const p of partials) dogFold(merged, p, params);
  return merged;
}

/** Fold of {@link dogKernel}: adds one chunk's partial into the running statistics. */
export function dogFold(
  accumulator: { stats: SliceStatistics; histogram: Float64Array } | undefined,
  partial: unknown,
  params: { depth: number },
): { stats: SliceStatistics; histogram: Float64Array } {
  const into = accumulator ?? dogMerge([], params);
  const part = partial as SliceStatistics & { z0: number; bins: Uint16Array; counts: Uint32Array };
  const { stats, histogram } = into;
  for (let dz = 0; dz < part.min.length; dz++) {
    const z = part.z0 + dz;
    stats.min[z] = Math.min(stats.min[z]!, part.min[dz]!);
    stats.max[z] = Math.max(stats.max[z]!, part.max[dz]!);
    stats.sum[z] = stats.sum[z]! + part.sum[dz]!;
    stats.count[z] = stats.count[z]! + part.count[dz]!;
  }
  for (let i = 0; i < part.bins.length; i++) {
    histogram[part.bins[i]!] = histogram[part.bins[i]!]! + part.counts[i]!;
  }
  return into;
}

/**
 * Mask of DoG voxels above their slice's threshold.
 * @param dog DoG voxels of `box`
 * @param box where they lie (z first)
 * @param thresholds one per z slice of the volume
 * @returns 1 above, else 0
 */
export function thresholdSlices(
  dog: Float32Array,
  box: Box,
  thresholds: ArrayLike<number>,
): Uint8Array {
  const depth = box.stop[0]! - box.start[0]!;
  const plane = dog.length / depth;
  const mask = new Uint8Array(dog.length);
  for (let dz = 0; dz < depth; dz++) {
    const t = thresholds[box.start[0]! + dz]!;
    for (let i = dz * plane, end = i + plane; i < end; i++) mask[i] = dog[i]! > t ? 1 : 0;
  }
  return mask;
}

/**
 * Map kernel: threshold the DoG chunk per slice (thresholds from a table file, see
 * `writeTable`) and label it (1..n); partial: see `chunkLabelsPartial`.
 */
export async function thresholdLabelKernel(
  inputs: KernelInput[],
  params: { thresholdsPath: string },
  context: KernelContext,
): Promise<KernelResult> {
  const input = inputs[0]!;
  const thresholds = await readTable(params.thresholdsPath);
  const mask = thresholdSlices(input.data as Float32Array, context.outputBox, thresholds);
  const shape = context.outputBox.stop.map((s, axis) => s - context.outputBox.start[axis]!);
  const { labels, count } = labelComponents(mask, shape, { connectivity: 26 });
  releaseBuffers([mask]); // scratch
  return { output: labels, partial: chunkLabelsPartial(labels, count, context.outputBox) };
}
