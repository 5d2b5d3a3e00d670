/**
 * Separable Gaussian filter matching `scipy.ndimage.gaussian_filter` (mode "reflect"), on a whole
 * volume or on a region (chunk + halo) with bit-identical results.
 * @module
 */
import { gaussianKernel1d } from "./gaussian_kernel.ts";
import { voxelCount } from "../io/box.ts";
import { normaliseRegion, type RegionSpec, wholeRegion } from "./region.ts";
import { separableRegion } from "./separable.ts";
import { haloVoxels, resolveSigma3 } from "./sigma.ts";

/** Options of the Gaussian filter, named as in scipy / scikit-image. */
export interface GaussianOptions {
  /** Standard deviation in voxels: one number for all axes, or one per axis (z, y, x). */
  sigma: number | readonly number[];
  /** Kernel half-width in sigmas (default 4): radius = int(truncate·sigma + 0.5). */
  truncate?: number;
  /** Boundary mode; only scipy's "reflect" (half-sample symmetric) is supported. */
  mode?: "reflect";
  /** Output array (length = output voxels); allocated when absent. */
  out?: Float32Array;
}

/**
 * Gaussian filter of a whole C-ordered volume (1 to 3 axes), as `scipy.ndimage.gaussian_filter`
 * with float32 input and output (within 1e-5 relative; typically bit-identical).
 * @param image the volume, C-ordered
 * @param shape its shape, e.g. `[z, y, x]`
 * @param options sigma in voxels, truncate, out
 * @returns the filtered volume
 * @throws {RangeError} when the shape, sigma or `out` do not fit
 * @example
 * ```ts
 * const smooth = gaussianFilter(new Float32Array(8 * 8 * 8).fill(1), [8, 8, 8], { sigma: 2 });
 * ```
 */
export function gaussianFilter(
  image: Float32Array,
  shape: readonly number[],
  options: GaussianOptions,
): Float32Array {
  return gaussianFilterRegion(image, wholeRegion(shape), options);
}

/**
 * Gaussian filter of one region: `input` holds `region.inputBox` (the output box plus
 * `haloVoxels(sigma, truncate)`, clipped at the volume edges — see `haloBox`); the result holds
 * `region.outputBox` and is bit-identical to filtering the whole volume and cropping.
 * @param input voxels of the input box, C-ordered
 * @param region input box, volume shape and output box
 * @param options sigma in voxels, truncate, out
 * @returns the output box's voxels
 * @throws {RangeError} when the input box misses voxels the output needs
 * @example
 * ```ts
 * const volumeShape = [16, 16, 16];
 * const volume = new Float32Array(16 ** 3).fill(1);
 * const outputBox = { start: [0, 0, 8], stop: [16, 16, 16] };
 * const inputBox = haloBox(outputBox, volumeShape, haloVoxels([1, 1, 1]));
 * // crop `volume` to inputBox, then:
 * // gaussianFilterRegion(cropped, { inputBox, volumeShape, outputBox }, { sigma: 1 });
 * ```
 */
export function gaussianFilterRegion(
  input: Float32Array,
  region: RegionSpec,
  options: GaussianOptions,
): Float32Array {
  const truncate = options.truncate ?? 4;
  checkMode(options.mode);
  const sigma = resolveSigma3(options.sigma, region.volumeShape.length);
  const radius = haloVoxels(sigma, truncate);
  const normalised = normaliseRegion(region, radius, input.length);
  const out = outputArray(options.out, voxelCount(normalised.outShape));
  const kernels = sigma.map((s, axis) => gaussianKernel1d(s, 0, radius[axis]!));
  separableRegion(input, normalised, kernels, out);
  return out;
}

/** Reject boundary modes other than "reflect". */
export function checkMode(mode: string | undefined): void {
  if (mode !== undefined && mode !== "reflect") {
    throw new RangeError(`Cannot filter: mode must be "reflect", got "${mode}"`);
  }
}

/** The caller's output array when its length fits, else a new one. */
export function outputArray(out: Float32Array | undefined, length: number): Float32Array {
  if (out === undefined) return new Float32Array(length);
  if (out.length !== length) {
    throw new RangeError(`Cannot filter: out has ${out.length} voxels, output needs ${length}`);
  }
  return out;
}
