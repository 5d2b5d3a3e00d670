/**
 * The task buffer pool (`buffer_pool.ts`): borrowed buffers come back through `releaseBuffers`
 * and are lent again (stale values and all), never twice at once, within a bounded total; and
 * the readers that borrow (raw region reads, shared arrays, the filters) overwrite every voxel,
 * so stale values never reach a result.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import {
  borrowArray,
  borrowFloat32,
  idlePoolBytes,
  MAX_IDLE_BYTES,
  MIN_POOLED_BYTES,
} from "../../src/io/buffer_pool.ts";
import { releaseBuffers } from "../../src/io/release.ts";
import { openImage, openLevel } from "../../src/io/image.ts";
import { writeImage } from "../../src/io/writer.ts";
import {
  createSharedArray,
  openSharedArray,
  sharedArrayData,
} from "../../src/chunked/shared_array.ts";
import { gaussianFilter } from "../../src/filters/gaussian.ts";
import { differenceOfGaussians } from "../../src/filters/difference_of_gaussians.ts";
import { laplaceOfGaussian } from "../../src/filters/laplace.ts";
import { seededRandom } from "../../src/random.ts";
import { tempFolder } from "./helpers.ts";

const big = MIN_POOLED_BYTES / 4; // float32 elements of the smallest pooled buffer

/** Fill idle pool buffers of about `elements` float32s with NaN (stale values of a "task"). */
function dirtyPool(elements: number, count = 4): void {
  const arrays = Array.from({ length: count }, () => borrowFloat32(elements).fill(NaN));
  releaseBuffers(arrays);
}

Deno.test("a released borrowed buffer is lent again, stale values and all", () => {
  const first = borrowFloat32(big * 2);
  first.fill(7);
  const buffer = first.buffer as ArrayBuffer;
  releaseBuffers([first]);
  assert.equal(buffer.detached, false, "kept by the pool, not freed");
  const again = borrowFloat32(big * 2);
  assert.equal(again.buffer, buffer);
  assert.equal(again[0], 7, "not zeroed");
  // a slightly smaller request reuses it as a view; one under half its size does not
  releaseBuffers([again]);
  const shorter = borrowFloat32(big * 2 - 100);
  assert.equal(shorter.buffer, buffer);
  assert.equal(shorter.length, big * 2 - 100);
  releaseBuffers([shorter]);
  const small = borrowFloat32(big * 0.9 | 0);
  assert.notEqual(small.buffer, buffer);
  releaseBuffers([small]);
});

Deno.test("a buffer released twice is lent once; buffers the pool did not lend are freed", () => {
  const a = borrowFloat32(big * 3);
  releaseBuffers([a, a.subarray(10)]);
  releaseBuffers([a]);
  const x = borrowFloat32(big * 3), y = borrowFloat32(big * 3);
  assert.notEqual(x.buffer, y.buffer);
  releaseBuffers([x, y]);
  const plain = new Float32Array(big * 3);
  releaseBuffers([plain]);
  assert.equal((plain.buffer as ArrayBuffer).detached, true);
  const tiny = borrowArray("uint8", 100);
  releaseBuffers([tiny]);
  assert.equal((tiny.buffer as ArrayBuffer).detached, true, "below the pooled size: freed");
});

Deno.test("the pool holds at most MAX_IDLE_BYTES, freeing the oldest", () => {
  const each = 4 * 2 ** 20;
  const arrays = Array.from(
    { length: MAX_IDLE_BYTES / each + 3 },
    () => borrowArray("uint8", each),
  );
  releaseBuffers(arrays);
  assert.ok(idlePoolBytes() <= MAX_IDLE_BYTES, `${idlePoolBytes()} bytes idle`);
  assert.equal((arrays[0]!.buffer as ArrayBuffer).detached, true, "the oldest was freed");
  assert.equal(
    (arrays.at(-1)!.buffer as ArrayBuffer).detached,
    false,
    "the newest waits to be lent",
  );
});

Deno.test("raw region reads and shared arrays overwrite a dirty pooled buffer whole", async () => {
  await using temp = await tempFolder();
  const shape = [40, 48, 56], chunks = [16, 16, 16];
  const random = seededRandom(11);
  const data = Float32Array.from({ length: 40 * 48 * 56 }, () => random());
  const raw = path.join(temp.folder, "raw.zarr");
  const axes = ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "nanometer" }));
  await writeImage(raw, data, {
    axes,
    shape,
    chunks,
    dtype: "float32",
    scale: [1, 1, 1],
    codec: "raw",
  });
  await Deno.remove(path.join(raw, "0", "c", "1", "1", "1")); // absent: reads as zeros
  const array = await openLevel(await openImage(raw), 0);
  const box = { start: [4, 6, 8], stop: [36, 44, 50] }; // 27 chunks, the absent one inside
  const voxels = 32 * 38 * 42;
  dirtyPool(voxels);
  const region = await array.readRegion(box);
  let zeros = 0;
  for (let z = 4; z < 36; z++) {
    for (let y = 6; y < 44; y++) {
      for (let x = 8; x < 50; x++) {
        const got = region[((z - 4) * 38 + (y - 6)) * 42 + (x - 8)]!;
        const absent = z >= 16 && z < 32 && y >= 16 && y < 32 && x >= 16 && x < 32;
        if (absent) zeros += got === 0 ? 1 : 0;
        else if (got !== data[(z * 48 + y) * 56 + x]) assert.fail(`voxel ${z},${y},${x}: ${got}`);
      }
    }
  }
  assert.equal(zeros, 16 ** 3);
  releaseBuffers([region]);

  const location = createSharedArray("pool-test", { shape, chunks, dtype: "float32" });
  (sharedArrayData(location) as Float32Array).set(data);
  dirtyPool(voxels);
  const shared = await openSharedArray(location).readRegion(box);
  assert.ok(!shared.some((v) => Number.isNaN(v)));
  assert.equal(shared[0], data[(4 * 48 + 6) * 56 + 8]);
  await assert.rejects(
    () => openSharedArray(location).readRegion({ start: [0, 0, 0], stop: [41, 1, 1] }),
    /outside shape \[40,48,56\]/,
  );
});

Deno.test("the filters' outputs and scratch from a dirty pool equal fresh ones", () => {
  const shape = [24, 30, 36], n = 24 * 30 * 36;
  const random = seededRandom(5);
  const image = Float32Array.from({ length: n }, () => random());
  const expected = [
    gaussianFilter(image, shape, { sigma: 1.5, out: new Float32Array(n) }),
    differenceOfGaussians(image, shape, { sigmaLow: 1, sigmaHigh: 1.6, out: new Float32Array(n) }),
    laplaceOfGaussian(image, shape, { sigma: 1.2, out: new Float32Array(n) }),
  ];
  dirtyPool(n, 8);
  const got = [
    gaussianFilter(image, shape, { sigma: 1.5 }),
    differenceOfGaussians(image, shape, { sigmaLow: 1, sigmaHigh: 1.6 }),
    laplaceOfGaussian(image, shape, { sigma: 1.2 }),
  ];
  for (const [i, array] of got.entries()) assert.deepEqual(array, expected[i], `filter ${i}`);
});
