/**
 * Helpers of `bench/warp_bench.ts`: the rotation of the benchmark case and what FM region
 * a warp truly needs (exact union of trilinear stencils, and the FM chunks it touches).
 * @module
 */
import type { IndexAffine } from "../src/stages/warp_affine.ts";

/**
 * Rotation by `angleRad` about a unit axis (z, y, x), as a 3 × 3 matrix.
 * @param axis unit vector (z, y, x)
 * @param angleRad angle in radians
 */
export function rotationMatrix(axis: readonly number[], angleRad: number): number[][] {
  const [a, b, c] = axis as [number, number, number];
  const cos = Math.cos(angleRad);
  const sin = Math.sin(angleRad);
  const t = 1 - cos;
  return [
    [cos + a * a * t, a * b * t - c * sin, a * c * t + b * sin],
    [b * a * t + c * sin, cos + b * b * t, b * c * t - a * sin],
    [c * a * t - b * sin, c * b * t + a * sin, cos + c * c * t],
  ];
}

/**
 * FM voxels (1 per voxel read, else 0) that some output voxel's trilinear stencil reads,
 * with the same rules as `warpAffineBlock` (points outside [0, n − 1] read nothing).
 * @param map output (z, y, x) index → FM index
 * @param outShape output shape (z, y, x)
 * @param fmShape FM shape (z, y, x)
 */
export function stencilUnion(
  map: IndexAffine,
  outShape: readonly number[],
  fmShape: readonly number[],
): Uint8Array {
  const [nz, ny, nx] = fmShape as [number, number, number];
  const mark = new Uint8Array(nz * ny * nx);
  const [m0, m1, m2] = map;
  for (let z = 0; z < outShape[0]!; z++) {
    for (let y = 0; y < outShape[1]!; y++) {
      let fz = m0[0] * z + m0[1] * y + m0[3];
      let fy = m1[0] * z + m1[1] * y + m1[3];
      let fx = m2[0] * z + m2[1] * y + m2[3];
      for (let x = 0; x < outShape[2]!; x++) {
        if (fz >= 0 && fy >= 0 && fx >= 0 && fz <= nz - 1 && fy <= ny - 1 && fx <= nx - 1) {
          mark[(Math.floor(fz) * ny + Math.floor(fy)) * nx + Math.floor(fx)] = 1;
        }
        fz += m0[2];
        fy += m1[2];
        fx += m2[2];
      }
    }
  }
  // Dilate by {0, 1} along each axis: the stencil is floor(v) and floor(v) + 1.
  const strides = [ny * nx, nx, 1];
  for (let a = 0; a < 3; a++) {
    const s = strides[a]!;
    for (let i = mark.length - 1; i >= s; i--) {
      if (mark[i - s] && Math.floor(i / s) % fmShape[a]! > 0) mark[i] = 1;
    }
  }
  return mark;
}

/**
 * Voxels of the FM chunks that contain at least one marked voxel: the least a reader of
 * whole chunks must decode.
 * @param mark the output of {@linkcode stencilUnion}
 * @param fmShape FM shape (z, y, x)
 * @param chunks FM chunk shape (z, y, x)
 */
export function touchedChunkVoxels(
  mark: Uint8Array,
  fmShape: readonly number[],
  chunks: readonly number[],
): number {
  const [nz, ny, nx] = fmShape as [number, number, number];
  const grid = fmShape.map((n, a) => Math.ceil(n / chunks[a]!));
  const touched = new Set<number>();
  for (let z = 0, i = 0; z < nz; z++) {
    const cz = Math.floor(z / chunks[0]!);
    for (let y = 0; y < ny; y++) {
      const row = (cz * grid[1]! + Math.floor(y / chunks[1]!)) * grid[2]!;
      for (let x = 0; x < nx; x++, i++) {
        if (mark[i]) touched.add(row + Math.floor(x / chunks[2]!));
      }
    }
  }
  let voxels = 0;
  for (const id of touched) {
    const index = [
      Math.floor(id / (grid[1]! * grid[2]!)),
      Math.floor(id / grid[2]!) % grid[1]!,
      id % grid[2]!,
    ];
    voxels += index.reduce(
      (p, c, a) => p * (Math.min(fmShape[a]!, (c + 1) * chunks[a]!) - c * chunks[a]!),
      1,
    );
  }
  return voxels;
}
