/**
 * What travels through Redis: a chunk task as JSON (rejected when it names shared memory,
 * which no other process can see) and a task result whose typed-array partials are encoded
 * the same way the resume journal encodes them.
 * @module
 */
import { decodePartial, encodePartial } from "../chunked/journal.ts";
import { describeLocation } from "../chunked/open_array.ts";
import type { ArrayLocation, ChunkTask, Json, TaskResult } from "../chunked/types.ts";

/** A task result as JSON. */
export interface EncodedResult {
  chunkLinear: number;
  bytesRead: number;
  bytesWritten: number;
  partial?: Json;
}

/**
 * The BullMQ job id of a task: op id, chunk and attempt. A coordinator restarted mid-run
 * enqueues attempt 1 of the same chunks again and gets the jobs already queued (or done)
 * instead of duplicates; a retry decided by the scheduler is a new job.
 * @param task the chunk task
 * @returns the job id
 */
export function jobIdOf(task: ChunkTask): string {
  return `${task.opId}-${task.chunkLinear}-${task.attempt}`;
}

/**
 * Check that a task can leave this process and return it as JSON.
 * @param task the chunk task
 * @returns the task as a JSON value
 * @throws {TypeError} when an input or the output lives in shared memory
 */
export function encodeTask(task: ChunkTask): Json {
  const locations: ArrayLocation[] = task.inputs.map((input) => input.location);
  if (task.output) locations.push(task.output);
  for (const location of locations) {
    if (location.kind === "shared") {
      throw new TypeError(
        `Cannot send chunk task "${task.opName}" to a queue: it uses ${
          describeLocation(location)
        }, a shared-memory array other processes cannot see (write it to a store first)`,
      );
    }
  }
  return JSON.parse(JSON.stringify(task)) as Json;
}

/** A task result as JSON (typed arrays in the partial become base64). */
export function encodeResult(result: TaskResult): EncodedResult {
  return {
    chunkLinear: result.chunkLinear,
    bytesRead: result.bytesRead,
    bytesWritten: result.bytesWritten,
    ...(result.partial !== undefined ? { partial: encodePartial(result.partial) } : {}),
  };
}

/**
 * Inverse of {@link encodeResult}.
 * @param value a job's return value
 * @returns the task result
 * @throws {TypeError} when the value is not an encoded result
 */
export function decodeResult(value: unknown): TaskResult {
  const encoded = value as Partial<EncodedResult> | null;
  if (
    encoded === null || typeof encoded !== "object" || typeof encoded.chunkLinear !== "number"
  ) {
    throw new TypeError(`Cannot read a queue job's result: got ${JSON.stringify(value)}`);
  }
  return {
    chunkLinear: encoded.chunkLinear,
    bytesRead: encoded.bytesRead ?? 0,
    bytesWritten: encoded.bytesWritten ?? 0,
    ...(encoded.partial !== undefined ? { partial: decodePartial(encoded.partial) } : {}),
  };
}
