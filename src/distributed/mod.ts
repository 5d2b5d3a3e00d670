/**
 * Distributed execution on a BullMQ queue in Redis: the coordinator's executor, which runOp
 * and runGraph take like a local pool, and the worker loop that `deno task worker` runs.
 * @module
 */
export { createQueueExecutor, executorFromQueueUrl } from "./queue_executor.ts";
export type { QueueExecutor, QueueExecutorOptions, QueueExecutorStats } from "./queue_executor.ts";
export { runQueueWorker } from "./queue_worker.ts";
export { routeSharedTasks } from "./routing_executor.ts";
export type { QueueWorkerOptions, QueueWorkerStats } from "./queue_worker.ts";
export { DEFAULT_QUEUE_NAME, parseQueueUrl, redactUrl } from "./redis.ts";
export { decodeResult, encodeResult, encodeTask, jobIdOf } from "./job_codec.ts";
export type { EncodedResult } from "./job_codec.ts";
