/**
 * Block reduction of a C-ordered n-D block by integer factors: the mean for
 * intensities (rounded for integer types), the mode for labels. Edge blocks reduce
 * only the voxels that exist.
 * @module
 */
import { allocate, dataTypeOf } from "./dtype.ts";
import type { TypedArray } from "./types.ts";
import { stridesOf, voxelCount } from "./box.ts";

/** How a pyramid level is made from the one above. */
export type DownsampleMethod = "mean" | "mode";

/**
 * Reduce `input` (shape `shape`) by `factors`; output shape is `ceil(shape / factors)`.
 * @param input C-ordered values
 * @param shape input shape
 * @param factors integer factor per axis (1 keeps the axis)
 * @param method `mean` or `mode`
 * @returns the reduced block, same data type
 */
export function downsampleBlock(
  input: TypedArray,
  shape: readonly number[],
  factors: readonly number[],
  method: DownsampleMethod,
): TypedArray {
  const rank = shape.length;
  if (rank >= 3 && factors.slice(0, rank - 3).every((f) => f === 1)) {
    return downsampleLeading3d(input, shape, factors, method);
  }
  return downsampleGeneric(input, shape, factors, method);
}

/** Fast path: leading axes (channels, time) kept, the last three reduced. */
function downsampleLeading3d(
  input: TypedArray,
  shape: readonly number[],
  factors: readonly number[],
  method: DownsampleMethod,
): TypedArray {
  const rank = shape.length;
  const [nz, ny, nx] = [shape[rank - 3]!, shape[rank - 2]!, shape[rank - 1]!];
  const [fz, fy, fx] = [factors[rank - 3] ?? 1, factors[rank - 2] ?? 1, factors[rank - 1] ?? 1];
  const [oz, oy, ox] = [Math.ceil(nz / fz), Math.ceil(ny / fy), Math.ceil(nx / fx)];
  const batches = voxelCount(shape.slice(0, rank - 3));
  const output = allocate(dataTypeOf(input), batches * oz * oy * ox);
  const isInteger = !(input instanceof Float32Array || input instanceof Float64Array);
  const values = new Float64Array(fz * fy * fx);
  let o = 0;
  for (let b = 0; b < batches; b++) {
    const base = b * nz * ny * nx;
    for (let z = 0; z < oz; z++) {
      const z0 = z * fz;
      const z1 = Math.min(z0 + fz, nz);
      for (let y = 0; y < oy; y++) {
        const y0 = y * fy;
        const y1 = Math.min(y0 + fy, ny);
        for (let x = 0; x < ox; x++, o++) {
          const x0 = x * fx;
          const x1 = Math.min(x0 + fx, nx);
          let sum = 0;
          let count = 0;
          for (let zz = z0; zz < z1; zz++) {
            for (let yy = y0; yy < y1; yy++) {
              const row = base + (zz * ny + yy) * nx;
              for (let xx = x0; xx < x1; xx++) {
                const value = input[row + xx]!;
                sum += value;
                values[count++] = value;
              }
            }
          }
          if (method === "mean") {
            output[o] = isInteger ? Math.round(sum / count) : sum / count;
          } else {
            output[o] = modeOfFirst(values, count);
          }
        }
      }
    }
  }
  return output;
}

function downsampleGeneric(
  input: TypedArray,
  shape: readonly number[],
  factors: readonly number[],
  method: DownsampleMethod,
): TypedArray {
  const outShape = shape.map((extent, axis) => Math.ceil(extent / (factors[axis] ?? 1)));
  const output = allocate(dataTypeOf(input), voxelCount(outShape));
  const inStrides = stridesOf(shape);
  const rank = shape.length;
  const isInteger = !(input instanceof Float32Array || input instanceof Float64Array);
  const outCounter = new Array<number>(rank).fill(0);
  const inner = new Array<number>(rank).fill(0);
  const values: number[] = [];
  const total = output.length;
  for (let o = 0; o < total; o++) {
    const start = outCounter.map((c, axis) => c * (factors[axis] ?? 1));
    const extent = start.map((s, axis) => Math.min(factors[axis] ?? 1, (shape[axis] ?? 0) - s));
    const count = voxelCount(extent);
    inner.fill(0);
    let sum = 0;
    values.length = 0;
    for (let n = 0; n < count; n++) {
      let offset = 0;
      for (let axis = 0; axis < rank; axis++) {
        offset += ((start[axis] ?? 0) + (inner[axis] ?? 0)) * (inStrides[axis] ?? 0);
      }
      const value = input[offset]!;
      if (method === "mean") sum += value;
      else values.push(value);
      for (let axis = rank - 1; axis >= 0; axis--) {
        inner[axis] = (inner[axis] ?? 0) + 1;
        if ((inner[axis] ?? 0) < (extent[axis] ?? 1)) break;
        inner[axis] = 0;
      }
    }
    output[o] = method === "mean"
      ? (isInteger ? Math.round(sum / count) : sum / count)
      : modeOf(values);
    for (let axis = rank - 1; axis >= 0; axis--) {
      outCounter[axis] = (outCounter[axis] ?? 0) + 1;
      if ((outCounter[axis] ?? 0) < (outShape[axis] ?? 1)) break;
      outCounter[axis] = 0;
    }
  }
  return output;
}

/** The most frequent of the first `count` values; ties go to the smallest. */
function modeOfFirst(values: Float64Array, count: number): number {
  const view = values.subarray(0, count).sort();
  let best = view[0] ?? 0;
  let bestCount = 0;
  let run = 0;
  for (let i = 0; i < count; i++) {
    run = i > 0 && view[i] === view[i - 1] ? run + 1 : 1;
    if (run > bestCount) {
      bestCount = run;
      best = view[i]!;
    }
  }
  return best;
}

/** The most frequent value; ties go to the smallest. */
function modeOf(values: number[]): number {
  values.sort((a, b) => a - b);
  let best = values[0] ?? 0;
  let bestCount = 0;
  let run = 0;
  for (let i = 0; i < values.length; i++) {
    run = i > 0 && values[i] === values[i - 1] ? run + 1 : 1;
    if (run > bestCount) {
      bestCount = run;
      best = values[i]!;
    }
  }
  return best;
}
