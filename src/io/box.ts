/**
 * Box arithmetic on chunk grids and the n-D copy between C-ordered buffers that
 * region reads and chunk writes share.
 * @module
 */
import type { Box, TypedArray } from "./types.ts";

/** The number of voxels in a shape. */
export function voxelCount(shape: readonly number[]): number {
  let count = 1;
  for (const extent of shape) count *= extent;
  return count;
}

/** The shape (stop − start) of a box. */
export function boxShape(box: Box): number[] {
  return box.start.map((start, axis) => (box.stop[axis] ?? start) - start);
}

/** The box of chunk `chunkIndex`, clipped to `shape`. */
export function chunkBox(
  chunkIndex: readonly number[],
  chunks: readonly number[],
  shape: readonly number[],
): Box {
  const start = chunkIndex.map((index, axis) => index * (chunks[axis] ?? 1));
  const stop = start.map((begin, axis) => Math.min(begin + (chunks[axis] ?? 1), shape[axis] ?? 0));
  return { start, stop };
}

/** The number of chunks along each axis. */
export function chunkGridShape(shape: readonly number[], chunks: readonly number[]): number[] {
  return shape.map((extent, axis) => Math.ceil(extent / (chunks[axis] ?? 1)));
}

/** Every chunk index of a grid, in C order. */
export function* chunkIndices(gridShape: readonly number[]): Generator<number[]> {
  const total = voxelCount(gridShape);
  const index = gridShape.map(() => 0);
  for (let n = 0; n < total; n++) {
    yield index.slice();
    for (let axis = gridShape.length - 1; axis >= 0; axis--) {
      index[axis] = (index[axis] ?? 0) + 1;
      if ((index[axis] ?? 0) < (gridShape[axis] ?? 1)) break;
      index[axis] = 0;
    }
  }
}

/** Chunk indices of every chunk that intersects `box`. */
export function* chunksInBox(box: Box, chunks: readonly number[]): Generator<number[]> {
  const first = box.start.map((start, axis) => Math.floor(start / (chunks[axis] ?? 1)));
  const last = box.stop.map((stop, axis) => Math.ceil(stop / (chunks[axis] ?? 1)));
  const span = last.map((end, axis) => end - (first[axis] ?? 0));
  if (span.some((extent) => extent <= 0)) return;
  for (const offset of chunkIndices(span)) {
    yield offset.map((o, axis) => o + (first[axis] ?? 0));
  }
}

/** The intersection of two boxes, or `undefined` when empty. */
export function intersectBoxes(a: Box, b: Box): Box | undefined {
  const start = a.start.map((s, axis) => Math.max(s, b.start[axis] ?? s));
  const stop = a.stop.map((s, axis) => Math.min(s, b.stop[axis] ?? s));
  return start.every((s, axis) => s < (stop[axis] ?? s)) ? { start, stop } : undefined;
}

/**
 * Copy the voxels of `region` from one C-ordered buffer to another.
 * Each buffer covers a box given by its origin and shape; `region` must lie in both.
 *
 * Trailing axes that the region spans whole in both buffers are merged, so a region of whole
 * rows copies planes (or one block) rather than rows. Up to two outer axes run as nested loops
 * of row copies, more through an n-D counter (an 80³ float32 region out of a 256³ volume: 0.28-
 * 0.29 ms nested against 0.34 ms through the counter, by hand).
 */
export function copyRegion(
  source: TypedArray,
  sourceBox: Box,
  target: TypedArray,
  targetBox: Box,
  region: Box,
): void {
  const rank = region.start.length;
  const sourceShape = boxShape(sourceBox);
  const targetShape = boxShape(targetBox);
  const regionShape = boxShape(region);
  const sourceStrides = stridesOf(sourceShape);
  const targetStrides = stridesOf(targetShape);
  let sourceOffset = 0;
  let targetOffset = 0;
  for (let axis = 0; axis < rank; axis++) {
    const start = region.start[axis] ?? 0;
    sourceOffset += (start - (sourceBox.start[axis] ?? 0)) * (sourceStrides[axis] ?? 0);
    targetOffset += (start - (targetBox.start[axis] ?? 0)) * (targetStrides[axis] ?? 0);
  }
  // Merge axis k into axis k-1 while the region spans axis k whole in both buffers: the
  // voxels of one step along axis k-1 are then contiguous in both.
  // Afterwards axes 0..outer-1 are the outer axes, and each step of them copies `rowLength`
  // contiguous voxels (rank 0: one voxel, no outer axes).
  let outer = rank - 1;
  let rowLength = regionShape[outer] ?? 1;
  while (
    outer > 0 && regionShape[outer] === sourceShape[outer] &&
    regionShape[outer] === targetShape[outer]
  ) {
    outer--;
    rowLength *= regionShape[outer] ?? 1;
  }
  if (rowLength === 0) return;
  // deno-lint-ignore no-explicit-any
  const put = target as any;
  if (outer <= 0) {
    put.set(source.subarray(sourceOffset, sourceOffset + rowLength), targetOffset);
    return;
  }
  if (outer <= 2) {
    const n0 = outer === 2 ? regionShape[0]! : 1;
    const n1 = regionShape[outer - 1]!;
    const s0 = outer === 2 ? sourceStrides[0]! : 0, t0 = outer === 2 ? targetStrides[0]! : 0;
    const s1 = sourceStrides[outer - 1]!, t1 = targetStrides[outer - 1]!;
    for (let i = 0; i < n0; i++) {
      let s = sourceOffset + i * s0;
      let t = targetOffset + i * t0;
      for (let j = 0; j < n1; j++, s += s1, t += t1) {
        put.set(source.subarray(s, s + rowLength), t);
      }
    }
    return;
  }
  const rows = voxelCount(regionShape.slice(0, outer));
  const counter = new Array<number>(outer).fill(0);
  for (let row = 0; row < rows; row++) {
    let s = sourceOffset;
    let t = targetOffset;
    for (let axis = 0; axis < outer; axis++) {
      const c = counter[axis] ?? 0;
      s += c * (sourceStrides[axis] ?? 0);
      t += c * (targetStrides[axis] ?? 0);
    }
    put.set(source.subarray(s, s + rowLength), t);
    for (let axis = outer - 1; axis >= 0; axis--) {
      counter[axis] = (counter[axis] ?? 0) + 1;
      if ((counter[axis] ?? 0) < (regionShape[axis] ?? 1)) break;
      counter[axis] = 0;
    }
  }
}

/** C-order strides (in elements) of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let axis = shape.length - 2; axis >= 0; axis--) {
    strides[axis] = (strides[axis + 1] ?? 1) * (shape[axis + 1] ?? 1);
  }
  return strides;
}
