/**
 * Posterior-weighted moments used by the rigid and affine M-steps (Myronenko & Song 2010,
 * Fig. 2 and 3), from P1, Pt1 and PX in O(M + N).
 * @module
 */
import type { EStepBuffers } from "./estep_types.ts";

/** Weighted means and cross-moments of the centred clouds. */
export interface WeightedMoments {
  /** μx = Xᵀ Pt1 / Np. */
  meanFixed: Float64Array;
  /** μy = Yᵀ P1 / Np. */
  meanMoving: Float64Array;
  /** A = X̂ᵀ Pᵀ Ŷ, 3×3 row-major (row: fixed axis, column: moving axis). */
  cross: Float64Array;
  /** Ŷᵀ d(P1) Ŷ, 3×3 row-major. */
  movingScatter: Float64Array;
  /** tr(X̂ᵀ d(Pt1) X̂). */
  fixedTrace: number;
}

/**
 * Compute the weighted moments of the fixed points and the *untransformed* moving points.
 * @param buffers E-step results (p1, pt1, px, fixed)
 * @param np Σ P
 * @param moving planar untransformed moving points Y (length 3M)
 * @returns the moments
 */
export function weightedMoments(
  buffers: EStepBuffers,
  np: number,
  moving: Float64Array,
): WeightedMoments {
  const { fixed, fixedCount: n, movingCount: m, p1, pt1, px } = buffers;
  const meanFixed = new Float64Array(3);
  const meanMoving = new Float64Array(3);
  let fixedTrace = 0;
  for (let a = 0; a < 3; a++) {
    let sum = 0, sq = 0;
    for (let i = 0; i < n; i++) {
      const v = fixed[i + a * n]!, p = pt1[i]!;
      sum += p * v;
      sq += p * v * v;
    }
    meanFixed[a] = sum / np;
    fixedTrace += sq - sum * sum / np;
    let sumY = 0;
    for (let j = 0; j < m; j++) sumY += p1[j]! * moving[j + a * m]!;
    meanMoving[a] = sumY / np;
  }
  const cross = new Float64Array(9);
  const movingScatter = new Float64Array(9);
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      let c = 0, s = 0;
      for (let j = 0; j < m; j++) {
        const yb = moving[j + b * m]!;
        c += px[j + a * m]! * yb;
        s += p1[j]! * moving[j + a * m]! * yb;
      }
      cross[3 * a + b] = c - np * meanFixed[a]! * meanMoving[b]!;
      movingScatter[3 * a + b] = s - np * meanMoving[a]! * meanMoving[b]!;
    }
  }
  return { meanFixed, meanMoving, cross, movingScatter, fixedTrace };
}

/**
 * Write `T(y) = B y + t` for every planar moving point.
 * @param moving planar untransformed points
 * @param linear B, 3×3 row-major
 * @param translation t
 * @param out planar output (may not alias `moving`)
 */
export function applyLinear(
  moving: Float64Array,
  linear: Float64Array,
  translation: Float64Array,
  out: Float64Array,
): void {
  const m = moving.length / 3;
  for (let a = 0; a < 3; a++) {
    const b0 = linear[3 * a]!, b1 = linear[3 * a + 1]!, b2 = linear[3 * a + 2]!;
    const t = translation[a]!;
    for (let j = 0; j < m; j++) {
      out[j + a * m] = b0 * moving[j]! + b1 * moving[j + m]! + b2 * moving[j + 2 * m]! + t;
    }
  }
}
