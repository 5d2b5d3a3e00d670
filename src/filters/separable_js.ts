/**
 * Plain TypeScript reference of the separable engine (the WebAssembly version in
 * `separable.ts` must give the same bits): three 1-D passes (z, then y, then x) of
 * symmetric kernels over a region, with float64 accumulation and float32 results between
 * passes, in scipy's per-voxel summation order. Each output voxel depends only on input values
 * and that fixed order, never on the region's edges, so chunked results are bit-identical to a
 * whole-volume run; boundary reflection (scipy "reflect", half-sample symmetric) uses the true
 * volume edges.
 * @module
 */
import type { Region3 } from "./region.ts";

/**
 * Correlate a region with three symmetric kernels, one per axis (z, y, x), in TypeScript.
 * @param input the input box's voxels, C-ordered
 * @param region normalised region (from `normaliseRegion`)
 * @param kernels odd-length symmetric kernels per axis; `[1]` leaves the axis as is
 * @param out receives the output box's voxels
 */
export function separableRegionJs(
  input: Float32Array,
  region: Region3,
  kernels: readonly Float64Array[],
  out: Float32Array,
): void {
  const plan = planPasses(region, kernels.map((kernel) => (kernel.length - 1) >> 1));
  const pass1 = passZ(input, plan, kernels[0]!);
  const pass2 = passY(pass1, plan, kernels[1]!);
  passX(pass2, plan, kernels[2]!, out);
}

/** Boxes of the two intermediate results and the scratch buffers, for one region. */
export interface PassPlan {
  region: Region3;
  start1: number[];
  shape1: number[];
  start2: number[];
  shape2: number[];
  scratch: RowScratch;
}

/**
 * Plan the passes of a region for kernels of the given radii (z, y, x): the z pass covers the
 * output box grown by the y and x radii (clipped), the y pass the output box grown in x.
 */
export function planPasses(region: Region3, radius: readonly number[]): PassPlan {
  const { volume, outStart, outShape } = region;
  const start1 = [outStart[0]!, 0, 0];
  const shape1 = [outShape[0]!, 0, 0];
  for (let axis = 1; axis < 3; axis++) {
    const lo = Math.max(0, outStart[axis]! - radius[axis]!);
    const hi = Math.min(volume[axis]!, outStart[axis]! + outShape[axis]! + radius[axis]!);
    start1[axis] = lo;
    shape1[axis] = hi - lo;
  }
  const start2 = [outStart[0]!, outStart[1]!, start1[2]!];
  const shape2 = [outShape[0]!, outShape[1]!, shape1[2]!];
  const maxRadius = Math.max(radius[0]!, radius[1]!);
  const scratch: RowScratch = {
    acc: new Float64Array(Math.max(shape1[2]!, 1)),
    minus: new Int32Array(maxRadius + 1),
    plus: new Int32Array(maxRadius + 1),
  };
  return { region, start1, shape1, start2, shape2, scratch };
}

/** First pass (along z) of the input box. */
export function passZ(input: Float32Array, plan: PassPlan, kernel: Float64Array): Float32Array {
  const { region, start1, shape1 } = plan;
  const pass1 = new Float32Array(shape1[0]! * shape1[1]! * shape1[2]!);
  const { inStart, inShape, volume } = region;
  rowPass(plan.scratch, input, inStart, inShape, pass1, start1, shape1, 0, volume, kernel);
  return pass1;
}

/** Second pass (along y) of a `passZ` result. */
export function passY(pass1: Float32Array, plan: PassPlan, kernel: Float64Array): Float32Array {
  const { region, start1, shape1, start2, shape2 } = plan;
  const pass2 = new Float32Array(shape2[0]! * shape2[1]! * shape2[2]!);
  rowPass(plan.scratch, pass1, start1, shape1, pass2, start2, shape2, 1, region.volume, kernel);
  return pass2;
}

