/**
 * Uncompressed chunks on local disk are read into reused buffers (`raw_chunk_reader.ts`), not
 * through zarrita: the values must be those zarrita reads from the same volume stored with zstd,
 * absent chunks read as zeros, and a damaged chunk file is a clear error naming the chunk.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { openImage, openLevel } from "../../src/io/image.ts";
import { OmeZarrError } from "../../src/io/errors.ts";
import { writeImage } from "../../src/io/writer.ts";
import { seededRandom } from "../../src/random.ts";
import { tempFolder } from "./helpers.ts";

const axes = ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "nanometer" }));
const shape = [11, 17, 13];
const spec = { axes, shape, chunks: [4, 5, 6], dtype: "float32" as const, scale: [1, 1, 1] };

async function writeBoth(folder: string) {
  const random = seededRandom(7);
  const data = Float32Array.from({ length: 11 * 17 * 13 }, () => random() * 100);
  const raw = path.join(folder, "raw.zarr"), zstd = path.join(folder, "zstd.zarr");
  await writeImage(raw, data, { ...spec, codec: "raw" });
  await writeImage(zstd, data, { ...spec, codec: "zstd" });
  return {
    data,
    raw: await openLevel(await openImage(raw), 0),
    zstd: await openLevel(await openImage(zstd), 0),
    rawFolder: raw,
  };
}

Deno.test("readRegion() of raw chunks equals zarrita's read of the same volume in zstd", async () => {
  await using temp = await tempFolder();
  const { raw, zstd } = await writeBoth(temp.folder);
  const random = seededRandom(3);
  for (let trial = 0; trial < 40; trial++) {
    const start = shape.map((n) => Math.floor(random() * n));
    const stop = start.map((s, a) => s + 1 + Math.floor(random() * (shape[a]! - s)));
    const box = { start, stop };
    assert.deepEqual(
      await raw.readRegion(box),
      await zstd.readRegion(box),
      `box ${start}..${stop}`,
    );
  }
  assert.deepEqual(await raw.readChunk([2, 3, 2]), await zstd.readChunk([2, 3, 2]));
});

Deno.test("readRegion() reads an absent raw chunk as zeros and names a damaged one", async () => {
  await using temp = await tempFolder();
  const { data, raw, rawFolder } = await writeBoth(temp.folder);
  const chunkFile = path.join(rawFolder, "0", "c", "0", "0", "0");
  await Deno.remove(chunkFile);
  const corner = await raw.readRegion({ start: [0, 0, 0], stop: [5, 6, 7] });
  assert.equal(corner[0], 0); // inside chunk [0, 0, 0]
  assert.equal(corner[4 * 42 + 5 * 7 + 6], data[4 * 221 + 5 * 13 + 6]); // voxel (4, 5, 6)
  await Deno.writeFile(chunkFile, new Uint8Array(10));
  await assert.rejects(
    () => raw.readRegion({ start: [0, 0, 0], stop: [2, 2, 2] }),
    (error: Error) =>
      error instanceof OmeZarrError && /chunk \[0, 0, 0\]/.test(error.message) &&
      /holds 10 bytes, an uncompressed chunk has 480/.test(error.message),
  );
});

Deno.test("readRegion() of thin raw slabs (halo faces, edges, corners) equals zarrita's read", async () => {
  await using temp = await tempFolder();
  const { raw, zstd } = await writeBoth(temp.folder);
  // One-voxel planes and lines across chunk boundaries on every axis, and a 2-voxel slab that
  // straddles the z boundary at 4: read row by row from each chunk file, not whole chunks.
  const boxes = [
    { start: [3, 0, 0], stop: [5, 17, 13] },
    { start: [8, 0, 0], stop: [9, 17, 13] },
    { start: [0, 4, 0], stop: [11, 6, 13] },
    { start: [0, 0, 5], stop: [11, 17, 7] },
    { start: [3, 4, 0], stop: [5, 6, 13] },
    { start: [3, 9, 11], stop: [5, 11, 13] },
    { start: [10, 16, 12], stop: [11, 17, 13] },
  ];
  for (const box of boxes) {
    assert.deepEqual(await raw.readRegion(box), await zstd.readRegion(box), `${box.start}..`);
  }
});
