/**
 * Box arithmetic for chunked work: halos clipped to the volume, the input box an output
 * chunk needs (with halo and downsampling), and copying one box out of a larger one.
 * @module
 */
import { boxShape, copyRegion, voxelCount } from "../io/box.ts";
import type { Box, TypedArray } from "../io/types.ts";

export { boxShape };

/** Number of voxels in a box. */
export function boxVoxels(box: Box): number {
  return voxelCount(boxShape(box));
}

/**
 * Grow a box by a halo on every side and clip it to the array.
 * @param box the box (e.g. one chunk)
 * @param haloVoxels halo per axis in voxels (one number applies to every axis)
 * @param shape array shape to clip to
 * @returns the haloed, clipped box
 */
export function haloBox(
  box: Box,
  haloVoxels: number | readonly number[],
  shape: readonly number[],
): Box {
  const halo = (axis: number) =>
    typeof haloVoxels === "number" ? haloVoxels : haloVoxels[axis] ?? 0;
  return {
    start: box.start.map((s, axis) => Math.max(0, s - halo(axis))),
    stop: box.stop.map((s, axis) => Math.min(shape[axis]!, s + halo(axis))),
  };
}

/** How an output box maps back into the input: a scale (input voxels per output voxel) and a halo. */
export interface BoxMapping {
  /** Input voxels per output voxel per axis (e.g. 2 for 2× downsampling); default 1. */
  scale?: readonly number[];
  /** Extra input voxels on each side per axis; default 0. */
  haloVoxels?: readonly number[];
  /** Extra input voxels on the low side (towards index 0) per axis instead; default `haloVoxels`. */
  haloLowVoxels?: readonly number[];
}

/**
 * The input box an output box needs: scaled, grown by the halo, clipped to the input shape.
 * @param outputBox a box in output voxels
 * @param inputShape the input array's shape
 * @param mapping scale and halo
 * @returns a box in input voxels
 * @example
 * ```ts
 * const box = inputBoxFor({ start: [2], stop: [4] }, [8], { scale: [2], haloVoxels: [1] });
 * console.assert(box.start[0] === 3 && box.stop[0] === 8);
 * ```
 */
export function inputBoxFor(
  outputBox: Box,
  inputShape: readonly number[],
  mapping: BoxMapping = {},
): Box {
  const scale = (axis: number) => mapping.scale?.[axis] ?? 1;
  const halo = (axis: number) => mapping.haloVoxels?.[axis] ?? 0;
  const low = (axis: number) => mapping.haloLowVoxels?.[axis] ?? halo(axis);
  return {
    start: outputBox.start.map((s, axis) => Math.max(0, s * scale(axis) - low(axis))),
    stop: outputBox.stop.map((s, axis) =>
      Math.min(inputShape[axis]!, s * scale(axis) + halo(axis))
    ),
  };
}

/**
 * Copy the voxels of `inner` out of `data`, which holds the (larger) box `outer`.
 * Kernels of a map-with-overlap use it to cut their own chunk out of the haloed result.
 * @param data C-ordered voxels of `outer`
 * @param outer the box `data` covers
 * @param inner a box inside `outer`
 * @param out optional destination of `boxVoxels(inner)` elements, same type as `data`
 * @returns the voxels of `inner`, C order
 * @throws {RangeError} when `inner` is not inside `outer`
 */
export function cropBox<T extends TypedArray>(data: T, outer: Box, inner: Box, out?: T): T {
  for (let axis = 0; axis < outer.start.length; axis++) {
    if (inner.start[axis]! < outer.start[axis]! || inner.stop[axis]! > outer.stop[axis]!) {
      throw new RangeError(`Cannot crop: the inner box leaves the outer box on axis ${axis}`);
    }
  }
  const result = out ?? (new (data.constructor as new (n: number) => T)(boxVoxels(inner)));
  copyRegion(data, outer, result, inner, inner);
  return result;
}
