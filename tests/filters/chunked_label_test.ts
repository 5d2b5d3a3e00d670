import assert from "node:assert/strict";
import type { Box } from "../../src/io/types.ts";
import {
  chunkEquivalences,
  type Connectivity,
  forwardNeighbourOffsets,
  labelComponents,
  relabel,
  UnionFind,
} from "../../src/filters/mod.ts";
import { crop, partitionDifference, paste } from "./volume_helpers.ts";
import { seededRandom } from "../../src/random.ts";

/** The chunked CCL recipe: label chunks with offsets, face equivalences, one union-find, relabel. */
function chunkedLabels(
  mask: Uint8Array,
  shape: number[],
  chunk: number[],
  connectivity: Connectivity,
): { labels: Uint32Array; count: number } {
  const grid = shape.map((size, axis) => Math.ceil(size / chunk[axis]!));
  const chunks: { box: Box; labels: Uint32Array }[] = [];
  let offset = 0;
  for (let cz = 0; cz < grid[0]!; cz++) {
    for (let cy = 0; cy < grid[1]!; cy++) {
      for (let cx = 0; cx < grid[2]!; cx++) {
        const start = [cz, cy, cx].map((c, axis) => c * chunk[axis]!);
        const stop = start.map((s, axis) => Math.min(shape[axis]!, s + chunk[axis]!));
        const box = { start, stop };
        const boxShape = stop.map((s, axis) => s - start[axis]!);
        const result = labelComponents(crop(mask, shape, box), boxShape, {
          connectivity,
          labelOffset: offset,
        });
        offset += result.count;
        chunks.push({ box, labels: result.labels });
      }
    }
  }
  const sets = new UnionFind(offset + 1);
  const index = (c: number[]) => (c[0]! * grid[1]! + c[1]!) * grid[2]! + c[2]!;
  for (let i = 0; i < chunks.length; i++) {
    const here = [
      Math.floor(i / (grid[1]! * grid[2]!)),
      Math.floor(i / grid[2]!) % grid[1]!,
      i % grid[2]!,
    ];
    for (const step of forwardNeighbourOffsets(connectivity)) {
      const there = here.map((c, axis) => c + step[axis]!);
      if (there.some((c, axis) => c < 0 || c >= grid[axis]!)) continue;
      const a = chunks[i]!, b = chunks[index(there)]!;
      sets.unionPairs(chunkEquivalences(a.labels, a.box, b.labels, b.box, { connectivity }));
    }
  }
  const { table, count } = sets.lookupTable();
  const labels = new Uint32Array(mask.length);
  for (const { box, labels: chunkLabels } of chunks) {
    paste(labels, shape, box, relabel(chunkLabels, table));
  }
  return { labels, count };
}

/** Set a 2×2×2 block (keeps consecutive points of a curve 6-connected). */
function block(mask: Uint8Array, shape: number[], z: number, y: number, x: number) {
  for (let dz = 0; dz < 2; dz++) {
    for (let dy = 0; dy < 2; dy++) {
      for (let dx = 0; dx < 2; dx++) {
        const [zz, yy, xx] = [z + dz, y + dy, x + dx];
        if (zz < shape[0]! && yy < shape[1]! && xx < shape[2]!) {
          mask[(zz * shape[1]! + yy) * shape[2]! + xx] = 1;
        }
      }
    }
  }
}

const SHAPE = [23, 31, 29];

/** A planar spiral, a helix and a long diagonal tube, plus sparse seeded speckle. */
function curvesMask(): { mask: Uint8Array; spiralEnds: number[]; tubeEnds: number[] } {
  const mask = new Uint8Array(SHAPE[0]! * SHAPE[1]! * SHAPE[2]!);
  const at = (z: number, y: number, x: number) => (z * SHAPE[1]! + y) * SHAPE[2]! + x;
  const spiral: number[] = [];
  for (let theta = 0; theta < 6 * Math.PI; theta += 0.02) {
    const r = 1 + 0.7 * theta;
    const y = Math.round(15 + r * Math.sin(theta)), x = Math.round(14 + r * Math.cos(theta));
    block(mask, SHAPE, 1, y, x);
    spiral.push(at(1, y, x));
  }
  for (let theta = 0; theta < 6 * Math.PI; theta += 0.02) {
    const z = Math.round(5 + (theta / (6 * Math.PI)) * 16);
    block(
      mask,
      SHAPE,
      z,
      Math.round(15 + 9 * Math.sin(theta)),
      Math.round(14 + 9 * Math.cos(theta)),
    );
  }
  const tube: number[] = [];
  for (let t = 0; t <= 1; t += 0.005) {
    const z = Math.round(4 + t * 17), y = Math.round(t * 29), x = Math.round(27 - t * 27);
    block(mask, SHAPE, z, y, x);
    tube.push(at(z, y, x));
  }
  const random = seededRandom(11);
  for (let i = 0; i < mask.length; i++) if (random() < 0.04) mask[i] = 1;
  return {
    mask,
    spiralEnds: [spiral[0]!, spiral[spiral.length - 1]!],
    tubeEnds: [tube[0]!, tube[tube.length - 1]!],
  };
}

