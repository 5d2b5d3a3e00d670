/**
 * Reads of uncompressed ("raw", little-endian) chunks from a local file store, straight into a
 * few reused buffers. A region read of a haloed box touches up to 27 chunks; through zarrita
 * every one of them is a fresh allocation of a whole chunk, and on a long job that churn is what
 * made the allocator's footprint creep up with the volume size. Here each thread keeps at most
 * {@link MAX_SPARE} chunk buffers per chunk size and reads with positional reads into them.
 * When a read needs only a thin part of a chunk (the halo of a neighbouring chunk), only the
 * rows that part spans are read ({@link RawChunkReader.slab}).
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { boxShape, stridesOf, voxelCount } from "./box.ts";
import { bytesPerElement, typedArrayFor } from "./dtype.ts";
import type { Box, DataType, TypedArray } from "./types.ts";

/** Spare buffers kept per chunk byte size in this thread. */
const MAX_SPARE = 2;
/**
 * Most positional reads one slab read may take before a whole-chunk read is cheaper. Measured
 * by hand on the 2-vCPU VMs here (page cache): a 2 KiB `pread` takes 3.6 µs, a 1 MiB one 22 µs
 * (and opening, `fstat` and closing the file 17 µs either way), so a slab of 64 rows (a 64³
 * chunk's y face) cost more than the whole chunk. With 512, a 64³ Gaussian task on raw OME-Zarr
 * made ~400 reads for its region; with 16 the 1-thread Gaussian ran 1.04-1.17× faster in A/B
 * runs of one process, by hand (DoG 1.01-1.07).
 */
const MAX_SLAB_READS = 16;
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

  /**
   * Read only the rows of a chunk that `part` spans: whole rows along the last axis, the
   * part's range on the other axes (ranges merge into one positional read where the axes
   * after them are whole), when that saves enough: the slab is at most half the chunk and needs
   * at most {@link MAX_SLAB_READS} reads.
   * @param key the chunk's store key
   * @param location the array, for messages
   * @param chunkShape the stored (full, padded) chunk shape
   * @param part the part needed, in chunk-local voxels
   * @param use called with the slab's box (chunk-local) and values (a reused buffer: it must
   *   not keep them), or with `null` when the chunk is absent
   * @returns false (and `use` is not called) when a whole-chunk read is the better read
   * @throws {RangeError} when the file does not hold exactly one chunk's bytes
   */
  slab(
    key: string,
    location: string,
    chunkShape: readonly number[],
    part: Box,
    use: (slab: { box: Box; values: TypedArray } | null) => void,
  ): boolean {
    const rank = chunkShape.length;
    if (rank < 2) return false;
    const full = (axis: number) => part.start[axis] === 0 && part.stop[axis] === chunkShape[axis];
    // Axes j+1 .. rank-1 are read whole, axis j over the part's range: one read per index of
    // the axes before j.
    let j = rank - 2;
    while (j > 0 && full(j)) j--;
    const box: Box = {
      start: chunkShape.map((_, axis) => (axis <= j ? part.start[axis]! : 0)),
      stop: chunkShape.map((n, axis) => (axis <= j ? part.stop[axis]! : n)),
    };
    const shape = boxShape(box);
    const element = bytesPerElement(this.dtype);
    const runBytes = voxelCount(shape.slice(j)) * element;
    const reads = voxelCount(shape.slice(0, j));
    if (2 * reads * runBytes > this.chunkBytes || reads > MAX_SLAB_READS) return false;
    const path = this.#pathOf(key);
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (error) {
      if (isNotFound(error)) {
        use(null);
        return true;
      }
      throw error;
    }
    const pool = spares.get(this.chunkBytes) ?? [];
    spares.set(this.chunkBytes, pool);
    const buffer = pool.pop() ?? new Uint8Array(this.chunkBytes + 1);
    try {
      const bytes = fstatSync(fd).size;
      if (bytes !== this.chunkBytes) {
        throw new RangeError(
          `${location}: chunk file ${path} holds ${bytes} bytes, an uncompressed chunk has ${this.chunkBytes}`,
        );
      }
      const strides = stridesOf(chunkShape);
      const index = box.start.slice(0, j);
      for (let r = 0; r < reads; r++) {
        let offset = box.start[j]! * strides[j]!;
        for (let axis = 0; axis < j; axis++) offset += index[axis]! * strides[axis]!;
        let filled = 0;
        while (filled < runBytes) {
          const count = readSync(
            fd,
            buffer,
            r * runBytes + filled,
            runBytes - filled,
            offset * element + filled,
          );
          if (count === 0) throw new RangeError(`${location}: chunk file ${path} ended early`);
          filled += count;
        }
        for (let axis = j - 1; axis >= 0; axis--) {
          if (++index[axis]! < box.stop[axis]!) break;
          index[axis] = box.start[axis]!;
        }
      }
      const values = new (typedArrayFor(this.dtype))(
        buffer.buffer as ArrayBuffer,
        0,
        (reads * runBytes) / element,
      );
      use({ box, values });
      return true;
    } finally {
      closeSync(fd);
      if (pool.length < MAX_SPARE) pool.push(buffer);
    }
  }
}
