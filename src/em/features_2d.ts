/**
 * ilastik-style multi-scale 2-D pixel features of one normalised EM slice: intensity,
 * Gaussian smoothing, differences of Gaussians, gradient magnitude, Hessian eigenvalues and
 * structure-tensor eigenvalues. Every feature is rotation invariant, so the classifier sees
 * the same thing whatever the sectioning orientation.
 * @module
 */
import {
  convolveSeparable2d,
  gaussianKernel1d,
  gaussianRadius,
  separableScratchLength,
} from "./gaussian_2d.ts";

/** Which features to compute: scales in pixels of the model's voxel size. */
export interface FeatureSpec {
  /** Gaussian scales σ in pixels, ascending (e.g. 0.7, 1, 1.6, 3.5, 5). */
  sigmasPx: number[];
  /** Kernel half-width in σ (default 3). */
  truncate: number;
  /** Structure-tensor outer (integration) scale as a fraction of σ (vigra/ilastik: 0.5). */
  structureOuterRatio: number;
  /** Add the local standard deviation at each scale (texture: cristae). Default false. */
  localStd?: boolean;
  /** Structure-tensor eigenvalues at each scale (default true; false: 2 planes less a scale). */
  structureTensor?: boolean;
}

/** The default feature set of the built-in model. */
export const defaultFeatureSpec: FeatureSpec = {
  sigmasPx: [1, 1.6, 3.5, 5],
  truncate: 3,
  structureOuterRatio: 0.5,
};

/**
 * Number of feature planes for a spec: 1 intensity + 5 to 8 per scale
 * (smoothed, DoG, gradient magnitude, 2 Hessian eigenvalues, optionally the square roots of
 * the 2 structure-tensor eigenvalues, which keeps them in gradient units, and the local
 * standard deviation).
 * @param spec the feature spec
 * @returns the count
 */
export function featureCount(spec: FeatureSpec): number {
  return 1 + planesPerScale(spec) * spec.sigmasPx.length;
}

function planesPerScale(spec: FeatureSpec): number {
  return 5 + (spec.structureTensor === false ? 0 : 2) + (spec.localStd ? 1 : 0);
}

/**
 * How far (in pixels) a feature value reaches: a block needs this halo in y and x so that
 * its interior features equal whole-slice features exactly.
 * @param spec the feature spec
 * @returns the halo in pixels
 */
export function featureRadius(spec: FeatureSpec): number {
  let radius = 0;
  const structure = spec.structureTensor !== false;
  for (const sigma of spec.sigmasPx) {
    const outer = structure ? gaussianRadius(sigma * spec.structureOuterRatio, spec.truncate) : 0;
    radius = Math.max(radius, gaussianRadius(sigma, spec.truncate) + 1 + outer);
  }
  return radius;
}

/** The larger and smaller eigenvalue of the symmetric matrix [[a, b], [b, c]]. */
function writeEigenvalues(
  a: number,
  b: number,
  c: number,
  out: Float32Array,
  largeAt: number,
  smallAt: number,
): void {
  const half = 0.5 * (a + c);
  const diff = 0.5 * (a - c);
  const root = Math.sqrt(diff * diff + b * b);
  out[largeAt] = half + root;
  out[smallAt] = half - root;
}

/** Square roots of the eigenvalues of a positive semi-definite [[a, b], [b, c]] (gradient units). */
function writeRootEigenvalues(
  a: number,
  b: number,
  c: number,
  out: Float32Array,
  largeAt: number,
  smallAt: number,
): void {
  const half = 0.5 * (a + c);
  const diff = 0.5 * (a - c);
  const root = Math.sqrt(diff * diff + b * b);
  out[largeAt] = Math.sqrt(half + root);
  const small = half - root;
  out[smallAt] = small > 0 ? Math.sqrt(small) : 0;
}

/**
 * Compute all feature planes of one `height × width` slice into `out`
 * (plane-major: feature f of pixel p is `out[f × height × width + p]`).
 * Borders are mirrored; derivatives are central differences of the smoothed slice.
 * @param slice normalised intensities, C order
 * @param height slice height in pixels
 * @param width slice width in pixels
 * @param spec which features
 * @param out receives `featureCount(spec) × height × width` floats
 */
