/**
 * Auto-context features (as in ilastik's autocontext): the first stage's probability map,
 * smoothed at a few scales, with the Hessian eigenvalues of each smoothed map. They tell
 * round, filled blobs (mitochondria) from thin dark lines (membranes) that look alike pixel
 * by pixel. Optional z-context planes add the first stage's maps of the slices above and below
 * (their mean and their minimum, smoothed): a mitochondrion continues through neighbouring
 * sections, a dark patch of cytoplasm less often.
 * @module
 */
import {
  convolveSeparable2d,
  gaussianKernel1d,
  gaussianRadius,
  separableScratchLength,
} from "./gaussian_2d.ts";

/**
 * Number of context planes: the map itself + 3 per scale (+ 2 per z-context scale).
 * @param sigmasPx the smoothing scales
 * @param zSigmasPx smoothing scales of the neighbouring slices' maps (none: no z context)
 * @returns the count
 */
export function contextFeatureCount(
  sigmasPx: readonly number[],
  zSigmasPx: readonly number[] = [],
): number {
  return 1 + 3 * sigmasPx.length + 2 * zSigmasPx.length;
}

/**
 * Halo in pixels the context features need around a block, on top of the first stage's.
 * @param sigmasPx the smoothing scales
 * @param truncate kernel half-width in σ
 * @returns the radius
 */
export function contextRadius(
  sigmasPx: readonly number[],
  truncate: number,
  zSigmasPx: readonly number[] = [],
): number {
  let radius = 0;
  for (const sigma of sigmasPx) radius = Math.max(radius, gaussianRadius(sigma, truncate) + 1);
  for (const sigma of zSigmasPx) radius = Math.max(radius, gaussianRadius(sigma, truncate));
  return radius;
}

/**
 * Compute context planes of a probability slice into `out` (plane-major).
 * @param probability the first stage's output, `height × width`
 * @param height slice height
 * @param width slice width
 * @param sigmasPx smoothing scales in pixels
 * @param truncate kernel half-width in σ
 * @param out receives `contextFeatureCount(sigmasPx) × height × width` floats
 */
export function computeContextFeatures(
  probability: Float32Array,
  height: number,
  width: number,
  sigmasPx: readonly number[],
  truncate: number,
  out: Float32Array,
): void {
  const pixels = height * width;
  const scratch = new Float32Array(
    separableScratchLength(height, width, contextRadius(sigmasPx, truncate)),
  );
  out.set(probability.subarray(0, pixels), 0);
  for (let s = 0; s < sigmasPx.length; s++) {
    const base = (1 + 3 * s) * pixels;
    const smoothed = out.subarray(base, base + pixels);
    convolveSeparable2d(
      probability,
      smoothed,
      height,
      width,
      gaussianKernel1d(sigmasPx[s]!, truncate),
      scratch,
    );
    const large = base + pixels;
    const small = base + 2 * pixels;
    for (let y = 0; y < height; y++) {
      const up = (y === 0 ? 1 : y - 1) * width;
      const row = y * width;
      const down = (y === height - 1 ? height - 2 : y + 1) * width;
      for (let x = 0; x < width; x++) {
        const left = x === 0 ? 1 : x - 1;
        const right = x === width - 1 ? width - 2 : x + 1;
        const center = smoothed[row + x]!;
        const dxx = smoothed[row + right]! - 2 * center + smoothed[row + left]!;
        const dyy = smoothed[down + x]! - 2 * center + smoothed[up + x]!;
        const dxy = 0.25 * (smoothed[down + right]! - smoothed[down + left]! -
          smoothed[up + right]! + smoothed[up + left]!);
        const half = 0.5 * (dxx + dyy);
        const diff = 0.5 * (dxx - dyy);
        const root = Math.sqrt(diff * diff + dxy * dxy);
        out[large + row + x] = half + root;
        out[small + row + x] = half - root;
      }
    }
  }
}

/**
 * Z-context planes of one slice into `out` (plane-major): for each scale, the smoothed mean
 * and the smoothed minimum of the first stage's maps of the slice below and the slice above.
 * At a volume's first or last slice, pass the one neighbour it has twice (mirror).
 * @param below first-stage map of the slice below, `height × width`
 * @param above first-stage map of the slice above
 * @param height slice height
 * @param width slice width
 * @param zSigmasPx smoothing scales in pixels
 * @param truncate kernel half-width in σ
 * @param out receives `2 × zSigmasPx.length × height × width` floats
 */
export function computeZContextFeatures(
  below: Float32Array,
  above: Float32Array,
  height: number,
  width: number,
  zSigmasPx: readonly number[],
  truncate: number,
  out: Float32Array,
): void {
  const pixels = height * width;
  const scratch = new Float32Array(
    separableScratchLength(height, width, contextRadius([], truncate, zSigmasPx)),
  );
  const mean = new Float32Array(pixels);
  const minimum = new Float32Array(pixels);
  for (let p = 0; p < pixels; p++) {
    const a = below[p]!;
    const b = above[p]!;
    mean[p] = 0.5 * (a + b);
    minimum[p] = a < b ? a : b;
  }
  for (let s = 0; s < zSigmasPx.length; s++) {
    const kernel = gaussianKernel1d(zSigmasPx[s]!, truncate);
    const base = 2 * s * pixels;
    convolveSeparable2d(mean, out.subarray(base, base + pixels), height, width, kernel, scratch);
    convolveSeparable2d(
      minimum,
      out.subarray(base + pixels, base + 2 * pixels),
      height,
      width,
      kernel,
      scratch,
    );
  }
}