/** Last pass (along x) of a `passY` result into the output box. */
export function passX(
  pass2: Float32Array,
  plan: PassPlan,
  kernel: Float64Array,
  out: Float32Array,
): void {
  const { region, start2, shape2 } = plan;
  linePass(pass2, start2, shape2, out, region.outStart, region.outShape, region.volume, kernel);
}

/** Scratch buffers for row passes, allocated once per call. */
export interface RowScratch {
  acc: Float64Array;
  minus: Int32Array;
  plus: Int32Array;
}

/** Pass along axis 0 or 1: whole x-rows combined at once (contiguous, independent voxels). */
function rowPass(
  scratch: RowScratch,
  src: Float32Array,
  srcStart: readonly number[],
  srcShape: readonly number[],
  dst: Float32Array,
  dstStart: readonly number[],
  dstShape: readonly number[],
  axis: 0 | 1,
  volumeShape: readonly number[],
  kernel: Float64Array,
): void {
  const { acc, minus, plus } = scratch;
  const r = (kernel.length - 1) >> 1;
  const n = dstShape[2]!;
  const xOffset = dstStart[2]! - srcStart[2]!;
  const srcPlane = srcShape[1]! * srcShape[2]!;
  const srcRow = srcShape[2]!;
  const axisStride = axis === 0 ? srcPlane : srcRow;
  const size = volumeShape[axis]!;
  let d = 0;
  for (let z = 0; z < dstShape[0]!; z++) {
    for (let y = 0; y < dstShape[1]!; y++) {
      const gz = dstStart[0]! + z;
      const gy = dstStart[1]! + y;
      const g = axis === 0 ? gz : gy;
      // Row offset in src with the filtered axis' coordinate left at the box start.
      const base = axis === 0
        ? (gy - srcStart[1]!) * srcRow + xOffset
        : (gz - srcStart[0]!) * srcPlane + xOffset;
      const first = srcStart[axis]!;
      for (let j = 0; j <= r; j++) {
        minus[j] = base + (reflect(g - j, size) - first) * axisStride;
        plus[j] = base + (reflect(g + j, size) - first) * axisStride;
      }
      combineRows(src, minus, plus, kernel, r, acc, dst, d, n);
      d += n;
    }
  }
}

/**
 * dst[d + x] = c[x]·w0 + Σ_{j=r..1} (m_j[x] + p_j[x])·w_j, accumulated in float64 in that order
 * (scipy's). The first r mod 4 taps go with the centre, then blocks of 4 taps per sweep; the
 * last sweep stores to dst.
 */
function combineRows(
  src: Float32Array,
  minus: Int32Array,
  plus: Int32Array,
  kernel: Float64Array,
  r: number,
  acc: Float64Array,
  dst: Float32Array,
  d: number,
  n: number,
): void {
  const c = minus[0]!;
  const w0 = kernel[r]!;
  const rest = r & 3;
  const onlySweep = r < 4;
  const ma = minus[r]!, pa = plus[r]!, wa = kernel[0]!;
  const mb = minus[r - 1 < 0 ? 0 : r - 1]!,
    pb = plus[r - 1 < 0 ? 0 : r - 1]!,
    wb = kernel[1 % kernel.length]!;
  const mc = minus[r - 2 < 0 ? 0 : r - 2]!,
    pc = plus[r - 2 < 0 ? 0 : r - 2]!,
    wc = kernel[2 % kernel.length]!;
  for (let x = 0; x < n; x++) {
    let a = src[c + x]! * w0;
    if (rest > 0) a += (src[ma + x]! + src[pa + x]!) * wa;
    if (rest > 1) a += (src[mb + x]! + src[pb + x]!) * wb;
    if (rest > 2) a += (src[mc + x]! + src[pc + x]!) * wc;
    if (onlySweep) dst[d + x] = a;
    else acc[x] = a;
  }
  for (let j = r - rest; j >= 4; j -= 4) {
    const m1 = minus[j]!, p1 = plus[j]!, w1 = kernel[r - j]!;
    const m2 = minus[j - 1]!, p2 = plus[j - 1]!, w2 = kernel[r - j + 1]!;
    const m3 = minus[j - 2]!, p3 = plus[j - 2]!, w3 = kernel[r - j + 2]!;
    const m4 = minus[j - 3]!, p4 = plus[j - 3]!, w4 = kernel[r - j + 3]!;
    if (j === 4) {
      for (let x = 0; x < n; x++) {
        let a = acc[x]!;
        a += (src[m1 + x]! + src[p1 + x]!) * w1;
        a += (src[m2 + x]! + src[p2 + x]!) * w2;
        a += (src[m3 + x]! + src[p3 + x]!) * w3;
        a += (src[m4 + x]! + src[p4 + x]!) * w4;
        dst[d + x] = a;
      }
    } else {
      for (let x = 0; x < n; x++) {
        let a = acc[x]!;
        a += (src[m1 + x]! + src[p1 + x]!) * w1;
        a += (src[m2 + x]! + src[p2 + x]!) * w2;
        a += (src[m3 + x]! + src[p3 + x]!) * w3;
        a += (src[m4 + x]! + src[p4 + x]!) * w4;
        acc[x] = a;
      }
    }
  }
}

