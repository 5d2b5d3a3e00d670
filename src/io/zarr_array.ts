/**
 * One Zarr array (an OME-Zarr level) as a `ChunkedArray`: reads through zarrita
 * (every codec it knows, sharding included), writes whole chunks atomically with
 * clemreg's own encoder.
 * @module
 */
import type * as zarr from "zarrita";
import { boxShape, chunkBox, chunksInBox, copyRegion, intersectBoxes, voxelCount } from "./box.ts";
import { chunkKey, type ChunkLayout, encodeChunk } from "./chunk_codec.ts";
import { allocate, dataTypeOf } from "./dtype.ts";
import { OmeZarrError } from "./errors.ts";
import { cachedChunk, type ChunkSource, fileVersion } from "./chunk_cache.ts";
import { FileStore } from "./file_store.ts";
import { RawChunkReader } from "./raw_chunk_reader.ts";
import { releaseBuffers } from "./release.ts";
import { joinKey, type Store } from "./store.ts";
import type { Box, ChunkedArray, DataType, TypedArray } from "./types.ts";

/** How many chunk reads one region read keeps in flight. */
const readConcurrency = 8;

/** An OME-Zarr level, readable and (for clemreg's own layouts) writable chunk by chunk. */
export class ZarrArray implements ChunkedArray {
  readonly shape: readonly number[];
  readonly chunks: readonly number[];
  readonly dtype: DataType;
  /** The stored data type; 64-bit integers are read as float64 (exact up to 2^53). */
  readonly storedDtype: string;
  /** Where the array lives, for messages. */
  readonly location: string;
  readonly #array: zarr.Array<zarr.DataType, Store>;
  readonly #store: Store;
  readonly #prefix: string;
  readonly #layout: ChunkLayout | undefined;
  /** Uncompressed chunks on local disk with fill value 0: read into reused buffers. */
  readonly #raw: RawChunkReader | undefined;
  /**
   * A chunk's key in the decoded-chunk cache, and for local files in clemreg's layouts the
   * version (inode, size, modification time) a cached copy must match.
   */
  readonly #cacheKey: (chunkIndex: readonly number[]) => ChunkSource;