for (const connectivity of [6, 26] as const) {
  Deno.test(`chunked labelling equals whole-volume labelling on a spiral and a tube (${connectivity})`, () => {
    const { mask, spiralEnds, tubeEnds } = curvesMask();
    const whole = labelComponents(mask, SHAPE, { connectivity });
    assert.equal(whole.labels[spiralEnds[0]!], whole.labels[spiralEnds[1]!]);
    assert.equal(whole.labels[tubeEnds[0]!], whole.labels[tubeEnds[1]!]);
    for (const chunk of [[5, 7, 6], [4, 4, 4], [1, 31, 29], [23, 1, 5], [7, 9, 1]]) {
      const chunked = chunkedLabels(mask, SHAPE, chunk, connectivity);
      assert.equal(chunked.count, whole.count, `chunk ${chunk}`);
      assert.equal(partitionDifference(chunked.labels, whole.labels), null, `chunk ${chunk}`);
    }
  });

  Deno.test(`chunked labelling merges edge and corner contacts of 1-voxel chunks (${connectivity})`, () => {
    const shape = [9, 10, 11];
    const random = seededRandom(5);
    const mask = Uint8Array.from({ length: 990 }, () => (random() < 0.3 ? 1 : 0));
    const whole = labelComponents(mask, shape, { connectivity });
    for (const chunk of [[1, 1, 1], [2, 3, 2], [3, 1, 2]]) {
      const chunked = chunkedLabels(mask, shape, chunk, connectivity);
      assert.equal(chunked.count, whole.count, `chunk ${chunk}`);
      assert.equal(partitionDifference(chunked.labels, whole.labels), null, `chunk ${chunk}`);
    }
  });
}

Deno.test("chunkEquivalences() finds face pairs for 6 and edge/corner pairs only for 26", () => {
  // A at (0,0,0) and B at (1,1,1): corner contact only.
  const a = Uint32Array.of(4), b = Uint32Array.of(9);
  const boxA = { start: [0, 0, 0], stop: [1, 1, 1] }, boxB = { start: [1, 1, 1], stop: [2, 2, 2] };
  assert.deepEqual(chunkEquivalences(a, boxA, b, boxB, { connectivity: 6 }), new Uint32Array(0));
  assert.deepEqual(chunkEquivalences(a, boxA, b, boxB, { connectivity: 26 }), Uint32Array.of(4, 9));
  // Face contact along x, 2-D boxes: rows [1, 2], [3, 4] | [5, 6], [0, 7].
  const left = Uint32Array.of(1, 2, 3, 4), right = Uint32Array.of(5, 6, 0, 7);
  const leftBox = { start: [0, 0], stop: [2, 2] }, rightBox = { start: [0, 2], stop: [2, 4] };
  const face = chunkEquivalences(left, leftBox, right, rightBox, { connectivity: 6 });
  assert.deepEqual(face, Uint32Array.of(2, 5));
  const withDiagonals = chunkEquivalences(left, leftBox, right, rightBox, { connectivity: 26 });
  assert.deepEqual(withDiagonals, Uint32Array.of(2, 5, 4, 5));
  const apart = { start: [0, 3], stop: [2, 5] };
  assert.deepEqual(chunkEquivalences(left, leftBox, right, apart), new Uint32Array(0));
  assert.equal(forwardNeighbourOffsets(6).length, 3);
  assert.equal(forwardNeighbourOffsets(26).length, 13);
});
