/**
 * Runs one chunk task in the current thread: read the (haloed) input boxes, call the
 * kernel, write exactly the task's own output chunk, and return the partial. Web Workers
 * call it, and so does the in-thread executor.
 * @module
 */
import { boxVoxels, inputBoxFor } from "./box.ts";
import { chunkIndices, copyRegion } from "../io/box.ts";
import type { Box, ChunkedArray, TypedArray } from "../io/types.ts";
import { bytesPerElement, typedArrayOf } from "./dtype.ts";
import { buffersIn, releaseBuffers } from "../io/release.ts";
import { enterChunkCache, exitChunkCache } from "../io/chunk_cache.ts";
import { openArray } from "./open_array.ts";
import type { ChunkKernel, ChunkTask, KernelInput, KernelRef, TaskResult } from "./types.ts";

const kernels = new Map<string, Promise<unknown>>();

/**
 * Import a named export (kernel or merge), cached per module and name.
 * @param ref module URL and export name
 * @returns the exported function
 * @throws {TypeError} when the export is missing or not a function
 */
export function importFunction<F>(ref: KernelRef): Promise<F> {
  const key = `${ref.module}#${ref.name}`;
  let found = kernels.get(key);
  if (!found) {
    found = import(ref.module).then((module) => {
      const fn = module[ref.name];
      if (typeof fn !== "function") {
        throw new TypeError(`Cannot find function "${ref.name}" exported by ${ref.module}`);
      }
      return fn;
    });
    kernels.set(key, found);
    found.catch(() => kernels.delete(key));
  }
  return found as Promise<F>;
}

/**
 * Execute one task here and now.
 * @param task the chunk task
 * @returns the partial (if any) and the bytes read and written
 * @throws whatever reading, the kernel or writing throws
 */
export async function executeTask(task: ChunkTask): Promise<TaskResult> {
  enterChunkCache(`${task.opId}/${task.run ?? ""}`);
  try {
    return await executeTaskNow(task);
  } finally {
    exitChunkCache();
  }
}

async function executeTaskNow(task: ChunkTask): Promise<TaskResult> {
  const kernel = await importFunction<ChunkKernel<unknown>>(task.kernel);
  const output = task.output ? await openArray(task.output) : undefined;
  if (task.pieces) return await executePieces(task, kernel, output);
  const { inputs, bytesRead } = await readInputs(task.inputs);
  const result = await kernel(inputs, task.params, contextOf(task, task.outputBox, output));
  let bytesWritten = 0;
  if (output) {
    const typed = checkedOutput(task, result?.output, task.outputBox, output);
    await output.writeChunk!(task.chunkIndex, typed);
    bytesWritten = typed.length * bytesPerElement(output.dtype);
  }
  // The task owns its input regions and (once written) its output: free them now, not at the
  // worker's next garbage collection, keeping whatever the partial refers to.
  const owned: ArrayBufferView[] = inputs.map((input) => input.data);
  if (output && result?.output) owned.push(result.output);
  releaseBuffers(owned, buffersIn(result?.partial));
  return {
    chunkLinear: task.chunkLinear,
    bytesRead,
    bytesWritten,
    ...(result?.partial !== undefined ? { partial: result.partial } : {}),
  };
}

/** A task of an op with `pieces`: the kernel runs on each piece, the chunk is written once. */
async function executePieces(
  task: ChunkTask,
  kernel: ChunkKernel<unknown>,
  output: ChunkedArray | undefined,
): Promise<TaskResult> {
  const { shape, ...mapping } = task.pieces!;
  if (!output) throw new TypeError(`Cannot run ${task.opName} in pieces: it has no output`);
  const arrays = await Promise.all(task.inputs.map(({ location }) => openArray(location)));
  const chunk = typedArrayOf(output.dtype, boxVoxels(task.outputBox));
  let bytesRead = 0;
  for (const piece of piecesOf(task.outputBox, shape)) {
    const read = await readInputs(task.inputs.map(({ location }, i) => ({
      location,
      box: inputBoxFor(piece, arrays[i]!.shape, mapping),
    })));
    bytesRead += read.bytesRead;
    const result = await kernel(read.inputs, task.params, contextOf(task, piece, output));
    if (result?.partial !== undefined) {
      throw new TypeError(
        `Kernel ${task.kernel.name} returned a partial: an op run in pieces cannot have one`,
      );
    }
    const data = checkedOutput(task, result?.output, piece, output);
    copyRegion(data, piece, chunk, task.outputBox, piece);
    releaseBuffers([...read.inputs.map((input) => input.data), data]);
  }
  await output.writeChunk!(task.chunkIndex, chunk);
  releaseBuffers([chunk]);
  return {
    chunkLinear: task.chunkLinear,
    bytesRead,
    bytesWritten: chunk.length * bytesPerElement(output.dtype),
  };
}

/** The pieces of `box`: a grid of boxes of `shape` from its start, clipped at its stop. */
export function* piecesOf(box: Box, shape: readonly number[]): Generator<Box> {
  const extent = box.start.map((s, axis) => box.stop[axis]! - s);
  const counts = extent.map((n, axis) => Math.ceil(n / shape[axis]!));
  for (const index of chunkIndices(counts)) {
    const start = index.map((i, axis) => box.start[axis]! + i * shape[axis]!);
    yield {
      start,
      stop: start.map((s, axis) => Math.min(box.stop[axis]!, s + shape[axis]!)),
    };
  }
}

async function readInputs(boxes: ChunkTask["inputs"]) {
  let bytesRead = 0;
  const inputs: KernelInput[] = await Promise.all(boxes.map(async ({ location, box }) => {
    const array = await openArray(location);
    const data = await array.readRegion(box);
    bytesRead += data.byteLength;
    return { data, box, arrayShape: array.shape, dtype: array.dtype };
  }));
  return { inputs, bytesRead };
}

function contextOf(task: ChunkTask, outputBox: Box, output: ChunkedArray | undefined) {
  return {
    outputBox,
    chunkIndex: task.chunkIndex,
    chunkLinear: task.chunkLinear,
    attempt: task.attempt,
    ...(output ? { outputDtype: output.dtype } : {}),
  };
}

/** The kernel's output for `box`, checked for length and data type. */
function checkedOutput(
  task: ChunkTask,
  data: TypedArray | undefined,
  box: Box,
  output: ChunkedArray,
): TypedArray {
  if (!data) throw new TypeError(`Kernel ${task.kernel.name} returned no output`);
  const expected = boxVoxels(box);
  if (data.length !== expected) {
    throw new RangeError(
      `Kernel ${task.kernel.name} returned ${data.length} voxels, the output chunk has ${expected}`,
    );
  }
  if (!output.writeChunk) throw new TypeError(`The output array of ${task.opName} is read-only`);
  return data.constructor === typedArrayOf(output.dtype, 0).constructor
    ? data
    : mismatch(task, data.constructor.name, output.dtype);
}

function mismatch(task: ChunkTask, got: string, dtype: string): never {
  throw new TypeError(`Kernel ${task.kernel.name} returned a ${got}, the output dtype is ${dtype}`);
}
