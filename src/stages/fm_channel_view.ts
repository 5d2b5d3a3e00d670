/**
 * One channel of an OME-Zarr image as a 3-D (z, y, x) chunked array: the array location the
 * FM stages read, openable in any worker from JSON (`{ kind: "module" }`).
 * @module
 */
import type { ArrayLocation } from "../chunked/types.ts";
import { type OmeImage, openImage, openLevel } from "../io/image.ts";
import type { Box, ChunkedArray } from "../io/types.ts";

/** Arguments of {@link openChannelView}. */
export interface ChannelViewArgs {
  location: string;
  level: number;
  /** Channel index (ignored when the image has no `c` axis). */
  channel: number;
}

/**
 * The location of one channel of an image level, for chunk ops.
 * @param image an opened image (axes must include z, y, x; the channel axis is the one of type
 *   `channel` or named `c`; any other axis, such as `t`, is fixed to 0)
 * @param level pyramid level
 * @param channel channel index or name
 * @returns a module location that opens {@link openChannelView}
 * @throws {RangeError} when the channel does not exist or z, y, x are missing
 */
export function fmChannelLocation(
  image: OmeImage,
  level: number,
  channel: number | string,
): ArrayLocation {
  const names = image.axes.map((a) => a.name.toLowerCase());
  for (const axis of ["z", "y", "x"]) {
    if (!names.includes(axis)) {
      throw new RangeError(
        `Cannot read ${image.location}: it has no "${axis}" axis (axes ${names})`,
      );
    }
  }
  const channelAxis = channelAxisOf(image);
  const channels = channelAxis >= 0 ? image.levels[level]!.shape[channelAxis]! : 1;
  const index = typeof channel === "number" ? channel : image.channelNames.indexOf(channel);
  if (!(index >= 0 && index < channels)) {
    throw new RangeError(
      `Cannot read channel ${
        JSON.stringify(channel)
      } of ${image.location}: it has ${channels} channel(s)` +
        (image.channelNames.length ? ` (${image.channelNames.join(", ")})` : ""),
    );
  }
  return {
    kind: "module",
    module: import.meta.url,
    name: "openChannelView",
    args: { location: image.location, level, channel: index },
  };
}

/**
 * Open the (z, y, x) view of one channel (read-only).
 * @param args image location, level and channel index
 * @returns the 3-D chunked array
 */
export async function openChannelView(args: ChannelViewArgs): Promise<ChunkedArray> {
  const image = await openImage(args.location, { allowIncomplete: true }); // checked upstream
  const array = await openLevel(image, args.level);
  const names = image.axes.map((a) => a.name.toLowerCase());
  const spatial = ["z", "y", "x"].map((n) => names.indexOf(n));
  const channelAxis = channelAxisOf(image);
  const fixed = names.map((_, axis) => (axis === channelAxis ? args.channel : 0));
  const expand = (box: Box): Box => {
    const start = fixed.slice(), stop = fixed.map((f) => f + 1);
    spatial.forEach((axis, i) => {
      start[axis] = box.start[i]!;
      stop[axis] = box.stop[i]!;
    });
    return { start, stop };
  };
  const shape = spatial.map((axis) => array.shape[axis]!);
  const chunks = spatial.map((axis) => array.chunks[axis]!);
  return {
    shape,
    chunks,
    dtype: array.dtype,
    readRegion: (box, options) => array.readRegion(expand(box), options),
    readChunk(index, options) {
      const start = index.map((c, i) => c * chunks[i]!);
      const stop = start.map((s, i) => Math.min(s + chunks[i]!, shape[i]!));
      return array.readRegion(expand({ start, stop }), options);
    },
  };
}

/** The index of the channel axis (type `channel` or named `c`, as the I/O layer reads it), or -1. */
function channelAxisOf(image: OmeImage): number {
  return image.axes.findIndex((a) => a.type === "channel" || a.name.toLowerCase() === "c");
}
