/**
 * Downsampling by integer factors per axis for multiscale pyramids: block mean for images,
 * block mode for labels. Output shape is ceil(shape / factor); edge blocks use the voxels that
 * exist. A chunk whose box starts at multiples of the factors gives exactly the whole-volume
 * result for its output box.
 * @module
 */
import type { TypedArray } from "../io/types.ts";
import { voxelCount } from "../io/box.ts";
import { pad3 } from "./region.ts";

/** Options shared by both downsamplers. */
export interface DownsampleOptions<T> {
  /** Integer factor per axis (z, y, x), e.g. `[1, 2, 2]` or `[2, 2, 2]`. */
  factors: readonly number[];
  /** Output array of the input's type; allocated when absent. */
  out?: T;
}

/**
 * Block mean. Floats are averaged in float64 and stored in the input's type (float32 rounds);
 * integer types are rounded to the nearest integer (halves up).
 * @param image the volume (1 to 3 axes), C-ordered
 * @param shape its shape
 * @param options factors, out
 * @returns the downsampled data (same type as `image`) and its shape
 * @example
 * ```ts
 * downsampleMean(Float32Array.of(1, 2, 3, 4, 5), [5], { factors: [2] }).data; // [1.5, 3.5, 5]
 * ```
 */
export function downsampleMean<T extends TypedArray>(
  image: T,
  shape: readonly number[],
  options: DownsampleOptions<T>,
): { data: T; shape: number[] } {
  const plan = planDownsample(image.length, shape, options.factors);
  const out = outputLike(image, plan.outLength, options.out);
  const rounding = !(image instanceof Float32Array || image instanceof Float64Array);
  const [fz, fy, fx] = plan.factors as [number, number, number];
  const [nz, ny, nx] = plan.inShape as [number, number, number];
  const [, oy, ox] = plan.outShape as [number, number, number];
  const sums = new Float64Array(ox);
  const counts = new Float64Array(ox);
  let o = 0;
  for (let bz = 0; bz < plan.outShape[0]!; bz++) {
    for (let by = 0; by < oy; by++) {
      sums.fill(0);
      counts.fill(0);
      for (let z = bz * fz; z < Math.min(nz, bz * fz + fz); z++) {
        for (let y = by * fy; y < Math.min(ny, by * fy + fy); y++) {
          const row = (z * ny + y) * nx;
          for (let x = 0; x < nx; x++) {
            const bx = (x / fx) | 0;
            sums[bx] = sums[bx]! + image[row + x]!;
            counts[bx]!++;
          }
        }
      }
      for (let bx = 0; bx < ox; bx++) {
        const mean = sums[bx]! / counts[bx]!;
        out[o++] = rounding ? Math.floor(mean + 0.5) : mean;
      }
    }
  }
  return { data: out, shape: reshape(plan.outShape, shape.length) };
}

/**
 * Block mode for label volumes: the most frequent value in each block, ties going to the
 * smallest value. By default the background (0) competes like any label, so thin objects can
 * vanish at coarse levels; with `ignoreBackground` the most frequent non-zero label wins and a
 * block is 0 only when it is all background (objects are kept, slightly dilated).
 * @param labels the label volume (1 to 3 axes)
 * @param shape its shape
 * @param options factors, ignoreBackground (default false), out
 * @returns the downsampled labels (same type) and their shape
 * @example
 * ```ts
 * downsampleMode(Uint32Array.of(0, 0, 0, 7), [2, 2], { factors: [2, 2] }).data; // [0]
 * downsampleMode(Uint32Array.of(0, 0, 0, 7), [2, 2], { factors: [2, 2], ignoreBackground: true }).data; // [7]
 * ```
 */
export function downsampleMode<T extends TypedArray>(
  labels: T,
  shape: readonly number[],
  options: DownsampleOptions<T> & { ignoreBackground?: boolean },
): { data: T; shape: number[] } {
  const plan = planDownsample(labels.length, shape, options.factors);
  const out = outputLike(labels, plan.outLength, options.out);
  const ignoreBackground = options.ignoreBackground ?? false;
  const [fz, fy, fx] = plan.factors as [number, number, number];
  const [nz, ny, nx] = plan.inShape as [number, number, number];
  const [oz, oy, ox] = plan.outShape as [number, number, number];
  const block = new Float64Array(fz * fy * fx);
  let o = 0;
  for (let bz = 0; bz < oz; bz++) {
    for (let by = 0; by < oy; by++) {
      for (let bx = 0; bx < ox; bx++) {
        let n = 0;
        for (let z = bz * fz; z < Math.min(nz, bz * fz + fz); z++) {
          for (let y = by * fy; y < Math.min(ny, by * fy + fy); y++) {
            const row = (z * ny + y) * nx;
            for (let x = bx * fx; x < Math.min(nx, bx * fx + fx); x++) {
              block[n++] = labels[row + x]!;
            }
          }
        }
        out[o++] = blockMode(block, n, ignoreBackground);
      }
    }
  }
  return { data: out, shape: reshape(plan.outShape, shape.length) };
}

/** Most frequent of block[0..n) (ties → smallest), optionally preferring non-zero values. */
function blockMode(block: Float64Array, n: number, ignoreBackground: boolean): number {
  let best = 0, bestCount = 0;
  for (let i = 0; i < n; i++) {
    const value = block[i]!;
    if (ignoreBackground && value === 0) continue;
    let count = 0;
    for (let j = 0; j < n; j++) if (block[j] === value) count++;
    if (count > bestCount || (count === bestCount && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

/** Shapes and factors padded to three axes, validated. */
function planDownsample(length: number, shape: readonly number[], factors: readonly number[]) {
  if (factors.length !== shape.length) {
    throw new RangeError(`Cannot downsample: ${factors.length} factors for ${shape.length} axes`);
  }
  for (const factor of factors) {
    if (!Number.isInteger(factor) || factor < 1) {
      throw new RangeError(`Cannot downsample: factors must be integers >= 1, got ${factors}`);
    }
  }
  const inShape = pad3(shape, 1);
  if (voxelCount(inShape) !== length) {
    throw new RangeError(`Cannot downsample: array has ${length} voxels, shape [${shape}]`);
  }
  const padded = pad3(factors, 1);
  const outShape = inShape.map((size, axis) => Math.ceil(size / padded[axis]!));
  return { inShape, factors: padded, outShape, outLength: voxelCount(outShape) };
}

/** The caller's output array, or a new one of the input's type. */
function outputLike<T extends TypedArray>(input: T, length: number, out: T | undefined): T {
  if (out === undefined) return new (input.constructor as new (n: number) => T)(length);
  if (out.length !== length) {
    throw new RangeError(`Cannot downsample: out has ${out.length} voxels, output needs ${length}`);
  }
  return out;
}

/** Drop the padding axes again. */
function reshape(shape3: readonly number[], ndim: number): number[] {
  return shape3.slice(3 - ndim);
}
