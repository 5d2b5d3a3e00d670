/**
 * Pyramid levels built on the chunked core: each level is a `map` with `scale`
 * from the level above (mean for intensities, mode for labels), so a terabyte output
 * is downsampled by the worker pool chunk by chunk, resumably; each output chunk is built in
 * pieces that each read one chunk of the level above.
 * @module
 */
import { kernelRef, map } from "../chunked/ops.ts";
import type { RunOptions } from "../chunked/scheduler.ts";
import { runOp } from "../chunked/scheduler.ts";
import type { KernelContext, KernelInput, KernelResult, OpSpec } from "../chunked/types.ts";
import { boxShape } from "../io/box.ts";
import { downsampleBlock, type DownsampleMethod } from "../io/downsample.ts";
import type { OmeImage } from "../io/image.ts";

/** Chunk kernel: reduce the input box by the level factors. */
export function downsampleChunk(
  inputs: KernelInput[],
  params: { factors: number[]; method: DownsampleMethod },
  _context: KernelContext,
): KernelResult {
  const input = inputs[0]!;
  return {
    output: downsampleBlock(input.data, boxShape(input.box), params.factors, params.method),
  };
}

/**
 * The ops that build levels 1.. of an image from level 0.
 * @param image an image whose level 0 is (or will be) written
 * @returns one op per extra level, in order
 */
export function pyramidOps(image: OmeImage): OpSpec[] {
  const method: DownsampleMethod = image.attributes["image-label"] ? "mode" : "mean";
  const ops: OpSpec[] = [];
  for (let level = 1; level < image.levels.length; level++) {
    const factors = image.levels[level]!.scale.map((s, axis) =>
      Math.round(s / image.levels[level - 1]!.scale[axis]!)
    );
    const op = map({
      name: `pyramid level ${level}`,
      kernel: kernelRef(import.meta.url, "downsampleChunk"),
      inputs: [{ kind: "zarr", location: image.location, level: level - 1 }],
      output: { kind: "zarr", location: image.location, level },
      scale: factors,
      params: { factors, method },
    });
    // One input chunk per piece: a task holds one chunk of the level above, not 2×2×2 of them.
    const outputChunks = image.levels[level]!.chunks;
    const pieces = image.levels[level - 1]!.chunks.map((c, axis) =>
      Math.min(outputChunks[axis]!, Math.max(1, Math.floor(c / factors[axis]!)))
    );
    ops.push(pieces.some((p, axis) => p < outputChunks[axis]!) ? { ...op, pieces } : op);
  }
  return ops;
}

/**
 * Build an image's pyramid on the chunked core (resumable through the journal).
 * @param image the image
 * @param options as for `runOp` (executor, workers, signal, quiet...)
 */
export async function buildPyramidChunked(
  image: OmeImage,
  options: RunOptions = {},
): Promise<void> {
  let upstream: string[] = options.upstreamIds ? [...options.upstreamIds] : [];
  for (const op of pyramidOps(image)) {
    const result = await runOp(op, { ...options, upstreamIds: upstream });
    upstream = [result.opId];
  }
}
