/**
 * CLEM-Reg's own point sampling, the `clemreg` preset, for comparison: 2-D Canny (σ = 1) on
 * every z slice of the mask, every 33rd edge point in raster order, Open3D-style voxel-grid
 * downsampling with 15-voxel cells (centroids), in voxel units. Slices are whole-slice tasks.
 * @module
 */
import type { KernelContext, KernelInput, KernelResult } from "../chunked/types.ts";
import { canny2d } from "./points_canny.ts";

/** Reduce kernel over whole z slices: Canny edge pixels of the mask, raster order (z, y, x). */
export function cannySliceKernel(
  inputs: KernelInput[],
  params: { sigma: number },
  context: KernelContext,
): KernelResult {
  const input = inputs[0]!;
  const box = context.outputBox;
  const ny = box.stop[1]! - box.start[1]!, nx = box.stop[2]! - box.start[2]!;
  const plane = ny * nx;
  const found: number[] = [];
  for (let z = box.start[0]!; z < box.stop[0]!; z++) {
    const slice = new Float32Array(plane);
    const base = (z - box.start[0]!) * plane;
    let any = false;
    for (let i = 0; i < plane; i++) {
      if (input.data[base + i] !== 0) {
        slice[i] = 1;
        any = true;
      }
    }
    if (!any) continue;
    const edges = canny2d(slice, ny, nx, { sigma: params.sigma });
    for (let i = 0; i < plane; i++) {
      if (edges[i]) found.push(z, box.start[1]! + Math.floor(i / nx), box.start[2]! + (i % nx));
    }
  }
  return { partial: Int32Array.from(found) };
}

/** Merge: all edge points in slice order, then every `everyK`-th (Open3D `uniform_down_sample`). */
export function cannySliceMerge(
  partials: unknown[],
  params: { everyK: number },
): { edgePoints: number; sampled: Float64Array } {
  let total = 0;
  for (const p of partials as Int32Array[]) total += p.length / 3;
  const sampled = new Float64Array(3 * Math.ceil(total / params.everyK));
  let index = 0, at = 0;
  for (const p of partials as Int32Array[]) {
    for (let i = 0; i < p.length; i += 3, index++) {
      if (index % params.everyK !== 0) continue;
      sampled[at++] = p[i]!;
      sampled[at++] = p[i + 1]!;
      sampled[at++] = p[i + 2]!;
    }
  }
  return { edgePoints: total, sampled };
}

/**
 * Voxel-grid downsample as Open3D's `voxel_down_sample`: cells of `cellSize` from the cloud's
 * minimum minus half a cell, one centroid per occupied cell, sorted by cell.
 * @param points flat (z, y, x) triples
 * @param cellSize cell edge in the points' units
 * @returns the centroids
 */
export function voxelDownsampleCentroids(points: Float64Array, cellSize: number): Float64Array {
  const n = points.length / 3;
  if (n === 0) return new Float64Array(0);
  const low = [Infinity, Infinity, Infinity], high = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 3; a++) {
      low[a] = Math.min(low[a]!, points[3 * i + a]!);
      high[a] = Math.max(high[a]!, points[3 * i + a]!);
    }
  }
  const origin = low.map((l) => l - cellSize / 2);
  const dims = high.map((h, a) => Math.floor((h - origin[a]!) / cellSize) + 1);
  const sums = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    let key = 0;
    for (let a = 0; a < 3; a++) {
      key = key * dims[a]! + Math.floor((points[3 * i + a]! - origin[a]!) / cellSize);
    }
    const sum = sums.get(key) ?? [0, 0, 0, 0];
    sum[0]! += points[3 * i]!;
    sum[1]! += points[3 * i + 1]!;
    sum[2]! += points[3 * i + 2]!;
    sum[3]!++;
    sums.set(key, sum);
  }
  const keys = [...sums.keys()].sort((a, b) => a - b);
  const out = new Float64Array(3 * keys.length);
  keys.forEach((key, j) => {
    const s = sums.get(key)!;
    out[3 * j] = s[0]! / s[3]!;
    out[3 * j + 1] = s[1]! / s[3]!;
    out[3 * j + 2] = s[2]! / s[3]!;
  });
  return out;
}
