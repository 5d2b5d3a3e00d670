/**
 * Small kernels for the chunked-core tests (not the project's filters): a box sum that
 * needs a halo, a 2× mean downsample, a sum/count reduction, an offset map, and kernels
 * that fail or go slowly on purpose.
 * @module
 */
import type { Box, TypedArray } from "../../src/io/types.ts";
import { boxShape } from "../../src/chunked/box.ts";
import type { KernelContext, KernelInput, KernelResult } from "../../src/chunked/types.ts";
import { labelComponents } from "../../src/filters/label.ts";
import { chunkLabelsPartial } from "../../src/stages/chunked_labels.ts";

/**
 * Sum over the (2r+1)³ neighbourhood clipped to the volume, as float64; `data` holds `box`.
 * Whole-volume form: pass the whole array and its box.
 */
export function boxSumRegion(
  data: TypedArray,
  box: Box,
  arrayShape: readonly number[],
  radius: number,
  outBox: Box,
): Float64Array {
  const [nz, ny, nx] = boxShape(box) as [number, number, number];
  const [oz, oy, ox] = boxShape(outBox) as [number, number, number];
  const out = new Float64Array(oz * oy * ox);
  for (let z = 0; z < oz; z++) {
    const gz = outBox.start[0]! + z;
    const z0 = Math.max(0, gz - radius), z1 = Math.min(arrayShape[0]!, gz + radius + 1);
    for (let y = 0; y < oy; y++) {
      const gy = outBox.start[1]! + y;
      const y0 = Math.max(0, gy - radius), y1 = Math.min(arrayShape[1]!, gy + radius + 1);
      for (let x = 0; x < ox; x++) {
        const gx = outBox.start[2]! + x;
        const x0 = Math.max(0, gx - radius), x1 = Math.min(arrayShape[2]!, gx + radius + 1);
        let sum = 0;
        for (let k = z0; k < z1; k++) {
          for (let j = y0; j < y1; j++) {
            const row = ((k - box.start[0]!) * ny + (j - box.start[1]!)) * nx - box.start[2]!;
            for (let i = x0; i < x1; i++) sum += data[row + i]!;
          }
        }
        out[(z * oy + y) * ox + x] = sum;
      }
    }
  }
  void nz;
  return out;
}

/** mapOverlap kernel: box sum of radius `params.radius`. */
export function boxSum(
  inputs: KernelInput[],
  params: { radius: number },
  context: KernelContext,
): KernelResult {
  const input = inputs[0]!;
  return {
    output: boxSumRegion(input.data, input.box, input.arrayShape, params.radius, context.outputBox),
  };
}

/** map kernel with scale 2: mean of each 2×2×2 block (clipped blocks averaged over what exists). */
export function downsampleMean2(
  inputs: KernelInput[],
  _params: unknown,
  context: KernelContext,
): KernelResult {
  const input = inputs[0]!;
  const [, ny, nx] = boxShape(input.box) as [number, number, number];
  const [oz, oy, ox] = boxShape(context.outputBox) as [number, number, number];
  const out = new Float32Array(oz * oy * ox);
  for (let z = 0; z < oz; z++) {
    for (let y = 0; y < oy; y++) {
      for (let x = 0; x < ox; x++) {
        let sum = 0, count = 0;
        for (let dz = 0; dz < 2; dz++) {
          for (let dy = 0; dy < 2; dy++) {
            for (let dx = 0; dx < 2; dx++) {
              const gz = (context.outputBox.start[0]! + z) * 2 + dz;
              const gy = (context.outputBox.start[1]! + y) * 2 + dy;
              const gx = (context.outputBox.start[2]! + x) * 2 + dx;
              if (
                gz >= input.box.stop[0]! || gy >= input.box.stop[1]! || gx >= input.box.stop[2]!
              ) continue;
              sum += input
                .data[
                  ((gz - input.box.start[0]!) * ny + gy - input.box.start[1]!) * nx + gx -
                  input.box.start[2]!
                ]!;
              count++;
            }
          }
        }
        out[(z * oy + y) * ox + x] = sum / count;
      }
    }
  }
  return { output: out };
}

/** reduce kernel: sum and count of the chunk, and a per-chunk Float64Array histogram of 4 bins. */
export function sumPartial(inputs: KernelInput[]): KernelResult {
  const data = inputs[0]!.data;
  let sum = 0;
  const histogram = new Float64Array(4);
  for (let i = 0; i < data.length; i++) {
    sum += data[i]!;
    histogram[Math.min(3, Math.max(0, Math.floor(data[i]! / 25)))]!++;
  }
  return { partial: { sum, count: data.length, histogram } };
}

/** merge: mean and total histogram. */
export function sumMerge(
  partials: { sum: number; count: number; histogram: Float64Array }[],
): { mean: number; count: number; histogram: Float64Array } {
  let sum = 0, count = 0;
  const histogram = new Float64Array(4);
  for (const p of partials) {
    sum += p.sum;
    count += p.count;
    for (let i = 0; i < 4; i++) histogram[i]! += p.histogram[i]!;
  }
  return { mean: sum / count, count, histogram };
}

