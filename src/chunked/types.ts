/**
 * The task model of the chunked core. An operation and each of its chunk tasks are plain
 * JSON (kernels and merges are named by module URL and export name, arrays by location), so
 * the same task can go to a local Web Worker or, later, to a remote worker through a queue.
 * @module
 */
import type { Box, DataType, TypedArray } from "../io/types.ts";

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A function named by the module that exports it (an absolute `file:`/`https:` URL) and its export name. */
export interface KernelRef {
  module: string;
  name: string;
}

/** Where a chunked array lives; a worker opens it from this description alone. */
export type ArrayLocation =
  /** An OME-Zarr image (path or URL of the image group) and a pyramid level. */
  | { kind: "zarr"; location: string; level: number }
  /**
   * Any other array: `module` exports `name(args)` returning a `ChunkedArray` (or a promise of one).
   * Used for test arrays and custom stores; JSON like the rest.
   */
  | { kind: "module"; module: string; name: string; args: Json }
  /**
   * A volume in a `SharedArrayBuffer`, visible to local workers without copies. Not JSON
   * (cannot go to a remote worker); `id` names it in op ids and journals.
   */
  | SharedArrayLocation;

/** A volume in shared memory (see {@link ArrayLocation}). */
export interface SharedArrayLocation {
  kind: "shared";
  id: string;
  buffer: SharedArrayBuffer;
  shape: number[];
  chunks: number[];
  dtype: DataType;
}

/** The kind of an operation. */
export type OpKind = "map" | "mapOverlap" | "reduce";

/**
 * One operation of a chunked job: a kernel applied chunk by chunk.
 * - `map`: output chunk ← same box of the inputs (scaled by `scale` when output is smaller);
 * - `mapOverlap`: as `map`, with `haloVoxels` more input on every side (clipped at edges);
 * - `reduce`: per-chunk partials over the first input's chunk grid (or `grid`), merged once.
 * A map can return a partial too; `merge` then combines them.
 */
export interface OpSpec {
  kind: OpKind;
  /** Short human name, used in messages and progress. */
  name: string;
  kernel: KernelRef;
  /** Kernel parameters (JSON); values `{ $ref: stepId, path?: string[] }` are resolved by `runGraph`. */
  params: Json;
  inputs: ArrayLocation[];
  /** Where each output chunk is written; absent for a pure reduction. */
  output?: ArrayLocation;
  /** Input voxels added on each side per axis (mapOverlap). */
  haloVoxels?: number[];
  /** Input voxels added on the low side per axis instead of `haloVoxels` (e.g. 0: high side only). */
  haloLowVoxels?: number[];
  /** Input voxels per output voxel per axis (e.g. 2 for downsampling); default 1. */
  scale?: number[];
  /** Combines the partials of all chunks into the op's result: `merge(partials, params)`. */
  merge?: KernelRef;
  /**
   * Instead of `merge`: `fold(accumulator | undefined, partial, params)` combines partials
   * as their tasks finish (in any order, so it must be associative and commutative), so
   * the partials of finished chunks are not held until the end; the op's result is the
   * final accumulator. Memory then does not grow with the number of chunks.
   */
  fold?: KernelRef;
  /** Task grid chunk shape for a reduce without output; default the first input's chunks. */
  grid?: number[];
  /** Working memory per task as a multiple of its input + output bytes (kernel scratch); default 2. */
  memoryFactor?: number;
  /**
   * `"bands"`: split the task grid into one contiguous band per worker and keep each band
   * on its worker, so per-worker caches (e.g. the warp's FM chunks) are not filled twice.
   * `"preferBands"`: the same bands, but a worker that runs out of work takes the last tasks
   * waiting for another (mapOverlap's default: its decoded-chunk cache gains from the bands, and
   * a slow worker does not hold up the op's end).
   */
  affinity?: "bands" | "preferBands";
  /**
   * Run the kernel on pieces of this shape (output voxels) of each output chunk, each piece
   * reading only its own (scaled, haloed) input box, and assemble the chunk from them: a task
   * then holds one piece's input at a time, not the whole chunk's (a 2× pyramid step holds one
   * input chunk instead of eight). For kernels without a partial whose output depends only on
   * the output box asked for.
   */
  pieces?: number[];
}

/** One chunk task: everything a worker needs, and nothing it cannot rebuild from JSON. */
export interface ChunkTask {
  opId: string;
  opName: string;
  kernel: KernelRef;
  params: Json;
  /** Output chunk coordinates (or task-grid coordinates for a reduce). */
  chunkIndex: number[];
  /** Linear (C-order) number of the chunk. */
  chunkLinear: number;
  /** The box this task is responsible for, in output voxels (task-grid voxels for a reduce). */
  outputBox: Box;
  inputs: { location: ArrayLocation; box: Box }[];
  output?: ArrayLocation;
  /** 1 for the first try. */
  attempt: number;
  /**
   * The run of the op that made the task (one `runOp` call): what a worker caches for the op's
   * inputs (decoded chunks) lives no longer than one run.
   */
  run?: string;
  /** Tasks with the same affinity run on the same local worker when the pool can. */
  affinity?: number;
  /** With an affinity: another worker may take the task when it has nothing else to do. */
  movable?: boolean;
  /** Run the kernel piece by piece (see `OpSpec.pieces`): piece shape and the input mapping. */
  pieces?: { shape: number[]; scale?: number[]; haloVoxels?: number[]; haloLowVoxels?: number[] };
}

/** What a kernel receives for each input: the voxels of `box` (C order) and where they sit. */
export interface KernelInput {
  data: TypedArray;
  box: Box;
  arrayShape: readonly number[];
  dtype: DataType;
}

/** Context handed to a kernel next to its inputs and params. */
export interface KernelContext {
  /** The box the kernel must produce, in output voxels. */
  outputBox: Box;
  chunkIndex: readonly number[];
  chunkLinear: number;
  /** Output dtype, when there is an output. */
  outputDtype?: DataType;
  attempt: number;
}

/** A partial result of one chunk: JSON, or typed arrays inside JSON-like objects. */
export type Partial = unknown;

/** What a kernel returns: the output box's voxels (C order) and/or a partial for the reduction. */
export interface KernelResult {
  output?: TypedArray;
  partial?: Partial;
}

/** A chunk kernel: pure function of its input boxes and params. */
export type ChunkKernel<P = Json> = (
  inputs: KernelInput[],
  params: P,
  context: KernelContext,
) => KernelResult | Promise<KernelResult>;

/** A merge: combines all partials (in chunk order) into the op's result. */
export type MergeFunction<P = Json> = (partials: Partial[], params: P) => unknown;

/** A fold: adds one partial into the accumulator (`undefined` at first) and returns it. */
export type FoldFunction<P = Json> = (accumulator: unknown, partial: Partial, params: P) => unknown;

/** What a finished task reports back. */
export interface TaskResult {
  chunkLinear: number;
  partial?: Partial;
  bytesRead: number;
  bytesWritten: number;
}

/** Runs chunk tasks somewhere: a local worker pool, the calling thread, or a remote queue. */
export interface TaskExecutor {
  /** How many tasks it can run at once. */
  readonly concurrency: number;
  /**
   * How many more it can hold queued per running task, started as soon as a place frees
   * (default 0): the scheduler keeps up to `concurrency × (1 + queued)` tasks in flight.
   */
  readonly queued?: number;
  /**
   * Run one task. An executor that queues tasks may drop one whose `signal` is aborted before
   * it starts, rejecting with the signal's reason.
   */
  execute(task: ChunkTask, signal?: AbortSignal): Promise<TaskResult>;
  close(): Promise<void>;
}
