/**
 * This thread's WebAssembly instance of the separable passes (`src/wasm/separable_wat.ts`) and
 * the memory layout of one region: weights, reflection tables, four planes of the z pass, the
 * rows of the y pass, the input slab (float32 copy and its float64 widening) and the output
 * slab. Memory grows once to the largest region seen and is reused.
 * @module
 */
import { instantiateEmbedded } from "../wasm/module_cache.ts";
import { SEPARABLE_WASM_BASE64 } from "../wasm/separable_wasm.ts";
import type { Region3 } from "./region.ts";
import { reflect } from "./separable_js.ts";

/** Bytes after every buffer: the passes read and write a few voxels past a row's end. */
const PAD_BYTES = 256;
/** Outputs the row passes compute together. */
const GROUP = 4;

/** What a region needs from the engine. */
export interface SeparableLayout {
  /** The normalised region. */
  region: Region3;
  /** Kernel radius per axis (z, y, x). */
  radius: readonly number[];
  /** Output planes per slab. */
  slabPlanes: number;
  /** Most input planes a slab reads. */
  slabInputPlanes: number;
}

/** Runs the passes of one region, slab by slab. */
export interface SeparableEngine {
  /** Copy (and widen) the input planes of a slab. */
  loadInput(planes: Float32Array): void;
  /**
   * All three passes of `count` (≤ 4) output planes from volume z `z` on, into slots `slot`... of
   * the output slab; `lo` is the volume z of the slab's first input plane.
   */
  planes(z: number, count: number, lo: number, slot: number): void;
  /** Copy `count` voxels of the output slab into `out` at `at`. */
  readOutput(out: Float32Array, at: number, count: number): void;
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
  promote: Pass;
  window: Pass;
  lines: Pass;
}

let instance: Instance | null = null;

/** This thread's instance with at least `bytes` of memory. */
function instanceWith(bytes: number): Instance {
  if (!instance) {
    const { exports } = instantiateEmbedded(SEPARABLE_WASM_BASE64);
    instance = {
      memory: exports.memory as WebAssembly.Memory,
      promote: exports.promote as Pass,
      window: exports.window as Pass,
      lines: exports.lines as Pass,
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
 * @returns the engine for this region (valid until the next call)
 */
export function separableEngine(
  layout: SeparableLayout,
  kernels: readonly Float64Array[],
): SeparableEngine {
  const { region, radius, slabPlanes, slabInputPlanes } = layout;
  const { inStart, inShape, volume, outStart, outShape } = region;
  const [r0, r1, r2] = radius as [number, number, number];
  // The z pass covers the output box grown by the y and x radii, clipped to the volume.
  const y1 = Math.max(0, outStart[1]! - r1);
  const rows1 = Math.min(volume[1]!, outStart[1]! + outShape[1]! + r1) - y1;
  const x1 = Math.max(0, outStart[2]! - r2);
  const n1 = Math.min(volume[2]!, outStart[2]! + outShape[2]! + r2) - x1;
  const rowsOut = outShape[1]!, nOut = outShape[2]!, outPlane = rowsOut * nOut;
  const yGroups = Math.ceil(rowsOut / GROUP);
  const inRow = inShape[2]!, inPlane = inShape[1]! * inRow;
  const span = nOut + 2 * r2;
  // Row strides leave at least 16 bytes after a row's voxels (the passes write 2 at a time).
  const planeStride = staggered(8 * inPlane), rowStride = staggered(8 * n1 + 16);
  const planeStride1 = rowStride * rows1;
  let top = 0;
  const take = (bytes: number) => {
    const at = top;
    top += Math.ceil((bytes + PAD_BYTES) / 16) * 16;
    return at;
  };
  const weights = radius.map((r) => take(8 * (r + 1)));
  const zTable = take(4 * (GROUP + 2 * r0));
  const yTable = take(4 * (GROUP * yGroups + 2 * r1));
  const gather = take(4 * span);
  const line = take(8 * span);
  const pass1 = take(planeStride1 * GROUP);
  const pass2 = take(rowStride * GROUP * yGroups);
  const in32 = take(4 * slabInputPlanes * inPlane);
  const in64 = take(planeStride * slabInputPlanes);
  const out32 = take(4 * slabPlanes * outPlane);
  const { memory, promote, window, lines } = instanceWith(top);
  const heap = memory.buffer;
  const f64 = new Float64Array(heap);
  const i32 = new Int32Array(heap);
  const f32 = new Float32Array(heap);
  for (let axis = 0; axis < 3; axis++) {
    const kernel = kernels[axis]!, r = radius[axis]!;
    for (let j = 0; j <= r; j++) f64[weights[axis]! / 8 + j] = kernel[r - j]!;
  }
  // Extended sequences: entry k is the row (or plane) of tap k - r of the first output.
  i32.fill(0, yTable / 4, yTable / 4 + GROUP * yGroups + 2 * r1);
  for (let k = 0; k < rowsOut + 2 * r1; k++) {
    i32[yTable / 4 + k] = rowStride * (reflect(outStart[1]! - r1 + k, volume[1]!) - y1);
  }
  let direct = 1;
  for (let k = 0; k < span; k++) {
    i32[gather / 4 + k] = 8 * (reflect(outStart[2]! - r2 + k, volume[2]!) - x1);
    if (i32[gather / 4 + k] !== i32[gather / 4]! + 8 * k) direct = 0;
  }
  // Byte offset, in an input plane, of the z pass's first row and column.
  const origin = 8 * ((y1 - inStart[1]!) * inRow + (x1 - inStart[2]!));
  return {
    loadInput(planes) {
      f32.set(planes, in32 / 4);
      for (let p = 0; p < planes.length / inPlane; p++) {
        promote(in32 + 4 * inPlane * p, in64 + planeStride * p, inPlane);
      }
    },
    planes(z, count, lo, slot) {
      i32.fill(0, zTable / 4, zTable / 4 + GROUP + 2 * r0);
      for (let k = 0; k < count + 2 * r0; k++) {
        i32[zTable / 4 + k] = planeStride * (reflect(z - r0 + k, volume[0]!) - lo);
      }
      const src = in64 + origin;
      window(src, zTable, weights[0]!, r0, 1, rows1, 8 * inRow, n1, pass1, planeStride1, rowStride);
      for (let i = 0; i < count; i++) {
        const plane1 = pass1 + i * planeStride1;
        window(plane1, yTable, weights[1]!, r1, yGroups, 1, 0, n1, pass2, rowStride, 0);
        const dst = out32 + 4 * (slot + i) * outPlane;
        lines(pass2, rowStride, gather, span, direct, line, weights[2]!, r2, rowsOut, nOut, dst);
      }
    },
    readOutput(out, at, count) {
      out.set(f32.subarray(out32 / 4, out32 / 4 + count), at);
    },
  };
}
