/**
 * One channel of a multichannel OME-Zarr level, seen as a 3-D (z, y, x) chunked
 * array, and the JSON location that lets any worker open it.
 * @module
 */
import type { ArrayLocation } from "../chunked/types.ts";
import { openImage, openLevel } from "../io/image.ts";
import type { Box, ChunkedArray, DataType, TypedArray } from "../io/types.ts";

/** Where a channel view lives. */
export interface ChannelViewArgs {
  location: string;
  level: number;
  channel: number;
  /** Index of the channel axis in the image (the other axes are z, y, x, in order). */
  channelAxis: number;
  [key: string]: string | number;
}

/** A channel of a 4-D level as a 3-D array (read-only). */
class ChannelView implements ChunkedArray {
  readonly shape: readonly number[];
  readonly chunks: readonly number[];
  readonly dtype: DataType;
  readonly #inner: ChunkedArray;
  readonly #channel: number;
  readonly #axis: number;

  constructor(inner: ChunkedArray, channel: number, axis: number) {
    this.#inner = inner;
    this.#channel = channel;
    this.#axis = axis;
    this.shape = inner.shape.filter((_, a) => a !== axis);
    this.chunks = inner.chunks.filter((_, a) => a !== axis);
    this.dtype = inner.dtype;
  }

  #lift(box: Box): Box {
    const start = box.start.slice();
    const stop = box.stop.slice();
    start.splice(this.#axis, 0, this.#channel);
    stop.splice(this.#axis, 0, this.#channel + 1);
    return { start, stop };
  }

  readRegion(box: Box, options?: { signal?: AbortSignal }): Promise<TypedArray> {
    return this.#inner.readRegion(this.#lift(box), options);
  }

  readChunk(chunkIndex: readonly number[], options?: { signal?: AbortSignal }) {
    const box = {
      start: chunkIndex.map((c, a) => c * this.chunks[a]!),
      stop: chunkIndex.map((c, a) => Math.min((c + 1) * this.chunks[a]!, this.shape[a]!)),
    };
    return this.readRegion(box, options);
  }
}

/**
 * Open a channel view (the `module` location's opener).
 * @param args image location, level, channel and channel axis
 */
export async function openChannelView(args: ChannelViewArgs): Promise<ChunkedArray> {
  const array = await openLevel(await openImage(args.location), args.level);
  if (args.channelAxis < 0) return array;
  return new ChannelView(array, args.channel, args.channelAxis);
}

/**
 * The location of one channel of an image level, openable in any worker.
 * @param location the image
 * @param level the level
 * @param channel the channel index
 * @param channelAxis the channel axis index, or -1 for a 3-D image
 */
export function channelLocation(
  location: string,
  level: number,
  channel: number,
  channelAxis: number,
): ArrayLocation {
  if (channelAxis < 0) return { kind: "zarr", location, level };
  return {
    kind: "module",
    module: import.meta.url,
    name: "openChannelView",
    args: { location, level, channel, channelAxis },
  };
}
