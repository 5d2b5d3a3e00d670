/**
 * Separable 2-D Gaussian smoothing of one float32 slice, with mirror ("reflect") borders,
 * written so a pixel's value depends only on pixels within the kernel radius: a block
 * filtered with a halo of that radius gives exactly the whole-slice values in its interior.
 * @module
 */

/**
 * The radius (in pixels) of the truncated Gaussian kernel for `sigma`.
 * @param sigma standard deviation in pixels
 * @param truncate kernel half-width in standard deviations (scipy's `truncate`)
 * @returns `ceil(truncate × sigma)`, at least 1
 */
export function gaussianRadius(sigma: number, truncate = 3): number {
  return Math.max(1, Math.ceil(truncate * sigma));
}

/**
 * A normalised 1-D Gaussian kernel of length `2 × radius + 1`.
 * @param sigma standard deviation in pixels (> 0)
 * @param truncate kernel half-width in standard deviations
 * @returns the kernel taps, summing to 1
 * @throws {RangeError} when sigma is not positive
 */
export function gaussianKernel1d(sigma: number, truncate = 3): Float32Array {
  if (!(sigma > 0)) throw new RangeError(`Cannot build a Gaussian kernel: sigma is ${sigma}`);
  const radius = gaussianRadius(sigma, truncate);
  const taps = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const weight = Math.exp(-0.5 * (i * i) / (sigma * sigma));
    taps[i + radius] = weight;
    sum += weight;
  }
  const kernel = new Float32Array(taps.length);
  for (let i = 0; i < taps.length; i++) kernel[i] = taps[i]! / sum;
  return kernel;
}

/** Mirror an index into `[0, size)` the way scipy.ndimage's `reflect` mode does (edge repeated). */
function reflectIndex(index: number, size: number): number {
  const period = 2 * size;
  let i = index % period;
  if (i < 0) i += period;
  return i < size ? i : period - 1 - i;
}

/**
 * Smooth a `height × width` slice with a separable kernel: rows (x) first, then columns (y).
 * `source` and `target` may not alias; `scratch` needs `(width + 2r) + height × width` floats.
 * @param source the slice, C order (x fastest)
 * @param target receives the smoothed slice
 * @param height slice height in pixels
 * @param width slice width in pixels
 * @param kernel odd-length 1-D kernel applied along both axes
 * @param scratch reusable buffer, see {@linkcode separableScratchLength}
 */
export function convolveSeparable2d(
  source: Float32Array,
  target: Float32Array,
  height: number,
  width: number,
  kernel: Float32Array,
  scratch: Float32Array,
): void {
  const radius = (kernel.length - 1) >> 1;
  const line = scratch.subarray(0, Math.max(width, height) + 2 * radius);
  const rowsDone = scratch.subarray(line.length, line.length + height * width);
  const center = kernel[radius]!;
  // Along x: copy each row with mirrored margins, then accumulate tap by tap over the whole
  // row (streaming loops over contiguous floats run ~3x faster in V8 than per-pixel sums).
  for (let y = 0; y < height; y++) {
    const rowStart = y * width;
    for (let i = 0; i < radius; i++) {
      line[i] = source[rowStart + reflectIndex(i - radius, width)]!;
      line[width + radius + i] = source[rowStart + reflectIndex(width + i, width)]!;
    }
    for (let x = 0; x < width; x++) line[x + radius] = source[rowStart + x]!;
    for (let x = 0; x < width; x++) rowsDone[rowStart + x] = center * line[x + radius]!;
    for (let k = 1; k <= radius; k++) {
      const weight = kernel[radius + k]!;
      const low = radius - k;
      const high = radius + k;
      for (let x = 0; x < width; x++) {
        rowsDone[rowStart + x] = rowsDone[rowStart + x]! +
          weight * (line[low + x]! + line[high + x]!);
      }
    }
  }
  // Along y: the same, whole rows at a time, rows mirrored at the edges.
  for (let y = 0; y < height; y++) {
    const targetStart = y * width;
    for (let x = 0; x < width; x++) target[targetStart + x] = center * rowsDone[targetStart + x]!;
    for (let k = 1; k <= radius; k++) {
      const weight = kernel[radius + k]!;
      const above = reflectIndex(y - k, height) * width;
      const below = reflectIndex(y + k, height) * width;
      for (let x = 0; x < width; x++) {
        target[targetStart + x] = target[targetStart + x]! +
          weight * (rowsDone[above + x]! + rowsDone[below + x]!);
      }
    }
  }
}

/**
 * The scratch length {@linkcode convolveSeparable2d} needs for a slice and kernel radius.
 * @param height slice height
 * @param width slice width
 * @param radius largest kernel radius that will be used
 * @returns number of float32 elements
 */
export function separableScratchLength(height: number, width: number, radius: number): number {
  return Math.max(width, height) + 2 * radius + height * width;
}
