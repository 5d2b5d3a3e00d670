/**
 * Buffers shared by the dense and truncated E-steps. Point sets are held *planar*
 * (`[x0..x(n-1), y0..y(n-1), z0..z(n-1)]`, stride 1 within an axis, axis stride `n`) so the
 * inner loops read three contiguous arrays.
 * @module
 */

/** Inputs and accumulators of one E-step; sized once per registration, reused every iteration. */
export interface EStepBuffers {
  /** Fixed points X, planar, length 3N. */
  fixed: Float64Array;
  /** Number of fixed points N. */
  fixedCount: number;
  /** Transformed moving points T(Y), planar, length 3M. */
  moving: Float64Array;
  /** Number of moving points M. */
  movingCount: number;
  /** P·1: posterior mass of each moving point, length M (accumulated). */
  p1: Float64Array;
  /** Pᵀ·1: posterior mass of each fixed point, length N (written for the range processed). */
  pt1: Float64Array;
  /** P·X, planar, length 3M (accumulated). */
  px: Float64Array;
  /** Scratch: kernel values of one fixed point against candidate moving points, length M. */
  rowWeight: Float64Array;
  /** Scratch: indices of those candidates (truncated E-step only), length M. */
  rowIndex: Int32Array;
}

/** Scalar outcome of an E-step over a range of fixed points. */
export interface EStepTotals {
  /** Σ P (sum of Pt1 over the range). */
  np: number;
  /** Log-likelihood of the fixed points in the range under the mixture. */
  logLikelihood: number;
  /** Point pairs whose kernel was evaluated. */
  pairs: number;
  /**
   * Largest bound, over the range, on the error of any posterior caused by truncation
   * (0 for the dense E-step).
   */
  truncationError: number;
}

/**
 * Allocate E-step buffers for N fixed and M moving points.
 * @param fixed planar fixed points (length 3N)
 * @param moving planar transformed moving points (length 3M), updated in place by M-steps
 * @returns buffers with zeroed accumulators
 */
export function createEStepBuffers(fixed: Float64Array, moving: Float64Array): EStepBuffers {
  const fixedCount = fixed.length / 3;
  const movingCount = moving.length / 3;
  return {
    fixed,
    fixedCount,
    moving,
    movingCount,
    p1: new Float64Array(movingCount),
    pt1: new Float64Array(fixedCount),
    px: new Float64Array(3 * movingCount),
    rowWeight: new Float64Array(movingCount),
    rowIndex: new Int32Array(movingCount),
  };
}

/**
 * The outlier term `c = (2πσ²)^{3/2} · w/(1-w) · M/N` of the CPD posterior denominator.
 * @param sigma2 current σ²
 * @param w outlier weight in [0, 1)
 * @param movingCount M
 * @param fixedCount N
 * @returns c
 */
export function outlierConstant(
  sigma2: number,
  w: number,
  movingCount: number,
  fixedCount: number,
): number {
  return Math.pow(2 * Math.PI * sigma2, 1.5) * (w / (1 - w)) * (movingCount / fixedCount);
}

/**
 * The part of the log-likelihood that does not depend on the points:
 * `N · log((1-w) / (M (2πσ²)^{3/2}))`; add `Σ log(den_n + c)` to get the full value.
 * @param sigma2 σ²
 * @param w outlier weight
 * @param movingCount M
 * @param fixedCount N (of the range)
 * @returns the constant term
 */
export function likelihoodOffset(
  sigma2: number,
  w: number,
  movingCount: number,
  fixedCount: number,
): number {
  return fixedCount * Math.log((1 - w) / (movingCount * Math.pow(2 * Math.PI * sigma2, 1.5)));
}
