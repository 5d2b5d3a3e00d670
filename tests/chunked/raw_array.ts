/**
 * A minimal file-backed chunked array for tests of on-disk behaviour: `meta.json` plus one
 * raw little-endian file per chunk, written atomically (temp file, then rename). Opened in
 * workers through a `{ kind: "module" }` location.
 * @module
 */
import { join } from "node:path";
import type { Box, ChunkedArray, DataType, TypedArray } from "../../src/io/types.ts";
import { copyRegion } from "../../src/io/box.ts";
import { boxVoxels } from "../../src/chunked/box.ts";
import { typedArrayOf } from "../../src/chunked/dtype.ts";
import { chunkBox, chunkGrid } from "../../src/chunked/grid.ts";
import type { ArrayLocation } from "../../src/chunked/types.ts";

interface RawMeta {
  shape: number[];
  chunks: number[];
  dtype: DataType;
}

/** Create an empty raw array and return its location. */
export async function createRawArray(dir: string, meta: RawMeta): Promise<ArrayLocation> {
  await Deno.mkdir(join(dir, "c"), { recursive: true });
  await Deno.writeTextFile(join(dir, "meta.json"), JSON.stringify(meta));
  return rawLocation(dir);
}

/** The `module` location of a raw array folder. */
export function rawLocation(dir: string): ArrayLocation {
  return { kind: "module", module: import.meta.url, name: "openRawArray", args: { dir } };
}

/** Open a raw array folder (the `module` location's entry point). */
export async function openRawArray(args: { dir: string }): Promise<ChunkedArray> {
  const meta = JSON.parse(await Deno.readTextFile(join(args.dir, "meta.json"))) as RawMeta;
  const grid = chunkGrid(meta.shape, meta.chunks);
  const chunkPath = (index: readonly number[]) => join(args.dir, "c", index.join("."));
  const readChunk = async (index: readonly number[]): Promise<TypedArray> => {
    const box = chunkBox(grid, index);
    try {
      const bytes = await Deno.readFile(chunkPath(index));
      return typedArrayOf(meta.dtype, bytes.buffer);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return typedArrayOf(meta.dtype, boxVoxels(box));
      throw error;
    }
  };
  return {
    shape: meta.shape,
    chunks: meta.chunks,
    dtype: meta.dtype,
    readChunk,
    async readRegion(box: Box) {
      const out = typedArrayOf(meta.dtype, boxVoxels(box));
      const first = box.start.map((s, axis) => Math.floor(s / meta.chunks[axis]!));
      const last = box.stop.map((s, axis) => Math.ceil(s / meta.chunks[axis]!) - 1);
      const index = [...first];
      while (true) {
        const cBox = chunkBox(grid, index);
        const region = {
          start: cBox.start.map((s, axis) => Math.max(s, box.start[axis]!)),
          stop: cBox.stop.map((s, axis) => Math.min(s, box.stop[axis]!)),
        };
        copyRegion(await readChunk(index), cBox, out, box, region);
        let axis = index.length - 1;
        while (axis >= 0 && index[axis] === last[axis]) index[axis] = first[axis--]!;
        if (axis < 0) return out;
        index[axis]!++;
      }
    },
    async writeChunk(index, data) {
      const path = chunkPath(index);
      const temp = `${path}.tmp-${crypto.randomUUID()}`;
      await Deno.writeFile(temp, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      await Deno.rename(temp, path);
    },
  };
}
