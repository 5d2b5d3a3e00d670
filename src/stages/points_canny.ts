/**
 * A small 2-D Canny edge detector after scikit-image's `feature.canny`: Gaussian smoothing
 * compensated at the image border, Sobel gradients, non-maximum suppression over four
 * directions, and hysteresis between a low and a high threshold (8-connected). Used by the
 * `clemreg` point-sampling preset, which runs it on every z slice of a mask.
 * @module
 */
import { gaussianKernel1d } from "../filters/gaussian_kernel.ts";

/** Options of {@link canny2d}. */
export interface CannyOptions {
  /** Gaussian σ in pixels (default 1). */
  sigma?: number;
  /** Hysteresis thresholds on the Sobel magnitude (default 0.1 and 0.2, skimage's for float images). */
  lowThreshold?: number;
  highThreshold?: number;
}

/**
 * Edges of a 2-D image.
 * @param image ny × nx values, row-major
 * @param ny rows
 * @param nx columns
 * @param options sigma, thresholds
 * @returns 1 on edge pixels (never on the outermost row or column, as skimage)
 * @example
 * ```ts
 * const square = new Float32Array(100);
 * for (let y = 3; y < 7; y++) for (let x = 3; x < 7; x++) square[y * 10 + x] = 1;
 * canny2d(square, 10, 10).reduce((a, b) => a + b, 0) > 0; // true
 * ```
 */
export function canny2d(
  image: Float32Array,
  ny: number,
  nx: number,
  options: CannyOptions = {},
): Uint8Array {
  const sigma = options.sigma ?? 1;
  const low = options.lowThreshold ?? 0.1, high = options.highThreshold ?? 0.2;
  const radius = Math.floor(4 * sigma + 0.5);
  const kernel = gaussianKernel1d(sigma, 0, radius);
  // Smooth image and a ones-mask with zero padding; their ratio undoes the border bleed.
  const smooth = blur(image, ny, nx, kernel, radius);
  const ones = blur(new Float32Array(ny * nx).fill(1), ny, nx, kernel, radius);
  for (let i = 0; i < smooth.length; i++) smooth[i] = smooth[i]! / (ones[i]! + 1e-12);
  const gy = new Float32Array(ny * nx), gx = new Float32Array(ny * nx);
  const magnitude = new Float32Array(ny * nx);
  const at = (y: number, x: number) =>
    smooth[Math.min(ny - 1, Math.max(0, y)) * nx + Math.min(nx - 1, Math.max(0, x))]!;
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      const i = y * nx + x;
      gy[i] = at(y + 1, x - 1) + 2 * at(y + 1, x) + at(y + 1, x + 1) -
        at(y - 1, x - 1) - 2 * at(y - 1, x) - at(y - 1, x + 1);
      gx[i] = at(y - 1, x + 1) + 2 * at(y, x + 1) + at(y + 1, x + 1) -
        at(y - 1, x - 1) - 2 * at(y, x - 1) - at(y + 1, x - 1);
      magnitude[i] = Math.hypot(gy[i]!, gx[i]!);
    }
  }
  // Non-maximum suppression along the gradient direction, quantised to 0°, 45°, 90°, 135°.
  const candidate = new Uint8Array(ny * nx);
  for (let y = 1; y < ny - 1; y++) {
    for (let x = 1; x < nx - 1; x++) {
      const i = y * nx + x;
      const m = magnitude[i]!;
      if (m < low) continue;
      const angle = ((Math.atan2(gy[i]!, gx[i]!) * 180) / Math.PI + 180) % 180;
      let step: number;
      if (angle < 22.5 || angle >= 157.5) step = 1;
      else if (angle < 67.5) step = nx + 1;
      else if (angle < 112.5) step = nx;
      else step = nx - 1;
      if (m >= magnitude[i + step]! && m >= magnitude[i - step]!) candidate[i] = m >= high ? 2 : 1;
    }
  }
  // Hysteresis: grow from strong pixels through weak ones (8-connected).
  const edges = new Uint8Array(ny * nx);
  const stack: number[] = [];
  for (let i = 0; i < candidate.length; i++) {
    if (candidate[i] !== 2 || edges[i]) continue;
    edges[i] = 1;
    stack.push(i);
    while (stack.length > 0) {
      const j = stack.pop()!;
      const y = Math.floor(j / nx), x = j - y * nx;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy, xx = x + dx;
          if (yy < 0 || yy >= ny || xx < 0 || xx >= nx) continue;
          const n = yy * nx + xx;
          if (candidate[n] !== 0 && edges[n] === 0) {
            edges[n] = 1;
            stack.push(n);
          }
        }
      }
    }
  }
  return edges;
}

/** Separable Gaussian with zero padding (skimage canny's mode="constant"). */
function blur(
  image: Float32Array,
  ny: number,
  nx: number,
  kernel: Float64Array,
  radius: number,
): Float32Array {
  const rows = new Float32Array(ny * nx), out = new Float32Array(ny * nx);
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      let sum = 0;
      for (let t = -radius; t <= radius; t++) {
        const xx = x + t;
        if (xx >= 0 && xx < nx) sum += kernel[t + radius]! * image[y * nx + xx]!;
      }
      rows[y * nx + x] = sum;
    }
  }
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      let sum = 0;
      for (let t = -radius; t <= radius; t++) {
        const yy = y + t;
        if (yy >= 0 && yy < ny) sum += kernel[t + radius]! * rows[yy * nx + x]!;
      }
      out[y * nx + x] = sum;
    }
  }
  return out;
}
