/**
 * Web Worker entry: exposes `run(task)` through comlink; tasks handed over while one runs wait
 * their turn (the pool queues a few per worker). Failures come back as data
 * (see `serialize_error.ts`) so the whole cause chain survives; partial typed arrays are
 * transferred, not copied.
 * @module
 */
import * as Comlink from "comlink";
import { executeTask } from "./execute_task.ts";
import { serializeError } from "./serialize_error.ts";
import type { SerializedError } from "./serialize_error.ts";
import type { ChunkTask, TaskResult } from "./types.ts";

/** The reply of a worker: a result or a serialised error. */
export type WorkerReply = { ok: true; result: TaskResult } | { ok: false; error: SerializedError };

/** The API a pool worker exposes. */
export interface ChunkWorkerApi {
  run(task: ChunkTask): Promise<WorkerReply>;
}

/** The end of the last task handed to this worker: tasks run one after another, in order. */
let last: Promise<unknown> = Promise.resolve();

const api: ChunkWorkerApi = {
  run(task) {
    const reply = last.then(() => runOne(task));
    last = reply;
    return reply;
  },
};

async function runOne(task: ChunkTask): Promise<WorkerReply> {
  try {
    const result = await executeTask(task);
    const reply: WorkerReply = { ok: true, result };
    return Comlink.transfer(reply, transferables(result.partial));
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}

/** Array buffers inside a partial (typed arrays in plain objects and arrays), each once. */
function transferables(value: unknown, found = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  } else if (Array.isArray(value)) {
    for (const item of value) transferables(item, found);
  } else if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) transferables(item, found);
  }
  return [...found];
}

Comlink.expose(api);
