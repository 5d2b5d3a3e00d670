/**
 * How fast each CPU runs the chunked bench's Gaussian kernel while all of them run it at once:
 * one worker pinned to each CPU (Linux, `--allow-ffi`), each filtering worker-local data for the
 * same time. On the 2-vCPU VMs this project is measured on, one vCPU at times runs this kernel
 * up to 1.65× slower than the other (and which one changes from minute to minute, while a scalar
 * loop runs equally fast on both): then two workers cannot reach twice one, whatever the pool
 * does. The chunked bench probes before and after each round to say which rounds ran on equal
 * CPUs.
 * @module
 */
import type { ProbeMessage } from "./cpu_probe_worker.ts";

/** Probe workers, one pinned to each CPU. */
export interface CpuProbe {
  /**
   * Run the kernel on every CPU at once for `ms` milliseconds.
   * @returns chunks filtered per second, per CPU
   */
  measure(ms: number): Promise<number[]>;
  close(): void;
}

/**
 * Start one probe worker per CPU and pin each.
 * @param cpus the CPU numbers
 * @returns the probe
 * @throws {Error} when a worker does not end up on its CPU
 */
export async function createCpuProbe(cpus: readonly number[]): Promise<CpuProbe> {
  const workers = cpus.map(() =>
    new Worker(new URL("./cpu_probe_worker.ts", import.meta.url), { type: "module" })
  );
  const ask = (worker: Worker, message: ProbeMessage) =>
    new Promise<number>((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data as number);
      worker.onerror = (event) => reject(new Error(`CPU probe worker: ${event.message}`));
      worker.postMessage(message);
    });
  try {
    const on = await Promise.all(workers.map((worker, i) => ask(worker, { pin: cpus[i]! })));
    on.forEach((cpu, i) => {
      if (cpu !== cpus[i]) throw new Error(`Pinned a probe to CPU ${cpus[i]}, it runs on ${cpu}`);
    });
    // warm-up: compile the wasm passes, grow the memory
    await Promise.all(workers.map((worker) => ask(worker, { runMs: 100 })));
  } catch (error) {
    for (const worker of workers) worker.terminate();
    throw error;
  }
  return {
    measure: (ms) => Promise.all(workers.map((worker) => ask(worker, { runMs: ms }))),
    close: () => workers.forEach((worker) => worker.terminate()),
  };
}

/** The slower CPU's rate over the faster one's (1 on equal CPUs). */
export function balance(rates: readonly number[]): number {
  return Math.min(...rates) / Math.max(...rates);
}
