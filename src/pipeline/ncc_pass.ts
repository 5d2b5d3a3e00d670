/**
 * One pass of the NCC refinement over an FM level, block by block: the EM mask is
 * resampled (trilinear on `labels > 0`) onto each FM block plus a PSF halo through the
 * current FM → EM affine, blurred with the FM PSF, and compared with the FM channel.
 * The pass returns the sums Gauss-Newton needs (a 14×14 Gram matrix of per-voxel
 * Jacobian rows and their products with FM), never a volume.
 *
 * Memory bound: one block at a time — `blockVoxels` FM voxels plus halo (two float32
 * copies) and the EM labels box it maps to (labels dtype + one byte per voxel), that is
 * about 12 B × (block + halo) + 5 B × (block + halo) × (FM voxel ÷ EM voxel volume).
 * @module
 */
import { gaussianFilter } from "../filters/gaussian.ts";
import { haloVoxels } from "../filters/sigma.ts";
import type { ChunkedArray } from "../io/types.ts";
import type { Matrix4 } from "../sample/truth_transform.ts";
import { indexAffine, type PhysicalGrid } from "../stages/warp_affine.ts";

/** Parameters: 12 affine (row i = axis of the gradient, columns q_z, q_y, q_x, 1), gain, offset. */
export const PARAMS = 14;

/** What one pass accumulates over the voxels whose transformed centre lies in the EM volume. */
export interface NccSums {
  /** Σ u uᵀ, u = [∇B ⊗ (q, 1), B, 1], row-major 14×14. */
  gram: Float64Array;
  /** Σ u F. */
  uf: Float64Array;
  /** Σ F². */
  ff: number;
  /** Voxels used. */
  count: number;
}

/** The FM level and EM labels a pass reads. */
export interface NccInputs {
  fm: ChunkedArray;
  fmGrid: PhysicalGrid;
  labels: ChunkedArray;
  labelsGrid: PhysicalGrid;
  /** PSF σ in FM voxels of this level (z, y, x). */
  sigmaVoxels: number[];
  /** Normalised coordinates q = (p − centreUm) / lengthUm. */
  centreUm: number[];
  lengthUm: number;
  /** Block shape in FM voxels of this level (z, y, x). */
  block: number[];
  /** Voxels whose EM position is nearer the EM volume's edge than this are left out. */
  marginUm: number;
}

/** Normalised cross-correlation from the sums (gain and offset at their optimum). */
export function nccOf(sums: NccSums): number {
  const g = sums.gram, n = sums.count;
  const sb = g[12 * PARAMS + 13]!, sbb = g[12 * PARAMS + 12]!;
  const sf = sums.uf[13]!, sfb = sums.uf[12]!;
  const cov = sfb - (sf * sb) / n;
  const varB = sbb - (sb * sb) / n;
  const varF = sums.ff - (sf * sf) / n;
  return varB > 0 && varF > 0 ? cov / Math.sqrt(varB * varF) : 0;
}

/**
 * Accumulate the sums at the FM → EM affine `fmToEm` over the whole FM level.
 * @param inputs the FM channel and EM labels with their grids, PSF, block shape
 * @param fmToEm the current estimate (4×4, µm, z y x)
 */
export async function nccPass(inputs: NccInputs, fmToEm: Matrix4): Promise<NccSums> {
  const sums: NccSums = {
    gram: new Float64Array(PARAMS * PARAMS),
    uf: new Float64Array(PARAMS),
    ff: 0,
    count: 0,
  };
  const shape = inputs.fmGrid.shape;
  const halo = haloVoxels(inputs.sigmaVoxels).map((h) => h + 1);
  const u = new Float64Array(PARAMS);
  for (let z0 = 0; z0 < shape[0]!; z0 += inputs.block[0]!) {
    for (let y0 = 0; y0 < shape[1]!; y0 += inputs.block[1]!) {
      for (let x0 = 0; x0 < shape[2]!; x0 += inputs.block[2]!) {
        const start = [z0, y0, x0];
        const stop = start.map((s, a) => Math.min(s + inputs.block[a]!, shape[a]!));
        await accumulateBlock(inputs, fmToEm, { start, stop }, halo, sums, u);
      }
    }
  }
  return sums;
}

