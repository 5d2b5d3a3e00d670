/**
 * This thread's WebAssembly instance of the separable passes (`src/wasm/separable_wat.ts`) and
 * the memory layout of one region: weights, reflection tables, four planes of the z pass, one
 * x-major plane of the y pass, the input slab (float32) and four output planes (rows padded
 * to 4 voxels). Memory grows once to the largest region seen.
 * @module
 */
import { instantiateEmbedded } from "../wasm/module_cache.ts";
import { SEPARABLE_WASM_BASE64 } from "../wasm/separable_wasm.ts";
import type { Region3 } from "./region.ts";
import { reflect } from "./separable_js.ts";

/** Bytes after every buffer: the passes read and write a few voxels past a row's end. */
const PAD_BYTES = 256;
/** Outputs the window passes compute together. */
const GROUP = 4;
/** Most bytes of wasm memory a region may lay out (larger ones run in TypeScript). */
const MAX_BYTES = 2 ** 31;

/** What a region needs from the engine. */
export interface SeparableLayout {
  /** The normalised region. */
  region: Region3;
  /** Kernel radius per axis (z, y, x). */
  radius: readonly number[];
  /** Most input planes a slab reads. */
  slabInputPlanes: number;
}

/** Runs the passes of one region, slab by slab. */
export interface SeparableEngine {
  /** Copy the input planes of a slab. */
  loadInput(planes: Float32Array): void;
  /**
   * All three passes of `count` (≤ 4) output planes from volume z `z` on, copied into `out` from
   * voxel `at` on; `lo` is the volume z of the slab's first input plane.
   */
  planes(z: number, count: number, lo: number, out: Float32Array, at: number): void;
}

/**
 * A row or plane stride of at least `bytes`: an odd number of 64-byte cache lines, so that the
 * many rows or planes one pass reads at once fall into different cache sets.
 */
function staggered(bytes: number): number {
  const lines = Math.ceil(bytes / 64);
  return 64 * (lines % 2 === 0 ? lines + 1 : lines);
}

type Pass = (...args: number[]) => void;

interface Instance {
  memory: WebAssembly.Memory;
  windowRows: Pass;
  windowTransposed: Pass;
  windowFloat32Transposed: Pass;
}

let instance: Instance | null = null;

/** This thread's instance with at least `bytes` of memory. */
function instanceWith(bytes: number): Instance {
  if (!instance) {
    const { exports } = instantiateEmbedded(SEPARABLE_WASM_BASE64);
    instance = {
      memory: exports.memory as WebAssembly.Memory,
      windowRows: exports.windowRows as Pass,
      windowTransposed: exports.windowTransposed as Pass,
      windowFloat32Transposed: exports.windowFloat32Transposed as Pass,
    };
  }
  const pages = Math.ceil(bytes / 65536) - instance.memory.buffer.byteLength / 65536;
  if (pages > 0) instance.memory.grow(pages);
  return instance;
}

/**
 * Lay out a region in this thread's instance and write its weights and reflection tables.
 * @param layout the region, radii and slab sizes
 * @param kernels the symmetric kernels per axis (z, y, x)
 * @returns the engine for this region (valid until the next call), or `undefined` when the
 * region needs more than 2 GiB of wasm memory or the memory cannot grow that far
 */
