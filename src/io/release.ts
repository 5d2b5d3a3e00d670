/**
 * Frees a typed array's memory now rather than at the next garbage collection. A chunk task
 * allocates tens of MiB (haloed input regions, decoded chunks, its output) that are garbage as
 * soon as the task ends; V8 collects array buffers late, so between collections a worker held
 * up to ~50 MiB of dead buffers, and the process's peak memory depended on when collections
 * happened to fall. Detaching (`ArrayBuffer.prototype.transfer(0)`) releases the backing store
 * at once.
 * @module
 */

/**
 * Free the buffers behind `views`, except those in `keep`. Only for arrays that nothing else
 * holds: every view of a released buffer reads as empty afterwards. Shared buffers and
 * WebAssembly memories are left alone.
 * @param views typed arrays (or other views) the caller owns
 * @param keep buffers that must survive (for example those of a result being returned)
 */
export function releaseBuffers(
  views: Iterable<ArrayBufferView>,
  keep: ReadonlySet<ArrayBufferLike> = new Set(),
): void {
  for (const view of views) {
    const buffer = view.buffer;
    if (!(buffer instanceof ArrayBuffer) || buffer.detached || keep.has(buffer)) continue;
    try {
      buffer.transfer(0);
    } catch {
      // not detachable (a WebAssembly memory, a non-detachable buffer): left to the collector
    }
  }
}

/**
 * The array buffers referenced by a value: typed arrays, inside arrays and plain objects.
 * @param value a value such as a kernel's partial result
 * @param found the set to add to
 * @returns `found`
 */
export function buffersIn(
  value: unknown,
  found = new Set<ArrayBufferLike>(),
): Set<ArrayBufferLike> {
  if (ArrayBuffer.isView(value)) found.add(value.buffer);
  else if (Array.isArray(value)) { for (const item of value) buffersIn(item, found); }
  else if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) buffersIn(item, found);
  }
  return found;
}

/**
 * Free every array buffer referenced by `value` (see {@link buffersIn}) except those in `keep`:
 * for a partial result once it has been folded or merged into something else.
 * @param value a value the caller owns, such as a kernel's partial result
 * @param keep buffers that must survive (for example those of the folded or merged result)
 */
export function releaseBuffersIn(
  value: unknown,
  keep: ReadonlySet<ArrayBufferLike> = new Set(),
): void {
  releaseBuffers([...buffersIn(value)].map((buffer) => new Uint8Array(buffer, 0, 0)), keep);
}
