/**
 * Laplacian of Gaussian matching `scipy.ndimage.gaussian_laplace` (mode "reflect"): the sum over
 * axes of the Gaussian-smoothed second derivative along that axis, summed in float32 in axis
 * order like scipy. Whole volume or region (chunk + halo), bit-identical.
 * @module
 */
import { checkMode, type GaussianOptions, outputArray } from "./gaussian.ts";
import { gaussianKernel1d } from "./gaussian_kernel.ts";
import { voxelCount } from "../io/box.ts";
import { releaseBuffers } from "../io/release.ts";
import { normaliseRegion, type RegionSpec, wholeRegion } from "./region.ts";
import { passX, passY, passZ, planPasses } from "./separable.ts";
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
  // Per axis a: smooth on the other axes, second derivative on a, summed in axis order. The
  // z-smoothed pass is shared by the y and x terms (same values, so the same bits).
  const plan = planPasses(normalised, radius);
  const first = 3 - ndim; // padding axes have no derivative term
  // intermediate passes and the term: scratch, freed at the end (not at the next collection)
  const scratch: Float32Array[] = [];
  const kept = <T extends Float32Array>(array: T): T => (scratch.push(array), array);
  const term = kept(new Float32Array(length));
  const zSmooth = first < 2 ? kept(passZ(input, plan, smooth[0]!)) : undefined;
  if (first === 0) {
    const z2 = kept(passZ(input, plan, second[0]!));
    passX(kept(passY(z2, plan, smooth[1]!)), plan, smooth[2]!, out);
  }
  if (first <= 1) {
    passX(kept(passY(zSmooth!, plan, second[1]!)), plan, smooth[2]!, first === 1 ? out : term);
    if (first === 0) addInto(out, term);
  }
  const pass2 = kept(passY(zSmooth ?? kept(passZ(input, plan, smooth[0]!)), plan, smooth[1]!));
  passX(pass2, plan, second[2]!, first === 2 ? out : term);
  if (first < 2) addInto(out, term);
  releaseBuffers(scratch);
  return out;
}

/** out += term, in float32 (numpy's in-place add of float32 arrays). */
function addInto(out: Float32Array, term: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = out[i]! + term[i]!;
}
