/**
 * Pyramid levels: the 2× rule (y and x always; z only while it is not coarser than
 * y), and the chunk-wise build of each level from the one above, which never holds
 * more than a few chunks in memory.
 * @module
 */
import { boxShape, chunkBox, chunkGridShape, chunkIndices } from "./box.ts";
import { downsampleBlock } from "./downsample.ts";
import type { Axis, OmeImage } from "./image.ts";
import { openLevel } from "./image.ts";
import { micrometersPerUnit } from "./units.ts";

/** How many chunks of one level are built at once. */
const buildConcurrency = 4;

/**
 * The per-axis factor of each level after the first (level l+1 = level l / factors[l]).
 * @param spec axes, level-0 shape and scale, optional level count
 * @returns one factor list per extra level
 */
export function pyramidFactors(
  spec: { axes: Axis[]; shape: number[]; scale: number[]; levels?: number },
): number[][] {
  const axisIndex = (name: string) => spec.axes.findIndex((a) => a.name.toLowerCase() === name);
  const [z, y, x] = [axisIndex("z"), axisIndex("y"), axisIndex("x")];
  const toUm = (axis: number) => micrometersPerUnit(spec.axes[axis]?.unit ?? "micrometer") ?? 1;
  const factors: number[][] = [];
  const shape = spec.shape.slice();
  const scale = spec.scale.map((s, axis) => s * toUm(axis));
  const maxLevels = spec.levels ?? 8;
  while (factors.length + 1 < maxLevels) {
    const next = shape.map(() => 1);
    if (y >= 0) next[y] = 2;
    if (x >= 0) next[x] = 2;
    if (z >= 0 && y >= 0 && scale[z]! <= scale[y]! * (1 + 1e-9) && shape[z]! > 1) next[z] = 2;
    const smallest = Math.min(
      ...[y, x].filter((a) => a >= 0).map((a) => Math.ceil(shape[a]! / next[a]!)),
    );
    if (spec.levels === undefined && smallest < 32) break;
    if (smallest < 1) break;
    factors.push(next);
    for (let axis = 0; axis < shape.length; axis++) {
      shape[axis] = Math.ceil(shape[axis]! / next[axis]!);
      scale[axis] = scale[axis]! * next[axis]!;
    }
  }
  return factors;
}

/**
 * Build levels 1.. of an image from level 0, chunk by chunk (mean for intensity
 * images, mode for label images).
 * @param image a writable image whose level 0 is written
 * @param options `signal` to cancel
 */
export async function buildPyramid(
  image: OmeImage,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  const method = image.attributes["image-label"] ? "mode" : "mean";
  for (let level = 1; level < image.levels.length; level++) {
    const source = await openLevel(image, level - 1);
    const target = await openLevel(image, level);
    const factors = target.shape.map((_, axis) =>
      Math.round(
        (image.levels[level]!.scale[axis] ?? 1) / (image.levels[level - 1]!.scale[axis] ?? 1),
      )
    );
    const pending = [...chunkIndices(chunkGridShape(target.shape, target.chunks))];
    let next = 0;
    const worker = async () => {
      while (next < pending.length) {
        options.signal?.throwIfAborted();
        const index = pending[next++]!;
        const box = chunkBox(index, target.chunks, target.shape);
        const sourceBox = {
          start: box.start.map((s, a) => s * factors[a]!),
          stop: box.stop.map((s, a) => Math.min(s * factors[a]!, source.shape[a]!)),
        };
        const block = await source.readRegion(sourceBox, options);
        await target.writeChunk(
          index,
          downsampleBlock(block, boxShape(sourceBox), factors, method),
        );
      }
    };
    await Promise.all(Array.from({ length: buildConcurrency }, worker));
  }
}
