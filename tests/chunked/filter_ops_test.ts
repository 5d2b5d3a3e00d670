import { assertEquals } from "./assert.ts";
import { randomVolume } from "./helpers.ts";
import { filterOp } from "../../src/chunked/filter_ops.ts";
import { runOp } from "../../src/chunked/scheduler.ts";
import { createWorkerPool } from "../../src/chunked/pool.ts";
import { createSharedArray, sharedArrayData } from "../../src/chunked/shared_array.ts";
import { gaussianFilter } from "../../src/filters/gaussian.ts";
import { differenceOfGaussians } from "../../src/filters/difference_of_gaussians.ts";
import { laplaceOfGaussian } from "../../src/filters/laplace.ts";

const shape = [17, 13, 11];

Deno.test("filterOp() Gaussian/DoG/LoG in workers are bit-identical to the whole volume", async () => {
  const pool = createWorkerPool({ size: 2 });
  try {
    // Odd chunks, a halo (8 voxels at sigma 2) far larger than a 3-voxel chunk, 1-voxel slabs.
    for (const chunks of [[5, 4, 3], [3, 3, 3], [1, 13, 11]]) {
      const input = randomVolume("in", shape, chunks, 21);
      const whole = sharedArrayData(input) as Float32Array;
      const cases = [
        {
          filter: "gaussian" as const,
          params: { sigma: 2 },
          expected: gaussianFilter(whole, shape, { sigma: 2 }),
        },
        {
          filter: "dog" as const,
          params: { sigmaLow: [1, 1.5, 1.5], sigmaHigh: [1.6, 2.4, 2.4] },
          expected: differenceOfGaussians(whole, shape, {
            sigmaLow: [1, 1.5, 1.5],
            sigmaHigh: [1.6, 2.4, 2.4],
          }),
        },
        {
          filter: "log" as const,
          params: { sigma: 1.5 },
          expected: laplaceOfGaussian(whole, shape, { sigma: 1.5 }),
        },
      ];
      for (const { filter, params, expected } of cases) {
        const output = createSharedArray("out", { shape, chunks, dtype: "float32" });
        await runOp(filterOp(filter, { input, output }, params), {
          executor: pool,
          quiet: true,
          journalDir: false,
        });
        assertEquals(sharedArrayData(output), expected, `${filter} with chunks ${chunks}`);
      }
    }
  } finally {
    await pool.close();
  }
});
