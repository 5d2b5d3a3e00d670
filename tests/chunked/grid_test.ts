import { assertEquals, assertThrows } from "./assert.ts";
import {
  chunkBox,
  chunkCoords,
  chunkGrid,
  chunkLinearIndex,
  iterateChunks,
} from "../../src/chunked/grid.ts";
import { boxVoxels, cropBox, haloBox, inputBoxFor } from "../../src/chunked/box.ts";
import { copyRegion } from "../../src/io/box.ts";

Deno.test("chunkGrid() counts chunks and clips edge chunks", () => {
  const grid = chunkGrid([10, 7, 5], [4, 3, 5]);
  assertEquals(grid.gridShape, [3, 3, 1]);
  assertEquals(grid.count, 9);
  assertEquals(chunkBox(grid, [2, 2, 0]), { start: [8, 6, 0], stop: [10, 7, 5] });
  assertThrows(() => chunkGrid([4, 4], [2]), RangeError);
  assertThrows(() => chunkGrid([4], [0]), RangeError);
});

Deno.test("chunkLinearIndex() and chunkCoords() are inverse and C-ordered", () => {
  const grid = chunkGrid([5, 6, 7], [2, 4, 3]);
  const seen = [...iterateChunks(grid)];
  assertEquals(seen.length, grid.count);
  assertEquals(seen[1], [0, 0, 1]);
  seen.forEach((coords, linear) => {
    assertEquals(chunkLinearIndex(grid, coords), linear);
    assertEquals(chunkCoords(grid, linear), coords);
  });
  const covered = seen.reduce((sum, c) => sum + boxVoxels(chunkBox(grid, c)), 0);
  assertEquals(covered, 5 * 6 * 7);
});

Deno.test("haloBox() grows a box and clips it to the volume", () => {
  const box = { start: [0, 4, 8], stop: [2, 6, 10] };
  assertEquals(haloBox(box, 3, [10, 10, 10]), { start: [0, 1, 5], stop: [5, 9, 10] });
  assertEquals(haloBox(box, [0, 1, 0], [10, 10, 10]), { start: [0, 3, 8], stop: [2, 7, 10] });
});

Deno.test("inputBoxFor() grows the low side by haloLowVoxels when given", () => {
  const box = inputBoxFor({ start: [4, 4], stop: [8, 8] }, [10, 9], {
    haloVoxels: [1, 2],
    haloLowVoxels: [0, 3],
  });
  assertEquals(box, { start: [4, 1], stop: [9, 9] });
});

Deno.test("inputBoxFor() scales output boxes and adds the halo", () => {
  const box = inputBoxFor({ start: [1, 2], stop: [3, 4] }, [7, 100], {
    scale: [2, 1],
    haloVoxels: [1, 5],
  });
  assertEquals(box, { start: [1, 0], stop: [7, 9] });
});

Deno.test("cropBox() cuts the right voxels and rejects boxes outside", () => {
  const outer = { start: [1, 1], stop: [4, 5] }; // 3 × 4
  const data = Float32Array.from({ length: 12 }, (_, i) => i);
  assertEquals([...cropBox(data, outer, { start: [2, 2], stop: [4, 4] })], [5, 6, 9, 10]);
  const target = new Float32Array(4);
  copyRegion(data, outer, target, { start: [3, 3], stop: [4, 7] }, { start: [3, 3], stop: [4, 5] });
  assertEquals([...target], [10, 11, 0, 0]);
  assertThrows(() => cropBox(data, outer, { start: [0, 1], stop: [2, 2] }), RangeError);
});
