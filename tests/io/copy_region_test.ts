/**
 * `copyRegion` against a voxel-by-voxel copy, on random boxes of rank 0 to 5: regions that
 * span whole rows or planes (merged axes), regions that do not, 1-voxel extents and empty
 * regions, in several element types.
 */
import assert from "node:assert/strict";
import { copyRegion } from "../../src/io/box.ts";
import type { Box, TypedArray } from "../../src/io/types.ts";
import { seededRandom } from "../../src/random.ts";

const count = (box: Box) => box.start.reduce((n, s, axis) => n * (box.stop[axis]! - s), 1);

/** Linear index of voxel `p` in a C-ordered buffer over `box`. */
function indexIn(box: Box, p: number[]): number {
  let index = 0;
  for (let axis = 0; axis < p.length; axis++) {
    index = index * (box.stop[axis]! - box.start[axis]!) + p[axis]! - box.start[axis]!;
  }
  return index;
}

/** The reference: every voxel of `region`, one at a time. */
function copyVoxels(
  source: TypedArray,
  sourceBox: Box,
  target: TypedArray,
  targetBox: Box,
  region: Box,
) {
  const rank = region.start.length;
  const p = [...region.start];
  if (count(region) === 0) return;
  while (true) {
    target[indexIn(targetBox, p)] = source[indexIn(sourceBox, p)]!;
    let axis = rank - 1;
    for (; axis >= 0; axis--) {
      p[axis]!++;
      if (p[axis]! < region.stop[axis]!) break;
      p[axis] = region.start[axis]!;
    }
    if (axis < 0) return;
  }
}

Deno.test("copyRegion() equals a voxel-by-voxel copy on random boxes, merged axes or not", () => {
  const next = seededRandom(7);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const kinds = [Float32Array, Uint8Array, Uint16Array, Uint32Array, Float64Array] as const;
  let merged = 0;
  for (let trial = 0; trial < 400; trial++) {
    const rank = int(0, 5);
    // The region first, then source and target boxes around it (often exactly the region's
    // extent on some axes, so that trailing axes merge).
    const region: Box = { start: [], stop: [] };
    const sourceBox: Box = { start: [], stop: [] };
    const targetBox: Box = { start: [], stop: [] };
    for (let axis = 0; axis < rank; axis++) {
      const start = int(0, 4), extent = int(trial % 23 === 0 ? 0 : 1, 5);
      region.start.push(start);
      region.stop.push(start + extent);
      for (const box of [sourceBox, targetBox]) {
        const whole = next() < 0.5;
        box.start.push(whole ? start : start - int(0, 2));
        box.stop.push(whole ? start + extent : start + extent + int(0, 2));
      }
    }
    const Kind = kinds[trial % kinds.length]!;
    const source = new Kind(count(sourceBox)).map((_, i) => (i * 7 + trial) % 251);
    const got = new Kind(count(targetBox)).fill(255);
    const want = new Kind(count(targetBox)).fill(255);
    copyRegion(source, sourceBox, got, targetBox, region);
    copyVoxels(source, sourceBox, want, targetBox, region);
    assert.deepEqual(
      got,
      want,
      `trial ${trial}: ${JSON.stringify({ sourceBox, targetBox, region })}`,
    );
    const last = rank - 1;
    if (
      rank > 1 && region.stop[last]! - region.start[last]! ===
        sourceBox.stop[last]! - sourceBox.start[last]! &&
      sourceBox.stop[last]! - sourceBox.start[last]! ===
        targetBox.stop[last]! - targetBox.start[last]!
    ) merged++;
  }
  // The generator must exercise the merged-axes path often, and the row path too.
  assert.ok(merged > 40 && merged < 360, `${merged} of 400 cases merge their last axis`);
});