async function accumulateBlock(
  inputs: NccInputs,
  fmToEm: Matrix4,
  box: { start: number[]; stop: number[] },
  halo: number[],
  sums: NccSums,
  u: Float64Array,
): Promise<void> {
  const { fmGrid, labelsGrid } = inputs;
  const ext = box.start.map((s, a) => s - halo[a]!);
  const extShape = box.stop.map((s, a) => s - box.start[a]! + 2 * halo[a]!);
  const extGrid: PhysicalGrid = {
    shape: extShape,
    scale: fmGrid.scale,
    translation: fmGrid.translation.map((t, a) => t + ext[a]! * fmGrid.scale[a]!),
  };
  const map = indexAffine(extGrid, labelsGrid, fmToEm);
  // The labels box the extended block maps to.
  const low = [Infinity, Infinity, Infinity], high = [-Infinity, -Infinity, -Infinity];
  for (let corner = 0; corner < 8; corner++) {
    const c = [
      corner & 4 ? extShape[0]! - 1 : 0,
      corner & 2 ? extShape[1]! - 1 : 0,
      corner & 1 ? extShape[2]! - 1 : 0,
    ];
    for (let r = 0; r < 3; r++) {
      const m = map[r]!;
      const v = m[0] * c[0]! + m[1] * c[1]! + m[2] * c[2]! + m[3];
      low[r] = Math.min(low[r]!, v);
      high[r] = Math.max(high[r]!, v);
    }
  }
  const ls = labelsGrid.shape;
  const lStart = low.map((v) => Math.max(0, Math.floor(v)));
  const lStop = high.map((v, a) => Math.min(ls[a]!, Math.floor(v) + 2));
  if (lStart.some((s, a) => s >= lStop[a]!)) return;
  const raw = await inputs.labels.readRegion({ start: lStart, stop: lStop });
  const [lz, ly, lx] = lStop.map((s, a) => s - lStart[a]!) as [number, number, number];
  const mask = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) mask[i] = Number(raw[i]!) > 0 ? 1 : 0;
  // Trilinear resample of the mask onto the extended block (0 outside the labels box).
  const [ez, ey, ex] = extShape as [number, number, number];
  const resampled = new Float32Array(ez * ey * ex);
  const [m0, m1, m2] = map;
  let i = 0;
  for (let z = 0; z < ez; z++) {
    for (let y = 0; y < ey; y++) {
      for (let x = 0; x < ex; x++, i++) {
        const sz = m0[0] * z + m0[1] * y + m0[2] * x + m0[3] - lStart[0]!;
        const sy = m1[0] * z + m1[1] * y + m1[2] * x + m1[3] - lStart[1]!;
        const sx = m2[0] * z + m2[1] * y + m2[2] * x + m2[3] - lStart[2]!;
        const iz = Math.floor(sz), iy = Math.floor(sy), ix = Math.floor(sx);
        if (iz < -1 || iy < -1 || ix < -1 || iz >= lz || iy >= ly || ix >= lx) continue;
        const fz = sz - iz, fy = sy - iy, fx = sx - ix;
        let value = 0;
        for (let k = 0; k < 8; k++) {
          const cz = iz + (k >> 2), cy = iy + ((k >> 1) & 1), cx = ix + (k & 1);
          if (cz < 0 || cy < 0 || cx < 0 || cz >= lz || cy >= ly || cx >= lx) continue;
          if (!mask[(cz * ly + cy) * lx + cx]) continue;
          value += (k >> 2 ? fz : 1 - fz) * ((k >> 1) & 1 ? fy : 1 - fy) * (k & 1 ? fx : 1 - fx);
        }
        resampled[i] = value;
      }
    }
  }
  const blurred = gaussianFilter(resampled, extShape, { sigma: inputs.sigmaVoxels });
  const fm = await inputs.fm.readRegion(box);
  const [bz, by, bx] = box.stop.map((s, a) => s - box.start[a]!) as [number, number, number];
  const sz = ey * ex, sy = ex;
  const gradScale = fmGrid.scale.map((s) => 1 / (2 * s));
  const { centreUm, lengthUm } = inputs;
  const lsMin = labelsGrid.scale.map((s) => inputs.marginUm / s);
  const lsMax = ls.map((n, a) => n - 1 - lsMin[a]!);
  const gram = sums.gram, uf = sums.uf;
  // Physical position of the block's first voxel relative to the centre, per axis.
  const [pz0, py0, px0] = [0, 1, 2].map((a) =>
    fmGrid.translation[a]! + box.start[a]! * fmGrid.scale[a]! - centreUm[a]!
  ) as [number, number, number];
  let j = 0;
  for (let z = 0; z < bz; z++) {
    for (let y = 0; y < by; y++) {
      for (let x = 0; x < bx; x++, j++) {
        const iz = z + halo[0]!, iy = y + halo[1]!, ix = x + halo[2]!;
        const tz = m0[0] * iz + m0[1] * iy + m0[2] * ix + m0[3];
        const ty = m1[0] * iz + m1[1] * iy + m1[2] * ix + m1[3];
        const tx = m2[0] * iz + m2[1] * iy + m2[2] * ix + m2[3];
        if (
          tz < lsMin[0]! || ty < lsMin[1]! || tx < lsMin[2]! || tz > lsMax[0]! || ty > lsMax[1]! ||
          tx > lsMax[2]!
        ) {
          continue;
        }
        const e = (iz * ey + iy) * ex + ix;
        const b = blurred[e]!;
        const g0 = (blurred[e + sz]! - blurred[e - sz]!) * gradScale[0]!;
        const g1 = (blurred[e + sy]! - blurred[e - sy]!) * gradScale[1]!;
        const g2 = (blurred[e + 1]! - blurred[e - 1]!) * gradScale[2]!;
        const q0 = (pz0 + z * fmGrid.scale[0]!) / lengthUm;
        const q1 = (py0 + y * fmGrid.scale[1]!) / lengthUm;
        const q2 = (px0 + x * fmGrid.scale[2]!) / lengthUm;
        u[0] = g0 * q0, u[1] = g0 * q1, u[2] = g0 * q2, u[3] = g0;
        u[4] = g1 * q0, u[5] = g1 * q1, u[6] = g1 * q2, u[7] = g1;
        u[8] = g2 * q0, u[9] = g2 * q1, u[10] = g2 * q2, u[11] = g2;
        u[12] = b;
        u[13] = 1;
        const f = Number(fm[j]!);
        for (let r = 0; r < PARAMS; r++) {
          const ur = u[r]!;
          uf[r] = uf[r]! + ur * f;
          const row = r * PARAMS;
          for (let c = r; c < PARAMS; c++) gram[row + c] = gram[row + c]! + ur * u[c]!;
        }
        sums.ff += f * f;
        sums.count++;
      }
    }
  }
}
