/**
 * Orientation-free initialisation: short rigid CPD runs on subsampled clouds from the 24
 * rotations of the cube group and from the 24 alignments of the moving cloud's principal axes
 * onto the fixed cloud's, keeping the start with the best log-likelihood.
 * @module
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { runEm } from "./em.ts";
import { determinant3, multiply3 } from "./mat3.ts";
import { RigidModel, type RigidParameters } from "./rigid.ts";
import { subsamplePlanar } from "./subsample.ts";
import { seededRandom } from "../random.ts";

/** Options of {@link multiStartRigid}. */
export interface MultiStartOptions {
  /** Outlier weight w. */
  w: number;
  /** Points kept per cloud for the search. */
  sampleSize: number;
  /** EM iterations of the screening run of every candidate. */
  iterations: number;
  /** Candidates (best screening scores) that then run to convergence. */
  finalists: number;
  /** Iteration cap of a finalist's run. */
  finalIterations: number;
  /**
   * When the search is ambiguous (the winner's σ² is not under half the runner-up's: starts
   * whose global shapes fit equally well, as in a volume uniformly filled with mitochondria,
   * and too few points to see the fine structure), search again once with this many points.
   * Default: no second search.
   */
  escalateTo?: number;
  /** PRNG seed of the subsampling. */
  seed: number;
  /** Cancels between candidates. */
  signal?: AbortSignal;
}

/** The winning start. */
export interface MultiStartResult {
  /** Parameters in normalised space after the short run. */
  parameters: RigidParameters;
  /** σ² reached by the short run. */
  sigma2: number;
  /** Number of candidates tried. */
  candidates: number;
  /** Index of the winner (0-23 cube group, 24-47 principal axes). */
  bestIndex: number;
  /** Log-likelihood of each candidate after its short run. */
  scores: number[];
  /** Points per cloud of the search that decided (larger after an escalation). */
  sampleSize: number;
}

/** The 24 proper rotations of the cube: signed permutation matrices with det +1. */
export function cubeRotations(): Float64Array[] {
  const out: Float64Array[] = [];
  const perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
  for (const p of perms) {
    for (let signs = 0; signs < 8; signs++) {
      const r = new Float64Array(9);
      for (let row = 0; row < 3; row++) r[3 * row + p[row]!] = (signs >> row) & 1 ? -1 : 1;
      if (determinant3(r) > 0) out.push(r);
    }
  }
  return out;
}

/**
 * Search starting rotations on planar normalised clouds and return the best short run.
 * @param moving planar normalised moving points
 * @param fixed planar normalised fixed points
 * @param fixedScale `null` to estimate a uniform scale in the short runs, else the scale held
 * @param options search options
 * @returns the winning start
 */
export function multiStartRigid(
  moving: Float64Array,
  fixed: Float64Array,
  fixedScale: number | null,
  options: MultiStartOptions,
): MultiStartResult {
  const random = seededRandom(options.seed);
  const movingSample = subsamplePlanar(moving, options.sampleSize, random);
  const fixedSample = subsamplePlanar(fixed, options.sampleSize, random);
  const cube = cubeRotations();
  const axesMoving = principalAxes(movingSample), axesFixed = principalAxes(fixedSample);
  const starts = [
    ...cube,
    ...cube.map((g) => multiply3(multiply3(axesFixed, g), transpose3(axesMoving))),
  ];
  const emOptions = {
    w: options.w,
    maxIterations: options.iterations,
    tolerance: 1e-7,
    sigma2Floor: 1e-10,
    truncation: "never" as const,
    truncationTolerance: 1e-6,
  };
  // Screen every start briefly, then let the few most likely ones converge.
  const runs = starts.map((rotation) => {
    options.signal?.throwIfAborted();
    const model = new RigidModel(movingSample, fixedScale, {
      rotation,
      scale: fixedScale ?? 1,
      translation: new Float64Array(3),
    });
    const run = runEm(fixedSample, model, emOptions);
    return { model, sigma2: run.sigma2, score: lastOf(run.logLikelihood) };
  });
  const scores = runs.map((r) => r.score);
  const finalists = runs.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!)
    .slice(0, options.finalists);
  let bestIndex = finalists[0]!, bestScore = -Infinity;
  for (const index of finalists) {
    options.signal?.throwIfAborted();
    const candidate = runs[index]!;
    const run = runEm(fixedSample, candidate.model, {
      ...emOptions,
      maxIterations: options.finalIterations,
      sigma2Initial: candidate.sigma2,
    });
    candidate.sigma2 = run.sigma2;
    candidate.score = lastOf(run.logLikelihood);
    scores[index] = candidate.score;
    if (candidate.score > bestScore) {
      bestScore = candidate.score;
      bestIndex = index;
    }
  }
  const best = runs[bestIndex]!;
  // the runner-up is the best finalist that ended at a different orientation (starts often
  // converge to the same solution)
  const runnerUp = finalists.filter((index) =>
    index !== bestIndex &&
    rotationAngleDeg(best.model.parameters.rotation, runs[index]!.model.parameters.rotation) > 30
  ).sort((a, b) => scores[b]! - scores[a]!)[0];
  const available = Math.min(moving.length, fixed.length) / 3;
  const ambiguous = runnerUp !== undefined && best.sigma2 > 0.5 * runs[runnerUp]!.sigma2;
  if (
    ambiguous && options.escalateTo && options.escalateTo > options.sampleSize &&
    available > options.sampleSize
  ) {
    const { escalateTo: _, ...rest } = options;
    const again = multiStartRigid(moving, fixed, fixedScale, {
      ...rest,
      sampleSize: Math.min(options.escalateTo, available),
    });
    return { ...again, candidates: starts.length + again.candidates };
  }
  return {
    parameters: best.model.parameters,
    sigma2: best.sigma2,
    candidates: starts.length,
    bestIndex,
    scores,
    sampleSize: movingSample.length / 3,
  };
}

/** Angle in degrees of the rotation between two rotations (3×3 row-major). */
function rotationAngleDeg(a: Float64Array, b: Float64Array): number {
  let trace = 0; // trace(aᵀ b)
  for (let i = 0; i < 9; i++) trace += a[i]! * b[i]!;
  return (Math.acos(Math.max(-1, Math.min(1, (trace - 1) / 2))) * 180) / Math.PI;
}

function lastOf(history: number[]): number {
  return history[history.length - 1] ?? -Infinity;
}

/** Eigenvectors of the covariance as the columns of a proper rotation (3×3 row-major). */
function principalAxes(points: Float64Array): Float64Array {
  const count = points.length / 3;
  const cov = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      let s = 0;
      for (let j = 0; j < count; j++) s += points[j + a * count]! * points[j + b * count]!;
      cov[a]![b] = s / count;
    }
  }
  const eig = new EigenvalueDecomposition(new Matrix(cov), { assumeSymmetric: true });
  const order = [0, 1, 2].sort((i, j) => eig.realEigenvalues[j]! - eig.realEigenvalues[i]!);
  const v = eig.eigenvectorMatrix;
  const axes = new Float64Array(9);
  order.forEach((col, k) => {
    for (let row = 0; row < 3; row++) axes[3 * row + k] = v.get(row, col);
  });
  if (determinant3(axes) < 0) { for (let row = 0; row < 3; row++) axes[3 * row + 2]! *= -1; }
  return axes;
}

function transpose3(a: Float64Array): Float64Array {
  return Float64Array.of(a[0]!, a[3]!, a[6]!, a[1]!, a[4]!, a[7]!, a[2]!, a[5]!, a[8]!);
}
