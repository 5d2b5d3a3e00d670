import assert from "node:assert/strict";
import { cpd, cpdParallel, sampleSurfaceCloud } from "../../src/cpd/mod.ts";
import { maxAbsDifference } from "./fixtures.ts";

Deno.test("cpdParallel() matches cpd() with E-steps split over 2 workers", async () => {
  const moving = sampleSurfaceCloud(600, 1, { noise: 0.01, outlierFraction: 0.1 });
  const fixed = sampleSurfaceCloud(700, 2, { noise: 0.01, outlierFraction: 0.1 });
  for (const method of ["rigid", "nonrigid"] as const) {
    const options = { method, multiStart: false, maxIterations: 25 };
    const local = cpd(moving, fixed, options);
    const parallel = await cpdParallel(moving, fixed, {
      ...options,
      workers: 2,
      minPairsForWorkers: 0,
    });
    assert.equal(parallel.iterations, local.iterations);
    assert.ok(maxAbsDifference(parallel.matrix, local.matrix) <= 1e-9);
    assert.ok(Math.abs(parallel.sigma2 - local.sigma2) <= 1e-9 * local.sigma2);
  }
});
