import assert from "node:assert/strict";
import { cpd, sampleSurfaceCloud, transformPointsAffine } from "../../src/cpd/mod.ts";
import { makeCase, maxAbsDifference, rotationErrorDeg, similarity } from "./fixtures.ts";

Deno.test("cpd() rigid recovers an exact similarity to 1e-9 on noise-free, permuted points", () => {
  const truth = similarity([1, -2, 0.5], 40, 1.7, [3, -1, 12]);
  const fixed = sampleSurfaceCloud(400, 3);
  const moving = transformPointsAffine(truth, fixed);
  // reverse the order: no correspondence by index
  const shuffled = new Float64Array(fixed.length);
  for (let i = 0; i < 400; i++) shuffled.set(fixed.subarray(3 * i, 3 * i + 3), 3 * (399 - i));
  const result = cpd(moving, shuffled, { method: "rigid", multiStart: false, tolerance: 1e-10 });
  const inverse = cpd(shuffled, moving, { method: "rigid", multiStart: false, tolerance: 1e-10 });
  // result maps moving → fixed, i.e. the inverse of truth; check through a round trip
  const back = transformPointsAffine(result.matrix, moving);
  for (let i = 0; i < 400; i++) {
    const j = 399 - i;
    for (let a = 0; a < 3; a++) {
      assert.ok(Math.abs(back[3 * i + a]! - shuffled[3 * j + a]!) <= 1e-9);
    }
  }
  assert(
    maxAbsDifference(inverse.matrix, truth) <= 1e-9,
    `error ${maxAbsDifference(inverse.matrix, truth)}`,
  );
  assert(result.converged && inverse.converged);
  assert(result.sigma2 > 0, "σ² stays positive (floored) on exact data");
});

Deno.test("cpd() rigid with scale off recovers an exact rotation to 1e-9", () => {
  const truth = similarity([0, 1, 1], 75, 1, [-4, 2, 0.5]);
  const moving = sampleSurfaceCloud(300, 4);
  const fixed = transformPointsAffine(truth, moving);
  const result = cpd(moving, fixed, {
    method: "rigid",
    scale: false,
    multiStart: false,
    tolerance: 1e-10,
  });
  assert(
    maxAbsDifference(result.matrix, truth) <= 1e-9,
    `error ${maxAbsDifference(result.matrix, truth)}`,
  );
  assert.equal(result.scale, 1);
});

Deno.test("cpd() rigid meets 0.5° and 1 % scale with noise, outliers and M ≠ N", () => {
  const truth = similarity([1, 2, 3], 30, 1.25, [10, -5, 2]);
  const { moving, fixed } = makeCase(truth, {
    fixedCount: 3000,
    movingCount: 2600,
    noise: 0.01,
    outliers: 0.1,
  });
  const result = cpd(moving, fixed, { method: "rigid" });
  const angle = rotationErrorDeg(result.matrix, truth);
  assert(angle <= 0.5, `rotation error ${angle}°`);
  assert(Math.abs(result.scale! / 1.25 - 1) <= 0.01, `scale ${result.scale}`);
  assert(result.converged);
  assert.equal(result.logLikelihood.length, result.iterations + 1);
});

Deno.test("cpd() rigid converges from 0, 60, 90, 135 and 180° starting rotations", () => {
  for (const angle of [0, 60, 90, 135, 180]) {
    const truth = similarity([0.3, -1, 0.6], angle, 0.8, [1, 2, 3]);
    const { moving, fixed } = makeCase(truth, {
      fixedCount: 4000,
      movingCount: 3500,
      noise: 0.01,
      outliers: 0.1,
    });
    const result = cpd(moving, fixed, { method: "rigid" });
    const error = rotationErrorDeg(result.matrix, truth);
    assert(error <= 0.5, `start ${angle}°: rotation error ${error}°`);
  }
});

Deno.test("cpd() rigid never returns a reflection", () => {
  // a mirrored cloud: the best proper rotation is still a rotation (det > 0)
  const moving = sampleSurfaceCloud(300, 5);
  const mirrored = moving.map((v, i) => (i % 3 === 0 ? -v : v));
  const result = cpd(moving, mirrored, { method: "rigid", maxIterations: 30 });
  const m = result.matrix;
  const det = m[0]! * (m[5]! * m[10]! - m[6]! * m[9]!) - m[1]! * (m[4]! * m[10]! - m[6]! * m[8]!) +
    m[2]! * (m[4]! * m[9]! - m[5]! * m[8]!);
  assert(det > 0, `det ${det}`);
});

Deno.test("cpd() reports non-convergence as a result, not an error", () => {
  const moving = sampleSurfaceCloud(200, 6, { noise: 0.01 });
  const fixed = sampleSurfaceCloud(220, 7, { noise: 0.01 });
  const result = cpd(moving, fixed, { method: "affine", maxIterations: 2, multiStart: false });
  assert.equal(result.converged, false);
  assert.equal(result.iterations, 2);
  assert(result.timeMs >= 0 && Number.isFinite(result.sigma2));
});
