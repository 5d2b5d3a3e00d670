/**
 * The kernels of the built-in EM CNN, forward and backward, on padded planes: a feature map of
 * `c` channels at `h × w` pixels is `c` planes of `(h + 2) × (w + 2)` floats whose one-pixel
 * border is zero, so a 3×3 "same" convolution needs no bounds tests (zero padding). All kernels
 * take their output buffers (no allocation); plain TypeScript, one thread.
 * @module
 */

/** Size of one padded plane of `h × w` pixels. */
export function paddedPlane(h: number, w: number): number {
  return (h + 2) * (w + 2);
}

/**
 * A 3×3 "same" convolution over the concatenation of `inputs` (each `channels[i]` padded
 * planes), adding into the interior of `out` (`cout` padded planes, border left untouched).
 * Weights are `[cout][cin][3][3]`; `out` must hold the bias (or anything to add to) already.
 * @param inputs the input maps (their channels concatenated in order)
 * @param channels channel count of each input
 * @param h height in pixels
 * @param w width in pixels
 * @param weights `cout × cin × 9` floats
 * @param cout output channels
 * @param out `cout` padded planes, added to
 */
export function conv3x3Add(
  inputs: Float32Array[],
  channels: number[],
  h: number,
  w: number,
  weights: Float32Array,
  cout: number,
  out: Float32Array,
): void {
  const stride = w + 2;
  const plane = paddedPlane(h, w);
  const cin = channels.reduce((a, b) => a + b, 0);
  for (let co = 0; co < cout; co++) {
    const o0 = co * plane + stride + 1;
    let ci = 0;
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i]!;
      for (let c = 0; c < channels[i]!; c++, ci++) {
        const k = (co * cin + ci) * 9;
        const w00 = weights[k]!, w01 = weights[k + 1]!, w02 = weights[k + 2]!;
        const w10 = weights[k + 3]!, w11 = weights[k + 4]!, w12 = weights[k + 5]!;
        const w20 = weights[k + 6]!, w21 = weights[k + 7]!, w22 = weights[k + 8]!;
        const base = c * plane;
        for (let y = 0; y < h; y++) {
          const r0 = base + y * stride;
          const r1 = r0 + stride;
          const r2 = r1 + stride;
          const o = o0 + y * stride;
          for (let x = 0; x < w; x++) {
            out[o + x] = out[o + x]! +
              w00 * input[r0 + x]! + w01 * input[r0 + x + 1]! + w02 * input[r0 + x + 2]! +
              w10 * input[r1 + x]! + w11 * input[r1 + x + 1]! + w12 * input[r1 + x + 2]! +
              w20 * input[r2 + x]! + w21 * input[r2 + x + 1]! + w22 * input[r2 + x + 2]!;
          }
        }
      }
    }
  }
}

/** Set the interior of each of `bias.length` padded planes to its bias (border zeroed). */
export function fillBias(out: Float32Array, bias: Float32Array, h: number, w: number): void {
  const stride = w + 2;
  const plane = paddedPlane(h, w);
  for (let c = 0; c < bias.length; c++) {
    const b = bias[c]!;
    out.fill(0, c * plane, (c + 1) * plane);
    for (let y = 1; y <= h; y++) {
      out.fill(b, c * plane + y * stride + 1, c * plane + y * stride + 1 + w);
    }
  }
}

/** ReLU in place over padded planes (the zero border stays zero). */
export function reluInPlace(values: Float32Array): void {
  for (let i = 0; i < values.length; i++) if (values[i]! < 0) values[i] = 0;
}

/**
 * 2×2 max pooling of `channels` padded planes of `h × w` (even) into planes of `h/2 × w/2`.
 */
