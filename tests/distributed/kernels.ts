/**
 * Kernels for the distributed tests: a DoG that waits first (so a worker can be killed
 * mid-task), and a reduction with typed-array partials.
 * @module
 */
import { differenceOfGaussiansKernel } from "../../src/chunked/filter_ops.ts";
import type { FilterParams } from "../../src/chunked/filter_ops.ts";
import type { KernelContext, KernelInput, KernelResult } from "../../src/chunked/types.ts";

/** DoG after `params.delayMs` of waiting; same output as the plain DoG kernel. */
export async function slowDifferenceOfGaussians(
  inputs: KernelInput[],
  params: FilterParams & { delayMs?: number },
  context: KernelContext,
): Promise<KernelResult> {
  await new Promise((resolve) => setTimeout(resolve, params.delayMs ?? 0));
  return differenceOfGaussiansKernel(inputs, params, context);
}

/** Partial: `Float64Array [sum, count]` and a per-chunk histogram of 4 bins over [0, 100). */
export function sumAndHistogram(inputs: KernelInput[]): KernelResult {
  const data = inputs[0]!.data;
  let sum = 0;
  const histogram = new Uint32Array(4);
  for (let i = 0; i < data.length; i++) {
    const value = Number(data[i]);
    sum += value;
    histogram[Math.min(3, Math.max(0, Math.floor(value / 25)))]!++;
  }
  return { partial: { totals: Float64Array.of(sum, data.length), histogram } };
}

/** Merge of {@link sumAndHistogram}. */
export function mergeSumAndHistogram(
  partials: { totals: Float64Array; histogram: Uint32Array }[],
): { sum: number; count: number; histogram: number[]; typed: boolean } {
  const histogram = [0, 0, 0, 0];
  let sum = 0;
  let count = 0;
  let typed = true;
  for (const partial of partials) {
    typed &&= partial.totals instanceof Float64Array && partial.histogram instanceof Uint32Array;
    sum += partial.totals[0]!;
    count += partial.totals[1]!;
    partial.histogram.forEach((n, bin) => (histogram[bin]! += n));
  }
  return { sum, count, histogram, typed };
}

/** {@link sumAndHistogram} after `params.delayMs` of waiting. */
export async function slowSumAndHistogram(
  inputs: KernelInput[],
  params: { delayMs?: number },
): Promise<KernelResult> {
  await new Promise((resolve) => setTimeout(resolve, params.delayMs ?? 0));
  return sumAndHistogram(inputs);
}
