/**
 * The local worker pool: Deno module Web Workers driven with comlink. Each worker runs one task
 * at a time and holds up to `queued` more behind it (default 1), so that it starts its next task
 * the moment one ends instead of idling for a round trip through the main thread (64³ Gaussian
 * chunks, 1 worker: 3-5 % faster in `bench/chunked_bench.ts`). A worker that dies (uncaught
 * error) fails the tasks it holds and is replaced. Also the in-thread executor, for debugging
 * and tiny jobs.
 * @module
 */
import * as Comlink from "comlink";
import { executeTask } from "./execute_task.ts";
import { deserializeError } from "./serialize_error.ts";
import type { ChunkTask, TaskExecutor, TaskResult } from "./types.ts";
import type { ChunkWorkerApi, WorkerReply } from "./worker.ts";

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /** Number of workers; default `navigator.hardwareConcurrency`. */
  size?: number;
  /**
   * Tasks each worker may hold queued behind the one it runs; default 1. A queued task holds no
   * data until it starts (it reads its inputs then).
   */
  queued?: number;
}

interface Slot {
  worker: Worker;
  /**
   * The worker's `run`, fetched once: each property access on a comlink proxy makes a new proxy
   * (registered with a FinalizationRegistry), which per task is garbage for nothing.
   */
  run: Comlink.Remote<ChunkWorkerApi>["run"];
  /** Rejecters of the tasks the worker holds, called when it dies. */
  held: Set<(error: Error) => void>;
}

/**
 * Start a pool of module workers that run chunk tasks.
 * @param options pool size and tasks queued per worker
 * @returns an executor; call `close()` to terminate the workers
 * @example
 * ```ts ignore
 * const pool = createWorkerPool({ size: 2 });
 * try { await runOp(op, { executor: pool }); } finally { await pool.close(); }
 * ```
 */
export function createWorkerPool(options: WorkerPoolOptions = {}): TaskExecutor {
  const size = Math.max(1, Math.floor(options.size ?? navigator.hardwareConcurrency ?? 1));
  const queued = Math.max(0, Math.floor(options.queued ?? 1));
  const depth = 1 + queued;
  // Slots by index: a task with an affinity waits for its own slot (affinity % size).
  const slots: Slot[] = [];
  /** Tasks each slot holds (running and queued), at most `depth`. */
  const load: number[] = [];
  const waitingAny: ((index: number) => void)[] = [];
  const waitingFor: ((index: number) => void)[][] = [];
  let closed = false;

  const spawn = (): Slot => {
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    // Not a `Promise.race` against a "died" promise: a promise that never settles keeps every
    // race's reaction, and with it every task's reply, for as long as the worker lives.
    const held = new Set<(error: Error) => void>();
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      const error = new Error(`Worker died: ${event.message}`);
      for (const reject of held) reject(error);
      held.clear();
    });
    return { worker, run: Comlink.wrap<ChunkWorkerApi>(worker).run, held };
  };
  const release = (index: number) => {
    const next = waitingFor[index]!.shift() ?? waitingAny.shift();
    if (next) next(index); // the freed place goes straight to a waiting task
    else load[index]!--;
  };
  const acquire = (affinity: number | undefined): Promise<number> => {
    if (affinity !== undefined) {
      const index = affinity % size;
      if (load[index]! < depth) {
        load[index]!++;
        return Promise.resolve(index);
      }
      return new Promise((resolve) => waitingFor[index]!.push(resolve));
    }
    // The least loaded slot, so that idle workers get work before busy ones queue more.
    let best = 0;
    for (let i = 1; i < size; i++) if (load[i]! < load[best]!) best = i;
    if (load[best]! < depth) {
      load[best]!++;
      return Promise.resolve(best);
    }
    return new Promise((resolve) => waitingAny.push(resolve));
  };
  for (let i = 0; i < size; i++) {
    slots.push(spawn());
    load.push(0);
    waitingFor.push([]);
  }

  return {
    concurrency: size,
    queued,
    async execute(task: ChunkTask): Promise<TaskResult> {
      if (closed) throw new Error("Cannot run a task: the worker pool is closed");
      const index = await acquire(task.affinity);
      const slot = slots[index]!;
      let reply;
      try {
        reply = await new Promise<WorkerReply>((resolve, reject) => {
          slot.held.add(reject);
          slot.run(task).then(resolve, reject).finally(() => slot.held.delete(reject));
        });
      } catch (error) {
        // The worker died: replace it (once, whichever of its tasks gets here first).
        slot.worker.terminate();
        if (!closed && slots[index] === slot) slots[index] = spawn();
        release(index);
        throw error;
      }
      release(index);
      if (!reply.ok) throw deserializeError(reply.error);
      return reply.result;
    },
    close() {
      closed = true;
      for (const slot of slots) slot.worker.terminate();
      slots.length = 0;
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
