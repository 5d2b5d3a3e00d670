/**
 * A small separable Gaussian blur for the sample's FM PSF (edge mode "nearest", kernel
 * truncated at 4σ), vectorised along x rows so z and y passes stay cache-friendly.
 * @module
 */

/**
 * Blur a float32 volume with an anisotropic Gaussian.
 *
 * @param volume C-ordered (z, y, x) data; left unchanged.
 * @param shape (z, y, x).
 * @param sigmaVoxels σ per axis in voxels (0 skips an axis).
 * @returns A new blurred volume.
 */
export function gaussianBlur(
  volume: Float32Array,
  shape: readonly [number, number, number],
  sigmaVoxels: readonly [number, number, number],
): Float32Array {
  const [nz, ny, nx] = shape;
  let source: Float32Array = volume;
  let target: Float32Array = new Float32Array(volume.length);
  const strides = [ny * nx, nx, 1];
  for (let axis = 0; axis < 3; axis++) {
    const sigma = sigmaVoxels[axis]!;
    if (!(sigma > 0)) continue;
    const radius = Math.ceil(4 * sigma);
    const weights = new Float32Array(2 * radius + 1);
    let total = 0;
    for (let k = -radius; k <= radius; k++) {
      total += weights[k + radius] = Math.exp(-(k * k) / (2 * sigma * sigma));
    }
    for (let k = 0; k < weights.length; k++) weights[k]! /= total;
    const length = shape[axis]!;
    const stride = strides[axis]!;
    if (axis === 2) {
      blurRows(source, target, nz * ny, nx, weights, radius);
    } else {
      // Lines along z or y: combine whole x-rows, for each outer index.
      const outer = axis === 0 ? 1 : nz;
      const outerStride = axis === 0 ? 0 : ny * nx;
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < length; i++) {
          const out = o * outerStride + i * stride;
          target.fill(0, out, out + (axis === 0 ? ny * nx : nx));
          const span = axis === 0 ? ny * nx : nx;
          for (let k = -radius; k <= radius; k++) {
            const j = i + k < 0 ? 0 : i + k >= length ? length - 1 : i + k;
            const w = weights[k + radius]!;
            const input = o * outerStride + j * stride;
            for (let x = 0; x < span; x++) target[out + x]! += w * source[input + x]!;
          }
        }
      }
    }
    if (source === volume) {
      source = target;
      target = new Float32Array(volume.length);
    } else {
      [source, target] = [target, source];
    }
  }
  return source === volume ? volume.slice() : source;
}

function blurRows(
  source: Float32Array,
  target: Float32Array,
  rows: number,
  nx: number,
  weights: Float32Array,
  radius: number,
): void {
  const padded = new Float32Array(nx + 2 * radius);
  for (let r = 0; r < rows; r++) {
    const start = r * nx;
    for (let i = 0; i < padded.length; i++) {
      const x = i - radius;
      padded[i] = source[start + (x < 0 ? 0 : x >= nx ? nx - 1 : x)]!;
    }
    for (let x = 0; x < nx; x++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k]! * padded[x + k]!;
      target[start + x] = sum;
    }
  }
}
