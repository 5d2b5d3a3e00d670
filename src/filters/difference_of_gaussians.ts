/**
 * Difference of Gaussians G(sigmaLow) − G(sigmaHigh), each Gaussian as `gaussianFilter`
 * (float32), subtracted in float32. Whole volume or region (chunk + halo), bit-identical.
 * @module
 */
import { releaseBuffers } from "../io/release.ts";
import { checkMode, outputArray } from "./gaussian.ts";
import { gaussianKernel1d } from "./gaussian_kernel.ts";
import { voxelCount } from "../io/box.ts";
import { normaliseRegion, type RegionSpec, wholeRegion } from "./region.ts";
import { separableRegion } from "./separable.ts";
import { haloVoxels, resolveSigma3 } from "./sigma.ts";

/** Options of the difference of Gaussians; sigmas in voxels. */
export interface DifferenceOfGaussiansOptions {
  /** Sigma of the narrow Gaussian (the one kept), one number or per axis. */
  sigmaLow: number | readonly number[];
  /** Sigma of the wide Gaussian (the one subtracted); CLEM-Reg uses 1.6 × sigmaLow. */
  sigmaHigh: number | readonly number[];
  /** Kernel half-width in sigmas (default 4). */
  truncate?: number;
  /** Boundary mode; only "reflect". */
  mode?: "reflect";
  /** Output array; allocated when absent. */
  out?: Float32Array;
}

/**
 * Difference of Gaussians of a whole volume.
 * @param image the volume (float32, C-ordered)
 * @param shape its shape (1 to 3 axes)
 * @param options sigmaLow, sigmaHigh (voxels), truncate, out
 * @returns G(sigmaLow) − G(sigmaHigh)
 * @example
 * ```ts
 * const dog = differenceOfGaussians(new Float32Array(512), [8, 8, 8], { sigmaLow: 1, sigmaHigh: 1.6 });
 * ```
 */
export function differenceOfGaussians(
  image: Float32Array,
  shape: readonly number[],
  options: DifferenceOfGaussiansOptions,
): Float32Array {
  return differenceOfGaussiansRegion(image, wholeRegion(shape), options);
}

/**
 * Difference of Gaussians of one region. The halo is that of the wider Gaussian:
 * `haloVoxels(sigmaHigh, truncate)` (per axis, the larger of the two radii).
 * @param input voxels of the input box
 * @param region input box, volume shape and output box
 * @param options sigmaLow, sigmaHigh (voxels), truncate, out
 * @returns the output box's voxels, bit-identical to the whole-volume result cropped
 * @throws {RangeError} when the input box misses voxels the output needs
 * @example
 * ```ts
 * const region = { inputBox: { start: [0], stop: [9] }, volumeShape: [9], outputBox: { start: [3], stop: [6] } };
 * differenceOfGaussiansRegion(new Float32Array(9), region, { sigmaLow: 1, sigmaHigh: 2 });
 * ```
 */
export function differenceOfGaussiansRegion(
  input: Float32Array,
  region: RegionSpec,
  options: DifferenceOfGaussiansOptions,
): Float32Array {
  const truncate = options.truncate ?? 4;
  checkMode(options.mode);
  const ndim = region.volumeShape.length;
  const low = resolveSigma3(options.sigmaLow, ndim);
  const high = resolveSigma3(options.sigmaHigh, ndim);
  const radiusLow = haloVoxels(low, truncate);
  const radiusHigh = haloVoxels(high, truncate);
  const halo = radiusLow.map((r, axis) => Math.max(r, radiusHigh[axis]!));
  const normalised = normaliseRegion(region, halo, input.length);
  const length = voxelCount(normalised.outShape);
  const out = outputArray(options.out, length);
  const kernelsLow = low.map((s, axis) => gaussianKernel1d(s, 0, radiusLow[axis]!));
  const kernelsHigh = high.map((s, axis) => gaussianKernel1d(s, 0, radiusHigh[axis]!));
  separableRegion(input, normalised, kernelsLow, out);
  const wide = new Float32Array(length);
  separableRegion(input, normalised, kernelsHigh, wide);
  for (let i = 0; i < length; i++) out[i] = out[i]! - wide[i]!;
  releaseBuffers([wide]); // scratch: freed now, not at the next garbage collection
  return out;
}
