/**
 * Public option and result types of CPD registration.
 * @module
 */
import type { GaussianDeformation } from "./deformation.ts";

/** Which transformation CPD estimates. */
export type CpdMethod = "rigid" | "affine" | "nonrigid";

/** Options of `cpd()`. Lengths (σ², β) are in *normalised* units: each cloud centred, RMS radius 1. */
export interface CpdOptions {
  /** Transformation model. Default `"rigid"`. */
  method?: CpdMethod;
  /** Outlier weight w in [0, 1). Default 0.1. */
  w?: number;
  /** Rigid only: estimate a uniform scale. Default true. */
  scale?: boolean;
  /** Non-rigid: Gaussian kernel width β (normalised units). Default 2. */
  beta?: number;
  /** Non-rigid: regularisation weight λ. Default 2. */
  lambda?: number;
  /** Non-rigid: rank K of the kernel approximation. Default max(20, ⌈√M⌉), capped at M. */
  lowRank?: number;
  /** Iteration cap of the final fit. Default 150 (non-rigid: 100). */
  maxIterations?: number;
  /** Stop when the log-likelihood changes by ≤ tolerance · |L|. Default 1e-5. */
  tolerance?: number;
  /** σ² floor (normalised units), keeps exact data from driving σ² to ≤ 0. Default 1e-10. */
  sigma2Floor?: number;
  /** E-step kernel: `"auto"` (truncate when narrow), `"never"` (always dense), `"always"`. */
  truncation?: "auto" | "never" | "always";
  /** Bound on the kernel mass neglected per fixed point by truncation. Default 1e-6. */
  truncationTolerance?: number;
  /**
   * Search 48 starting rotations first (rigid, affine, and the affine pre-alignment of
   * non-rigid). Default true unless `initial` is given.
   */
  multiStart?: boolean;
  /** Starting moving → fixed transform, 4×4 row-major in caller units. */
  initial?: Float64Array;
  /** Seed of the multi-start subsampling. Default 1. */
  seed?: number;
  /** Cancels between iterations. */
  signal?: AbortSignal;
}

/** What a CPD fit produced; a fit that did not converge is still a result (`converged: false`). */
export interface CpdResult {
  /** The model fitted. */
  method: CpdMethod;
  /**
   * Moving → fixed 4×4 row-major matrix in caller units, for column vectors `[x, y, z, 1]`.
   * For non-rigid: the affine part the deformation starts from.
   */
  matrix: Float64Array;
  /** Rigid: the uniform scale (1 when fixed), in caller units. */
  scale?: number;
  /** Non-rigid: the displacement added after `matrix` (see `applyTransform`). */
  deformation?: GaussianDeformation;
  /** Final σ² in the fixed cloud's caller units². */
  sigma2: number;
  /** Iterations of the final fit. */
  iterations: number;
  /** Whether the final fit met its tolerance. */
  converged: boolean;
  /** Log-likelihood after each E-step of the final fit (normalised units). */
  logLikelihood: number[];
  /** Wall time of the whole call, ms. */
  timeMs: number;
  /** Time in E-steps of the final fit, ms. */
  eStepMs: number;
  /** Kernel evaluations in the final fit's E-steps. */
  pairs: number;
  /** Largest posterior error bound due to kernel truncation (0 when always dense). */
  truncationError: number;
  /** Multi-start summary, when it ran. */
  multiStart?: { candidates: number; bestIndex: number; sampleSize: number; timeMs: number };
}
