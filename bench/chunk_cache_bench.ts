/**
 * The decoded-chunk cache (`src/io/chunk_cache.ts`): the σ = 2 Gaussian of a 256³ float32
 * OME-Zarr volume stored with zstd in 64³ chunks, on local disk, with 1 worker and with 2, with
 * the cache (the default 64 MiB per thread) against without it (`CLEMREG_CHUNK_CACHE_MB=0`,
 * every task decoding every chunk its haloed box touches). The four pools run in alternating
 * rounds (default 3, `--rounds=N`); figures are medians. Run:
 * `deno task bench chunk_cache [--rounds=N]`.
 * @module
 */
import { join } from "node:path";
import { filterOp } from "../src/chunked/filter_ops.ts";
import { map } from "../src/chunked/ops.ts";
import { runOp } from "../src/chunked/scheduler.ts";
import { createWorkerPool } from "../src/chunked/pool.ts";
import type { TaskExecutor } from "../src/chunked/types.ts";
import { createImage } from "../src/io/writer.ts";
import { type Figure, median, writeResults } from "./report.ts";

const rounds = Number(Deno.args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 3);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`--rounds: expected a positive integer, got ${rounds}`);
  Deno.exit(2);
}
const side = 256, voxels = side ** 3;
const dir = await Deno.makeTempDir({ prefix: "clemreg-chunk-cache-" });
const figures: Figure[] = [];
try {
  const spec = {
    axes: ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "micrometer" })),
    shape: [side, side, side],
    chunks: [64, 64, 64],
    dtype: "float32" as const,
    scale: [1, 1, 1],
    levels: 1,
    codec: "zstd" as const,
  };
  await createImage(join(dir, "in.zarr"), spec);
  await createImage(join(dir, "out.zarr"), spec);
  const input = { kind: "zarr" as const, location: join(dir, "in.zarr"), level: 0 };
  const output = { kind: "zarr" as const, location: join(dir, "out.zarr"), level: 0 };
  await runOp(
    map({
      name: "generate",
      kernel: {
        module: new URL("./chunked_bench.ts", import.meta.url).href,
        name: "generateNoise",
      },
      inputs: [],
      output: input,
    }),
    { quiet: true, journalDir: false },
  );
  const op = filterOp("gaussian", { input, output }, { sigma: 2 });
  const time = async (pool: TaskExecutor) => {
    const started = performance.now();
    await runOp(op, { executor: pool, quiet: true, journalDir: false });
    return performance.now() - started;
  };
  // Each worker reads CLEMREG_CHUNK_CACHE_MB at its first region read: warm each pool up
  // before setting the variable for the next.
  const pools: { cache: boolean; size: number; pool: TaskExecutor }[] = [];
  const previous = Deno.env.get("CLEMREG_CHUNK_CACHE_MB");
  for (const cache of [false, true]) {
    if (cache) {
      if (previous === undefined) Deno.env.delete("CLEMREG_CHUNK_CACHE_MB");
      else Deno.env.set("CLEMREG_CHUNK_CACHE_MB", previous);
    } else Deno.env.set("CLEMREG_CHUNK_CACHE_MB", "0");
    for (const size of [1, 2]) {
      const pool = createWorkerPool({ size });
      await time(pool);
      pools.push({ cache, size, pool });
    }
  }
  const ms = pools.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [i, { pool }] of pools.entries()) ms[i]!.push(await time(pool));
  }
  for (const { pool } of pools) await pool.close();
  for (const size of [1, 2]) {
    const off = pools.findIndex((p) => !p.cache && p.size === size);
    const on = pools.findIndex((p) => p.cache && p.size === size);
    const rateOff = voxels / 1e6 / (median(ms[off]!) / 1000);
    const rateOn = voxels / 1e6 / (median(ms[on]!) / 1000);
    figures.push({
      name: `gaussian 256³ zstd in 64³ chunks on disk, ${size} worker${size > 1 ? "s" : ""}, cache`,
      value: rateOn,
      unit: "Mvox/s",
      baseline: "no cache",
      baselineValue: rateOff,
      ratio: rateOn / rateOff,
    });
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
await writeResults("chunk_cache", figures);
