/**
 * EM mitochondria segmentation of an OME-Zarr image: pick the level nearest the model's
 * voxel size, predict block by block (each chunk read with the backend's halo, cropped back
 * to the chunk), threshold, label, drop small objects, write a uint32 label image carrying
 * the level's voxel size and translation.
 * TODO: labels are computed in memory; the chunked labelling comes from the chunked core.
 * @module
 */
import { boxShape, chunkGridShape, chunkIndices, copyRegion } from "../io/box.ts";
import { type OmeImage, openImage, openLevel, spatialVoxelSizeUm } from "../io/image.ts";
import type { Box, ChunkedArray } from "../io/types.ts";
import { writeImage } from "../io/writer.ts";
import type { EmBackend, VolumeStats } from "./em_backend.ts";
import { labelComponents } from "./label_components.ts";

/** Options for {@linkcode segmentEmImage}. */
export interface SegmentImageOptions {
  /** Pyramid level to run on; default: nearest the model's in-plane voxel size. */
  level?: number;
  /** Probability threshold; default: the model's. */
  threshold?: number;
  /** Drop objects with fewer voxels (CLEM-Reg: 500). */
  minVoxels?: number;
  /** Drop objects spanning fewer z slices (CLEM-Reg: 4). */
  minSlices?: number;
  /** Called after each block with (done, total). */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** What {@linkcode segmentEmImage} did. */
export interface SegmentImageResult {
  level: number;
  voxelSizeUm: [number, number, number];
  shape: number[];
  objectCount: number;
  foregroundFraction: number;
}

/**
 * The level whose in-plane (y, x) voxel size is nearest (in log scale) to the model's.
 * @param image the EM image
 * @param voxelSizeNm the model's `[y, x]` voxel size in nanometres
 * @returns the level index
 */
export function nearestInPlaneLevel(
  image: OmeImage,
  voxelSizeNm: readonly [number, number],
): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let level = 0; level < image.levels.length; level++) {
    const [, y, x] = spatialVoxelSizeUm(image, level);
    const distance = Math.log((y * 1000) / voxelSizeNm[0]) ** 2 +
      Math.log((x * 1000) / voxelSizeNm[1]) ** 2;
    if (distance < bestDistance - 1e-12) [best, bestDistance] = [level, distance];
  }
  return best;
}

/** Mean and std from up to `maxChunks` chunks spread evenly over the level (a cheap reduction). */
/** Volume intensity mean and std from up to `maxChunks` chunks spread evenly over the level. */
export async function sampledStats(
  array: ChunkedArray,
  maxChunks: number,
): Promise<VolumeStats> {
  const all = [...chunkIndices(chunkGridShape(array.shape, array.chunks))];
  const step = Math.max(1, Math.floor(all.length / maxChunks));
  let sum = 0;
  let sumSquares = 0;
  let count = 0;
  for (let i = 0; i < all.length; i += step) {
    const data = await array.readChunk(all[i]!);
    for (let k = 0; k < data.length; k++) {
      const value = data[k]!;
      sum += value;
      sumSquares += value * value;
    }
    count += data.length;
  }
  const mean = sum / Math.max(1, count);
  return { mean, std: Math.max(1e-6, Math.sqrt(Math.max(0, sumSquares / count - mean * mean))) };
}

/**
 * Segment mitochondria in an EM OME-Zarr image (axes z, y, x) and write a label image.
 * @param input location of the EM image
 * @param output location of the label image to write
 * @param backend the probability backend (built-in or ONNX)
 * @param options level, threshold, size filter, progress, abort
 * @returns the level used and object statistics
 * @throws {TypeError} when the image is not a 3-D z, y, x image
 */
export async function segmentEmImage(
  input: string,
  output: string,
  backend: EmBackend,
  options: SegmentImageOptions = {},
): Promise<SegmentImageResult> {
  const image = await openImage(input);
  const axisNames = image.axes.map((axis) => axis.name.toLowerCase()).join(",");
  if (axisNames !== "z,y,x") {
    throw new TypeError(`Cannot segment ${input}: axes are ${axisNames}, expected z,y,x`);
  }
  const level = options.level ?? nearestInPlaneLevel(image, backend.voxelSizeNm);
  const info = image.levels[level];
  if (!info) throw new RangeError(`Cannot segment ${input}: it has no level ${level}`);
  const array = await openLevel(image, level);
  const shape = [...array.shape] as [number, number, number];
  const stats = await sampledStats(array, 32);
  const threshold = options.threshold ?? backend.threshold;
  const mask = new Uint8Array(shape[0] * shape[1] * shape[2]);
  const fullBox: Box = { start: [0, 0, 0], stop: shape };
  const chunkList = [...chunkIndices(chunkGridShape(shape, array.chunks))];
  let done = 0;
  for (const index of chunkList) {
    options.signal?.throwIfAborted();
    const chunk: Box = {
      start: index.map((c, axis) => c * array.chunks[axis]!),
      stop: index.map((c, axis) => Math.min(shape[axis]!, (c + 1) * array.chunks[axis]!)),
    };
    const read: Box = {
      start: chunk.start.map((s, axis) => Math.max(0, s - backend.halo[axis]!)),
      stop: chunk.stop.map((s, axis) => Math.min(shape[axis]!, s + backend.halo[axis]!)),
    };
    const block = await array.readRegion(read, options.signal ? { signal: options.signal } : {});
    const readShape = boxShape(read) as [number, number, number];
    const values = block instanceof Uint8Array || block instanceof Uint16Array ||
        block instanceof Float32Array
      ? block
      : Float32Array.from(block as ArrayLike<number>);
    const probabilities = await backend.predict(values, readShape, stats, options.signal);
    const blockMask = new Uint8Array(probabilities.length);
    for (let i = 0; i < blockMask.length; i++) {
      blockMask[i] = probabilities[i]! >= threshold ? 1 : 0;
    }
    copyRegion(blockMask, read, mask, fullBox, chunk);
    options.onProgress?.(++done, chunkList.length);
  }
  const { labels, count } = labelComponents(mask, shape, {
    minVoxels: options.minVoxels ?? 500,
    minSlices: options.minSlices ?? 4,
  });
  let foreground = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! > 0) foreground++;
  await writeImage(output, labels, {
    axes: image.axes,
    shape,
    chunks: [...array.chunks],
    dtype: "uint32",
    scale: info.scale,
    translation: info.translation,
    labels: true,
    name: "mitochondria",
    extraAttributes: { clemreg: { emSegmentation: { backend: backend.name, sourceLevel: level } } },
  });
  return {
    level,
    voxelSizeUm: spatialVoxelSizeUm(image, level),
    shape,
    objectCount: count,
    foregroundFraction: foreground / Math.max(1, labels.length),
  };
}