/** map kernel: `input - params.offset` as float32. */
export function subtract(inputs: KernelInput[], params: { offset: number }): KernelResult {
  const data = inputs[0]!.data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! - params.offset;
  return { output: out };
}

/** map kernel: copy, but throw on the first attempt at chunk `params.flakyChunk`. */
export function flakyCopy(
  inputs: KernelInput[],
  params: { flakyChunk: number },
  context: KernelContext,
): KernelResult {
  if (context.chunkLinear === params.flakyChunk && context.attempt === 1) {
    throw new Error(`transient failure at chunk ${context.chunkLinear}`);
  }
  return { output: Float32Array.from(inputs[0]!.data) };
}

/**
 * map kernel: copy, but kill its worker (an uncaught error outside the task) on the first attempt
 * at chunk `params.crashChunk`; that task never settles by itself.
 */
export function crashingCopy(
  inputs: KernelInput[],
  params: { crashChunk: number },
  context: KernelContext,
): KernelResult | Promise<KernelResult> {
  if (context.chunkLinear === params.crashChunk && context.attempt === 1) {
    setTimeout(() => {
      throw new Error(`worker crash at chunk ${context.chunkLinear}`);
    }, 0);
    return new Promise(() => {});
  }
  return { output: Float32Array.from(inputs[0]!.data) };
}

/** map kernel: copy, but always throw at chunk `params.badChunk`. */
export function failingCopy(
  inputs: KernelInput[],
  params: { badChunk: number },
  context: KernelContext,
): KernelResult {
  if (context.chunkLinear === params.badChunk) throw new RangeError("bad voxel in this chunk");
  return { output: Float32Array.from(inputs[0]!.data) };
}

/** map kernel: sleep `params.delayMs`, then copy as float32 plus the chunk number. */
export async function slowCopy(
  inputs: KernelInput[],
  params: { delayMs: number },
): Promise<KernelResult> {
  await new Promise((resolve) => setTimeout(resolve, params.delayMs));
  return { output: Float32Array.from(inputs[0]!.data, (v) => v * 2 + 1) };
}

/** fold: adds one `sumPartial` partial into the running total (associative, commutative). */
export function sumFold(
  accumulator: { sum: number; count: number; histogram: Float64Array } | undefined,
  partial: { sum: number; count: number; histogram: Float64Array },
): { sum: number; count: number; histogram: Float64Array } {
  const into = accumulator ?? { sum: 0, count: 0, histogram: new Float64Array(4) };
  into.sum += partial.sum;
  into.count += partial.count;
  for (let i = 0; i < 4; i++) into.histogram[i]! += partial.histogram[i]!;
  return into;
}

/** fold: as {@link sumFold}, but the first partial itself becomes the accumulator. */
export function sumFoldInPlace(
  accumulator: { sum: number; count: number; histogram: Float64Array } | undefined,
  partial: { sum: number; count: number; histogram: Float64Array },
): { sum: number; count: number; histogram: Float64Array } {
  return accumulator ? sumFold(accumulator, partial) : partial;
}

/** map kernel: `params.connectivity`-connected labels of a uint8 mask chunk, with the partial. */
export function chunkLabelsOf(
  inputs: KernelInput[],
  params: { connectivity: 6 | 26 },
  context: KernelContext,
) {
  const { labels, count } = labelComponents(
    inputs[0]!.data as Uint8Array,
    boxShape(context.outputBox),
    { connectivity: params.connectivity },
  );
  return { output: labels, partial: chunkLabelsPartial(labels, count, context.outputBox) };
}

/** map kernel: 26-connected labels of a uint8 mask chunk, with the chunk-label partial. */
export function chunkLabels26(inputs: KernelInput[], _p: unknown, context: KernelContext) {
  const { labels, count } = labelComponents(
    inputs[0]!.data as Uint8Array,
    boxShape(context.outputBox),
    { connectivity: 26 },
  );
  return { output: labels, partial: chunkLabelsPartial(labels, count, context.outputBox) };
}

/** This module's instance: one per worker that imported it. */
const instance = crypto.randomUUID();

/**
 * map kernel: copy after sleeping `slowMs` for chunks from `slowFrom` on and `fastMs` before;
 * the partial names the worker (module instance) that ran the chunk.
 */
export async function taggedCopy(
  inputs: KernelInput[],
  params: { slowFrom: number; slowMs: number; fastMs: number },
  context: KernelContext,
): Promise<KernelResult> {
  const ms = context.chunkLinear >= params.slowFrom ? params.slowMs : params.fastMs;
  await new Promise((resolve) => setTimeout(resolve, ms));
  return { output: Float32Array.from(inputs[0]!.data), partial: { worker: instance } };
}
