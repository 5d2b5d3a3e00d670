/**
 * The worker side of the fleet: pull chunk tasks from a BullMQ queue and run them against the
 * shared store. Tasks run in a local Web Worker pool by default, so a long kernel never blocks
 * the event loop that renews the job's lock; a worker killed mid-task simply stops renewing,
 * and BullMQ's stalled-job check gives the task to another worker.
 * @module
 */
import { Worker } from "bullmq";
import { executeTask } from "../chunked/execute_task.ts";
import { createWorkerPool } from "../chunked/pool.ts";
import type { ChunkTask, TaskExecutor } from "../chunked/types.ts";
import { encodeResult } from "./job_codec.ts";
import type { EncodedResult } from "./job_codec.ts";
import { connectRedis, DEFAULT_QUEUE_NAME, parseQueueUrl, redactUrl } from "./redis.ts";

/** Options of {@link runQueueWorker}. */
export interface QueueWorkerOptions {
  /** `redis://HOST:PORT` of the Redis holding the queue. */
  url: string;
  /** Queue name; default `clemreg-chunks`. */
  queueName?: string;
  /** Tasks run at once; default 1. */
  concurrency?: number;
  /** Run tasks in this thread instead of Web Workers (small tasks, tests). */
  inline?: boolean;
  /** How long a job's lock lasts without renewal, in ms; default 15 000. */
  lockDurationMs?: number;
  /** Times a job may stall (its worker died) before it fails; default 5. */
  maxStalledCount?: number;
  /** Stop: finish the jobs in hand, then return. */
  signal?: AbortSignal;
  /** Stop now: drop the jobs in hand; their locks expire and other workers redo them. */
  releaseSignal?: AbortSignal;
  /** Log lines (start, per-job when `verbose`, a summary every `summarySeconds`); default stderr. */
  log?: (line: string) => void;
  /** One line per job started and finished. */
  verbose?: boolean;
  /** Seconds between summary lines; default 10 (0: none). */
  summarySeconds?: number;
}

/** What a worker did, returned when it stops. */
export interface QueueWorkerStats {
  completed: number;
  failed: number;
  bytesRead: number;
  bytesWritten: number;
  seconds: number;
}

/**
 * Run a queue worker until `signal` aborts.
 * @param options the Redis URL, queue name, concurrency, lock settings and logging
 * @returns the jobs done and failed, once stopped
 * @throws {TypeError} when the URL is not a redis URL
 * @example
 * ```ts ignore
 * const controller = new AbortController();
 * Deno.addSignalListener("SIGTERM", () => controller.abort());
 * await runQueueWorker({ url: "redis://127.0.0.1:6379", concurrency: 2, signal: controller.signal });
 * ```
 */
export async function runQueueWorker(
  options: QueueWorkerOptions,
): Promise<QueueWorkerStats> {
  const url = parseQueueUrl(options.url);
  const name = options.queueName ?? DEFAULT_QUEUE_NAME;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const log = options.log ?? ((line: string) => console.error(line));
  const started = performance.now();
  const stats: QueueWorkerStats = {
    completed: 0,
    failed: 0,
    bytesRead: 0,
    bytesWritten: 0,
    seconds: 0,
  };
  const executor: TaskExecutor = options.inline
    ? { concurrency, execute: executeTask, close: () => Promise.resolve() }
    : createWorkerPool({ size: concurrency });
  const lockDuration = Math.max(1000, options.lockDurationMs ?? 15_000);
  const connection = connectRedis(
    url,
    (error) => log(`redis: ${error.message}`),
  );
  const worker = new Worker<ChunkTask, EncodedResult>(
    name,
    async (job) => {
      const task = job.data;
      if (options.verbose) {
        log(`start ${job.id} ${task.opName} chunk [${task.chunkIndex}]`);
      }
      const result = await executor.execute(task);
      stats.completed++;
      stats.bytesRead += result.bytesRead;
      stats.bytesWritten += result.bytesWritten;
      if (options.verbose) log(`done ${job.id}`);
      return encodeResult(result);
    },
    {
      connection,
      concurrency,
      lockDuration,
      stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
      maxStalledCount: options.maxStalledCount ?? 5,
      drainDelay: 1,
      autorun: false,
    },
  );
  worker.on("failed", (job, error) => {
    stats.failed++;
    log(`failed ${job?.id ?? "?"}: ${error.message}`);
  });
  worker.on("error", (error) => log(`worker error: ${error.message}`));

  const summaryMs = (options.summarySeconds ?? 10) * 1000;
  const timer = summaryMs > 0
    ? setInterval(() => log(summary(stats, started)), summaryMs)
    : undefined;
  let stopping: Promise<void> | undefined;
  // Released: stop waiting for the jobs in hand (run() and close() would); their locks lapse.
  let isReleased = false;
  let onReleased = () => {};
  const released = new Promise<void>((resolve) => (onReleased = resolve));
  const stop = () => {
    log("stopping: finishing the jobs in hand");
    stopping ??= worker.close();
  };
  const release = () => {
    log("stopping now: jobs in hand go back to the queue when their lock expires");
    isReleased = true;
    worker.close(true).catch(() => {});
    onReleased();
  };
  options.signal?.addEventListener("abort", stop);
  options.releaseSignal?.addEventListener("abort", release);
  if (options.signal?.aborted) stop();
  if (options.releaseSignal?.aborted) release();
  log(`worker on ${redactUrl(url)} queue "${name}", ${concurrency} at a time`);
  try {
    const running = worker.run();
    running.catch(() => {});
    await Promise.race([running.then(() => stopping), released]);
  } finally {
    options.signal?.removeEventListener("abort", stop);
    options.releaseSignal?.removeEventListener("abort", release);
    if (timer !== undefined) clearInterval(timer);
    if (isReleased) {
      // Drop the connection first, so a task cut short cannot be recorded as failed.
      connection.disconnect();
      await executor.close();
    } else {
      await executor.close();
      await connection.quit().catch(() => {});
    }
  }
  stats.seconds = (performance.now() - started) / 1000;
  log(`stopped: ${summary(stats, started)}`);
  return stats;
}

function summary(stats: QueueWorkerStats, started: number): string {
  const seconds = (performance.now() - started) / 1000;
  const megabytes = (stats.bytesRead + stats.bytesWritten) / 1e6;
  return `${stats.completed} chunks done, ${stats.failed} failed, ` +
    `${(megabytes / Math.max(seconds, 1e-3)).toFixed(1)} MB/s over ${seconds.toFixed(0)} s`;
}
