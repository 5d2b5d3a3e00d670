/**
 * Recycled buffers for the big arrays a chunk task makes and drops: its haloed input regions,
 * its output chunk, a filter's temporaries. Allocating them afresh for every task cost page
 * faults (~12 µs per 4 KiB page on the VMs measured here) each time glibc had handed the freed
 * memory back to the system (heap trimming, top-of-heap shrinking), and the unmapping behind
 * those frees interrupts every core running the process; with two workers the 64³ Gaussian
 * spent more CPU per task than with one (`bench/pool_cpu.ts` counts the faults). A thread
 * keeps the few buffers its last task released and lends them to the next one.
 *
 * Only buffers lent here come back here; a recycled buffer is handed out as a view of its
 * first `length` elements (its `buffer` may be longer, so code that reads `.buffer` must use
 * `byteOffset` / `byteLength`, as the codecs do).
 * @module
 */
import type { DataType, TypedArray } from "./types.ts";
import { allocate, typedArrayFor } from "./dtype.ts";

/** Smallest array, in bytes, worth recycling; smaller ones are allocated as usual. */
const MIN_BYTES = 64 * 1024;
/** Most buffers a thread keeps. */
const MAX_HELD = 6;
/** Most bytes a thread keeps. */
const MAX_HELD_BYTES = 256 * 2 ** 20;
/** A held buffer serves a request only when it is at most this many times larger. */
const MAX_SLACK = 4;

/** Buffers free to lend, in this thread. */
const held: ArrayBuffer[] = [];
/** Buffers lent by this thread (only they are taken back). */
const lent = new WeakSet<ArrayBuffer>();

/**
 * A typed array for short-lived use (until {@link recycleBuffers}), from a recycled buffer when
 * one fits, else newly allocated.
 * @param dtype its data type
 * @param length its element count
 * @param options `overwrite: true` when the caller writes every element (a recycled buffer is
 * then not zeroed first); by default the array reads as zeros, like a new one
 * @returns the array (exactly `length` elements)
 */
export function scratchArray(
  dtype: DataType,
  length: number,
  options: { overwrite?: boolean } = {},
): TypedArray {
  const ctor = typedArrayFor(dtype);
  const bytes = length * ctor.BYTES_PER_ELEMENT;
  if (bytes < MIN_BYTES) return allocate(dtype, length);
  let best = -1;
  for (let i = 0; i < held.length; i++) {
    const size = held[i]!.byteLength;
    if (size >= bytes && size <= MAX_SLACK * bytes && (best < 0 || size < held[best]!.byteLength)) {
      best = i;
    }
  }
  if (best < 0) {
    const array = allocate(dtype, length);
    lent.add(array.buffer as ArrayBuffer);
    return array;
  }
  const [buffer] = held.splice(best, 1) as [ArrayBuffer];
  const array = new ctor(buffer, 0, length) as TypedArray;
  if (!options.overwrite) array.fill(0 as never);
  return array;
}

/**
 * End the use of `views`: buffers lent by {@link scratchArray} are kept for the next ones (the
 * smallest beyond this thread's limits are freed), others are freed now (detached) rather than
 * at the next garbage collection. Only for arrays that nothing else holds: every view of them
 * reads as empty, or as someone else's data, afterwards. Shared buffers and WebAssembly
 * memories are left alone; a buffer listed twice is handled once.
 * @param views typed arrays (or other views) the caller owns
 * @param keep buffers that must survive (for example those of a result being returned)
 */
export function recycleBuffers(
  views: Iterable<ArrayBufferView>,
  keep: ReadonlySet<ArrayBufferLike> = new Set(),
): void {
  const seen = new Set<ArrayBufferLike>();
  for (const view of views) {
    const buffer = view.buffer;
    if (seen.has(buffer)) continue;
    seen.add(buffer);
    if (!(buffer instanceof ArrayBuffer) || buffer.detached || keep.has(buffer)) continue;
    if (lent.has(buffer) && !held.includes(buffer)) {
      held.push(buffer);
      continue;
    }
    detach(buffer);
  }
  let total = held.reduce((sum, buffer) => sum + buffer.byteLength, 0);
  while (held.length > MAX_HELD || total > MAX_HELD_BYTES) {
    let smallest = 0;
    for (let i = 1; i < held.length; i++) {
      if (held[i]!.byteLength < held[smallest]!.byteLength) smallest = i;
    }
    const [dropped] = held.splice(smallest, 1) as [ArrayBuffer];
    total -= dropped.byteLength;
    detach(dropped);
  }
}

/** Bytes this thread holds for recycling (for tests and diagnostics). */
export function heldScratchBytes(): number {
  return held.reduce((sum, buffer) => sum + buffer.byteLength, 0);
}

/** Free the buffers this thread holds for recycling. */
export function dropScratch(): void {
  for (const buffer of held.splice(0)) detach(buffer);
}

function detach(buffer: ArrayBuffer): void {
  try {
    buffer.transfer(0);
  } catch {
    // not detachable (a WebAssembly memory, a non-detachable buffer): left to the collector
  }
}
