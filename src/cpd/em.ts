/**
 * The EM loop shared by rigid, affine and non-rigid CPD: E-step (dense, or truncated once the
 * kernel is narrow), the model's M-step, σ² floor, convergence test and diagnostics.
 * @module
 */
import { eStepDense } from "./estep_dense.ts";
import { eStepGrid, truncationRadiusFactor } from "./estep_grid.ts";
import type { EStepBuffers, EStepTotals } from "./estep_types.ts";
import { createEStepBuffers } from "./estep_types.ts";
import { MovingGrid } from "./moving_grid.ts";

/** A CPD transformation model: owns T(Y) and re-estimates its parameters from the E-step. */
export interface EmModel {
  /** Transformed moving points T(Y), planar (length 3M); the M-step updates it in place. */
  readonly transformed: Float64Array;
  /**
   * Re-estimate the parameters from the posterior sums and update `transformed`.
   * @returns the new σ² (before the floor is applied)
   */
  mStep(buffers: EStepBuffers, np: number, sigma2: number): number;
}

/** Options of the EM loop, in normalised units (both clouds centred, RMS radius 1). */
export interface EmOptions {
  /** Outlier weight w in [0, 1). */
  w: number;
  /** Iteration cap. */
  maxIterations: number;
  /** Stop when |ΔL| ≤ tolerance · |L| (L the log-likelihood). */
  tolerance: number;
  /** Smallest σ² allowed: exact data drive σ² to 0 (or below, by rounding) otherwise. */
  sigma2Floor: number;
  /** Starting σ²; default: the mean squared distance over all pairs / 3. */
  sigma2Initial?: number;
  /** `"auto"` truncates once k·σ is small against the cloud; `"never"` is always dense. */
  truncation: "auto" | "never" | "always";
  /** Bound on the neglected kernel mass per fixed point when truncating. */
  truncationTolerance: number;
  /** Cancels between iterations. */
  signal?: AbortSignal;
}

/** What the EM loop did. */
export interface EmOutcome {
  /** Final σ² (normalised units). */
  sigma2: number;
  /** Iterations run (E-step + M-step pairs). */
  iterations: number;
  /** True when the tolerance was met (or σ² reached its floor with L unchanged). */
  converged: boolean;
  /** Log-likelihood after each E-step. */
  logLikelihood: number[];
  /** Kernel evaluations over all E-steps. */
  pairs: number;
  /** Milliseconds spent in E-steps. */
  eStepMs: number;
  /** Largest truncation error bound seen (0 if always dense). */
  truncationError: number;
}

/**
 * The standard CPD starting σ²: Σ_mn |x_n - T(y_m)|² / (3MN), computed in O(M + N).
 * @param fixed planar fixed points
 * @param moving planar transformed moving points
 * @returns σ²
 */
export function initialSigma2(fixed: Float64Array, moving: Float64Array): number {
  const n = fixed.length / 3, m = moving.length / 3;
  let total = 0;
  for (let a = 0; a < 3; a++) {
    let sx = 0, sxx = 0, sy = 0, syy = 0;
    for (let i = 0; i < n; i++) {
      const v = fixed[i + a * n]!;
      sx += v;
      sxx += v * v;
    }
    for (let j = 0; j < m; j++) {
      const v = moving[j + a * m]!;
      sy += v;
      syy += v * v;
    }
    total += m * sxx + n * syy - 2 * sx * sy;
  }
  return total / (3 * m * n);
}

/**
 * One E-step the EM loop asks its driver for: zeroed accumulators in `buffers`, and either the
 * dense kernel (`radius` null) or the kernel truncated at `radius`.
 */
export interface EStepRequest {
  /** Inputs and accumulators (p1, px zeroed). */
  buffers: EStepBuffers;
  /** Current σ². */
  sigma2: number;
  /** Outlier weight. */
  w: number;
  /** Truncation radius, or null for the dense E-step. */
  radius: number | null;
}

