/**
 * The local worker pool: Deno module Web Workers driven with comlink. Tasks go to a worker in
 * batches, several per message: as many as run for about `batchMs` (default 5 ms) at the mean
 * task time measured so far, at most `batch` (default 8); the first tasks go one by one. A
 * worker holds at most two batches, the one it runs and the next, so it starts the next the
 * moment one ends instead of idling for a round trip through the main thread, and the cost of a
 * message (comlink, waking both threads) is paid per batch, not per task. `deno task bench pool`
 * (σ = 2 Gaussian, 256³ in shared memory), 2 workers against one task per message, four runs:
 * 64³ chunks (~3 ms each) 0.99-1.08×, 32³ chunks (~0.4 ms) 1.14-1.34×.
 *
 * Tasks wait in the main thread until a worker takes them: those without an affinity go to
 * whichever worker is due first; those with one wait for their own worker, unless they are
 * `movable` and another worker runs out of work (it then takes the last ones waiting, so that a
 * slow worker does not hold up the op's end). A task whose signal is aborted before it is handed over is dropped. A
 * worker that dies (uncaught error) fails the tasks it holds and is replaced. Also the
 * in-thread executor, for debugging and tiny jobs.
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
  /** Most tasks handed to a worker in one message; default 8. */
  batch?: number;
  /** How long a batch should run, in milliseconds; default 5. */
  batchMs?: number;
  /**
   * Tasks each worker may hold behind the one it runs; default `2 × batch − 1` (two batches).
   * Fewer caps the batch at half of `1 + queued`. A held task holds no data until it starts (it
   * reads its inputs then).
   */
  queued?: number;
}

/** A task waiting for its reply. */
interface Entry {
  task: ChunkTask;
  signal: AbortSignal | undefined;
  resolve: (result: TaskResult) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  /**
   * The worker's `run`, fetched once: each property access on a comlink proxy makes a new proxy
   * (registered with a FinalizationRegistry), which per batch is garbage for nothing.
   */
  run: Comlink.Remote<ChunkWorkerApi>["run"];
  /** Rejecters of the batches the worker holds, called when it dies. */
  held: Set<(error: Error) => void>;
  /** Tasks handed to the worker and not yet replied to. */
  holding: number;
}

/**
 * Start a pool of module workers that run chunk tasks.
 * @param options pool size, batch size and tasks held per worker
 * @returns an executor; call `close()` to terminate the workers
 * @example
 * ```ts ignore
 * const pool = createWorkerPool({ size: 2 });
 * try { await runOp(op, { executor: pool }); } finally { await pool.close(); }
 * ```
 */
