/**
 * A per-thread pool of task buffers: the haloed input regions that region reads assemble and the
 * filters' outputs and scratch arrays, each the same few sizes over a whole op. Before, every
 * task allocated them afresh: `new Float32Array(n)` is a `calloc`, which zeroes its memory, so a
 * σ = 2 Gaussian task on a 64³ chunk zeroed 3 MiB only to overwrite it, and detached (freed) it
 * again at its end. With one worker that cost little; with two, each worker's share of a 256³
 * run in shared memory took 10-12 % longer than with buffers reused (A/B in one process, by
 * hand: 2 workers 105.6-110.7 ms against 117.6-124.5, 1 worker unchanged), the zeroing competing
 * for the memory bandwidth the two cores share.
 *
 * {@link borrowArray} hands out a view of an idle buffer at least as large as asked for,
 * **not zeroed** (stale values of an earlier task): only for arrays the caller overwrites whole,
 * and whose `.buffer` it does not use past the view. `releaseBuffers`
 * (`release.ts`) gives borrowed buffers back here instead of detaching them. At most
 * {@link MAX_IDLE_BYTES} wait per thread, oldest dropped first; buffers under
 * {@link MIN_POOLED_BYTES} are plain allocations.
 * @module
 */
import type { DataType, TypedArray } from "./types.ts";
import { bytesPerElement, typedArrayFor } from "./dtype.ts";

/** Most bytes of idle buffers one thread keeps. */
export const MAX_IDLE_BYTES = 32 * 2 ** 20;
/** Smaller buffers are not pooled (their allocation is cheap). */
export const MIN_POOLED_BYTES = 64 * 2 ** 10;

/** Buffers this pool handed out (and may take back). */
const borrowed = new WeakSet<ArrayBuffer>();
/** Idle buffers in the order they came back, oldest first. */
const idle: ArrayBuffer[] = [];
const isIdle = new WeakSet<ArrayBuffer>();
let idleBytes = 0;

/**
 * A typed array of `length` elements whose contents are undefined (an earlier task's values):
 * the caller must write every element before reading any.
 * @param dtype element type
 * @param length elements
 * @returns a pooled array, or a fresh one when none of that size is idle
 */
export function borrowArray(dtype: DataType, length: number): TypedArray {
  const bytes = length * bytesPerElement(dtype);
  const Typed = typedArrayFor(dtype);
  if (bytes < MIN_POOLED_BYTES) return new Typed(length);
  // The most recently returned buffer that fits, wasting at most half of it: the last task's
  // buffers are likely still in the CPU caches, and a region that is a few voxels shorter at a
  // volume edge reuses its neighbours' buffer instead of getting one of its own.
  for (let i = idle.length - 1; i >= 0; i--) {
    const buffer = idle[i]!;
    if (buffer.byteLength < bytes || buffer.byteLength > 2 * bytes) continue;
    idle.splice(i, 1);
    isIdle.delete(buffer);
    idleBytes -= buffer.byteLength;
    return new Typed(buffer, 0, length);
  }
  const fresh = new Typed(length);
  borrowed.add(fresh.buffer as ArrayBuffer);
  return fresh;
}

/** {@link borrowArray} for float32. */
export function borrowFloat32(length: number): Float32Array {
  return borrowArray("float32", length) as Float32Array;
}

/**
 * Take a buffer back if this pool lent it. Nothing may use it afterwards: the next
 * {@link borrowArray} of its size hands it out again.
 * @param buffer a buffer the caller owns
 * @returns whether the pool took it (or already had it); false for buffers it did not lend
 */
export function returnBuffer(buffer: ArrayBuffer): boolean {
  if (!borrowed.has(buffer)) return false;
  if (isIdle.has(buffer)) return true;
  const bytes = buffer.byteLength;
  if (bytes > MAX_IDLE_BYTES) return false;
  while (idleBytes + bytes > MAX_IDLE_BYTES) dropOldest();
  idle.push(buffer);
  isIdle.add(buffer);
  idleBytes += bytes;
  return true;
}

/** Bytes of idle buffers this thread holds (for tests and benchmarks). */
export function idlePoolBytes(): number {
  return idleBytes;
}

function dropOldest(): void {
  const buffer = idle.shift()!;
  isIdle.delete(buffer);
  borrowed.delete(buffer);
  idleBytes -= buffer.byteLength;
  buffer.transfer(0); // freed now, as `releaseBuffers` would have
}