/** The EM loop as a generator of E-step requests, so one loop serves sync and worker drivers. */
export type EmSteps<T> = Generator<EStepRequest, T, EStepTotals>;

/**
 * Answer an E-step request on this thread.
 * @param request the request
 * @param grid scratch grid reused between requests (capacity ≥ M)
 * @returns the totals
 */
export function eStepLocal(request: EStepRequest, grid: MovingGrid | undefined): EStepTotals {
  const { buffers, sigma2, w, radius } = request;
  if (radius === null) return eStepDense(buffers, sigma2, w);
  const g = grid && grid.order.length >= buffers.movingCount
    ? grid
    : new MovingGrid(buffers.movingCount);
  g.build(buffers.moving, radius);
  return eStepGrid(buffers, g, sigma2, w, radius);
}

/**
 * Drive an EM generator to completion on this thread.
 * @param steps the generator
 * @returns its result
 */
export function driveSync<T>(steps: EmSteps<T>): T {
  let grid: MovingGrid | undefined;
  let next = steps.next();
  while (!next.done) {
    const request = next.value;
    if (request.radius !== null && (!grid || grid.order.length < request.buffers.movingCount)) {
      grid = new MovingGrid(request.buffers.movingCount);
    }
    next = steps.next(eStepLocal(request, grid));
  }
  return next.value;
}

/**
 * Run EM on this thread until convergence, the iteration cap, or abort.
 * @param fixed planar fixed points (normalised)
 * @param model the transformation model
 * @param options loop options
 * @returns the outcome; not converging is reported, not thrown
 * @throws {DOMException} when `options.signal` is aborted
 */
export function runEm(fixed: Float64Array, model: EmModel, options: EmOptions): EmOutcome {
  return driveSync(emSteps(fixed, model, options));
}

/**
 * The EM loop, yielding each E-step to its driver.
 * @param fixed planar fixed points (normalised)
 * @param model the transformation model
 * @param options loop options
 * @returns the outcome
 */
export function* emSteps(
  fixed: Float64Array,
  model: EmModel,
  options: EmOptions,
): EmSteps<EmOutcome> {
  const buffers = createEStepBuffers(fixed, model.transformed);
  const m = buffers.movingCount;
  const k = truncationRadiusFactor(m, options.truncationTolerance);
  let sigma2 = options.sigma2Initial ?? initialSigma2(fixed, model.transformed);
  sigma2 = Math.max(sigma2, options.sigma2Floor);
  const history: number[] = [];
  let pairs = 0, eStepMs = 0, worst = 0, converged = false, iterations = 0;
  for (; iterations < options.maxIterations; iterations++) {
    options.signal?.throwIfAborted();
    const t0 = performance.now();
    buffers.p1.fill(0);
    buffers.px.fill(0);
    const radius = k * Math.sqrt(sigma2);
    const truncate = options.truncation === "always" ||
      (options.truncation === "auto" && worthTruncating(radius));
    const totals: EStepTotals = yield {
      buffers,
      sigma2,
      w: options.w,
      radius: truncate ? radius : null,
    };
    eStepMs += performance.now() - t0;
    pairs += totals.pairs;
    worst = Math.max(worst, totals.truncationError);
    const likelihood = totals.logLikelihood;
    const previous = history[history.length - 1];
    history.push(likelihood);
    if (totals.np < 1e-12) break; // nothing matched: report as not converged
    if (
      previous !== undefined &&
      Math.abs(likelihood - previous) <= options.tolerance * Math.abs(likelihood)
    ) {
      converged = true;
      break;
    }
    const next = model.mStep(buffers, totals.np, sigma2);
    sigma2 = Number.isFinite(next) ? Math.max(next, options.sigma2Floor) : options.sigma2Floor;
  }
  return {
    sigma2,
    iterations,
    converged,
    logLikelihood: history,
    pairs,
    eStepMs,
    truncationError: worst,
  };
}

/** Truncate when the search box is well under the cloud's extent (the clouds have unit RMS radius). */
function worthTruncating(radius: number): boolean {
  return radius < 0.6;
}