export function createWorkerPool(options: WorkerPoolOptions = {}): TaskExecutor {
  const size = Math.max(1, Math.floor(options.size ?? navigator.hardwareConcurrency ?? 1));
  const maxBatch = Math.max(1, Math.floor(options.batch ?? 8));
  const queued = Math.max(0, Math.floor(options.queued ?? 2 * maxBatch - 1));
  /** Most tasks a worker may hold: two batches, or fewer when `queued` says so. */
  const depth = 1 + queued;
  const batchCap = Math.max(1, Math.min(maxBatch, Math.floor(depth / 2)));
  const batchMs = Math.max(0, options.batchMs ?? 5);
  const slots: Slot[] = [];
  /** Tasks without an affinity, waiting for any worker. */
  const waiting: Entry[] = [];
  /** Tasks waiting for one worker (`affinity % size`), by slot index. */
  const waitingFor: Entry[][] = [];
  /** Mean task time in ms (exponentially weighted), once a task has run. */
  let meanMs: number | undefined;
  let pumpQueued = false;
  let closed = false;

  const spawn = (): Slot => {
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    // Not a `Promise.race` against a "died" promise: a promise that never settles keeps every
    // race's reaction, and with it every batch's replies, for as long as the worker lives.
    const held = new Set<(error: Error) => void>();
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      const error = new Error(`Worker died: ${event.message}`);
      for (const reject of held) reject(error);
      held.clear();
    });
    return { worker, run: Comlink.wrap<ChunkWorkerApi>(worker).run, held, holding: 0 };
  };
  for (let i = 0; i < size; i++) {
    slots.push(spawn());
    waitingFor.push([]);
  }

  const batchSize = () =>
    meanMs === undefined
      ? 1
      : Math.max(1, Math.min(batchCap, Math.round(batchMs / Math.max(meanMs, 1e-3))));
  const send = (index: number, entries: Entry[]) => {
    const slot = slots[index]!;
    slot.holding += entries.length;
    new Promise<WorkerReply[]>((resolve, reject) => {
      slot.held.add(reject);
      slot.run(entries.map((e) => e.task)).then(resolve, reject).finally(() =>
        slot.held.delete(reject)
      );
    }).then((replies) => {
      slot.holding -= entries.length;
      entries.forEach((entry, k) => {
        const reply = replies[k]!;
        meanMs = meanMs === undefined ? reply.ms : 0.8 * meanMs + 0.2 * reply.ms;
        if (reply.ok) entry.resolve(reply.result);
        else entry.reject(deserializeError(reply.error));
      });
    }, (error) => {
      // The worker died (or the pool closed): replace it once, whichever batch gets here first.
      slot.worker.terminate();
      if (!closed && slots[index] === slot) slots[index] = spawn();
      for (const entry of entries) entry.reject(error);
    }).finally(schedulePump);
  };
  /**
   * The longest queue of tasks waiting for another worker than `index` whose last task may move,
   * if any.
   */
  const longestOther = (index: number): Entry[] | undefined => {
    let best: Entry[] | undefined;
    waitingFor.forEach((queue, i) => {
      if (i !== index && queue.at(-1)?.task.movable && queue.length > (best?.length ?? 0)) {
        best = queue;
      }
    });
    return best;
  };
  /** Hand each worker its next batch if it is due: now if it holds nothing, else when full. */
  const pump = () => {
    pumpQueued = false;
    if (closed) return;
    const order = slots.map((_, i) => i).sort((a, b) => slots[a]!.holding - slots[b]!.holding);
    for (const index of order) {
      const slot = slots[index]!;
      const own = waitingFor[index]!;
      for (;;) {
        const batch = batchSize();
        let available = own.length + waiting.length;
        // About to idle with nothing of its own: take the last tasks meant for another worker.
        const victim = available === 0 && slot.holding === 0 ? longestOther(index) : undefined;
        if (victim) available = victim.length;
        if (available === 0) break;
        // two batches at most (the one running and the next), within `depth`, whole ones only
        const limit = Math.min(depth, 2 * batch);
        if (slot.holding > 0 && (available < batch || slot.holding + batch > limit)) break;
        const entries: Entry[] = [];
        while (entries.length < batch) {
          const entry = victim
            ? (victim.at(-1)?.task.movable ? victim.pop() : undefined)
            : own.shift() ?? waiting.shift();
          if (!entry) break;
          if (entry.signal?.aborted) entry.reject(entry.signal.reason);
          else entries.push(entry);
        }
        if (victim) entries.reverse(); // in task order
        if (entries.length > 0) send(index, entries);
      }
    }
  };
  function schedulePump() {
    if (pumpQueued) return;
    pumpQueued = true;
    queueMicrotask(pump);
  }

  return {
    concurrency: size,
    queued,
    execute(task: ChunkTask, signal?: AbortSignal): Promise<TaskResult> {
      if (closed) return Promise.reject(new Error("Cannot run a task: the worker pool is closed"));
      return new Promise<TaskResult>((resolve, reject) => {
        const entry = { task, signal, resolve, reject };
        if (task.affinity === undefined) waiting.push(entry);
        else waitingFor[task.affinity % size]!.push(entry);
        schedulePump();
      });
    },
    close() {
      closed = true;
      const error = new Error("The worker pool was closed");
      for (const entry of [...waiting, ...waitingFor.flat()]) entry.reject(error);
      waiting.length = 0;
      for (const own of waitingFor) own.length = 0;
      for (const slot of slots) {
        slot.worker.terminate();
        for (const reject of slot.held) reject(error);
      }
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
