/**
 * Volumes in a `SharedArrayBuffer`: a `ChunkedArray` that local Web Workers read and write
 * in place (no copies across threads). Meant for tests and small in-memory jobs.
 * @module
 */
import type { Box, ChunkedArray, DataType, TypedArray } from "../io/types.ts";
import { copyRegion } from "../io/box.ts";
import { boxVoxels } from "./box.ts";
import { bytesPerElement, typedArrayOf } from "./dtype.ts";
import { chunkBox, chunkGrid } from "./grid.ts";
import type { SharedArrayLocation } from "./types.ts";

/**
 * Allocate a zeroed shared volume.
 * @param id a name for op ids and journals (two volumes with the same id are treated as the same input)
 * @param spec shape, chunks and dtype
 * @returns its location, which can be passed to workers
 */
export function createSharedArray(
  id: string,
  spec: { shape: number[]; chunks: number[]; dtype: DataType },
): SharedArrayLocation {
  const voxels = spec.shape.reduce((a, b) => a * b, 1);
  const buffer = new SharedArrayBuffer(voxels * bytesPerElement(spec.dtype));
  return {
    kind: "shared",
    id,
    buffer,
    shape: [...spec.shape],
    chunks: [...spec.chunks],
    dtype: spec.dtype,
  };
}

/** The whole volume of a shared location as one typed array (a view, not a copy). */
export function sharedArrayData(location: SharedArrayLocation): TypedArray {
  return typedArrayOf(location.dtype, location.buffer);
}

/**
 * A `ChunkedArray` over a shared location.
 * @param location the shared volume
 * @returns an array whose reads copy out and whose chunk writes copy in
 */
export function openSharedArray(location: SharedArrayLocation): ChunkedArray {
  const whole = sharedArrayData(location);
  const wholeBox: Box = { start: location.shape.map(() => 0), stop: [...location.shape] };
  const grid = chunkGrid(location.shape, location.chunks);
  const readRegion = (box: Box): Promise<TypedArray> => {
    if (box.start.some((s, a) => s < 0 || box.stop[a]! > location.shape[a]! || box.stop[a]! < s)) {
      return Promise.reject(
        new RangeError(
          `Cannot read [${box.start}]..[${box.stop}] of shared array "${location.id}": outside shape [${location.shape}]`,
        ),
      );
    }
    const out = typedArrayOf(location.dtype, boxVoxels(box));
    copyRegion(whole, wholeBox, out, box, box);
    return Promise.resolve(out);
  };
  return {
    shape: location.shape,
    chunks: location.chunks,
    dtype: location.dtype,
    readRegion,
    readChunk: (chunkIndex) => readRegion(chunkBox(grid, chunkIndex)),
    writeChunk(chunkIndex, data) {
      const box = chunkBox(grid, chunkIndex);
      if (data.length !== boxVoxels(box)) {
        return Promise.reject(
          new RangeError(
            `Cannot write chunk [${chunkIndex}]: got ${data.length} voxels, the chunk has ${
              boxVoxels(box)
            }`,
          ),
        );
      }
      copyRegion(data, box, whole, wholeBox, box);
      return Promise.resolve();
    },
  };
}
