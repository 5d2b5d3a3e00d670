/**
 * Chunk kernels of the scale benchmark: DoG then threshold into a uint8 mask (dark
 * organelles give a negative DoG), and a dark-voxel count reduction with its merge.
 * @module
 */
import { differenceOfGaussiansKernel } from "../src/chunked/filter_ops.ts";
import type { FilterParams } from "../src/chunked/filter_ops.ts";
import type { KernelContext, KernelInput, KernelResult } from "../src/chunked/types.ts";

/** Mask = DoG(σlow, σhigh) < −threshold. */
export function dogThresholdKernel(
  inputs: KernelInput[],
  params: FilterParams & { threshold: number },
  context: KernelContext,
): KernelResult {
  const dog = differenceOfGaussiansKernel(inputs, params, context).output as Float32Array;
  const mask = new Uint8Array(dog.length);
  const limit = -params.threshold;
  for (let i = 0; i < dog.length; i++) mask[i] = dog[i]! < limit ? 1 : 0;
  return { output: mask };
}

/** Partial: `Float64Array [voxels below params.below, voxels]`. */
export function countDarkKernel(inputs: KernelInput[], params: { below: number }): KernelResult {
  const data = inputs[0]!.data;
  let dark = 0;
  for (let i = 0; i < data.length; i++) if (data[i]! < params.below) dark++;
  return { partial: Float64Array.of(dark, data.length) };
}

/** Merge of {@link countDarkKernel}: the dark volume fraction. */
export function mergeDarkFraction(partials: Float64Array[]): { dark: number; voxels: number } {
  let dark = 0, voxels = 0;
  for (const partial of partials) {
    dark += partial[0]!;
    voxels += partial[1]!;
  }
  return { dark, voxels };
}

/**
 * A uint8 test volume for the on-disk scaling curve: smooth blobs plus a hash texture, cheap
 * enough (about 1 ns per voxel) that generating 16 GiB is not the measurement.
 */
export function patternUint8Kernel(
  _inputs: KernelInput[],
  _params: unknown,
  context: KernelContext,
): KernelResult {
  const { start, stop } = context.outputBox;
  const [z0, y0, x0] = start as [number, number, number];
  const [z1, y1, x1] = stop as [number, number, number];
  const out = new Uint8Array((z1 - z0) * (y1 - y0) * (x1 - x0));
  const wave = new Float64Array(x1 - x0);
  for (let x = x0; x < x1; x++) wave[x - x0] = 30 * Math.sin(x * 0.05);
  let i = 0;
  for (let z = z0; z < z1; z++) {
    for (let y = y0; y < y1; y++) {
      const base = 128 + 40 * Math.sin(z * 0.11) * Math.cos(y * 0.07);
      const seed = Math.imul(y, 19349663) ^ Math.imul(z, 83492791);
      for (let x = x0; x < x1; x++) {
        const hash = Math.imul(Math.imul(x, 73856093) ^ seed, 0x27d4eb2d) >>> 27;
        out[i++] = base + wave[x - x0]! + hash;
      }
    }
  }
  return { output: out };
}