  /**
   * @param array the zarrita array
   * @param store its store
   * @param prefix its key prefix in the store
   * @param location a printable location
   * @param layout the write layout, when clemreg can write this array
   */
  constructor(
    array: zarr.Array<zarr.DataType, Store>,
    store: Store,
    prefix: string,
    location: string,
    layout: ChunkLayout | undefined,
  ) {
    this.#array = array;
    this.#store = store;
    this.#prefix = prefix;
    this.#layout = layout;
    this.location = location;
    this.shape = array.shape;
    this.chunks = array.chunks;
    this.storedDtype = array.dtype;
    const wide = array.dtype === "int64" || array.dtype === "uint64";
    this.dtype = wide ? "float64" : array.dtype as DataType;
    if (
      layout?.codec === "raw" && layout.fillValue === 0 && store instanceof FileStore && !wide
    ) {
      this.#raw = new RawChunkReader(
        (key) => store.pathOf(joinKey(prefix, key)),
        voxelCount(this.chunks),
        this.dtype,
      );
    }
    if (layout && store instanceof FileStore) {
      this.#cacheKey = (index) => {
        const path = store.pathOf(joinKey(prefix, chunkKey(layout, index)));
        return { key: path, version: () => fileVersion(path) };
      };
    } else {
      // a remote store, or a layout clemreg does not write (blosc, sharding): a cached chunk is
      // trusted for the rest of the op's run
      this.#cacheKey = (index) => ({ key: `${store.description}${prefix}#${index.join(",")}` });
    }
  }

  /** Whether `writeChunk` can be used. */
  get writable(): boolean {
    return this.#layout !== undefined && this.#store.writable;
  }

  /** The number of chunks along each axis. */
  get chunkGrid(): number[] {
    return this.shape.map((extent, axis) => Math.ceil(extent / (this.chunks[axis] ?? 1)));
  }

  async readChunk(chunkIndex: readonly number[], options?: { signal?: AbortSignal }) {
    if (this.#raw) {
      options?.signal?.throwIfAborted();
      const box = chunkBox(chunkIndex, this.chunks, this.shape);
      const out = allocate(this.dtype, voxelCount(boxShape(box)));
      this.#copyRawChunk(chunkIndex, out, box);
      return out;
    }
    let chunk: zarr.Chunk<zarr.DataType>;
    try {
      chunk = await this.#array.getChunk(
        [...chunkIndex],
        options?.signal ? { signal: options.signal } : undefined,
      );
    } catch (cause) {
      if (options?.signal?.aborted) throw cause;
      throw new OmeZarrError(
        "read-failed",
        this.location,
        `cannot read chunk [${chunkIndex.join(", ")}]: ${(cause as Error).message}`,
        { cause },
      );
    }
    const data = this.storedDtype === this.dtype
      ? chunk.data as TypedArray
      : widenToFloat64(chunk.data as unknown as BigInt64Array | BigUint64Array, this.location);
    const box = chunkBox(chunkIndex, this.chunks, this.shape);
    const clippedShape = boxShape(box);
    const contiguous = isCOrder(chunk.shape, chunk.stride);
    const full = clippedShape.every((extent, axis) => extent === chunk.shape[axis]);
    if (contiguous && full) return data;
    const out = allocate(this.dtype, voxelCount(clippedShape));
    if (contiguous) {
      const stored = { start: box.start, stop: box.start.map((s, a) => s + (chunk.shape[a] ?? 0)) };
      copyRegion(data, stored, out, box, box);
      return out;
    }
    copyStrided(data, chunk.stride, out, clippedShape);
    return out;
  }

  async readRegion(box: Box, options?: { signal?: AbortSignal }) {
    const clipped = intersectBoxes(box, { start: this.shape.map(() => 0), stop: [...this.shape] });
    const requested = boxShape(box);
    if (!clipped || requested.some((extent, axis) => extent !== boxShape(clipped)[axis])) {
      throw new RangeError(
        `Cannot read [${box.start}]..[${box.stop}] of ${this.location}: outside shape [${this.shape}]`,
      );
    }
    const indices = [...chunksInBox(box, this.chunks)];
    if (indices.length === 1) {
      const only = chunkBox(indices[0]!, this.chunks, this.shape);
      if (only.start.every((s, a) => s === box.start[a] && only.stop[a] === box.stop[a])) {
        return await this.readChunk(indices[0]!, options);
      }
    }
    const out = allocate(this.dtype, voxelCount(requested));
    if (this.#raw) {
      for (const index of indices) {
        options?.signal?.throwIfAborted();
        this.#copyRawChunk(index, out, box);
      }
      return out;
    }
    let next = 0;
    const worker = async () => {
      while (next < indices.length) {
        const index = indices[next++]!;
        const { data, owned } = await cachedChunk(
          this.#cacheKey(index),
          () => this.readChunk(index, options),
        );
        const source = chunkBox(index, this.chunks, this.shape);
        copyRegion(data, source, out, box, intersectBoxes(source, box)!);
        if (owned) releaseBuffers([data]); // decoded for this copy only
      }
    };
    await Promise.all(Array.from({ length: Math.min(readConcurrency, indices.length) }, worker));
    return out;
  }

  /** Copy the part of a raw chunk that lies in `box` into `out` (absent chunks are zeros). */
  #copyRawChunk(chunkIndex: readonly number[], out: TypedArray, box: Box): void {
    const key = chunkKey(this.#layout!, chunkIndex);
    const clipped = chunkBox(chunkIndex, this.chunks, this.shape);
    const stored = {
      start: clipped.start,
      stop: clipped.start.map((s, a) => s + (this.chunks[a] ?? 0)),
    };
    const needed = intersectBoxes(clipped, box)!;
    try {
      // a thin part (a neighbour's halo): read only the rows it spans
      const part = {
        start: needed.start.map((s, a) => s - stored.start[a]!),
        stop: needed.stop.map((s, a) => s - stored.start[a]!),
      };
      const read = this.#raw!.slab(key, this.location, this.chunks, part, (slab) => {
        if (slab === null) return; // absent chunk: fill value (zeros)
        const slabBox = {
          start: slab.box.start.map((s, a) => s + stored.start[a]!),
          stop: slab.box.stop.map((s, a) => s + stored.start[a]!),
        };
        copyRegion(slab.values, slabBox, out, box, needed);
      });
      if (read) return;
      this.#raw!.with(key, this.location, (values) => {
        if (values) copyRegion(values, stored, out, box, needed);
      });
    } catch (cause) {
      throw new OmeZarrError(
        "read-failed",
        this.location,
        `cannot read chunk [${chunkIndex.join(", ")}]: ${(cause as Error).message}`,
        { cause },
      );
    }
  }

  async writeChunk(chunkIndex: readonly number[], data: TypedArray): Promise<void> {
    const layout = this.#layout;
    if (!layout || !this.#store.set) {
      throw new OmeZarrError(
        "unsupported",
        this.location,
        "cannot write: the array's store is read-only or its codecs are not ones clemreg writes",
      );
    }
    const box = chunkBox(chunkIndex, this.chunks, this.shape);
    const clippedShape = boxShape(box);
    if (box.start.some((s, a) => s >= (this.shape[a] ?? 0))) {
      throw new RangeError(
        `Cannot write chunk [${chunkIndex}] of ${this.location}: outside the grid`,
      );
    }
    if (data.length !== voxelCount(clippedShape) || dataTypeOf(data) !== this.dtype) {
      throw new TypeError(
        `Cannot write chunk [${chunkIndex}] of ${this.location}: expected ${
          voxelCount(clippedShape)
        } ${this.dtype} values, got ${data.length} ${dataTypeOf(data)}`,
      );
    }
    let full = data;
    if (clippedShape.some((extent, axis) => extent !== this.chunks[axis])) {
      full = allocate(this.dtype, voxelCount(this.chunks));
      if (layout.fillValue !== 0) full.fill(layout.fillValue);
      const padded = { start: box.start, stop: box.start.map((s, a) => s + (this.chunks[a] ?? 0)) };
      copyRegion(data, box, full, padded, box);
    }
    const bytes = await encodeChunk(layout, full);
    try {
      const key = joinKey(this.#prefix, chunkKey(layout, chunkIndex));
      await this.#store.set(key, bytes, { dropOld: true }); // see SetOptions.dropOld
    } catch (cause) {
      throw new OmeZarrError(
        "write-failed",
        this.location,
        `cannot write chunk [${chunkIndex.join(", ")}]: ${(cause as Error).message}`,
        { cause },
      );
    }
  }

  /** Whether a chunk has been stored (absent chunks read as the fill value). */
  async hasChunk(chunkIndex: readonly number[]): Promise<boolean> {
    if (!this.#layout) throw new TypeError(`Cannot check chunks of ${this.location}`);
    const key = joinKey(this.#prefix, chunkKey(this.#layout, chunkIndex));
    return (await this.#store.get(key)) !== undefined;
  }
}

/** 64-bit integers to float64, refusing values that float64 cannot hold exactly. */
function widenToFloat64(values: BigInt64Array | BigUint64Array, location: string): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = Number(values[i]!);
    if (!Number.isSafeInteger(value)) {
      throw new OmeZarrError(
        "unsupported",
        location,
        `holds the 64-bit integer ${values[i]}, beyond what clemreg reads exactly (2^53)`,
      );
    }
    out[i] = value;
  }
  return out;
}

function isCOrder(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    if ((shape[axis] ?? 1) > 1 && stride[axis] !== expected) return false;
    expected *= shape[axis] ?? 1;
  }
  return true;
}

/** Copy a strided (e.g. Fortran-ordered) chunk's leading block into a C-ordered buffer. */
function copyStrided(
  source: TypedArray,
  stride: readonly number[],
  target: TypedArray,
  shape: readonly number[],
): void {
  const rank = shape.length;
  const counter = new Array<number>(rank).fill(0);
  const total = voxelCount(shape);
  for (let n = 0; n < total; n++) {
    let offset = 0;
    for (let axis = 0; axis < rank; axis++) offset += (counter[axis] ?? 0) * (stride[axis] ?? 0);
    target[n] = source[offset]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis] = (counter[axis] ?? 0) + 1;
      if ((counter[axis] ?? 0) < (shape[axis] ?? 1)) break;
      counter[axis] = 0;
    }
  }
}
