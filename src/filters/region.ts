/**
 * Boxes for chunk + halo execution: the input box a region filter needs, and the checks that an
 * input box, an output box and the volume shape fit together. Volumes are C-ordered (z, y, x);
 * 1-D and 2-D inputs are treated as 3-D with leading axes of length 1.
 * @module
 */
import { voxelCount } from "../io/box.ts";
import type { Box } from "../io/types.ts";

/** Where a region filter reads and writes, in voxel indices of the whole volume. */
export interface RegionSpec {
  /** The box the `input` array holds (chunk plus halo, clipped at the volume edges). */
  inputBox: Box;
  /** Shape of the whole volume: reflection at the boundary uses its true edges. */
  volumeShape: readonly number[];
  /** The box to compute; the output array holds exactly this box. */
  outputBox: Box;
}

/** A region normalised to three axes, with sizes precomputed. */
export interface Region3 {
  inStart: number[];
  inShape: number[];
  volume: number[];
  outStart: number[];
  outShape: number[];
}

/**
 * The input box needed to compute `outputBox`: grown by `haloVoxels` per axis and clipped to
 * the volume. Reading exactly this box is enough for every region filter in this module.
 * @param outputBox the box to compute
 * @param volumeShape shape of the whole volume
 * @param haloVoxels halo per axis (e.g. from `haloVoxels(sigma)`), or one number for all axes
 * @returns the clipped input box
 * @example
 * ```ts
 * const box = haloBox({ start: [0, 8, 8], stop: [8, 16, 16] }, [20, 20, 20], 4);
 * // box = { start: [0, 4, 4], stop: [12, 20, 20] }
 * ```
 */
export function haloBox(
  outputBox: Box,
  volumeShape: readonly number[],
  haloVoxels: number | readonly number[],
): Box {
  const ndim = volumeShape.length;
  const start: number[] = [];
  const stop: number[] = [];
  for (let axis = 0; axis < ndim; axis++) {
    const halo = typeof haloVoxels === "number" ? haloVoxels : (haloVoxels[axis] ?? 0);
    start.push(Math.max(0, (outputBox.start[axis] ?? 0) - halo));
    stop.push(Math.min(volumeShape[axis] ?? 0, (outputBox.stop[axis] ?? 0) + halo));
  }
  return { start, stop };
}

/** Pad a per-axis list on the left to three entries. */
export function pad3(values: readonly number[], fill: number): number[] {
  if (values.length > 3 || values.length === 0) {
    throw new RangeError(`Cannot filter: expected 1 to 3 axes, got ${values.length}`);
  }
  const padded = values.slice();
  while (padded.length < 3) padded.unshift(fill);
  return padded;
}

/**
 * Validate a region and normalise it to three axes.
 * @param region the region
 * @param halo per-axis halo the filter needs (already three entries)
 * @param inputLength length of the input array
 * @throws {RangeError} when the boxes do not fit the volume or the input misses needed voxels
 */
export function normaliseRegion(
  region: RegionSpec,
  halo: readonly number[],
  inputLength: number,
): Region3 {
  const ndim = region.volumeShape.length;
  if (region.inputBox.start.length !== ndim || region.outputBox.start.length !== ndim) {
    throw new RangeError(`Cannot filter region: boxes must have ${ndim} axes like the volume`);
  }
  const volume = pad3(region.volumeShape, 1);
  const inStart = pad3(region.inputBox.start, 0);
  const inStop = pad3(region.inputBox.stop, 1);
  const outStart = pad3(region.outputBox.start, 0);
  const outStop = pad3(region.outputBox.stop, 1);
  const inShape: number[] = [];
  const outShape: number[] = [];
  for (let axis = 0; axis < 3; axis++) {
    const size = volume[axis]!;
    const needStart = Math.max(0, outStart[axis]! - halo[axis]!);
    const needStop = Math.min(size, outStop[axis]! + halo[axis]!);
    if (outStart[axis]! < 0 || outStop[axis]! > size || outStop[axis]! <= outStart[axis]!) {
      throw new RangeError(
        `Cannot filter region: output box [${outStart}]..[${outStop}] is empty or outside the volume [${volume}]`,
      );
    }
    if (
      inStart[axis]! > needStart || inStop[axis]! < needStop || inStart[axis]! < 0 ||
      inStop[axis]! > size
    ) {
      throw new RangeError(
        `Cannot filter region: input box [${inStart}]..[${inStop}] must cover [${needStart}, ${needStop}) on axis ${axis} and lie in the volume`,
      );
    }
    inShape.push(inStop[axis]! - inStart[axis]!);
    outShape.push(outStop[axis]! - outStart[axis]!);
  }
  if (voxelCount(inShape) !== inputLength) {
    throw new RangeError(
      `Cannot filter region: input has ${inputLength} voxels, its box holds ${voxelCount(inShape)}`,
    );
  }
  return { inStart, inShape, volume, outStart, outShape };
}

/** Whole-volume region for a C-ordered volume of `shape`. */
export function wholeRegion(shape: readonly number[]): RegionSpec {
  const start = shape.map(() => 0);
  return {
    inputBox: { start, stop: shape.slice() },
    volumeShape: shape,
    outputBox: { start, stop: shape.slice() },
  };
}