export function computeFeatures2d(
  slice: Float32Array,
  height: number,
  width: number,
  spec: FeatureSpec,
  out: Float32Array,
): void {
  const pixels = height * width;
  const maxRadius = featureRadius(spec);
  const scratch = new Float32Array(separableScratchLength(height, width, maxRadius));
  const smoothed = new Float32Array(pixels);
  const structure = spec.structureTensor !== false;
  const tensor = new Float32Array(structure ? 3 * pixels : 0);
  const tensorSmoothed = new Float32Array(structure ? pixels : 0);
  const perScale = planesPerScale(spec);
  const squares = spec.localStd ? new Float32Array(pixels) : undefined;
  if (squares) { for (let p = 0; p < pixels; p++) squares[p] = slice[p]! * slice[p]!; }
  out.set(slice.subarray(0, pixels), 0);
  let previous = slice;
  const scales = spec.sigmasPx.length;
  for (let s = 0; s < scales; s++) {
    const sigma = spec.sigmasPx[s]!;
    const base = 1 + perScale * s;
    const kernel = gaussianKernel1d(sigma, spec.truncate);
    convolveSeparable2d(slice, smoothed, height, width, kernel, scratch);
    if (squares) {
      // Local standard deviation: sqrt(G(I²) − G(I)²), written straight into its plane.
      const stdPlane = out.subarray((base + perScale - 1) * pixels, (base + perScale) * pixels);
      convolveSeparable2d(squares, stdPlane, height, width, kernel, scratch);
      for (let p = 0; p < pixels; p++) {
        const variance = stdPlane[p]! - smoothed[p]! * smoothed[p]!;
        stdPlane[p] = variance > 0 ? Math.sqrt(variance) : 0;
      }
    }
    const smoothPlane = base * pixels;
    const dogPlane = (base + 1) * pixels;
    const gradPlane = (base + 2) * pixels;
    const hessPlane = (base + 3) * pixels;
    for (let p = 0; p < pixels; p++) {
      out[smoothPlane + p] = smoothed[p]!;
      out[dogPlane + p] = smoothed[p]! - previous[p]!;
    }
    previous = out.subarray(smoothPlane, smoothPlane + pixels);
    for (let y = 0; y < height; y++) {
      const up = (y === 0 ? 1 : y - 1) * width;
      const row = y * width;
      const down = (y === height - 1 ? height - 2 : y + 1) * width;
      for (let x = 0; x < width; x++) {
        const left = x === 0 ? 1 : x - 1;
        const right = x === width - 1 ? width - 2 : x + 1;
        const center = smoothed[row + x]!;
        const dx = 0.5 * (smoothed[row + right]! - smoothed[row + left]!);
        const dy = 0.5 * (smoothed[down + x]! - smoothed[up + x]!);
        const dxx = smoothed[row + right]! - 2 * center + smoothed[row + left]!;
        const dyy = smoothed[down + x]! - 2 * center + smoothed[up + x]!;
        const dxy = 0.25 * (smoothed[down + right]! - smoothed[down + left]! -
          smoothed[up + right]! + smoothed[up + left]!);
        const p = row + x;
        out[gradPlane + p] = Math.sqrt(dx * dx + dy * dy);
        writeEigenvalues(dxx, dxy, dyy, out, hessPlane + p, hessPlane + pixels + p);
        if (structure) {
          tensor[p] = dx * dx;
          tensor[pixels + p] = dx * dy;
          tensor[2 * pixels + p] = dy * dy;
        }
      }
    }
    if (!structure) continue;
    const outerKernel = gaussianKernel1d(sigma * spec.structureOuterRatio, spec.truncate);
    const structPlane = (base + 5) * pixels;
    for (let component = 0; component < 3; component++) {
      convolveSeparable2d(
        tensor.subarray(component * pixels, (component + 1) * pixels),
        tensorSmoothed,
        height,
        width,
        outerKernel,
        scratch,
      );
      tensor.set(tensorSmoothed, component * pixels);
    }
    for (let p = 0; p < pixels; p++) {
      writeRootEigenvalues(
        tensor[p]!,
        tensor[pixels + p]!,
        tensor[2 * pixels + p]!,
        out,
        structPlane + p,
        structPlane + pixels + p,
      );
    }
  }
}
