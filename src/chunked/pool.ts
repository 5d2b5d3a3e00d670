/**
 * The local worker pool: Deno module Web Workers driven with comlink, one task per worker
 * at a time. A worker that dies (uncaught error) fails its task and is replaced. Also the
 * in-thread executor, for debugging and tiny jobs.
 * @module
 */
import * as Comlink from "comlink";
import { executeTask } from "./execute_task.ts";
import { deserializeError } from "./serialize_error.ts";
import type { ChunkTask, TaskExecutor, TaskResult } from "./types.ts";
import type { ChunkWorkerApi } from "./worker.ts";

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /** Number of workers; default `navigator.hardwareConcurrency`. */
  size?: number;
}

interface Slot {
  worker: Worker;
  api: Comlink.Remote<ChunkWorkerApi>;
  /** Rejects the running task when the worker dies. */
  died: Promise<never>;
}

/**
 * Start a pool of module workers that run chunk tasks.
 * @param options pool size
 * @returns an executor; call `close()` to terminate the workers
 * @example
 * ```ts ignore
 * const pool = createWorkerPool({ size: 2 });
 * try { await runOp(op, { executor: pool }); } finally { await pool.close(); }
 * ```
 */
export function createWorkerPool(options: WorkerPoolOptions = {}): TaskExecutor {
  const size = Math.max(1, Math.floor(options.size ?? navigator.hardwareConcurrency ?? 1));
  const idle: Slot[] = [];
  const waiting: ((slot: Slot) => void)[] = [];
  const all = new Set<Slot>();
  let closed = false;

  const spawn = (): Slot => {
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    let reject: (error: Error) => void = () => {};
    const died = new Promise<never>((_, r) => (reject = r));
    died.catch(() => {});
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      reject(new Error(`Worker died: ${event.message}`));
    });
    const slot: Slot = { worker, api: Comlink.wrap<ChunkWorkerApi>(worker), died };
    all.add(slot);
    return slot;
  };
  const release = (slot: Slot) => {
    const next = waiting.shift();
    if (next) next(slot);
    else idle.push(slot);
  };
  for (let i = 0; i < size; i++) idle.push(spawn());

  return {
    concurrency: size,
    async execute(task: ChunkTask): Promise<TaskResult> {
      if (closed) throw new Error("Cannot run a task: the worker pool is closed");
      const slot = idle.pop() ?? await new Promise<Slot>((resolve) => waiting.push(resolve));
      let reply;
      try {
        reply = await Promise.race([slot.api.run(task), slot.died]);
      } catch (error) {
        // The worker died: replace it so the pool keeps its size.
        all.delete(slot);
        slot.worker.terminate();
        if (!closed) release(spawn());
        throw error;
      }
      release(slot);
      if (!reply.ok) throw deserializeError(reply.error);
      return reply.result;
    },
    close() {
      closed = true;
      for (const slot of all) slot.worker.terminate();
      all.clear();
      idle.length = 0;
      return Promise.resolve();
    },
  };
}

/**
 * An executor that runs tasks in the calling thread (no workers), `concurrency` at a time.
 * @param options `concurrency`, default 1
 * @returns the executor
 */
export function createInlineExecutor(options: { concurrency?: number } = {}): TaskExecutor {
  return {
    concurrency: Math.max(1, options.concurrency ?? 1),
    execute: executeTask,
    close: () => Promise.resolve(),
  };
}
