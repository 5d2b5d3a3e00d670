import assert from "node:assert/strict";
import {
  differenceOfGaussians,
  gaussianFilter,
  gaussianKernel1d,
  haloVoxels,
  laplaceOfGaussian,
  sigmaVoxels,
} from "../../src/filters/mod.ts";
import { loadFloat32, loadInput, maxRelativeError } from "./scipy_fixture.ts";

// Tolerance from the issue: 1e-5 relative to the reference's largest magnitude.
const TOLERANCE = 1e-5;

Deno.test("gaussianFilter() matches scipy gaussian_filter, sigma (1.5, 2, 2.5)", () => {
  const { data, shape } = loadInput();
  const expected = loadFloat32("gaussian_s1.5_2_2.5").data;
  const actual = gaussianFilter(data, shape, { sigma: [1.5, 2, 2.5] });
  assert.ok(maxRelativeError(actual, expected) <= TOLERANCE);
});

Deno.test("gaussianFilter() matches scipy gaussian_filter, sigma 2, into out", () => {
  const { data, shape } = loadInput();
  const expected = loadFloat32("gaussian_s2").data;
  const out = new Float32Array(data.length);
  const actual = gaussianFilter(data, shape, { sigma: 2, truncate: 4, mode: "reflect", out });
  assert.equal(actual, out);
  assert.ok(maxRelativeError(actual, expected) <= TOLERANCE);
});

Deno.test("gaussianFilter() matches scipy when axes are shorter than the kernel radius", () => {
  const { data, shape } = loadInput();
  const thinShape = [3, 5, shape[2]!];
  const thin = new Float32Array(3 * 5 * shape[2]!);
  for (let z = 0; z < 3; z++) {
    for (let y = 0; y < 5; y++) {
      const from = (z * shape[1]! + y) * shape[2]!;
      thin.set(data.subarray(from, from + shape[2]!), (z * 5 + y) * shape[2]!);
    }
  }
  const expected = loadFloat32("gaussian_thin_s3").data;
  assert.ok(maxRelativeError(gaussianFilter(thin, thinShape, { sigma: 3 }), expected) <= TOLERANCE);
});

Deno.test("laplaceOfGaussian() matches scipy gaussian_laplace, sigma 2", () => {
  const { data, shape } = loadInput();
  const expected = loadFloat32("laplace_s2").data;
  assert.ok(maxRelativeError(laplaceOfGaussian(data, shape, { sigma: 2 }), expected) <= TOLERANCE);
});

Deno.test("differenceOfGaussians() equals the float32 difference of two Gaussians", () => {
  const { data, shape } = loadInput();
  const dog = differenceOfGaussians(data, shape, { sigmaLow: 1.5, sigmaHigh: 2.4 });
  const low = gaussianFilter(data, shape, { sigma: 1.5 });
  const high = gaussianFilter(data, shape, { sigma: 2.4 });
  for (let i = 0; i < dog.length; i++) assert.equal(dog[i], Math.fround(low[i]! - high[i]!));
});

Deno.test("gaussianFilter() works on 2-D and leaves zero-sigma axes untouched", () => {
  const { data, shape } = loadInput();
  const plane = data.subarray(0, shape[1]! * shape[2]!);
  const flat = gaussianFilter(plane, [shape[1]!, shape[2]!], { sigma: [0, 0] });
  assert.deepEqual(flat, plane);
  const smooth2d = gaussianFilter(plane, [shape[1]!, shape[2]!], { sigma: 2 });
  const as3d = gaussianFilter(plane, [1, shape[1]!, shape[2]!], { sigma: [0, 2, 2] });
  assert.deepEqual(smooth2d, as3d);
});

Deno.test("gaussianKernel1d() sums to 1 and its second derivative sums to ~0", () => {
  const kernel = gaussianKernel1d(2, 0, 8);
  assert.equal(kernel.length, 17);
  assert.ok(Math.abs(kernel.reduce((a, b) => a + b, 0) - 1) < 1e-15);
  const second = gaussianKernel1d(2, 2, 8);
  assert.ok(Math.abs(second.reduce((a, b) => a + b, 0)) < 1e-3);
  assert.ok(second[8]! < 0);
});

Deno.test("haloVoxels() uses scipy's radius rule and sigmaVoxels() divides by voxel size", () => {
  assert.deepEqual(haloVoxels([1.5, 2, 2.5]), [6, 8, 10]);
  assert.deepEqual(haloVoxels(3, 3.5), [11]);
  assert.deepEqual(haloVoxels([0, 1e-16]), [0, 0]);
  assert.deepEqual(sigmaVoxels(260, [130, 65, 26]), [2, 4, 10]);
  assert.deepEqual(sigmaVoxels([130, 70, 70], [130, 35, 35]), [1, 2, 2]);
  assert.throws(() => sigmaVoxels(100, [0, 1, 1]), RangeError);
  assert.throws(() => haloVoxels(-1), RangeError);
});

Deno.test("gaussianFilter() rejects a wrong out length, mode or sigma count", () => {
  const image = new Float32Array(27);
  assert.throws(() => gaussianFilter(image, [3, 3, 3], { sigma: 1, out: new Float32Array(5) }));
  assert.throws(() => gaussianFilter(image, [3, 3, 3], { sigma: [1, 1] }), RangeError);
  // @ts-expect-error: only "reflect" is a valid mode
  assert.throws(() => gaussianFilter(image, [3, 3, 3], { sigma: 1, mode: "nearest" }), RangeError);
});
