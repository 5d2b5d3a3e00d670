/**
 * Chunk kernels and op builders for the smoothing filters of `src/filters/` (Gaussian,
 * difference of Gaussians, Laplacian of Gaussian): the op carries the halo the filter needs,
 * the kernel adapts a task's input box to the filter's region form (bit-identical to the
 * whole volume).
 * @module
 */
import { differenceOfGaussiansRegion } from "../filters/difference_of_gaussians.ts";
import { gaussianFilterRegion } from "../filters/gaussian.ts";
import { laplaceOfGaussianRegion } from "../filters/laplace.ts";
import { haloVoxels } from "../filters/sigma.ts";
import { mapOverlap } from "./ops.ts";
import type { ArrayLocation, KernelContext, KernelInput, KernelResult, OpSpec } from "./types.ts";

/** Params of the filter kernels; sigmas in voxels, one number or one per axis. */
export interface FilterParams {
  sigma?: number | number[];
  sigmaLow?: number | number[];
  sigmaHigh?: number | number[];
  truncate?: number;
}

function regionOf(input: KernelInput, context: KernelContext) {
  const data = input.data instanceof Float32Array ? input.data : Float32Array.from(input.data);
  return {
    data,
    region: { inputBox: input.box, volumeShape: input.arrayShape, outputBox: context.outputBox },
  };
}

/** Chunk kernel: Gaussian filter (`params.sigma`, `params.truncate`). */
export function gaussianKernel(
  inputs: KernelInput[],
  params: FilterParams,
  context: KernelContext,
): KernelResult {
  const { data, region } = regionOf(inputs[0]!, context);
  const options = {
    sigma: params.sigma ?? 1,
    ...(params.truncate ? { truncate: params.truncate } : {}),
  };
  return { output: gaussianFilterRegion(data, region, options) };
}

/** Chunk kernel: difference of Gaussians (`params.sigmaLow`, `params.sigmaHigh`). */
export function differenceOfGaussiansKernel(
  inputs: KernelInput[],
  params: FilterParams,
  context: KernelContext,
): KernelResult {
  const { data, region } = regionOf(inputs[0]!, context);
  const options = {
    sigmaLow: params.sigmaLow ?? 1,
    sigmaHigh: params.sigmaHigh ?? 1.6,
    ...(params.truncate ? { truncate: params.truncate } : {}),
  };
  return { output: differenceOfGaussiansRegion(data, region, options) };
}

/** Chunk kernel: Laplacian of Gaussian (`params.sigma`). */
export function laplaceOfGaussianKernel(
  inputs: KernelInput[],
  params: FilterParams,
  context: KernelContext,
): KernelResult {
  const { data, region } = regionOf(inputs[0]!, context);
  const options = {
    sigma: params.sigma ?? 1,
    ...(params.truncate ? { truncate: params.truncate } : {}),
  };
  return { output: laplaceOfGaussianRegion(data, region, options) };
}

const kernels = {
  gaussian: "gaussianKernel",
  dog: "differenceOfGaussiansKernel",
  log: "laplaceOfGaussianKernel",
} as const;

/**
 * A mapOverlap op running one of the filters over a 3-D input into a float32 output.
 * @param filter "gaussian", "dog" or "log"
 * @param io input and output locations (the output must exist, float32, same shape)
 * @param params sigmas in voxels and truncate
 * @returns the op, with the halo of the widest Gaussian
 * @example
 * ```ts ignore
 * const op = filterOp("dog", { input, output }, { sigmaLow: 2, sigmaHigh: 3.2 });
 * await runOp(op, { workers: 2 });
 * ```
 */
export function filterOp(
  filter: keyof typeof kernels,
  io: { input: ArrayLocation; output: ArrayLocation; name?: string },
  params: FilterParams,
): OpSpec {
  const sigmaOf = (s: number | number[] | undefined) =>
    typeof s === "number" ? [s, s, s] : s ?? [0, 0, 0];
  const widest = filter === "dog"
    ? sigmaOf(params.sigmaHigh ?? 1.6).map((s, axis) =>
      Math.max(s, sigmaOf(params.sigmaLow)[axis]!)
    )
    : sigmaOf(params.sigma ?? 1);
  return mapOverlap({
    name: io.name ?? filter,
    kernel: { module: import.meta.url, name: kernels[filter] },
    inputs: [io.input],
    output: io.output,
    params: { ...params },
    haloVoxels: haloVoxels(widest, params.truncate ?? 4),
    memoryFactor: filter === "gaussian" ? 2 : 3,
  });
}
