/**
 * Sigma conversions shared by the Gaussian family: physical units to voxels, and the halo
 * (kernel radius) a chunk needs so that chunked results equal whole-volume results.
 * @module
 */

/** Below this a sigma counts as zero and the axis is left unfiltered (as in scipy). */
export const SIGMA_EPSILON = 1e-15;

/**
 * Kernel radius per axis, scipy's rule: `int(truncate * sigma + 0.5)`, 0 where sigma ≈ 0.
 * A chunk read with this halo (clipped at the volume edges) gives bit-identical results.
 * @param sigmaVoxels sigma in voxels, per axis or one number
 * @param truncate kernel half-width in sigmas (default 4, as scipy)
 * @returns halo in voxels per axis (one entry when sigma is a number)
 * @example
 * ```ts
 * haloVoxels([1.5, 2, 2.5]); // [6, 8, 10]
 * ```
 */
export function haloVoxels(sigmaVoxels: number | readonly number[], truncate = 4): number[] {
  const sigmas = typeof sigmaVoxels === "number" ? [sigmaVoxels] : sigmaVoxels;
  return sigmas.map((sigma) => {
    if (!(sigma >= 0) || !Number.isFinite(sigma)) {
      throw new RangeError(`Cannot compute halo: sigma must be finite and >= 0, got ${sigma}`);
    }
    return sigma > SIGMA_EPSILON ? Math.floor(truncate * sigma + 0.5) : 0;
  });
}

/**
 * Convert a sigma in nanometres to voxels per axis, so anisotropic voxels are filtered
 * isotropically in space.
 * @param sigmaNm sigma in nm, one number (isotropic) or per axis
 * @param voxelSizeNm voxel size in nm per axis (z, y, x)
 * @returns sigma in voxels per axis
 * @example
 * ```ts
 * sigmaVoxels(390, [130, 35, 35]); // [3, 11.142857…, 11.142857…]
 * ```
 */
export function sigmaVoxels(
  sigmaNm: number | readonly number[],
  voxelSizeNm: readonly number[],
): number[] {
  return voxelSizeNm.map((size, axis) => {
    const sigma = typeof sigmaNm === "number" ? sigmaNm : sigmaNm[axis];
    if (sigma === undefined || !(size > 0)) {
      throw new RangeError(
        `Cannot convert sigma: need a sigma and a voxel size > 0 on axis ${axis}, got ${sigma} and ${size}`,
      );
    }
    return sigma / size;
  });
}

/**
 * Sigma per axis for a volume of `ndim` axes, padded on the left to three axes with 0.
 * @param sigma one number for every axis, or one per axis
 * @param ndim number of volume axes (1 to 3)
 * @throws {RangeError} on a length mismatch or a negative sigma
 */
export function resolveSigma3(sigma: number | readonly number[], ndim: number): number[] {
  const perAxis = typeof sigma === "number" ? new Array<number>(ndim).fill(sigma) : sigma.slice();
  if (perAxis.length !== ndim) {
    throw new RangeError(
      `Cannot filter: sigma has ${perAxis.length} entries, volume has ${ndim} axes`,
    );
  }
  haloVoxels(perAxis); // validates
  while (perAxis.length < 3) perAxis.unshift(0);
  return perAxis;
}
