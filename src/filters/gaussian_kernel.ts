/**
 * 1-D Gaussian kernels computed exactly as `scipy.ndimage._gaussian_kernel1d` does (same
 * formula, same normalisation with numpy's pairwise sum), so filters agree with scipy to the
 * last few bits.
 * @module
 */
import { SIGMA_EPSILON } from "./sigma.ts";

/**
 * A normalised 1-D Gaussian kernel (order 0) or its second derivative (order 2).
 * @param sigmaVoxels standard deviation in voxels; at or below 1e-15 the kernel is `[1]`
 * @param order 0 for smoothing, 2 for the second derivative
 * @param radius half-width: the kernel has `2 * radius + 1` taps
 * @returns the kernel, index `radius` is its centre
 * @example
 * ```ts
 * const kernel = gaussianKernel1d(2, 0, 8); // 17 taps summing to 1
 * ```
 */
export function gaussianKernel1d(sigmaVoxels: number, order: 0 | 2, radius: number): Float64Array {
  if (sigmaVoxels <= SIGMA_EPSILON) return Float64Array.of(1);
  const sigma2 = sigmaVoxels * sigmaVoxels;
  const size = 2 * radius + 1;
  const phi = new Float64Array(size);
  const scale = -0.5 / sigma2;
  for (let i = 0; i < size; i++) {
    const x = i - radius;
    phi[i] = Math.exp(scale * (x * x));
  }
  const sum = pairwiseSum(phi, 0, size);
  for (let i = 0; i < size; i++) phi[i] = phi[i]! / sum;
  if (order === 2) {
    // scipy's polynomial for order 2: q(x) = -1/sigma2 + x^2 * (1/sigma2)^2.
    const q0 = -1 / sigma2;
    const q2 = q0 * q0;
    for (let i = 0; i < size; i++) {
      const x = i - radius;
      phi[i] = phi[i]! * (q0 + (x * x) * q2);
    }
  }
  return phi;
}

/** numpy's pairwise summation of float64 (8 accumulators, blocks of 128), for equal rounding. */
function pairwiseSum(values: Float64Array, start: number, count: number): number {
  if (count < 8) {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += values[start + i]!;
    return sum;
  }
  if (count <= 128) {
    const r = new Float64Array(8);
    for (let j = 0; j < 8; j++) r[j] = values[start + j]!;
    let i = 8;
    for (; i < count - (count % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] = r[j]! + values[start + i + j]!;
    }
    let sum = ((r[0]! + r[1]!) + (r[2]! + r[3]!)) + ((r[4]! + r[5]!) + (r[6]! + r[7]!));
    for (; i < count; i++) sum += values[start + i]!;
    return sum;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return pairwiseSum(values, start, half) + pairwiseSum(values, start + half, count - half);
}
