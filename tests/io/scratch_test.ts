/**
 * Recycled task buffers (`src/io/scratch.ts`): a buffer released by one task is lent to the
 * next instead of a fresh allocation, reads as zeros unless the caller overwrites it, is never
 * lent twice at once, and what a thread holds stays within its limits.
 */
import assert from "node:assert/strict";
import {
  dropScratch,
  heldScratchBytes,
  recycleBuffers,
  scratchArray,
} from "../../src/io/scratch.ts";

const big = 256 * 1024; // float32 elements: 1 MiB, above the recycling threshold

Deno.test("a recycled buffer is lent again, zeroed unless the caller overwrites it", () => {
  dropScratch();
  const first = scratchArray("float32", big);
  first.fill(7);
  const buffer = first.buffer;
  recycleBuffers([first]);
  assert.equal(heldScratchBytes(), big * 4);
  const zeroed = scratchArray("float32", big - 10);
  assert.equal(zeroed.buffer, buffer, "the held buffer serves a slightly smaller request");
  assert.equal(zeroed.length, big - 10);
  assert.ok(zeroed.every((v) => v === 0), "a recycled array reads as zeros by default");
  zeroed.fill(3);
  recycleBuffers([zeroed]);
  const kept = scratchArray("float32", big, { overwrite: true });
  assert.equal(kept.buffer, buffer);
  assert.equal(kept[0], 3, "overwrite: the old values are left for the caller to replace");
  assert.equal(heldScratchBytes(), 0, "a lent buffer is no longer held");
  const other = scratchArray("float32", big);
  assert.notEqual(other.buffer, buffer, "a buffer is never lent twice at once");
  recycleBuffers([kept, other]);
  dropScratch();
});

Deno.test("recycleBuffers() keeps buffers in use, frees strangers and handles a buffer once", () => {
  dropScratch();
  const partial = scratchArray("float64", big);
  const lent = scratchArray("float32", big);
  const stranger = new Float32Array(big);
  const keep = new Set<ArrayBufferLike>([partial.buffer]);
  recycleBuffers([partial, lent, lent.subarray(5), stranger], keep);
  assert.equal(partial.length, big, "a kept buffer is untouched");
  assert.equal(stranger.length, 0, "a buffer not lent by scratchArray is freed at once");
  assert.equal(heldScratchBytes(), big * 4, "a buffer listed twice is held once");
  const again = scratchArray("float32", big);
  const next = scratchArray("float32", big);
  assert.equal(again.buffer, lent.buffer);
  assert.notEqual(next.buffer, lent.buffer);
  recycleBuffers([again, next, partial]);
  dropScratch();
});

Deno.test("scratchArray() lends no buffer far larger than asked, and small arrays are plain", () => {
  dropScratch();
  const huge = scratchArray("uint8", 64 * big);
  recycleBuffers([huge]);
  const small = scratchArray("uint8", big);
  assert.notEqual(small.buffer, huge.buffer, "a buffer 64× too large is not lent");
  const tiny = scratchArray("uint8", 100);
  recycleBuffers([tiny]);
  assert.equal(tiny.length, 0, "arrays under 64 KiB are freed, not held");
  recycleBuffers([small]);
  dropScratch();
});

Deno.test("a thread holds at most 6 buffers, dropping the smallest", () => {
  dropScratch();
  const arrays = Array.from({ length: 8 }, (_, i) => scratchArray("uint8", (i + 1) * big));
  recycleBuffers(arrays);
  const held = arrays.slice(2).reduce((sum, a) => sum + a.byteLength, 0);
  assert.equal(heldScratchBytes(), held);
  assert.equal(arrays[0]!.length, 0, "the smallest is freed");
  assert.equal(arrays[7]!.length, 8 * big, "the largest is kept");
  dropScratch();
  assert.equal(heldScratchBytes(), 0);
});
