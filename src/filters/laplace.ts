/**
 * Laplacian of Gaussian matching `scipy.ndimage.gaussian_laplace` (mode "reflect"): the sum over
 * axes of the Gaussian-smoothed second derivative along that axis, summed in float32 in axis
 * order like scipy. Whole volume or region (chunk + halo), bit-identical.
 * @module
 */
import { checkMode, type GaussianOptions, outputArray } from "./gaussian.ts";
import { gaussianKernel1d } from "./gaussian_kernel.ts";
import { normaliseRegion, type RegionSpec, voxelCount, wholeRegion } from "./region.ts";
import { separableRegion } from "./separable.ts";
import { haloVoxels, resolveSigma3 } from "./sigma.ts";

/**
 * Laplacian of Gaussian of a whole C-ordered volume, as `scipy.ndimage.gaussian_laplace`.
 * @param image the volume (float32)
 * @param shape its shape (1 to 3 axes)
 * @param options sigma in voxels, truncate, out
 * @returns the filtered volume
 * @example
 * ```ts
 * const log = laplaceOfGaussian(new Float32Array(8 * 8 * 8), [8, 8, 8], { sigma: 2 });
 * ```
 */
export function laplaceOfGaussian(
  image: Float32Array,
  shape: readonly number[],
  options: GaussianOptions,
): Float32Array {
  return laplaceOfGaussianRegion(image, wholeRegion(shape), options);
}

/**
 * Laplacian of Gaussian of one region; same halo as the Gaussian (`haloVoxels(sigma)`),
 * bit-identical to the whole-volume result cropped to `region.outputBox`.
 * @param input voxels of the input box
 * @param region input box, volume shape and output box
 * @param options sigma in voxels, truncate, out
 * @returns the output box's voxels
 * @throws {RangeError} when the input box misses voxels the output needs
 * @example
 * ```ts
 * const region = { inputBox: { start: [0], stop: [9] }, volumeShape: [9], outputBox: { start: [3], stop: [6] } };
 * laplaceOfGaussianRegion(new Float32Array(9), region, { sigma: 1 });
 * ```
 */
export function laplaceOfGaussianRegion(
  input: Float32Array,
  region: RegionSpec,
  options: GaussianOptions,
): Float32Array {
  const truncate = options.truncate ?? 4;
  checkMode(options.mode);
  const ndim = region.volumeShape.length;
  const sigma = resolveSigma3(options.sigma, ndim);
  const radius = haloVoxels(sigma, truncate);
  const normalised = normaliseRegion(region, radius, input.length);
  const length = voxelCount(normalised.outShape);
  const out = outputArray(options.out, length);
  const smooth = sigma.map((s, axis) => gaussianKernel1d(s, 0, radius[axis]!));
  const second = sigma.map((s, axis) => gaussianKernel1d(s, 2, radius[axis]!));
  const term = new Float32Array(length);
  // Only the volume's own axes contribute (padding axes have no derivative).
  for (let axis = 3 - ndim; axis < 3; axis++) {
    const kernels = smooth.slice();
    kernels[axis] = second[axis]!;
    separableRegion(input, normalised, kernels, axis === 3 - ndim ? out : term);
    if (axis === 3 - ndim) continue;
    for (let i = 0; i < length; i++) out[i] = out[i]! + term[i]!;
  }
  return out;
}
