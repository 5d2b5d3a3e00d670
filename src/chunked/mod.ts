/**
 * clemreg's chunked execution core: chunk grids and halo boxes, map / mapOverlap / reduce
 * ops chained into a small graph, a comlink Web Worker pool, a bounded-memory scheduler
 * with retries and cancellation, a resume journal and progress reporting.
 * @module
 */
export { chunkBox, chunkCoords, chunkGrid, chunkLinearIndex, iterateChunks } from "./grid.ts";
export type { ChunkGrid } from "./grid.ts";
export { boxShape, boxVoxels, cropBox, haloBox, inputBoxFor } from "./box.ts";
export type { BoxMapping } from "./box.ts";
export { bytesPerElement, typedArrayOf } from "./dtype.ts";
export type {
  ArrayLocation,
  ChunkKernel,
  ChunkTask,
  Json,
  KernelContext,
  KernelInput,
  KernelRef,
  KernelResult,
  MergeFunction,
  OpKind,
  OpSpec,
  Partial,
  SharedArrayLocation,
  TaskExecutor,
  TaskResult,
} from "./types.ts";
export { kernelRef, map, mapOverlap, opId, reduce } from "./ops.ts";
export type { OpOptions } from "./ops.ts";
export { createSharedArray, openSharedArray, sharedArrayData } from "./shared_array.ts";
export { clearArrayCache, describeLocation, openArray } from "./open_array.ts";
export { executeTask } from "./execute_task.ts";
export { createInlineExecutor, createWorkerPool } from "./pool.ts";
export type { WorkerPoolOptions } from "./pool.ts";
export { ChunkTaskError } from "./errors.ts";
export { decodePartial, encodePartial, openJournal } from "./journal.ts";
export type { Journal } from "./journal.ts";
export { defaultJournalDir, JOURNAL_FOLDER } from "./journal_dir.ts";
export { createProgress } from "./progress.ts";
export type { Progress, ProgressOptions } from "./progress.ts";
export { runOp } from "./scheduler.ts";
export type { OpResult, RunOptions } from "./scheduler.ts";
export { runGraph } from "./graph.ts";
export type { GraphStep } from "./graph.ts";
export { abortOnInterrupt } from "./interrupt.ts";
export type { InterruptHandle } from "./interrupt.ts";
export {
  differenceOfGaussiansKernel,
  filterOp,
  gaussianKernel,
  laplaceOfGaussianKernel,
} from "./filter_ops.ts";
export type { FilterParams } from "./filter_ops.ts";
