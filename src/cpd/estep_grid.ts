/**
 * Truncated CPD E-step: only moving points within `radius = k·σ` of a fixed point enter its
 * posterior, found through a uniform grid over T(Y) rebuilt every iteration (O(M) time and
 * memory).
 *
 * Error bound: a neglected pair has kernel value below `exp(-k²/2)`, so the neglected mass of
 * fixed point x_n is at most `ε_n = M · exp(-k²/2)`. Each posterior P_mn, and therefore every
 * entry of P1, Pt1 and PX / ‖x‖, is then off by at most `ε_n / (den_n + c)` relative to the
 * dense result, where `den_n + c` is the computed denominator. The E-step returns the largest
 * of these bounds as `truncationError`; {@link truncationRadiusFactor} picks k so that
 * `M · exp(-k²/2) = tolerance`.
 * @module
 */
import {
  FRACTION_POW2 as FRACTION_TABLE,
  INTEGER_POW2 as INTEGER_TABLE,
  LN2_OVER_32,
  LOG2E_TIMES_32,
  UNDERFLOW,
} from "./fast_exp.ts";
import type { EStepBuffers, EStepTotals } from "./estep_types.ts";
import { likelihoodOffset, outlierConstant } from "./estep_types.ts";
import type { MovingGrid } from "./moving_grid.ts";

/**
 * The k in `radius = k·σ` for which the neglected kernel mass per fixed point is at most
 * `tolerance`: `k = sqrt(2 ln(M / tolerance))`.
 * @param movingCount M
 * @param tolerance bound on the neglected mass (e.g. 1e-6)
 * @returns k
 */
export function truncationRadiusFactor(movingCount: number, tolerance: number): number {
  return Math.sqrt(2 * Math.log(Math.max(movingCount, 1) / tolerance));
}

/**
 * Run the truncated E-step for fixed points `[first, last)`; same contract as `eStepDense`.
 * @param buffers inputs and accumulators
 * @param grid grid over `buffers.moving` with cell size ≥ `radius`
 * @param sigma2 current σ²
 * @param w outlier weight in [0, 1)
 * @param radius truncation radius k·σ
 * @param first first fixed point index
 * @param last one past the last fixed point index
 * @returns totals, including the truncation error bound
 */
export function eStepGrid(
  buffers: EStepBuffers,
  grid: MovingGrid,
  sigma2: number,
  w: number,
  radius: number,
  first = 0,
  last = buffers.fixedCount,
): EStepTotals {
  const { fixed, fixedCount: n, movingCount: m, p1, pt1, px, rowWeight, rowIndex } = buffers;
  const { sortedX, sortedY, sortedZ, order, cellStart, dimX, dimY, dimZ } = grid;
  const { minX, minY, minZ, cellSize } = grid;
  // local copies: imported bindings cost a check per access in the hot loop
  const FRACTION_POW2 = FRACTION_TABLE, INTEGER_POW2 = INTEGER_TABLE;
  const c = outlierConstant(sigma2, w, m, n);
  const toOctaves = -LOG2E_TIMES_32 / (2 * sigma2);
  const radius2 = radius * radius;
  const neglected = m * Math.exp(-radius2 / (2 * sigma2));
  const my = m, mz = 2 * m;
  let np = 0, logSum = 0, pairs = 0, worst = 0;
  for (let i = first; i < last; i++) {
    const x = fixed[i]!, y = fixed[i + n]!, z = fixed[i + 2 * n]!;
    const x0 = Math.max(0, Math.floor((x - radius - minX) / cellSize));
    const x1 = Math.min(dimX - 1, Math.floor((x + radius - minX) / cellSize));
    const y0 = Math.max(0, Math.floor((y - radius - minY) / cellSize));
    const y1 = Math.min(dimY - 1, Math.floor((y + radius - minY) / cellSize));
    const z0 = Math.max(0, Math.floor((z - radius - minZ) / cellSize));
    const z1 = Math.min(dimZ - 1, Math.floor((z + radius - minZ) / cellSize));
    let count = 0, den = 0;
    for (let cz = z0; cz <= z1; cz++) {
      for (let cy = y0; cy <= y1; cy++) {
        const rowCell = (cz * dimY + cy) * dimX;
        const begin = cellStart[rowCell + x0]!, end = cellStart[rowCell + x1 + 1]!;
        pairs += end - begin;
        for (let s = begin; s < end; s++) {
          const dx = x - sortedX[s]!, dy = y - sortedY[s]!, dz = z - sortedZ[s]!;
          const d2 = dx * dx + dy * dy + dz * dz;
          if (d2 > radius2) continue;
          const u = d2 * toOctaves;
          if (u <= UNDERFLOW) continue;
          const whole = Math.floor(u);
          const e = whole | 0;
          const f = (u - whole) * LN2_OVER_32;
          const k =
            (1 + f * (1 + f * (0.5 + f * (1 / 6 + f * (1 / 24 + f * (1 / 120 + f / 720)))))) *
            FRACTION_POW2[e & 31]! * INTEGER_POW2[(e >> 5) + 1100]!;
          rowWeight[count] = k;
          rowIndex[count] = order[s]!;
          count++;
          den += k;
        }
      }
    }
    const total = den + c;
    logSum += Math.log(total > 1e-300 ? total : 1e-300);
    const bound = neglected / (total > 1e-300 ? total : 1e-300);
    if (bound > worst) worst = bound;
    if (den <= 1e-300) {
      pt1[i] = 0;
      continue;
    }
    const inv = 1 / total;
    pt1[i] = den * inv;
    np += den * inv;
    const wx = x * inv, wy = y * inv, wz = z * inv;
    for (let q = 0; q < count; q++) {
      const k = rowWeight[q]!, j = rowIndex[q]!;
      p1[j]! += k * inv;
      px[j]! += k * wx;
      px[j + my]! += k * wy;
      px[j + mz]! += k * wz;
    }
  }
  return {
    np,
    logLikelihood: logSum + likelihoodOffset(sigma2, w, m, last - first),
    pairs,
    truncationError: Math.min(worst, 1),
  };
}
