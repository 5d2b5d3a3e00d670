import assert from "node:assert/strict";
import { labelComponents, threshold, UnionFind } from "../../src/filters/mod.ts";
import { loadUint32, loadUint8 } from "./scipy_fixture.ts";
import { partitionDifference } from "./volume_helpers.ts";

for (const connectivity of [6, 26] as const) {
  Deno.test(`labelComponents() matches scipy label with ${connectivity}-connectivity`, () => {
    const { data: mask, shape } = loadUint8("mask_u8");
    const expected = loadUint32(`label${connectivity}`);
    const { labels, count } = labelComponents(mask, shape, { connectivity });
    assert.equal(count, expected.count);
    assert.equal(partitionDifference(labels, expected.data), null);
    // Numbered in scan order of each object's first voxel, like scipy: identical arrays.
    assert.deepEqual(labels, expected.data);
  });
}

/** Reference labelling: flood fill from each unlabelled voxel in scan order (scipy's numbering). */
function floodFillLabels(mask: Uint8Array, shape: readonly number[], connectivity: 6 | 26) {
  const [nz, ny, nx] = shape as [number, number, number];
  const labels = new Uint32Array(mask.length);
  const offsets: number[][] = [];
  for (let dz = -1; dz <= 1; dz++) {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const steps = Math.abs(dz) + Math.abs(dy) + Math.abs(dx);
        if (steps > 0 && (connectivity === 26 || steps === 1)) offsets.push([dz, dy, dx]);
      }
    }
  }
  let count = 0;
  for (let seed = 0; seed < mask.length; seed++) {
    if (mask[seed] === 0 || labels[seed] !== 0) continue;
    labels[seed] = ++count;
    const stack = [seed];
    while (stack.length > 0) {
      const i = stack.pop()!;
      const z = Math.floor(i / (ny * nx)), y = Math.floor(i / nx) % ny, x = i % nx;
      for (const [dz, dy, dx] of offsets) {
        const [vz, vy, vx] = [z + dz!, y + dy!, x + dx!];
        if (vz < 0 || vy < 0 || vx < 0 || vz >= nz || vy >= ny || vx >= nx) continue;
        const j = (vz * ny + vy) * nx + vx;
        if (mask[j] !== 0 && labels[j] === 0) {
          labels[j] = count;
          stack.push(j);
        }
      }
    }
  }
  return { labels, count };
}

Deno.test("labelComponents() equals a flood fill on random masks, thin and odd shapes", () => {
  let state = 7;
  const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296;
  const shapes = [[1, 1, 1], [1, 1, 9], [1, 7, 1], [6, 1, 1], [3, 1, 9], [5, 6, 7], [9, 13, 11]];
  let cases = 0;
  for (const shape of shapes) {
    for (const density of [0.15, 0.35, 0.5, 0.7, 0.9]) {
      const mask = Uint8Array.from(
        { length: shape[0]! * shape[1]! * shape[2]! },
        () => random() < density ? 1 : 0,
      );
      for (const connectivity of [6, 26] as const) {
        const expected = floodFillLabels(mask, shape, connectivity);
        // A dirty `out` must be overwritten everywhere, background included.
        const out = new Uint32Array(mask.length).fill(99);
        const { labels, count } = labelComponents(mask, shape, { connectivity, out });
        assert.equal(count, expected.count, `${connectivity} on ${shape} at ${density}`);
        assert.deepEqual(labels, expected.labels, `${connectivity} on ${shape} at ${density}`);
        cases++;
      }
    }
  }
  assert.equal(cases, 70);
});

Deno.test("labelComponents() tells 6- from 26-connectivity on diagonal neighbours", () => {
  const shape = [2, 3, 6];
  const at = (z: number, y: number, x: number) => z * 18 + y * 6 + x;
  const mask = new Uint8Array(36);
  for (const index of [at(0, 0, 0), at(0, 1, 1), at(0, 0, 4), at(1, 1, 5)]) mask[index] = 1;
  // (0,0,0)-(0,1,1) share an edge; (0,0,4)-(1,1,5) share a corner only.
  const six = labelComponents(mask, shape, { connectivity: 6 });
  const all = labelComponents(mask, shape, { connectivity: 26 });
  assert.equal(six.count, 4);
  assert.equal(all.count, 2);
  assert.equal(all.labels[at(0, 1, 1)], all.labels[at(0, 0, 0)]);
  assert.equal(all.labels[at(1, 1, 5)], all.labels[at(0, 0, 4)]);
  assert.notEqual(all.labels[at(0, 0, 4)], all.labels[at(0, 0, 0)]);
});

Deno.test("labelComponents() merges a U shape whose arms meet late in scan order", () => {
  // Arms at x=0 and x=4 joined by the last row: provisional labels must be unioned.
  const rows = ["1...1", "1...1", "11111"];
  const mask = Uint8Array.from(rows.join("").split(""), (c) => (c === "1" ? 1 : 0));
  for (const connectivity of [6, 26] as const) {
    const { labels, count } = labelComponents(mask, [3, 5], { connectivity });
    assert.equal(count, 1);
    assert.ok(labels.every((l, i) => (mask[i] === 1 ? l === 1 : l === 0)));
  }
});

Deno.test("labelComponents() adds labelOffset and writes into out", () => {
  const mask = Uint8Array.of(1, 0, 1, 1, 0, 1);
  const out = new Uint32Array(6);
  const { labels, count } = labelComponents(mask, [6], { labelOffset: 100, out });
  assert.equal(labels, out);
  assert.equal(count, 3);
  assert.deepEqual([...labels], [101, 0, 102, 102, 0, 103]);
});

Deno.test("labelComponents() rejects a bad connectivity or a short mask", () => {
  assert.throws(
    () => labelComponents(new Uint8Array(8), [2, 2, 2], { connectivity: 18 as 6 }),
    RangeError,
  );
  assert.throws(() => labelComponents(new Uint8Array(7), [2, 2, 2]), RangeError);
});

Deno.test("threshold() keeps voxels strictly above the value", () => {
  assert.deepEqual(threshold(Float32Array.of(0.2, 0.5, 0.9, -1), 0.5), Uint8Array.of(0, 0, 1, 0));
  assert.deepEqual(threshold(Uint16Array.of(3, 4, 5), 3), Uint8Array.of(0, 1, 1));
});

Deno.test("UnionFind numbers sets by their smallest id and grows on demand", () => {
  const sets = new UnionFind(1);
  for (let i = 0; i < 40; i++) sets.add();
  sets.union(30, 5);
  sets.union(5, 12);
  sets.unionPairs(Uint32Array.of(2, 3, 3, 40, 45, 1));
  assert.equal(sets.size, 46);
  assert.equal(sets.find(30), 5);
  assert.equal(sets.find(40), 2);
  const { table, count } = sets.lookupTable();
  assert.equal(table[0], 0);
  assert.equal(table[1], 1);
  assert.equal(table[45], 1);
  assert.equal(table[2], 2);
  assert.equal(table[40], 2);
  assert.equal(table[4], 3);
  assert.equal(table[12], table[5]);
  assert.equal(count, 45 - 5); // 45 ids, 5 merges
});
