/**
 * Web Worker entry: exposes `run(tasks)` through comlink. The pool hands tasks over in batches
 * (one message for several tasks); a batch handed over while one runs waits its turn, and the
 * reply to a batch comes when all its tasks have ended, one reply per task. Failures come back
 * as data (see `serialize_error.ts`) so the whole cause chain survives and one failed task does
 * not fail the others of its batch; partial typed arrays are transferred, not copied.
 * @module
 */
import * as Comlink from "comlink";
import { executeTask } from "./execute_task.ts";
import { serializeError } from "./serialize_error.ts";
import type { SerializedError } from "./serialize_error.ts";
import type { ChunkTask, TaskResult } from "./types.ts";

/** The reply of a worker for one task: a result or a serialised error, and how long it ran. */
export type WorkerReply =
  & ({ ok: true; result: TaskResult } | { ok: false; error: SerializedError })
  & { ms: number };

/** The API a pool worker exposes. */
export interface ChunkWorkerApi {
  /** Run the tasks one after another; one reply per task, in order. */
  run(tasks: ChunkTask[]): Promise<WorkerReply[]>;
}

/** The end of the last batch handed to this worker: batches run one after another, in order. */
let last: Promise<unknown> = Promise.resolve();

const api: ChunkWorkerApi = {
  run(tasks) {
    const replies = last.then(() => runBatch(tasks));
    last = replies;
    return replies;
  },
};

async function runBatch(tasks: ChunkTask[]): Promise<WorkerReply[]> {
  const replies: WorkerReply[] = [];
  const buffers = new Set<ArrayBuffer>();
  for (const task of tasks) {
    const started = performance.now();
    try {
      const result = await executeTask(task);
      transferables(result.partial, buffers);
      replies.push({ ok: true, result, ms: performance.now() - started });
    } catch (error) {
      replies.push({ ok: false, error: serializeError(error), ms: performance.now() - started });
    }
  }
  return Comlink.transfer(replies, [...buffers]);
}

/** Adds the array buffers inside a partial (typed arrays in plain objects and arrays). */
function transferables(value: unknown, found: Set<ArrayBuffer>): void {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  } else if (Array.isArray(value)) {
    for (const item of value) transferables(item, found);
  } else if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) transferables(item, found);
  }
}

Comlink.expose(api);
