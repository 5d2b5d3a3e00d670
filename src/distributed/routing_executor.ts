/**
 * A coordinator usually mixes ops over stores (fine for the fleet) with small ops over
 * shared-memory arrays (which no other process can see). This executor sends each task to
 * the queue when it can travel and to a local executor when it names shared memory.
 * @module
 */
import type { ChunkTask, TaskExecutor, TaskResult } from "../chunked/types.ts";

function usesSharedMemory(task: ChunkTask): boolean {
  return task.output?.kind === "shared" ||
    task.inputs.some((input) => input.location.kind === "shared");
}

/**
 * Route tasks: shared-memory tasks to `local`, all others to `remote`.
 * @param remote the fleet's executor (e.g. from `executorFromQueueUrl`)
 * @param local a local executor (e.g. `createWorkerPool()`)
 * @returns an executor with the remote's concurrency; `close()` closes both
 * @example
 * ```ts ignore
 * const executor = routeSharedTasks(executorFromQueueUrl(url), createWorkerPool({ size: 2 }));
 * ```
 */
export function routeSharedTasks(remote: TaskExecutor, local: TaskExecutor): TaskExecutor {
  return {
    concurrency: remote.concurrency,
    execute(task: ChunkTask, signal?: AbortSignal): Promise<TaskResult> {
      return usesSharedMemory(task) ? local.execute(task, signal) : remote.execute(task, signal);
    },
    async close() {
      await Promise.all([remote.close(), local.close()]);
    },
  };
}
