import assert from "node:assert/strict";
import { cpd, sampleSurfaceCloud, transformPointsAffine } from "../../src/cpd/mod.ts";
import { makeCase, maxAbsDifference, relativeLinearError, similarity } from "./fixtures.ts";

/** A general affine map: rotation, anisotropic scale and shear, translation. */
function affineTruth(angleDeg: number): Float64Array {
  const r = similarity([2, -1, 1], angleDeg, 1, [0, 0, 0]);
  const stretch = [1.2, 0.15, 0, 0, 0.9, -0.1, 0.05, 0, 1.1]; // applied before the rotation
  const out = new Float64Array(16);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += r[4 * i + k]! * stretch[3 * k + j]!;
      out[4 * i + j] = s;
    }
  }
  out[3] = 4;
  out[7] = -3;
  out[11] = 7;
  out[15] = 1;
  return out;
}

Deno.test("cpd() affine recovers an exact affine map to 1e-9 on noise-free points", () => {
  const truth = affineTruth(25);
  const moving = sampleSurfaceCloud(400, 8);
  const fixed = transformPointsAffine(truth, moving);
  const result = cpd(moving, fixed, { method: "affine", multiStart: false, tolerance: 1e-10 });
  const error = maxAbsDifference(result.matrix, truth);
  assert.ok(error <= 1e-9, `matrix error ${error}`);
});

Deno.test("cpd() affine keeps ‖ΔB‖/‖B‖ ≤ 2 % from 0, 60, 90, 135 and 180° starts", () => {
  for (const angle of [0, 60, 90, 135, 180]) {
    const truth = affineTruth(angle);
    const { moving, fixed } = makeCase(truth, {
      fixedCount: 3000,
      movingCount: 2600,
      noise: 0.01,
      outliers: 0.1,
    });
    const result = cpd(moving, fixed, { method: "affine" });
    const error = relativeLinearError(result.matrix, truth);
    assert.ok(error <= 0.02, `start ${angle}°: ‖ΔB‖/‖B‖ = ${error}`);
    assert.ok(result.multiStart && result.multiStart.candidates === 48);
  }
});
