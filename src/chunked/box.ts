/**
 * Box arithmetic for chunked work: halos clipped to the volume, the input box an output
 * chunk needs (with halo and downsampling), and copying one box out of a larger one.
 * @module
 */
import type { Box, TypedArray } from "../io/types.ts";

/** Shape of a box in voxels. */
export function boxShape(box: Box): number[] {
  return box.start.map((s, axis) => box.stop[axis]! - s);
}

/** Number of voxels in a box. */
export function boxVoxels(box: Box): number {
  return boxShape(box).reduce((a, b) => a * b, 1);
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
  return {
    start: outputBox.start.map((s, axis) => Math.max(0, s * scale(axis) - halo(axis))),
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
  const result = out ?? (new (data.constructor as new (n: number) => T)(boxVoxels(inner)));
  copyRegion(data, outer, result, inner, inner);
  return result;
}

/**
 * Copy the voxels of `region` from `source` (holding `sourceBox`) into `target` (holding
 * `targetBox`); `region` must lie inside both boxes. Rows are copied with `set`.
 * @param source C-ordered voxels of `sourceBox`
 * @param sourceBox the box `source` covers
 * @param target C-ordered voxels of `targetBox`
 * @param targetBox the box `target` covers
 * @param region the box to copy
 * @throws {RangeError} when `region` leaves either box
 */
export function copyRegion(
  source: TypedArray,
  sourceBox: Box,
  target: TypedArray,
  targetBox: Box,
  region: Box,
): void {
  const rank = region.start.length;
  for (let axis = 0; axis < rank; axis++) {
    const lo = region.start[axis]!;
    const hi = region.stop[axis]!;
    if (lo < sourceBox.start[axis]! || hi > sourceBox.stop[axis]!) {
      throw new RangeError(`Cannot copy: region leaves the source box on axis ${axis}`);
    }
    if (lo < targetBox.start[axis]! || hi > targetBox.stop[axis]!) {
      throw new RangeError(`Cannot copy: region leaves the target box on axis ${axis}`);
    }
  }
  const regionShape = boxShape(region);
  const total = regionShape.reduce((a, b) => a * b, 1);
  if (total === 0) return;
  const sourceStrides = cStrides(boxShape(sourceBox));
  const targetStrides = cStrides(boxShape(targetBox));
  const rowLength = regionShape[rank - 1]!;
  const rows = total / rowLength;
  const rowIndex = new Array<number>(rank).fill(0);
  for (let row = 0; row < rows; row++) {
    let sourceOffset = 0;
    let targetOffset = 0;
    for (let axis = 0; axis < rank; axis++) {
      const coord = region.start[axis]! + (axis === rank - 1 ? 0 : rowIndex[axis]!);
      sourceOffset += (coord - sourceBox.start[axis]!) * sourceStrides[axis]!;
      targetOffset += (coord - targetBox.start[axis]!) * targetStrides[axis]!;
    }
    target.set(source.subarray(sourceOffset, sourceOffset + rowLength), targetOffset);
    for (let axis = rank - 2; axis >= 0; axis--) {
      rowIndex[axis] = rowIndex[axis]! + 1;
      if (rowIndex[axis]! < regionShape[axis]!) break;
      rowIndex[axis] = 0;
    }
  }
}

function cStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  return strides;
}
