/**
 * The small data model every stage shares: dtypes, typed arrays, boxes and the
 * chunked-array interface that OME-Zarr levels (and in-memory volumes) satisfy.
 * @module
 */

/** Element types clemreg reads and writes. */
export type DataType =
  | "uint8"
  | "int8"
  | "uint16"
  | "int16"
  | "uint32"
  | "int32"
  | "float32"
  | "float64";

/** A typed array of one of the supported data types. */
export type TypedArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

/** A half-open box `[start, stop)` in voxel indices, one entry per axis, C order. */
export interface Box {
  start: number[];
  stop: number[];
}

/**
 * A chunked n-D array: an OME-Zarr level, or a volume in memory.
 * Data are C-ordered (last axis fastest).
 */
export interface ChunkedArray {
  readonly shape: readonly number[];
  readonly chunks: readonly number[];
  readonly dtype: DataType;
  /**
   * Read a box (clipped by the caller to the array); voxels never written read as the fill value.
   * The array returned is new and the caller's own (chunk kernels may overwrite their inputs).
   */
  readRegion(box: Box, options?: { signal?: AbortSignal }): Promise<TypedArray>;
  /** Read one whole chunk (edge chunks are returned clipped to the array's shape). */
  readChunk(chunkIndex: readonly number[], options?: { signal?: AbortSignal }): Promise<TypedArray>;
  /** Write one whole chunk atomically (edge chunks given clipped to the array's shape). */
  writeChunk?(chunkIndex: readonly number[], data: TypedArray): Promise<void>;
}
