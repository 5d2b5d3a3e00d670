/**
 * The chunk grid of a chunked array: how many chunks per axis, the box each chunk covers
 * (edge chunks clipped to the array), and a C-order walk over all chunks.
 * @module
 */
import { chunkBox as chunkBoxOfShape, chunkGridShape, chunkIndices } from "../io/box.ts";
import type { Box } from "../io/types.ts";

/** A regular chunk grid over an n-D shape. */
export interface ChunkGrid {
  /** Array shape in voxels, C order. */
  readonly shape: readonly number[];
  /** Chunk shape in voxels, one per axis. */
  readonly chunks: readonly number[];
  /** Number of chunks per axis: `ceil(shape / chunks)`. */
  readonly gridShape: readonly number[];
  /** Total number of chunks. */
  readonly count: number;
}

/**
 * Build the chunk grid over a shape.
 * @param shape array shape in voxels
 * @param chunks chunk shape in voxels (same length as `shape`, every entry ≥ 1)
 * @returns the grid
 * @throws {RangeError} when the lengths differ or a chunk size is not a positive integer
 * @example
 * ```ts
 * const grid = chunkGrid([10, 10], [4, 5]);
 * console.assert(grid.count === 6);
 * ```
 */
export function chunkGrid(shape: readonly number[], chunks: readonly number[]): ChunkGrid {
  if (shape.length !== chunks.length) {
    throw new RangeError(
      `Cannot build a chunk grid: shape has ${shape.length} axes, chunks has ${chunks.length}`,
    );
  }
  shape.forEach((size, axis) => {
    const chunk = chunks[axis]!;
    if (!Number.isInteger(chunk) || chunk < 1) {
      throw new RangeError(`Cannot build a chunk grid: chunk size on axis ${axis} is ${chunk}`);
    }
    if (!Number.isInteger(size) || size < 0) {
      throw new RangeError(`Cannot build a chunk grid: shape on axis ${axis} is ${size}`);
    }
  });
  const gridShape = chunkGridShape(shape, chunks);
  const count = gridShape.reduce((a, b) => a * b, 1);
  return { shape: [...shape], chunks: [...chunks], gridShape, count };
}

/**
 * The linear (C-order) number of a chunk.
 * @param grid the chunk grid
 * @param chunkIndex chunk coordinates, one per axis
 * @returns an integer in `[0, grid.count)`
 */
export function chunkLinearIndex(grid: ChunkGrid, chunkIndex: readonly number[]): number {
  let linear = 0;
  for (let axis = 0; axis < grid.gridShape.length; axis++) {
    linear = linear * grid.gridShape[axis]! + chunkIndex[axis]!;
  }
  return linear;
}

/**
 * The chunk coordinates of a linear chunk number (inverse of {@link chunkLinearIndex}).
 * @param grid the chunk grid
 * @param linear an integer in `[0, grid.count)`
 * @returns chunk coordinates, one per axis
 */
export function chunkCoords(grid: ChunkGrid, linear: number): number[] {
  const coords = new Array<number>(grid.gridShape.length);
  for (let axis = grid.gridShape.length - 1; axis >= 0; axis--) {
    const n = grid.gridShape[axis]!;
    coords[axis] = linear % n;
    linear = Math.floor(linear / n);
  }
  return coords;
}

/**
 * The voxel box a chunk covers, clipped to the array shape.
 * @param grid the chunk grid
 * @param chunkIndex chunk coordinates
 * @returns the half-open box
 */
export function chunkBox(grid: ChunkGrid, chunkIndex: readonly number[]): Box {
  return chunkBoxOfShape(chunkIndex, grid.chunks, grid.shape);
}

/**
 * Every chunk of the grid in C order (last axis fastest).
 * @param grid the chunk grid
 * @returns a generator of chunk coordinates
 */
export function* iterateChunks(grid: ChunkGrid): Generator<number[]> {
  yield* chunkIndices(grid.gridShape);
}
