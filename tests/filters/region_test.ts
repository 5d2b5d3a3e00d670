import assert from "node:assert/strict";
import type { Box } from "../../src/io/types.ts";
import {
  differenceOfGaussians,
  differenceOfGaussiansRegion,
  gaussianFilter,
  gaussianFilterRegion,
  haloBox,
  haloVoxels,
  laplaceOfGaussian,
  laplaceOfGaussianRegion,
} from "../../src/filters/mod.ts";
import { crop, randomVolume } from "./volume_helpers.ts";

const SHAPE = [13, 17, 19];
const SIGMA = [1.5, 2.2, 3.1]; // radii 6, 9, 12: halos larger than most boxes below
const volume = randomVolume(SHAPE, 7);

/** Output boxes: an odd tiling, 1-voxel-thick slabs and lines, single voxels at corners. */
function testBoxes(): Box[] {
  const boxes: Box[] = [];
  const chunk = [4, 5, 3];
  for (let z = 0; z < SHAPE[0]!; z += chunk[0]!) {
    for (let y = 0; y < SHAPE[1]!; y += chunk[1]!) {
      for (let x = 0; x < SHAPE[2]!; x += chunk[2]!) {
        const start = [z, y, x];
        boxes.push({ start, stop: start.map((s, a) => Math.min(SHAPE[a]!, s + chunk[a]!)) });
      }
    }
  }
  boxes.push({ start: [6, 0, 0], stop: [7, 17, 19] });
  boxes.push({ start: [0, 16, 0], stop: [13, 17, 19] });
  boxes.push({ start: [0, 0, 18], stop: [13, 17, 19] });
  boxes.push({ start: [12, 3, 0], stop: [13, 4, 19] });
  boxes.push({ start: [0, 0, 0], stop: [1, 1, 1] });
  boxes.push({ start: [12, 16, 18], stop: [13, 17, 19] });
  return boxes;
}

type RegionFilter = (input: Float32Array, region: {
  inputBox: Box;
  volumeShape: number[];
  outputBox: Box;
}) => Float32Array;

/** Count voxels where the region result differs from the cropped whole-volume result. */
function mismatches(whole: Float32Array, filter: RegionFilter, halo: number[], box: Box): number {
  const inputBox = haloBox(box, SHAPE, halo);
  const input = crop(volume, SHAPE, inputBox);
  const actual = filter(input, { inputBox, volumeShape: SHAPE, outputBox: box });
  const expected = crop(whole, SHAPE, box);
  let bad = 0;
  for (let i = 0; i < expected.length; i++) if (!Object.is(actual[i], expected[i])) bad++;
  return bad + Math.abs(actual.length - expected.length);
}

Deno.test("gaussianFilterRegion() is bit-identical to the whole volume cropped", () => {
  const whole = gaussianFilter(volume, SHAPE, { sigma: SIGMA });
  const halo = haloVoxels(SIGMA);
  const filter: RegionFilter = (input, region) =>
    gaussianFilterRegion(input, region, { sigma: SIGMA });
  for (const box of testBoxes()) {
    assert.equal(mismatches(whole, filter, halo, box), 0, JSON.stringify(box));
  }
});

Deno.test("differenceOfGaussiansRegion() is bit-identical to the whole volume cropped", () => {
  const options = { sigmaLow: [1, 1.3, 1.9], sigmaHigh: [1.6, 2.08, 3.04] };
  const whole = differenceOfGaussians(volume, SHAPE, options);
  const halo = haloVoxels(options.sigmaHigh);
  const filter: RegionFilter = (input, region) =>
    differenceOfGaussiansRegion(input, region, options);
  for (const box of testBoxes()) {
    assert.equal(mismatches(whole, filter, halo, box), 0, JSON.stringify(box));
  }
});

Deno.test("laplaceOfGaussianRegion() is bit-identical to the whole volume cropped", () => {
  const whole = laplaceOfGaussian(volume, SHAPE, { sigma: SIGMA });
  const halo = haloVoxels(SIGMA);
  const filter: RegionFilter = (input, region) =>
    laplaceOfGaussianRegion(input, region, { sigma: SIGMA });
  for (const box of testBoxes()) {
    assert.equal(mismatches(whole, filter, halo, box), 0, JSON.stringify(box));
  }
});

Deno.test("gaussianFilterRegion() accepts an input box larger than the halo needs", () => {
  const whole = gaussianFilter(volume, SHAPE, { sigma: 1 });
  const outputBox = { start: [5, 6, 7], stop: [8, 9, 10] };
  const inputBox = { start: [0, 0, 0], stop: SHAPE.slice() };
  const actual = gaussianFilterRegion(volume, { inputBox, volumeShape: SHAPE, outputBox }, {
    sigma: 1,
  });
  assert.deepEqual(actual, crop(whole, SHAPE, outputBox));
});

Deno.test("gaussianFilterRegion() rejects an input box missing halo voxels", () => {
  const outputBox = { start: [5, 6, 7], stop: [8, 9, 10] };
  const inputBox = haloBox(outputBox, SHAPE, [4, 4, 3]); // x needs 4
  const input = crop(volume, SHAPE, inputBox);
  assert.throws(
    () => gaussianFilterRegion(input, { inputBox, volumeShape: SHAPE, outputBox }, { sigma: 1 }),
    RangeError,
  );
});

Deno.test("haloBox() grows the output box and clips it at the volume edges", () => {
  assert.deepEqual(haloBox({ start: [0, 8, 8], stop: [8, 16, 16] }, [20, 20, 20], 4), {
    start: [0, 4, 4],
    stop: [12, 20, 20],
  });
  assert.deepEqual(haloBox({ start: [3], stop: [4] }, [5], [10]), { start: [0], stop: [5] });
});
