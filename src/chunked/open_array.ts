/**
 * Opens the array an {@link ArrayLocation} describes, in whichever thread runs the task.
 * Opened arrays are cached per location so a worker opens each array once.
 * @module
 */
import { openImage, openLevel } from "../io/image.ts";
import type { ChunkedArray } from "../io/types.ts";
import { openSharedArray } from "./shared_array.ts";
import type { ArrayLocation } from "./types.ts";

const cache = new Map<string, Promise<ChunkedArray>>();
const sharedCache = new WeakMap<SharedArrayBuffer, ChunkedArray>();

/**
 * Open a located array (cached per location in this thread).
 * @param location where the array lives
 * @returns the chunked array
 * @throws {Error} when the location cannot be opened (the store's error is the `cause`)
 */
export function openArray(location: ArrayLocation): Promise<ChunkedArray> {
  if (location.kind === "shared") {
    let array = sharedCache.get(location.buffer);
    if (!array) {
      array = openSharedArray(location);
      sharedCache.set(location.buffer, array);
    }
    return Promise.resolve(array);
  }
  const key = JSON.stringify(location);
  let opened = cache.get(key);
  if (!opened) {
    opened = openUncached(location);
    cache.set(key, opened);
    opened.catch(() => cache.delete(key));
  }
  return opened;
}

/** Forget cached arrays (e.g. after an output was re-created with new metadata). */
export function clearArrayCache(): void {
  cache.clear();
}

async function openUncached(location: ArrayLocation): Promise<ChunkedArray> {
  try {
    if (location.kind === "module") {
      const module = await import(location.module);
      const open = module[location.name];
      if (typeof open !== "function") {
        throw new TypeError(`${location.module} has no exported function "${location.name}"`);
      }
      return await open(location.args) as ChunkedArray;
    }
    if (location.kind === "zarr") {
      // inputs were checked where the job started; outputs are still being written
      return await openLevel(
        await openImage(location.location, { allowIncomplete: true }),
        location.level,
      );
    }
    throw new TypeError(`Unknown array location kind "${(location as { kind: string }).kind}"`);
  } catch (error) {
    throw new Error(`Cannot open array ${describeLocation(location)}`, { cause: error });
  }
}

/** A short human description of a location, for messages. */
export function describeLocation(location: ArrayLocation): string {
  switch (location.kind) {
    case "zarr":
      return `${location.location} (level ${location.level})`;
    case "module":
      return `${location.name}(${JSON.stringify(location.args)}) from ${location.module}`;
    case "shared":
      return `shared:${location.id}`;
  }
}
