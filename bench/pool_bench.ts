/**
 * The worker pool's batching: the σ = 2 Gaussian of a 256³ float32 volume in shared memory,
 * through `runOp` and the comlink pool, with the default batches (several tasks per message)
 * against one task per message (`batch: 1, queued: 1`, the pool before batching), in 64³ chunks
 * (64 tasks of ~3 ms) and 32³ chunks (512 tasks of ~0.4 ms), with 1 worker and with 2. The four
 * pools of a chunk size run in alternating rounds (default 9, `--rounds=N`); each figure is a
 * median over the rounds, and the 2-against-1 ratios are per round. Run:
 * `deno task bench pool [--rounds=N]`.
 * @module
 */
import { filterOp } from "../src/chunked/filter_ops.ts";
import { runOp } from "../src/chunked/scheduler.ts";
import { createWorkerPool } from "../src/chunked/pool.ts";
import type { WorkerPoolOptions } from "../src/chunked/pool.ts";
import { createSharedArray, sharedArrayData } from "../src/chunked/shared_array.ts";
import type { TaskExecutor } from "../src/chunked/types.ts";
import { type Figure, median, writeResults } from "./report.ts";

const rounds = Number(Deno.args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 9);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`--rounds: expected a positive integer, got ${rounds}`);
  Deno.exit(2);
}

const side = 256, voxels = side ** 3;
const configs: { name: string; options: WorkerPoolOptions }[] = [
  { name: "one task per message", options: { batch: 1, queued: 1 } },
  { name: "batched (default)", options: {} },
];
const figures: Figure[] = [];
for (const chunk of [64, 32]) {
  const shape = [side, side, side], chunks = [chunk, chunk, chunk];
  const input = createSharedArray(`pool-in-${chunk}`, { shape, chunks, dtype: "float32" });
  const output = createSharedArray(`pool-out-${chunk}`, { shape, chunks, dtype: "float32" });
  const values = sharedArrayData(input) as Float32Array;
  for (let i = 0; i < voxels; i++) values[i] = (Math.imul(i, 2654435761) >>> 0) / 2 ** 32;
  const op = filterOp("gaussian", { input, output }, { sigma: 2 });
  const pools = configs.map(({ options }) =>
    [1, 2].map((size) => createWorkerPool({ size, ...options }))
  );
  const time = async (pool: TaskExecutor) => {
    const started = performance.now();
    await runOp(op, { executor: pool, quiet: true, journalDir: false });
    return performance.now() - started;
  };
  // warm-up: compile, grow the wasm memories, measure the task time the batches are sized from
  for (const pair of pools) for (const pool of pair) for (let i = 0; i < 2; i++) await time(pool);
  const ms = pools.map(() => [[] as number[], [] as number[]]);
  for (let round = 0; round < rounds; round++) {
    for (let c = 0; c < pools.length; c++) {
      for (let w = 0; w < 2; w++) ms[c]![w]!.push(await time(pools[c]![w]!));
    }
  }
  const label = `${chunk}³ chunks`;
  configs.forEach((config, c) => {
    const [one, two] = ms[c]! as [number[], number[]];
    const baseline = ms[0]! as [number[], number[]];
    for (const [w, times] of [[0, one], [1, two]] as const) {
      const rate = voxels / 1e6 / (median(times) / 1000);
      const single = voxels / 1e6 / (median(baseline[w]) / 1000);
      figures.push({
        name: `gaussian 256³ in ${label}, ${w + 1} worker${w ? "s" : ""}, ${config.name}`,
        value: rate,
        unit: "Mvox/s",
        baseline: "one task per message",
        baselineValue: single,
        ratio: rate / single,
      });
    }
    const perRound = one.map((t, i) => t / two[i]!);
    figures.push({
      name: `gaussian in ${label}, ${config.name}, 2 workers vs 1 per round: median (${
        Math.min(...perRound).toFixed(2)
      }-${Math.max(...perRound).toFixed(2)})`,
      value: median(perRound),
      unit: "×",
      baseline: "slowest round",
      baselineValue: Math.min(...perRound),
      ratio: median(perRound),
    });
  });
  for (const pair of pools) for (const pool of pair) await pool.close();
}
await writeResults("pool", figures);
