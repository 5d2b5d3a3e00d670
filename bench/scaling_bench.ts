/**
 * Where the 2-worker speed-up of the chunked Gaussian is lost. Four workloads, each run with 1
 * worker and with 2 in alternating rounds (default 7, `--rounds=N`), printing the median
 * throughput ratio (2 workers ÷ 1) and its range:
 * - `alu`: a scalar loop touching no memory: the host's ceiling (2.0 when the two vCPUs are
 *   real, independent cores);
 * - `kernel`: the σ = 2 Gaussian of a 64³ chunk from a worker-local 80³ region, the
 *   WebAssembly passes alone (no data crosses threads);
 * - `tasks`: `executeTask` on the 64 chunk tasks of the 256³ shared-memory job (read the haloed
 *   region, filter, write the chunk), split between plain workers: the pool's per-task work
 *   without comlink messages or the main thread;
 * - `pool`: the same op through `runOp` and the comlink worker pool, as `chunked_bench.ts`
 *   measures it.
 * Each ratio is also given against the `alu` ratio of the same run.
 * Run: `deno task bench scaling [--rounds=N]`.
 * @module
 */
import { filterOp } from "../src/chunked/filter_ops.ts";
import { runOp } from "../src/chunked/scheduler.ts";
import { createWorkerPool } from "../src/chunked/pool.ts";
import { createSharedArray, sharedArrayData } from "../src/chunked/shared_array.ts";
import type { ChunkTask, TaskExecutor } from "../src/chunked/types.ts";
import type { ScalingJob } from "./scaling_worker.ts";
import { type Figure, median, writeResults } from "./report.ts";

const rounds = Number(Deno.args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 7);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`--rounds: expected a positive integer, got ${rounds}`);
  Deno.exit(2);
}

const shape = [256, 256, 256], chunks = [64, 64, 64];
const input = createSharedArray("scaling-in", { shape, chunks, dtype: "float32" });
const output = createSharedArray("scaling-out", { shape, chunks, dtype: "float32" });
const values = sharedArrayData(input) as Float32Array;
for (let i = 0; i < values.length; i++) values[i] = (Math.imul(i, 2654435761) >>> 0) / 2 ** 32;
const op = filterOp("gaussian", { input, output }, { sigma: 2 });

// The op's tasks, as the scheduler makes them (an executor that only records them).
const tasks: ChunkTask[] = [];
const recorder: TaskExecutor = {
  concurrency: 1,
  execute(task) {
    tasks.push(task);
    return Promise.resolve({ chunkLinear: task.chunkLinear, bytesRead: 0, bytesWritten: 0 });
  },
  close: () => Promise.resolve(),
};
await runOp(op, { executor: recorder, quiet: true, journalDir: false });

const workers = [0, 1].map(() =>
  new Worker(new URL("./scaling_worker.ts", import.meta.url), { type: "module" })
);
function send(worker: Worker, job: ScalingJob): Promise<number> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (event) => resolve(event.data as number);
    worker.onerror = (event) => reject(new Error(event.message));
    worker.postMessage(job);
  });
}

/** Wall milliseconds of `count` workers running `jobOf(i)` at once. */
async function together(count: number, jobOf: (i: number) => ScalingJob): Promise<number> {
  const started = performance.now();
  await Promise.all(workers.slice(0, count).map((worker, i) => send(worker, jobOf(i))));
  return performance.now() - started;
}

interface Workload {
  name: string;
  /** Wall time with `count` workers for the same total work. */
  time(count: number): Promise<number>;
}

const share = (count: number, i: number) => tasks.filter((_, k) => k % count === i);
const workloads: Workload[] = [
  {
    name: "alu: a scalar loop, no memory",
    // each worker does the same work, so 2 workers do twice as much
    time: async (count) => (await together(count, () => ({ workload: "alu", reps: 60 }))) / count,
  },
  {
    name: "kernel: 64³ Gaussian passes, worker-local data",
    time: async (count) =>
      (await together(count, () => ({ workload: "kernel", reps: 150 }))) / count,
  },
  {
    name: "tasks: executeTask on the 64 shared-memory tasks, no messages",
    time: (count) =>
      together(count, (i) => ({ workload: "tasks", reps: 4, tasks: share(count, i) })),
  },
];
const pools = [1, 2].map((size) => createWorkerPool({ size }));
workloads.push({
  name: "pool: runOp through the comlink pool",
  async time(count) {
    const started = performance.now();
    for (let r = 0; r < 4; r++) {
      await runOp(op, { executor: pools[count - 1]!, quiet: true, journalDir: false });
    }
    return performance.now() - started;
  },
});

const ratios = new Map<string, number[]>();
// warm-up: compile, grow the wasm memories, fill the pools
for (const workload of workloads) {
  await workload.time(1);
  await workload.time(2);
}
for (let round = 0; round < rounds; round++) {
  for (const workload of workloads) {
    const one = await workload.time(1);
    const two = await workload.time(2);
    ratios.set(workload.name, [...(ratios.get(workload.name) ?? []), one / two]);
  }
}
for (const pool of pools) await pool.close();
for (const worker of workers) worker.terminate();

const alu = median(ratios.get(workloads[0]!.name)!);
const figures: Figure[] = workloads.map((workload) => {
  const got = ratios.get(workload.name)!;
  const value = median(got);
  return {
    name: `${workload.name}: 2 workers vs 1, median of ${rounds} (${Math.min(...got).toFixed(2)}-${
      Math.max(...got).toFixed(2)
    })`,
    value,
    unit: "×",
    baseline: "alu ratio, same run",
    baselineValue: alu,
    ratio: value / alu,
  };
});
await writeResults("scaling", figures);
