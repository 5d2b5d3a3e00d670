/**
 * Runs one chunk task in the current thread: read the (haloed) input boxes, call the
 * kernel, write exactly the task's own output chunk, and return the partial. Web Workers
 * call it, and so does the in-thread executor.
 * @module
 */
import { boxVoxels } from "./box.ts";
import { bytesPerElement, typedArrayOf } from "./dtype.ts";
import { buffersIn, releaseBuffers } from "../io/release.ts";
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
  const kernel = await importFunction<ChunkKernel<unknown>>(task.kernel);
  let bytesRead = 0;
  const inputs: KernelInput[] = await Promise.all(task.inputs.map(async ({ location, box }) => {
    const array = await openArray(location);
    const data = await array.readRegion(box);
    bytesRead += data.byteLength;
    return { data, box, arrayShape: array.shape, dtype: array.dtype };
  }));
  const output = task.output ? await openArray(task.output) : undefined;
  const result = await kernel(inputs, task.params, {
    outputBox: task.outputBox,
    chunkIndex: task.chunkIndex,
    chunkLinear: task.chunkLinear,
    attempt: task.attempt,
    ...(output ? { outputDtype: output.dtype } : {}),
  });
  let bytesWritten = 0;
  if (output) {
    const data = result?.output;
    if (!data) throw new TypeError(`Kernel ${task.kernel.name} returned no output`);
    const expected = boxVoxels(task.outputBox);
    if (data.length !== expected) {
      throw new RangeError(
        `Kernel ${task.kernel.name} returned ${data.length} voxels, the output chunk has ${expected}`,
      );
    }
    const typed = data.constructor === typedArrayOf(output.dtype, 0).constructor
      ? data
      : mismatch(task, data.constructor.name, output.dtype);
    if (!output.writeChunk) throw new TypeError(`The output array of ${task.opName} is read-only`);
    await output.writeChunk(task.chunkIndex, typed);
    bytesWritten = expected * bytesPerElement(output.dtype);
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

function mismatch(task: ChunkTask, got: string, dtype: string): never {
  throw new TypeError(`Kernel ${task.kernel.name} returned a ${got}, the output dtype is ${dtype}`);
}
