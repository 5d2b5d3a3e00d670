/**
 * Per-label statistics of a label volume in one pass: voxel count, centroid and principal
 * (longest) axis in physical micrometers; the sample uses them for test points and for the
 * orientation of the EM cristae texture.
 * @module
 */
import type { Grid } from "./grid.ts";
import type { PointUm } from "./truth_transform.ts";

/** Statistics of one label. */
export interface LabelStats {
  label: number;
  voxels: number;
  volumeUm3: number;
  centroidUm: PointUm;
  /** Unit vector along the label's longest extent. */
  principalAxis: PointUm;
}

/**
 * Compute the statistics of every label 1..maxLabel that has voxels.
 *
 * @param labels Label volume on `grid`, C order.
 * @param grid The grid.
 * @returns One entry per present label, in label order (index = label − 1 only when dense).
 */
export function labelStats(labels: Uint16Array | Uint32Array, grid: Grid): LabelStats[] {
  let maxLabel = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! > maxLabel) maxLabel = labels[i]!;
  const moments = new Float64Array((maxLabel + 1) * 10); // n, Σz, Σy, Σx, Σzz, Σzy, Σzx, Σyy, Σyx, Σxx
  const [nz, ny, nx] = grid.shape;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const row = (z * ny + y) * nx;
      for (let x = 0; x < nx; x++) {
        const label = labels[row + x]!;
        if (label === 0) continue;
        const m = label * 10;
        moments[m]! += 1;
        moments[m + 1]! += z;
        moments[m + 2]! += y;
        moments[m + 3]! += x;
        moments[m + 4]! += z * z;
        moments[m + 5]! += z * y;
        moments[m + 6]! += z * x;
        moments[m + 7]! += y * y;
        moments[m + 8]! += y * x;
        moments[m + 9]! += x * x;
      }
    }
  }
  const [vz, vy, vx] = grid.voxelUm;
  const voxelVolume = vz * vy * vx;
  const stats: LabelStats[] = [];
  for (let label = 1; label <= maxLabel; label++) {
    const m = label * 10;
    const n = moments[m]!;
    if (n === 0) continue;
    const mean = [moments[m + 1]! / n, moments[m + 2]! / n, moments[m + 3]! / n];
    const v = [vz, vy, vx];
    const covariance = (i: number, j: number, k: number) =>
      (moments[m + k]! / n - mean[i]! * mean[j]!) * v[i]! * v[j]!;
    const c = [
      [covariance(0, 0, 4), covariance(0, 1, 5), covariance(0, 2, 6)],
      [covariance(0, 1, 5), covariance(1, 1, 7), covariance(1, 2, 8)],
      [covariance(0, 2, 6), covariance(1, 2, 8), covariance(2, 2, 9)],
    ];
    stats.push({
      label,
      voxels: n,
      volumeUm3: n * voxelVolume,
      centroidUm: [0, 1, 2].map((a) => mean[a]! * v[a]! + grid.translationUm[a]!) as PointUm,
      principalAxis: leadingEigenvector(c),
    });
  }
  return stats;
}

/** Power iteration on a symmetric 3×3 matrix, started off-axis so it cannot stall. */
function leadingEigenvector(matrix: number[][]): PointUm {
  let vector = [0.577, 0.5774, 0.5776];
  for (let iteration = 0; iteration < 60; iteration++) {
    const next = matrix.map((row) =>
      row[0]! * vector[0]! + row[1]! * vector[1]! + row[2]! * vector[2]!
    );
    const norm = Math.hypot(...next);
    if (!(norm > 0)) return [0, 0, 1];
    vector = next.map((value) => value / norm);
  }
  return vector as PointUm;
}
