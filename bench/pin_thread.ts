/**
 * Pins a pool's worker thread to one CPU (Linux, glibc, `--allow-ffi`), so that a benchmark can
 * time the same job on each CPU of the machine. On the 2-vCPU VMs this project is measured on,
 * the two CPUs are at times not equally fast (see the README's benchmark notes): then a pool's
 * 2-worker speed-up is bounded by the sum of what each CPU does alone, not by 2.
 * @module
 */
import type { TaskExecutor } from "../src/chunked/types.ts";
import { reduce } from "../src/chunked/ops.ts";
import { runOp } from "../src/chunked/scheduler.ts";
import { createSharedArray } from "../src/chunked/shared_array.ts";

/** Chunk kernel: pin the calling thread to `params.cpu`; the partial is the CPU it then runs on. */
export function pinThread(
  _inputs: unknown[],
  params: { cpu: number },
): { partial: number } {
  const libc = Deno.dlopen("libc.so.6", {
    sched_setaffinity: { parameters: ["i32", "usize", "buffer"], result: "i32" },
    sched_getcpu: { parameters: [], result: "i32" },
  });
  try {
    const mask = new BigUint64Array(16); // 1024 CPUs, glibc's cpu_set_t
    mask[params.cpu >> 6] = 1n << BigInt(params.cpu & 63);
    if (libc.symbols.sched_setaffinity(0, BigInt(mask.byteLength), mask) !== 0) {
      throw new Error(`sched_setaffinity to CPU ${params.cpu} failed`);
    }
    return { partial: libc.symbols.sched_getcpu() };
  } finally {
    libc.close();
  }
}

/** Merge: the one partial. */
export function onlyPartial(partials: number[]): number {
  return partials[0]!;
}

/**
 * Pin the one worker of `pool` to `cpu`.
 * @param pool a pool of one worker
 * @param cpu the CPU number
 * @throws {Error} when the worker does not end up on `cpu`
 */
export async function pinPoolWorker(pool: TaskExecutor, cpu: number): Promise<void> {
  const tiny = createSharedArray(`pin-${cpu}`, { shape: [1], chunks: [1], dtype: "uint8" });
  const kernel = (name: string) => ({ module: import.meta.url, name });
  const { result } = await runOp(
    reduce({
      name: "pin",
      kernel: kernel("pinThread"),
      merge: kernel("onlyPartial"),
      inputs: [tiny],
      params: { cpu },
    }),
    { executor: pool, quiet: true, journalDir: false },
  );
  if (result !== cpu) throw new Error(`Pinned a worker to CPU ${cpu}, it runs on ${result}`);
}
