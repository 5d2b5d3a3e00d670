/**
 * A small least-recently-used cache of decoded chunks in front of a chunked array,
 * so neighbouring output blocks that need the same source chunks read them once.
 * It counts the bytes it decodes, which is how read amplification is measured.
 * @module
 */
import {
  boxShape,
  chunkBox,
  chunksInBox,
  copyRegion,
  intersectBoxes,
  voxelCount,
} from "../io/box.ts";
import { allocate, bytesPerElement } from "../io/dtype.ts";
import type { Box, ChunkedArray, TypedArray } from "../io/types.ts";

/** Reads regions of one array through an LRU cache of whole chunks. */
export class ChunkCache {
  readonly array: ChunkedArray;
  readonly capacityBytes: number;
  /** Bytes of chunks decoded from the store (cache misses). */
  bytesRead = 0;
  readonly #chunks = new Map<string, { data: TypedArray; box: Box }>();
  readonly #pending = new Map<string, Promise<{ data: TypedArray; box: Box }>>();
  #heldBytes = 0;

  /**
   * @param array the array to read
   * @param capacityBytes how many decoded bytes to keep (at least one chunk is always kept)
   */
  constructor(array: ChunkedArray, capacityBytes: number) {
    this.array = array;
    this.capacityBytes = capacityBytes;
  }

  /** Read `box` (inside the array) through the cache. */
  async readRegion(box: Box, signal?: AbortSignal): Promise<TypedArray> {
    const out = allocate(this.array.dtype, voxelCount(boxShape(box)));
    const indices = [...chunksInBox(box, this.array.chunks)];
    const chunks = await Promise.all(indices.map((index) => this.#chunk(index, signal)));
    for (const chunk of chunks) {
      copyRegion(chunk.data, chunk.box, out, box, intersectBoxes(chunk.box, box)!);
    }
    return out;
  }

  async #chunk(index: number[], signal?: AbortSignal): Promise<{ data: TypedArray; box: Box }> {
    const key = index.join(",");
    const hit = this.#chunks.get(key);
    if (hit) {
      this.#chunks.delete(key); // re-insert: most recently used last
      this.#chunks.set(key, hit);
      return hit;
    }
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = (async () => {
        const data = await this.array.readChunk(index, signal ? { signal } : undefined);
        const entry = { data, box: chunkBox(index, this.array.chunks, this.array.shape) };
        const bytes = data.length * bytesPerElement(this.array.dtype);
        this.bytesRead += bytes;
        this.#chunks.set(key, entry);
        this.#heldBytes += bytes;
        this.#evict();
        return entry;
      })();
      this.#pending.set(key, pending);
      pending.finally(() => this.#pending.delete(key)).catch(() => {});
    }
    return await pending;
  }

  #evict(): void {
    for (const [key, entry] of this.#chunks) {
      if (this.#heldBytes <= this.capacityBytes || this.#chunks.size <= 1) break;
      this.#chunks.delete(key);
      this.#heldBytes -= entry.data.length * bytesPerElement(this.array.dtype);
    }
  }
}
