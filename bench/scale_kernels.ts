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
