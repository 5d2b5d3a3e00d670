/**
 * The coordinator side of the fleet: a `TaskExecutor` whose `execute(task)` enqueues the task
 * as a BullMQ job and resolves with the result a queue worker returned. `runOp` keeps using
 * its journal, retries and progress unchanged, so chunks done/total count the whole fleet.
 * @module
 */
import { Queue, QueueEvents } from "bullmq";
import type { ChunkTask, TaskExecutor, TaskResult } from "../chunked/types.ts";
import { decodeResult, encodeTask, jobIdOf } from "./job_codec.ts";
import { connectRedis, DEFAULT_QUEUE_NAME, parseQueueUrl } from "./redis.ts";

/** Options of {@link createQueueExecutor}. */
export interface QueueExecutorOptions {
  /** `redis://HOST:PORT` of the Redis holding the queue. */
  url: string;
  /** Queue name; default `clemreg-chunks` (workers must use the same). */
  queueName?: string;
  /** Jobs kept enqueued at once (the scheduler's tasks in flight); default 64. */
  concurrency?: number;
  /** Tries a worker gives a failing job before it reports failure; default 2. */
  attempts?: number;
  /** Delay before a worker's retry, in ms (doubled each retry); default 500. */
  backoffMs?: number;
  /** Fail a task not finished after this long, in ms (e.g. no worker running); default never. */
  taskTimeoutMs?: number;
}

/** Counters of a queue executor. */
export interface QueueExecutorStats {
  /** Jobs added. */
  enqueued: number;
  /** Jobs whose result came back. */
  completed: number;
  /** Jobs that failed after their attempts. */
  failed: number;
  /** Jobs whose worker stopped renewing its lock (died) and were given to another. */
  stalled: number;
  /** Adds that found the job already queued or done (after a coordinator restart). */
  duplicated: number;
}

/** A {@link TaskExecutor} backed by a BullMQ queue. */
export interface QueueExecutor extends TaskExecutor {
  /** Live counters. */
  readonly stats: Readonly<QueueExecutorStats>;
}

/**
 * Create a coordinator-side executor on a Redis queue.
 * @param options the Redis URL, queue name, jobs in flight and retry settings
 * @returns the executor; `close()` it to drop the Redis connections
 * @throws {TypeError} when the URL is not a redis URL
 * @example
 * ```ts ignore
 * const executor = createQueueExecutor({ url: "redis://127.0.0.1:6379" });
 * try { await runOp(op, { executor }); } finally { await executor.close(); }
 * ```
 */
export function createQueueExecutor(options: QueueExecutorOptions): QueueExecutor {
  const url = parseQueueUrl(options.url);
  const name = options.queueName ?? DEFAULT_QUEUE_NAME;
  const queueConnection = connectRedis(url);
  const eventsConnection = connectRedis(url, () => {});
  const queue = new Queue(name, { connection: queueConnection });
  const events = new QueueEvents(name, { connection: eventsConnection });
  const stats: QueueExecutorStats = {
    enqueued: 0,
    completed: 0,
    failed: 0,
    stalled: 0,
    duplicated: 0,
  };
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 64));
  // Each waiting task listens for the queue closing.
  queue.setMaxListeners(concurrency + 16);
  events.on("stalled", () => stats.stalled++);
  // Errors also reach each waiting task; this keeps them from being unhandled events.
  queue.on("error", () => {});
  events.on("error", () => {});
  const ready = Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  let closed = false;

  return {
    concurrency,
    stats,
    async execute(task: ChunkTask): Promise<TaskResult> {
      if (closed) throw new Error("Cannot run a task: the queue executor is closed");
      const data = encodeTask(task);
      await ready;
      const jobId = jobIdOf(task);
      // After a coordinator restart the job may be queued or done already; add() keeps it.
      if (await queue.getJobState(jobId) !== "unknown") stats.duplicated++;
      const job = await queue.add(task.opName, data, {
        jobId,
        attempts: Math.max(1, options.attempts ?? 2),
        backoff: { type: "exponential", delay: options.backoffMs ?? 500 },
        removeOnComplete: { age: 86_400 },
        removeOnFail: { age: 7 * 86_400 },
      });
      stats.enqueued++;
      let value: unknown;
      try {
        value = await job.waitUntilFinished(events, options.taskTimeoutMs);
      } catch (cause) {
        stats.failed++;
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw new Error(`Queue job ${jobId} (chunk [${task.chunkIndex}]) failed: ${reason}`, {
          cause,
        });
      }
      stats.completed++;
      // The result is in hand (the scheduler journals it next): the job can go.
      await queue.remove(jobId).catch(() => {});
      return decodeResult(value);
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([events.close(), queue.close()]);
      await Promise.allSettled([queueConnection.quit(), eventsConnection.quit()]);
    },
  };
}

/**
 * The executor a coordinator uses for `--queue URL`: pass it as `executor` to `runOp` or
 * `runGraph`, and `close()` it when the job ends.
 * @param url `redis://HOST:PORT`
 * @param options queue name, jobs in flight, retry settings (default: see {@link createQueueExecutor})
 * @returns the executor
 * @throws {TypeError} when the URL is not a redis URL
 */
export function executorFromQueueUrl(
  url: string,
  options: Omit<QueueExecutorOptions, "url"> = {},
): QueueExecutor {
  return createQueueExecutor({ ...options, url });
}
