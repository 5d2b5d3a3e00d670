/**
 * The per-thread cache of decoded chunks (`src/io/chunk_cache.ts`): region reads inside a task
 * scope decode a compressed chunk once, give the same values as uncached reads, see a chunk
 * rewritten since it was cached, and leave reads outside a task alone; a chunked Gaussian over
 * zstd chunks equals the whole-volume filter.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import {
  chunkCacheStats,
  clearChunkCache,
  enterChunkCache,
  exitChunkCache,
} from "../../src/io/chunk_cache.ts";
import { openImage, openLevel } from "../../src/io/image.ts";
import { writeImage } from "../../src/io/writer.ts";
import { seededRandom } from "../../src/random.ts";
import { filterOp } from "../../src/chunked/filter_ops.ts";
import { runOp } from "../../src/chunked/scheduler.ts";
import { createInlineExecutor } from "../../src/chunked/pool.ts";
import { gaussianFilter } from "../../src/filters/gaussian.ts";
import { sharedData, tempFolder } from "./helpers.ts";

const axes = ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "nanometer" }));
const shape = [12, 15, 14];
const spec = {
  axes,
  shape,
  chunks: [4, 5, 6],
  dtype: "float32" as const,
  scale: [1, 1, 1],
  codec: "zstd" as const,
};

function volume(seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: 12 * 15 * 14 }, () => random() * 100);
}

const box = { start: [2, 3, 4], stop: [10, 12, 13] }; // parts of 3 × 3 × 3 chunks

/** `volume(seed)` written with zstd to `folder/v.zarr`, opened, and the cache emptied. */
async function zstdVolume(folder: string, seed: number) {
  const location = path.join(folder, "v.zarr");
  await writeImage(location, volume(seed), spec);
  const array = await openLevel(await openImage(location), 0);
  clearChunkCache();
  return { location, array };
}

Deno.test("chunk cache: a task scope decodes each chunk once; reads outside it are not cached", async () => {
  await using temp = await tempFolder();
  const { array } = await zstdVolume(temp.folder, 1);
  const before = chunkCacheStats();
  const uncached = await array.readRegion(box);
  assert.deepEqual(chunkCacheStats(), before, "outside a task: no lookups");
  enterChunkCache("op-a");
  try {
    const first = await array.readRegion(box);
    const afterFirst = chunkCacheStats();
    assert.equal(afterFirst.misses - before.misses, 27, "27 chunks decoded once");
    const second = await array.readRegion(box);
    const afterSecond = chunkCacheStats();
    assert.equal(afterSecond.hits - afterFirst.hits, 27, "and then served from the cache");
    assert.equal(afterSecond.misses, afterFirst.misses);
    assert.deepEqual(first, uncached);
    assert.deepEqual(second, uncached);
  } finally {
    exitChunkCache();
  }
  // a task of another op starts empty
  enterChunkCache("op-b");
  try {
    const start = chunkCacheStats();
    await array.readRegion(box);
    assert.equal(chunkCacheStats().misses - start.misses, 27);
  } finally {
    exitChunkCache();
  }
});

Deno.test("chunk cache: a chunk rewritten since it was cached is decoded again", async () => {
  await using temp = await tempFolder();
  const { location, array } = await zstdVolume(temp.folder, 2);
  enterChunkCache("op-rewrite");
  try {
    await array.readRegion(box); // cached
    const chunk = Float32Array.from(await array.readChunk([1, 1, 1]), (v) => v + 1000);
    await array.writeChunk!([1, 1, 1], chunk);
    const again = await array.readRegion(box);
    const fresh = await openLevel(await openImage(location), 0);
    exitChunkCache();
    try {
      assert.deepEqual(again, await fresh.readRegion(box)); // uncached: the file's values
    } finally {
      enterChunkCache("op-rewrite");
    }
    // voxel (5, 6, 7) lies in chunk [1, 1, 1]: it carries the rewrite
    const at = ((5 - 2) * 9 + (6 - 3)) * 9 + (7 - 4);
    const before = volume(2)[(5 * 15 + 6) * 14 + 7]!;
    assert.equal(again[at], Math.fround(before + 1000));
  } finally {
    exitChunkCache();
  }
});

Deno.test("chunk cache: a chunked Gaussian over zstd chunks equals the whole-volume filter", async () => {
  await using temp = await tempFolder();
  const input = path.join(temp.folder, "in.zarr"), output = path.join(temp.folder, "out.zarr");
  const data = volume(3);
  await writeImage(input, data, spec);
  await writeImage(output, new Float32Array(data.length), spec);
  clearChunkCache();
  const start = chunkCacheStats();
  await runOp(
    filterOp("gaussian", {
      input: { kind: "zarr", location: input, level: 0 },
      output: { kind: "zarr", location: output, level: 0 },
    }, { sigma: 1.5 }),
    { executor: createInlineExecutor(), quiet: true, journalDir: false },
  );
  const stats = chunkCacheStats();
  // 3 × 3 × 3 = 27 chunks; each task's haloed box touches up to 27 of them
  assert.equal(stats.misses - start.misses, 27, "each chunk decoded once");
  assert.ok(stats.hits - start.hits > 27, `hits ${stats.hits - start.hits}`);
  const result = await (await openLevel(await openImage(output), 0)).readRegion({
    start: [0, 0, 0],
    stop: shape,
  });
  assert.deepEqual(result, gaussianFilter(data, shape, { sigma: 1.5 }));
});

Deno.test("chunk cache: blosc chunks of an image clemreg does not write are cached per run too", async (t) => {
  const data = sharedData();
  const location = data &&
    path.join(data, "ome-zarr", "ome-zarr-examples", "data", "valid", "image-03.zarr");
  if (!location) {
    console.warn("skipped: ../shared/data is missing (the ome-zarr-examples fixture)");
    return;
  }
  const array = await openLevel(await openImage(location), 0); // 2×100² float64, blosc, 1×50×100 chunks
  const region = { start: [0, 30, 10], stop: [2, 80, 90] }; // parts of all 2 × 2 chunks
  const uncached = await array.readRegion(region);
  clearChunkCache();
  enterChunkCache("op-blosc");
  try {
    const start = chunkCacheStats();
    const first = await array.readRegion(region);
    const second = await array.readRegion(region);
    const stats = chunkCacheStats();
    assert.equal(stats.misses - start.misses, 4, "4 chunks decoded once");
    assert.equal(stats.hits - start.hits, 4, "then served from the cache");
    assert.deepEqual(first, uncached);
    assert.deepEqual(second, uncached);
  } finally {
    exitChunkCache();
  }
  await t.step("values are real data", () => assert.ok(uncached.some((v) => v !== 0)));
});