export function maxPool2(
  input: Float32Array,
  channels: number,
  h: number,
  w: number,
  out: Float32Array,
): void {
  const [hh, wh] = [h >> 1, w >> 1];
  const [stride, strideOut] = [w + 2, wh + 2];
  const [plane, planeOut] = [paddedPlane(h, w), paddedPlane(hh, wh)];
  out.fill(0, 0, channels * planeOut);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < hh; y++) {
      const r = c * plane + (2 * y + 1) * stride + 1;
      const o = c * planeOut + (y + 1) * strideOut + 1;
      for (let x = 0; x < wh; x++) {
        const a = input[r + 2 * x]!, b = input[r + 2 * x + 1]!;
        const d = input[r + stride + 2 * x]!, e = input[r + stride + 2 * x + 1]!;
        out[o + x] = Math.max(Math.max(a, b), Math.max(d, e));
      }
    }
  }
}

/**
 * Backward of {@linkcode maxPool2}: each pooled gradient goes to the first maximum of its
 * 2×2 window (the input is needed to find it); `gradIn` is added to.
 */
export function maxPool2Backward(
  input: Float32Array,
  gradOut: Float32Array,
  channels: number,
  h: number,
  w: number,
  gradIn: Float32Array,
): void {
  const [hh, wh] = [h >> 1, w >> 1];
  const [stride, strideOut] = [w + 2, wh + 2];
  const [plane, planeOut] = [paddedPlane(h, w), paddedPlane(hh, wh)];
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < hh; y++) {
      const r = c * plane + (2 * y + 1) * stride + 1;
      const o = c * planeOut + (y + 1) * strideOut + 1;
      for (let x = 0; x < wh; x++) {
        const i = r + 2 * x;
        let best = i;
        if (input[i + 1]! > input[best]!) best = i + 1;
        if (input[i + stride]! > input[best]!) best = i + stride;
        if (input[i + stride + 1]! > input[best]!) best = i + stride + 1;
        gradIn[best] = gradIn[best]! + gradOut[o + x]!;
      }
    }
  }
}

/** Nearest-neighbour 2× upsampling of padded planes of `h × w` into planes of `2h × 2w`. */
export function upsample2(
  input: Float32Array,
  channels: number,
  h: number,
  w: number,
  out: Float32Array,
): void {
  const [stride, strideOut] = [w + 2, 2 * w + 2];
  const [plane, planeOut] = [paddedPlane(h, w), paddedPlane(2 * h, 2 * w)];
  out.fill(0, 0, channels * planeOut);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < 2 * h; y++) {
      const r = c * plane + ((y >> 1) + 1) * stride + 1;
      const o = c * planeOut + (y + 1) * strideOut + 1;
      for (let x = 0; x < 2 * w; x++) out[o + x] = input[r + (x >> 1)]!;
    }
  }
}

/** Backward of {@linkcode upsample2}: sums each 2×2 block of `gradOut` into `gradIn`. */
export function upsample2Backward(
  gradOut: Float32Array,
  channels: number,
  h: number,
  w: number,
  gradIn: Float32Array,
): void {
  const [stride, strideOut] = [w + 2, 2 * w + 2];
  const [plane, planeOut] = [paddedPlane(h, w), paddedPlane(2 * h, 2 * w)];
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < 2 * h; y++) {
      const r = c * plane + ((y >> 1) + 1) * stride + 1;
      const o = c * planeOut + (y + 1) * strideOut + 1;
      for (let x = 0; x < 2 * w; x++) {
        gradIn[r + (x >> 1)] = gradIn[r + (x >> 1)]! + gradOut[o + x]!;
      }
    }
  }
}

/**
 * A 1×1 convolution to one channel: `out = bias + Σ_c weights[c] · input[c]` on the interior
 * of `channels` padded planes (border zero).
 */
export function conv1x1To1(
  input: Float32Array,
  channels: number,
  h: number,
  w: number,
  weights: Float32Array,
  bias: number,
  out: Float32Array,
): void {
  const plane = paddedPlane(h, w);
  const stride = w + 2;
  out.fill(0);
  for (let y = 1; y <= h; y++) out.fill(bias, y * stride + 1, y * stride + 1 + w);
  for (let c = 0; c < channels; c++) {
    const weight = weights[c]!;
    const base = c * plane;
    for (let p = 0; p < plane; p++) out[p] = out[p]! + weight * input[base + p]!;
  }
}
