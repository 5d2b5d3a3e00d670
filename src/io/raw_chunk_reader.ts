/**
 * Reads of uncompressed ("raw", little-endian) chunks from a local file store, straight into a
 * few reused buffers. A region read of a haloed box touches up to 27 chunks; through zarrita
 * every one of them is a fresh allocation of a whole chunk, and on a long job that churn is what
 * made the allocator's footprint creep up with the volume size. Here each thread keeps at most
 * {@link MAX_SPARE} chunk buffers per chunk size and reads with positional reads into them.
 * @module
 */
import { closeSync, openSync, readSync } from "node:fs";
import { bytesPerElement, typedArrayFor } from "./dtype.ts";
import type { DataType, TypedArray } from "./types.ts";

/** Spare buffers kept per chunk byte size in this thread. */
const MAX_SPARE = 2;
const spares = new Map<number, Uint8Array[]>();

function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error &&
    (error.code === "ENOENT" || error.code === "ENOTDIR");
}

/** Reads whole raw chunk files of one array. */
export class RawChunkReader {
  readonly chunkBytes: number;
  readonly dtype: DataType;
  readonly #pathOf: (key: string) => string;

  /**
   * @param pathOf the file path of a chunk key
   * @param chunkVoxels voxels of a full chunk (edge chunks are stored padded)
   * @param dtype the stored (little-endian) data type
   */
  constructor(pathOf: (key: string) => string, chunkVoxels: number, dtype: DataType) {
    this.#pathOf = pathOf;
    this.dtype = dtype;
    this.chunkBytes = chunkVoxels * bytesPerElement(dtype);
  }

  /**
   * Read one chunk file and hand its values to `use`, which must not keep them: the buffer is
   * reused as soon as `use` returns.
   * @param key the chunk's store key
   * @param location the array, for messages
   * @param use called with the chunk's values, or with `undefined` when the chunk is absent
   * @throws {RangeError} when the file does not hold exactly one chunk's bytes
   */
  with<T>(key: string, location: string, use: (values: TypedArray | undefined) => T): T {
    const path = this.#pathOf(key);
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (error) {
      if (isNotFound(error)) return use(undefined);
      throw error;
    }
    const pool = spares.get(this.chunkBytes) ?? [];
    spares.set(this.chunkBytes, pool);
    // One byte more than a chunk: a longer file is detected without a second read.
    const buffer = pool.pop() ?? new Uint8Array(this.chunkBytes + 1);
    try {
      let filled = 0;
      for (;;) {
        const count = readSync(fd, buffer, filled, buffer.length - filled, filled);
        if (count === 0) break;
        filled += count;
        if (filled === buffer.length) break;
      }
      if (filled !== this.chunkBytes) {
        throw new RangeError(
          `${location}: chunk file ${path} holds ${
            filled === buffer.length ? "more than " : ""
          }${filled} bytes, an uncompressed chunk has ${this.chunkBytes}`,
        );
      }
      const values = new (typedArrayFor(this.dtype))(
        buffer.buffer as ArrayBuffer,
        0,
        this.chunkBytes / bytesPerElement(this.dtype),
      );
      return use(values);
    } finally {
      closeSync(fd);
      if (pool.length < MAX_SPARE) pool.push(buffer);
    }
  }
}
