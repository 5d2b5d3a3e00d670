/**
 * Shared helpers for the chunked-core tests: seeded volumes and kernel references.
 * @module
 */
import type { DataType } from "../../src/io/types.ts";
import { createSharedArray, sharedArrayData } from "../../src/chunked/shared_array.ts";
import type { KernelRef, SharedArrayLocation } from "../../src/chunked/types.ts";

/** A kernel exported by `tests/chunked/kernels.ts`. */
export function testKernel(name: string): KernelRef {
  return { module: new URL("./kernels.ts", import.meta.url).href, name };
}

/** A shared volume filled with seeded integers in [0, 100). */
export function randomVolume(
  id: string,
  shape: number[],
  chunks: number[],
  seed = 1,
  dtype: DataType = "float32",
): SharedArrayLocation {
  const location = createSharedArray(id, { shape, chunks, dtype });
  const data = sharedArrayData(location);
  let state = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = state % 100;
  }
  return location;
}

/** Count the lines of a text file (0 when missing). */
export async function countLines(path: string): Promise<number> {
  try {
    return (await Deno.readTextFile(path)).split("\n").filter((l) => l.length > 0).length;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
}

/**
 * Progress options that abort `controller` right after the `tick`-th progress line (progress
 * writes a line per finished chunk with these settings).
 */
export function abortOnTick(controller: AbortController, tick: number) {
  let ticks = 0;
  return {
    tty: false,
    intervalSeconds: 0,
    write: () => void (++ticks === tick && controller.abort()),
  };
}