/** Pass along axis 2: each row gathered (with reflection) into a float64 line, 4 outputs at once. */
function linePass(
  src: Float32Array,
  srcStart: readonly number[],
  srcShape: readonly number[],
  dst: Float32Array,
  dstStart: readonly number[],
  dstShape: readonly number[],
  volumeShape: readonly number[],
  kernel: Float64Array,
): void {
  const r = (kernel.length - 1) >> 1;
  const n = dstShape[2]!;
  const size = volumeShape[2]!;
  const span = n + 2 * r;
  const gather = new Int32Array(span);
  for (let k = 0; k < span; k++) gather[k] = reflect(dstStart[2]! - r + k, size) - srcStart[2]!;
  const line = new Float64Array(span);
  const srcRow = srcShape[2]!;
  const srcPlane = srcShape[1]! * srcRow;
  const w0 = kernel[r]!;
  let d = 0;
  for (let z = 0; z < dstShape[0]!; z++) {
    for (let y = 0; y < dstShape[1]!; y++) {
      const rowStart = (dstStart[0]! + z - srcStart[0]!) * srcPlane +
        (dstStart[1]! + y - srcStart[1]!) * srcRow;
      for (let k = 0; k < span; k++) line[k] = src[rowStart + gather[k]!]!;
      let i = 0;
      for (; i + 4 <= n; i += 4) {
        const c = i + r;
        let a0 = line[c]! * w0, a1 = line[c + 1]! * w0;
        let a2 = line[c + 2]! * w0, a3 = line[c + 3]! * w0;
        for (let j = r; j >= 1; j--) {
          const w = kernel[r - j]!;
          a0 += (line[c - j]! + line[c + j]!) * w;
          a1 += (line[c + 1 - j]! + line[c + 1 + j]!) * w;
          a2 += (line[c + 2 - j]! + line[c + 2 + j]!) * w;
          a3 += (line[c + 3 - j]! + line[c + 3 + j]!) * w;
        }
        dst[d + i] = a0;
        dst[d + i + 1] = a1;
        dst[d + i + 2] = a2;
        dst[d + i + 3] = a3;
      }
      for (; i < n; i++) {
        const c = i + r;
        let a = line[c]! * w0;
        for (let j = r; j >= 1; j--) a += (line[c - j]! + line[c + j]!) * kernel[r - j]!;
        dst[d + i] = a;
      }
      d += n;
    }
  }
}

/** scipy "reflect" (half-sample symmetric, period 2n) index into [0, n). */
export function reflect(index: number, size: number): number {
  if (index >= 0 && index < size) return index;
  const period = 2 * size;
  let m = index % period;
  if (m < 0) m += period;
  return m < size ? m : period - 1 - m;
}
