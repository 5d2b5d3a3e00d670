/**
 * Truncated CPD E-step in plain TypeScript (the reference for the WebAssembly version in
 * `estep_grid.ts`): only moving points within `radius = k·σ` of a fixed point enter its
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
 * @param grid grid over `buffers.moving` built for `radius` (any cell size works)
 * @param sigma2 current σ²
 * @param w outlier weight in [0, 1)
 * @param radius truncation radius k·σ
 * @param first first fixed point index
 * @param last one past the last fixed point index
 * @returns totals, including the truncation error bound
 */
export function eStepGridJs(
  buffers: EStepBuffers,
  grid: MovingGrid,
  sigma2: number,
  w: number,
  radius: number,
  first = 0,
  last = buffers.fixedCount,
): EStepTotals {
  const { fixed, fixedCount: n, movingCount: m, p1, pt1, px, rowWeight, rowIndex } = buffers;
  const { sortedX, sortedY, sortedZ, order } = grid;
  // local copies: imported bindings cost a check per access in the hot loop
  const FRACTION_POW2 = FRACTION_TABLE, INTEGER_POW2 = INTEGER_TABLE;
  const c = outlierConstant(sigma2, w, m, n);
  const toOctaves = -LOG2E_TIMES_32 / (2 * sigma2);
  const radius2 = radius * radius;
  const neglected = m * Math.exp(-radius2 / (2 * sigma2));
  // Locality: fixed points are visited in coarse-cell order, and posteriors are accumulated in
  // the grid's sorted order ([P1, PXx, PXy, PXz] interleaved), un-permuted once at the end.
  const visit = coarseCellOrder(fixed, n, first, last, grid);
  const runs = new Int32Array(2 * grid.maxRunsNear(radius));
  const accumulator = new Float64Array(4 * m);
  let np = 0, logSum = 0, pairs = 0, worst = 0;
  for (let v = 0; v < visit.length; v++) {
    const i = visit[v]!;
    const x = fixed[i]!, y = fixed[i + n]!, z = fixed[i + 2 * n]!;
    const runCount = grid.runsNear(x, y, z, radius, runs, 0);
    let count = 0, den = 0;
    for (let r = 0; r < runCount; r++) {
      const begin = runs[2 * r]!, end = runs[2 * r + 1]!;
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
        const k = (1 + f * (1 + f * (0.5 + f * (1 / 6 + f * (1 / 24 + f * (1 / 120 + f / 720)))))) *
          FRACTION_POW2[e & 31]! * INTEGER_POW2[(e >> 5) + 1100]!;
        rowWeight[count] = k;
        rowIndex[count] = s;
        count++;
        den += k;
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
      const k = rowWeight[q]!, a = 4 * rowIndex[q]!;
      accumulator[a]! += k * inv;
      accumulator[a + 1]! += k * wx;
      accumulator[a + 2]! += k * wy;
      accumulator[a + 3]! += k * wz;
    }
  }
  for (let s = 0, a = 0; s < m; s++, a += 4) {
    const j = order[s]!;
    p1[j]! += accumulator[a]!;
    px[j]! += accumulator[a + 1]!;
    px[j + m]! += accumulator[a + 2]!;
    px[j + 2 * m]! += accumulator[a + 3]!;
  }
  return {
    np,
    logLikelihood: logSum + likelihoodOffset(sigma2, w, m, last - first),
    pairs,
    truncationError: Math.min(worst, 1),
  };
}

/** Fixed indices `[first, last)` counting-sorted by grid cells of 4×4×4 grid cells. */
export function coarseCellOrder(
  fixed: Float64Array,
  n: number,
  first: number,
  last: number,
  grid: MovingGrid,
): Int32Array {
  const size = grid.cellSize * 4;
  const dx = Math.ceil(grid.dimX / 4), dy = Math.ceil(grid.dimY / 4), dz = Math.ceil(grid.dimZ / 4);
  const keys = new Int32Array(last - first);
  const starts = new Int32Array(dx * dy * dz + 1);
  for (let i = first; i < last; i++) {
    const cx = Math.min(dx - 1, Math.max(0, Math.floor((fixed[i]! - grid.minX) / size)));
    const cy = Math.min(dy - 1, Math.max(0, Math.floor((fixed[i + n]! - grid.minY) / size)));
    const cz = Math.min(dz - 1, Math.max(0, Math.floor((fixed[i + 2 * n]! - grid.minZ) / size)));
    const key = (cz * dy + cy) * dx + cx;
    keys[i - first] = key;
    starts[key + 1]!++;
  }
  for (let c = 0; c + 1 < starts.length; c++) starts[c + 1]! += starts[c]!;
  const out = new Int32Array(last - first);
  for (let i = first; i < last; i++) out[starts[keys[i - first]!]!++] = i;
  return out;
}
