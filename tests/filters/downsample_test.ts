import assert from "node:assert/strict";
import { downsampleMean, downsampleMode } from "../../src/filters/mod.ts";
import { crop, randomVolume } from "./volume_helpers.ts";

Deno.test("downsampleMean() averages 2×2×2 blocks and partial edge blocks", () => {
  const shape = [3, 3, 3];
  const image = Float32Array.from({ length: 27 }, (_, i) => i);
  const { data, shape: outShape } = downsampleMean(image, shape, { factors: [2, 2, 2] });
  assert.deepEqual(outShape, [2, 2, 2]);
  // Block (0,0,0): indices 0,1,3,4,9,10,12,13 → mean 6.5; corner block (1,1,1) is voxel 26.
  assert.equal(data[0], 6.5);
  assert.equal(data[7], 26);
  // Block (0,0,1): x = 2 only: indices 2,5,11,14 → 8.
  assert.equal(data[1], 8);
});

Deno.test("downsampleMean() with [1, 2, 2] rounds integers and keeps the dtype", () => {
  const image = Uint16Array.of(1, 2, 3, 4, 10, 11, 12, 14);
  const { data, shape } = downsampleMean(image, [2, 2, 2], { factors: [1, 2, 2] });
  assert.ok(data instanceof Uint16Array);
  assert.deepEqual(shape, [2, 1, 1]);
  assert.deepEqual([...data], [3, 12]); // 2.5 → 3 (halves up), 11.75 → 12
});

Deno.test("downsampleMean() of a factor-aligned chunk equals the whole result cropped", () => {
  const shape = [8, 10, 12];
  const image = randomVolume(shape, 3);
  const whole = downsampleMean(image, shape, { factors: [2, 2, 2] });
  const box = { start: [2, 4, 6], stop: [8, 10, 12] };
  const part = downsampleMean(crop(image, shape, box), [6, 6, 6], { factors: [2, 2, 2] });
  const expected = crop(whole.data, whole.shape, { start: [1, 2, 3], stop: [4, 5, 6] });
  assert.deepEqual(part.data, expected);
});

Deno.test("downsampleMode() takes the most frequent label, ties to the smallest", () => {
  const labels = Uint32Array.of(
    5,
    5,
    0,
    0, // block 0: 5 ×3, 0 ×1 (with next row)
    5,
    0,
    3,
    3, // block 1: 0 ×2, 3 ×2 → tie → 0
  );
  const { data, shape } = downsampleMode(labels, [2, 4], { factors: [2, 2] });
  assert.deepEqual(shape, [1, 2]);
  assert.deepEqual([...data], [5, 0]);
  const kept = downsampleMode(labels, [2, 4], { factors: [2, 2], ignoreBackground: true });
  assert.deepEqual([...kept.data], [5, 3]);
  const odd = downsampleMode(Uint8Array.of(7, 7, 2), [3], { factors: [2] });
  assert.deepEqual([...odd.data], [7, 2]);
});

Deno.test("downsample rejects bad factors and shapes", () => {
  assert.throws(
    () => downsampleMean(new Float32Array(8), [2, 2, 2], { factors: [2, 2] }),
    RangeError,
  );
  assert.throws(
    () => downsampleMean(new Float32Array(8), [2, 2, 2], { factors: [2, 0, 2] }),
    RangeError,
  );
  assert.throws(
    () => downsampleMode(new Uint32Array(7), [2, 2, 2], { factors: [2, 2, 2] }),
    RangeError,
  );
});
