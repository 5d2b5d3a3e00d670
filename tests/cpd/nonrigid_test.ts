import assert from "node:assert/strict";
import {
  applyTransform,
  cpd,
  loadTransform,
  sampleSurfaceCloud,
  seededRandom,
  transformToJson,
} from "../../src/cpd/mod.ts";

/** A smooth, clearly non-affine warp of the test shape (shape size ≈ 2). */
function warp(points: Float64Array): Float64Array {
  const out = new Float64Array(points.length);
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i]!, y = points[i + 1]!, z = points[i + 2]!;
    out[i] = x + 0.1 * Math.sin(2.5 * y);
    out[i + 1] = y + 0.1 * Math.sin(2.5 * z);
    out[i + 2] = z + 0.1 * Math.sin(2.5 * x);
  }
  return out;
}

/** Copy with Gaussian noise σ and `outliers` uniform points appended. */
function corrupt(points: Float64Array, seed: number, outliers: number): Float64Array {
  const random = seededRandom(seed);
  const gauss = () =>
    Math.sqrt(-2 * Math.log(Math.max(random(), 1e-300))) * Math.cos(2 * Math.PI * random());
  const out = new Float64Array(points.length + 3 * outliers);
  for (let i = 0; i < points.length; i++) out[i] = points[i]! + 0.01 * gauss();
  for (let i = points.length; i < out.length; i++) out[i] = -1.3 + 2.6 * random();
  return out;
}

function rmsAgainst(found: Float64Array, truth: Float64Array): number {
  let s = 0;
  for (let i = 0; i < truth.length; i++) s += (found[i]! - truth[i]!) ** 2;
  return Math.sqrt(s / (truth.length / 3));
}

Deno.test("cpd() nonrigid cuts the RMS error of a smooth warp ≥ 5× versus affine", () => {
  // Same surface samples under independent noise and outliers (M ≠ N): the warp is identifiable
  // point by point, so the error is measured against the true warped positions.
  const base = sampleSurfaceCloud(900, 2);
  const moving = corrupt(base, 3, 60);
  const fixed = corrupt(warp(base), 4, 120);
  const inliers = moving.subarray(0, base.length);
  const truth = warp(inliers); // where the warp sends each (noisy) moving point
  const affine = cpd(moving, fixed, { method: "affine" });
  // β = 1, λ = 0.5 (normalised units): flexible enough for a warp of wavelength ≈ 2.5
  const nonrigid = cpd(moving, fixed, { method: "nonrigid", beta: 1, lambda: 0.5 });
  const affineRms = rmsAgainst(
    applyTransform(loadTransform(transformToJson(affine)), inliers),
    truth,
  );
  const nonrigidRms = rmsAgainst(
    applyTransform(loadTransform(transformToJson(nonrigid)), inliers),
    truth,
  );
  assert.ok(
    affineRms >= 5 * nonrigidRms,
    `affine RMS ${affineRms.toFixed(4)}, non-rigid RMS ${nonrigidRms.toFixed(4)}`,
  );
  assert.ok(nonrigid.deformation !== undefined);
});

Deno.test("cpd() nonrigid halves the distance to the warped surface with independent samples", () => {
  // Independently sampled clouds: sliding along the surface is not identifiable, so the error
  // is the distance of mapped clean points to a dense sample of the warped surface.
  const moving = sampleSurfaceCloud(800, 2, { noise: 0.01, outlierFraction: 0.1 });
  const fixed = warp(sampleSurfaceCloud(880, 1, { noise: 0.01, outlierFraction: 0.1 }));
  const surface = warp(sampleSurfaceCloud(40000, 5));
  const probes = sampleSurfaceCloud(300, 9);
  const distance = (points: Float64Array) => {
    let s = 0;
    for (let i = 0; i < points.length; i += 3) {
      let best = Infinity;
      for (let k = 0; k < surface.length; k += 3) {
        const d = (points[i]! - surface[k]!) ** 2 + (points[i + 1]! - surface[k + 1]!) ** 2 +
          (points[i + 2]! - surface[k + 2]!) ** 2;
        if (d < best) best = d;
      }
      s += best;
    }
    return Math.sqrt(s / (points.length / 3));
  };
  const affine = cpd(moving, fixed, { method: "affine" });
  const nonrigid = cpd(moving, fixed, { method: "nonrigid", beta: 1, lambda: 2 });
  const affineDistance = distance(applyTransform(loadTransform(transformToJson(affine)), probes));
  const nonrigidDistance = distance(
    applyTransform(loadTransform(transformToJson(nonrigid)), probes),
  );
  assert.ok(
    affineDistance >= 2 * nonrigidDistance,
    `affine ${affineDistance.toFixed(4)}, non-rigid ${nonrigidDistance.toFixed(4)}`,
  );
});
