/**
 * Resampling one output block of the EM grid from the FM volume through an affine
 * map of voxel indices, with trilinear (intensities) or nearest (labels)
 * interpolation. The caller reads only the FM box {@linkcode sourceBoxFor} names.
 * @module
 */
import type { Box, TypedArray } from "../io/types.ts";

/** A 3×4 affine map of voxel indices (z, y, x): rows give source index = M · [z, y, x, 1]. */
export type IndexAffine = readonly [
  readonly [number, number, number, number],
  readonly [number, number, number, number],
  readonly [number, number, number, number],
];

/** A regular grid in physical space: index i ↦ scale · i + translation (z, y, x). */
export interface PhysicalGrid {
  shape: readonly number[];
  scale: readonly number[];
  translation: readonly number[];
}

/**
 * The index-space map from a target grid to a source grid, given the physical map
 * target → source as a 4×4 matrix acting on column vectors [z, y, x, 1].
 */
export function indexAffine(
  target: PhysicalGrid,
  source: PhysicalGrid,
  targetToSource: readonly (readonly number[])[],
): IndexAffine {
  const rows: [number, number, number, number][] = [];
  for (let r = 0; r < 3; r++) {
    const row = targetToSource[r]!;
    const inv = 1 / source.scale[r]!;
    let offset = row[3]!;
    const out: [number, number, number, number] = [0, 0, 0, 0];
    for (let c = 0; c < 3; c++) {
      out[c] = row[c]! * target.scale[c]! * inv;
      offset += row[c]! * target.translation[c]!;
    }
    out[3] = (offset - source.translation[r]!) * inv;
    rows.push(out);
  }
  return rows as unknown as IndexAffine;
}

/**
 * The source box a target box needs: the image of its corners, widened by one
 * voxel for interpolation, clipped to the source shape; `undefined` when the block
 * maps entirely outside the source.
 */
export function sourceBoxFor(
  targetBox: Box,
  map: IndexAffine,
  sourceShape: readonly number[],
  marginVoxels = 1,
): Box | undefined {
  const low = [Infinity, Infinity, Infinity];
  const high = [-Infinity, -Infinity, -Infinity];
  for (let corner = 0; corner < 8; corner++) {
    const z = corner & 4 ? targetBox.stop[0]! - 1 : targetBox.start[0]!;
    const y = corner & 2 ? targetBox.stop[1]! - 1 : targetBox.start[1]!;
    const x = corner & 1 ? targetBox.stop[2]! - 1 : targetBox.start[2]!;
    for (let r = 0; r < 3; r++) {
      const m = map[r]!;
      const value = m[0] * z + m[1] * y + m[2] * x + m[3];
      low[r] = Math.min(low[r]!, value);
      high[r] = Math.max(high[r]!, value);
    }
  }
  // Trilinear needs floor(v) and floor(v) + 1; the epsilon covers rounding of the
  // incremental coordinates in warpAffineBlock.
  const epsilon = 1e-6;
  const start = low.map((v) => Math.max(0, Math.floor(v - epsilon) - marginVoxels + 1));
  const stop = high.map((v, a) =>
    Math.min(sourceShape[a]!, Math.floor(v + epsilon) + 1 + marginVoxels)
  );
  if (start.some((s, a) => s >= stop[a]!)) return undefined;
  return { start, stop };
}

/**
 * Resample a target block from a source block.
 * @param source C-ordered source values covering `sourceBox` (z, y, x)
 * @param sourceBox the box `source` covers, in source voxel indices
 * @param sourceShape the whole source volume's shape (points beyond it read `cval`)
 * @param targetBox the target block, in target voxel indices
 * @param map target index → source index
 * @param out C-ordered output for `targetBox`
 * @param options `order` 1 (trilinear) or 0 (nearest), `cval` outside the source
 */
export function warpAffineBlock(
  source: TypedArray,
  sourceBox: Box,
  sourceShape: readonly number[],
  targetBox: Box,
  map: IndexAffine,
  out: TypedArray,
  options: { order?: 0 | 1; cval?: number } = {},
): void {
  const order = options.order ?? 1;
  const cval = options.cval ?? 0;
  const [sz0, sy0, sx0] = [sourceBox.start[0]!, sourceBox.start[1]!, sourceBox.start[2]!];
  const ny = sourceBox.stop[1]! - sy0;
  const nx = sourceBox.stop[2]! - sx0;
  const [bz, by, bx] = [sourceBox.stop[0]! - 1, sourceBox.stop[1]! - 1, sourceBox.stop[2]! - 1];
  const [maxZ, maxY, maxX] = [sourceShape[0]! - 1, sourceShape[1]! - 1, sourceShape[2]! - 1];
  const [m0, m1, m2] = map;
  const rounding = !(out instanceof Float32Array || out instanceof Float64Array);
  const strideY = nx;
  const strideZ = ny * nx;
  let o = 0;
  for (let z = targetBox.start[0]!; z < targetBox.stop[0]!; z++) {
    for (let y = targetBox.start[1]!; y < targetBox.stop[1]!; y++) {
      const x0 = targetBox.start[2]!;
      let fz = m0[0] * z + m0[1] * y + m0[2] * x0 + m0[3];
      let fy = m1[0] * z + m1[1] * y + m1[2] * x0 + m1[3];
      let fx = m2[0] * z + m2[1] * y + m2[2] * x0 + m2[3];
      for (let x = x0; x < targetBox.stop[2]!; x++, o++) {
        if (fz < 0 || fy < 0 || fx < 0 || fz > maxZ || fy > maxY || fx > maxX) {
          out[o] = cval;
        } else if (order === 0) {
          const iz = Math.min(Math.floor(fz + 0.5), bz) - sz0;
          const iy = Math.min(Math.floor(fy + 0.5), by) - sy0;
          const ix = Math.min(Math.floor(fx + 0.5), bx) - sx0;
          out[o] = source[iz * strideZ + iy * strideY + ix]!;
        } else {
          const iz = Math.floor(fz);
          const iy = Math.floor(fy);
          const ix = Math.floor(fx);
          const wz = fz - iz;
          const wy = fy - iy;
          const wx = fx - ix;
          const dz = iz < bz ? strideZ : 0;
          const dy = iy < by ? strideY : 0;
          const dx = ix < bx ? 1 : 0;
          const p = (iz - sz0) * strideZ + (iy - sy0) * strideY + (ix - sx0);
          const c00 = source[p]! + wx * (source[p + dx]! - source[p]!);
          const c01 = source[p + dy]! + wx * (source[p + dy + dx]! - source[p + dy]!);
          const c10 = source[p + dz]! + wx * (source[p + dz + dx]! - source[p + dz]!);
          const c11 = source[p + dz + dy]! +
            wx * (source[p + dz + dy + dx]! - source[p + dz + dy]!);
          const c0 = c00 + wy * (c01 - c00);
          const c1 = c10 + wy * (c11 - c10);
          const value = c0 + wz * (c1 - c0);
          out[o] = rounding ? Math.round(value) : value;
        }
        fz += m0[2];
        fy += m1[2];
        fx += m2[2];
      }
    }
  }
}