export function separableEngine(
  layout: SeparableLayout,
  kernels: readonly Float64Array[],
): SeparableEngine | undefined {
  const { region, radius, slabInputPlanes } = layout;
  const { inStart, inShape, volume, outStart, outShape } = region;
  const [r0, r1, r2] = radius as [number, number, number];
  // The z pass covers the output box grown by the y and x radii, clipped to the volume.
  const y1 = Math.max(0, outStart[1]! - r1);
  const rows1 = Math.min(volume[1]!, outStart[1]! + outShape[1]! + r1) - y1;
  const x1 = Math.max(0, outStart[2]! - r2);
  const n1 = Math.min(volume[2]!, outStart[2]! + outShape[2]! + r2) - x1;
  const rowsOut = outShape[1]!, nOut = outShape[2]!;
  const yGroups = Math.ceil(rowsOut / GROUP), xGroups = Math.ceil(nOut / GROUP);
  const inRow = inShape[2]!, inPlane = inShape[1]! * inRow;
  // Row strides leave at least 16 bytes after a row's voxels (the passes write 2 at a time).
  const planeStride = staggered(4 * inPlane), rowStride = staggered(8 * n1 + 16);
  const planeStride1 = rowStride * rows1;
  // The y pass writes x-major: row x holds the GROUP·yGroups voxels along y.
  const rowStride2 = staggered(8 * GROUP * yGroups);
  // Output rows are padded to GROUP voxels; planes are dense.
  const outRow = GROUP * xGroups, outPlane = rowsOut * outRow;
  let top = 0;
  const take = (bytes: number) => {
    const at = top;
    top += Math.ceil((bytes + PAD_BYTES) / 16) * 16;
    return at;
  };
  const weights = radius.map((r) => take(8 * (r + 1)));
  const zTable = take(4 * (GROUP + 2 * r0));
  const yTable = take(4 * (GROUP * yGroups + 2 * r1));
  const xTable = take(4 * (GROUP * xGroups + 2 * r2));
  const pass1 = take(planeStride1 * GROUP);
  const pass2 = take(rowStride2 * (n1 + 1));
  const in32 = take(planeStride * slabInputPlanes);
  const out32 = take(4 * (GROUP * outPlane + outRow));
  if (top > MAX_BYTES) return undefined;
  let grown: Instance;
  try {
    grown = instanceWith(top);
  } catch (error) {
    if (error instanceof RangeError) return undefined; // memory.grow refused
    throw error;
  }
  const { memory, windowRows, windowTransposed, windowFloat32Transposed } = grown;
  const heap = memory.buffer;
  const f64 = new Float64Array(heap);
  const i32 = new Int32Array(heap);
  const f32 = new Float32Array(heap);
  for (let axis = 0; axis < 3; axis++) {
    const kernel = kernels[axis]!, r = radius[axis]!;
    for (let j = 0; j <= r; j++) f64[weights[axis]! / 8 + j] = kernel[r - j]!;
  }
  // Extended sequences: entry k is the row (or plane) of tap k - r of the first output; entries
  // past the last output's taps point at row 0 (their outputs are never read).
  const extended = (table: number, entries: number, count: number, axis: number, r: number) => {
    i32.fill(0, table / 4, table / 4 + entries);
    for (let k = 0; k < count + 2 * r; k++) {
      i32[table / 4 + k] = reflect(outStart[axis]! - r + k, volume[axis]!);
    }
  };
  extended(yTable, GROUP * yGroups + 2 * r1, rowsOut, 1, r1);
  for (let k = 0; k < rowsOut + 2 * r1; k++) {
    i32[yTable / 4 + k] = rowStride * (i32[yTable / 4 + k]! - y1);
  }
  extended(xTable, GROUP * xGroups + 2 * r2, nOut, 2, r2);
  for (let k = 0; k < nOut + 2 * r2; k++) {
    i32[xTable / 4 + k] = rowStride2 * (i32[xTable / 4 + k]! - x1);
  }
  // Byte offset, in an input plane, of the z pass's first row and column.
  const origin = 4 * ((y1 - inStart[1]!) * inRow + (x1 - inStart[2]!));
  return {
    loadInput(planes) {
      for (let p = 0; p < planes.length / inPlane; p++) {
        f32.set(planes.subarray(p * inPlane, (p + 1) * inPlane), (in32 + planeStride * p) / 4);
      }
    },
    planes(z, count, lo, out, at) {
      i32.fill(0, zTable / 4, zTable / 4 + GROUP + 2 * r0);
      for (let k = 0; k < count + 2 * r0; k++) {
        i32[zTable / 4 + k] = planeStride * (reflect(z - r0 + k, volume[0]!) - lo);
      }
      const src = in32 + origin;
      windowRows(
        src,
        zTable,
        weights[0]!,
        r0,
        1,
        rows1,
        4 * inRow,
        n1,
        pass1,
        planeStride1,
        rowStride,
        0,
      );
      for (let i = 0; i < count; i++) {
        const plane1 = pass1 + i * planeStride1;
        windowTransposed(
          plane1,
          yTable,
          weights[1]!,
          r1,
          yGroups,
          1,
          0,
          n1,
          pass2,
          8,
          0,
          rowStride2,
        );
        const dst = out32 + 4 * i * outPlane;
        windowFloat32Transposed(
          pass2,
          xTable,
          weights[2]!,
          r2,
          xGroups,
          1,
          0,
          rowsOut,
          dst,
          4,
          0,
          4 * outRow,
        );
      }
      const first = out32 / 4;
      if (outRow === nOut) {
        out.set(f32.subarray(first, first + count * outPlane), at);
        return;
      }
      for (let row = 0; row < count * rowsOut; row++) {
        const from = first + row * outRow;
        out.set(f32.subarray(from, from + nOut), at + row * nOut);
      }
    },
  };
}
