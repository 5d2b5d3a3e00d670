/**
 * The decoded-chunk cache over S3: a chunked Gaussian whose input is zstd chunks on s3:// fetches
 * and decodes each chunk once per run (not once per task whose haloed box touches it), equals the
 * whole-volume filter, and a second run of the same op starts with an empty cache.
 * @module
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { chunkCacheStats, clearChunkCache } from "../../src/io/chunk_cache.ts";
import { openImage, openLevel } from "../../src/io/image.ts";
import { configureS3 } from "../../src/io/s3_store.ts";
import { writeImage } from "../../src/io/writer.ts";
import { seededRandom } from "../../src/random.ts";
import { filterOp } from "../../src/chunked/filter_ops.ts";
import { runOp } from "../../src/chunked/scheduler.ts";
import { createInlineExecutor } from "../../src/chunked/pool.ts";
import { gaussianFilter } from "../../src/filters/gaussian.ts";
import { optionsFor, startS3Server } from "./server.ts";

Deno.test("chunk cache over s3://: each zstd chunk is fetched and decoded once per run", async () => {
  const server = await startS3Server(["fm"]);
  const local = await Deno.makeTempDir({ prefix: "clemreg_s3_cache_" });
  try {
    configureS3(optionsFor(server));
    const shape = [12, 15, 14];
    const random = seededRandom(11);
    const data = Float32Array.from({ length: 12 * 15 * 14 }, () => random() * 100);
    const spec = {
      axes: ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "micrometer" })),
      shape,
      chunks: [4, 5, 6],
      dtype: "float32" as const,
      scale: [1, 1, 1],
      codec: "zstd" as const,
    };
    const input = "s3://fm/cache/in.zarr", output = path.join(local, "out.zarr");
    await writeImage(input, data, spec);
    await writeImage(output, new Float32Array(data.length), spec);
    const op = filterOp("gaussian", {
      input: { kind: "zarr", location: input, level: 0 },
      output: { kind: "zarr", location: output, level: 0 },
    }, { sigma: 1.5 });
    clearChunkCache();
    for (let run = 0; run < 2; run++) {
      const start = chunkCacheStats();
      await runOp(op, { executor: createInlineExecutor(), quiet: true, journalDir: false });
      const stats = chunkCacheStats();
      assert.equal(stats.misses - start.misses, 27, `run ${run}: 27 chunks, each decoded once`);
      assert.ok(stats.hits - start.hits > 27, `run ${run}: hits ${stats.hits - start.hits}`);
      const result = await (await openLevel(await openImage(output), 0)).readRegion({
        start: [0, 0, 0],
        stop: shape,
      });
      assert.deepEqual(result, gaussianFilter(data, shape, { sigma: 1.5 }));
    }
  } finally {
    configureS3({});
    await server.close();
    await Deno.remove(local, { recursive: true });
  }
});
