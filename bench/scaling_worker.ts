/**
 * The worker of `bench/scaling_bench.ts`: runs one of its workloads `reps` times and replies
 * with the milliseconds it took. Workloads: `alu` (a scalar loop, no memory), `kernel` (the
 * σ = 2 Gaussian of one 64³ chunk from a worker-local 80³ region: no copies across threads),
 * `tasks` (`executeTask` on the chunk tasks it is given: the pool's full per-task work, without
 * messages or the main thread).
 * @module
 */
import { gaussianFilterRegion } from "../src/filters/gaussian.ts";
import { executeTask } from "../src/chunked/execute_task.ts";
import type { ChunkTask } from "../src/chunked/types.ts";

/** What the bench sends. */
export interface ScalingJob {
  workload: "alu" | "kernel" | "tasks";
  reps: number;
  tasks?: ChunkTask[];
}

const side = 256, halo = 8, chunk = 64;
let region: Float32Array | undefined;
let out: Float32Array | undefined;
/** Where the scalar loop leaves its result, so that it is not optimised away. */
let sink = 0;

async function run(job: ScalingJob): Promise<number> {
  const started = performance.now();
  if (job.workload === "alu") {
    let x = 1;
    for (let i = 0; i < job.reps * 3e6; i++) x = x * 1.0000001 + 1e-9;
    sink += x;
  } else if (job.workload === "kernel") {
    region ??= Float32Array.from({ length: (chunk + 2 * halo) ** 3 }, (_, i) => (i * 7919) % 997);
    out ??= new Float32Array(chunk ** 3);
    for (let i = 0; i < job.reps; i++) {
      const o = chunk * (1 + (i % 2)); // an interior chunk of a 256³ volume
      gaussianFilterRegion(region, {
        inputBox: {
          start: [o - halo, o - halo, o - halo],
          stop: [o + chunk + halo, o + chunk + halo, o + chunk + halo],
        },
        outputBox: { start: [o, o, o], stop: [o + chunk, o + chunk, o + chunk] },
        volumeShape: [side, side, side],
      }, { sigma: 2, out });
    }
  } else {
    for (let r = 0; r < job.reps; r++) {
      for (const task of job.tasks ?? []) await executeTask(task);
    }
  }
  return performance.now() - started;
}

/** This worker's global scope (the type checker's default lib is the window's). */
const scope = self as unknown as {
  onmessage: (event: MessageEvent<ScalingJob>) => void;
  postMessage: (value: number) => void;
};
scope.onmessage = async (event) => scope.postMessage(await run(event.data));
