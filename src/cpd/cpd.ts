/**
 * `cpd()`: Coherent Point Drift (Myronenko & Song, TPAMI 2010) between two 3-D clouds of any
 * sizes, rigid / affine / non-rigid, with internal normalisation and a multi-start search that
 * makes the starting orientation irrelevant for rigid and affine fits.
 * @module
 */
import { driveSync, type EmOptions, type EmSteps } from "./em.ts";
import { fitLinear } from "./linear_fit.ts";
import { multiStartRigid } from "./multistart.ts";
import { fitNonrigid } from "./nonrigid.ts";
import { denormalizeAffine, normalizeAffine, normalizePoints } from "./normalize.ts";
import { transformPointsAffine } from "./mat3.ts";
import type { CpdOptions, CpdResult } from "./types.ts";

/**
 * Register `moving` onto `fixed` with CPD.
 * @param moving interleaved xyz moving points (M × 3, stride 3)
 * @param fixed interleaved xyz fixed points (N × 3, stride 3)
 * @param options method and parameters
 * @returns the transform (caller units) and diagnostics; check `converged`
 * @throws {RangeError} for empty clouds, non-finite coordinates or bad options
 * @example
 * ```ts
 * import { cpd } from "./cpd.ts";
 * import { sampleSurfaceCloud } from "./synthetic.ts";
 * const fixed = sampleSurfaceCloud(300, 1);
 * const result = cpd(sampleSurfaceCloud(250, 2), fixed, { method: "rigid" });
 * console.log(result.converged, result.matrix);
 * ```
 */
export function cpd(
  moving: Float64Array,
  fixed: Float64Array,
  options: CpdOptions = {},
): CpdResult {
  return driveSync(cpdSteps(moving, fixed, options));
}

/**
 * `cpd()` as a generator of E-step requests, for drivers that spread E-steps over workers
 * (`cpdParallel`). Same arguments and result as {@link cpd}.
 * @param moving interleaved xyz moving points
 * @param fixed interleaved xyz fixed points
 * @param options method and parameters
 * @returns the generator
 */
export function* cpdSteps(
  moving: Float64Array,
  fixed: Float64Array,
  options: CpdOptions = {},
): EmSteps<CpdResult> {
  const start = performance.now();
  const method = options.method ?? "rigid";
  const w = options.w ?? 0.1;
  if (!(w >= 0 && w < 1)) throw new RangeError(`Cannot run CPD: w must be in [0, 1), got ${w}`);
  if (options.initial && options.initial.length !== 16) {
    throw new RangeError(`Cannot run CPD: initial must be a 4×4 matrix (16 values)`);
  }
  const emOptions: EmOptions = {
    w,
    maxIterations: options.maxIterations ?? 150,
    tolerance: options.tolerance ?? 1e-5,
    sigma2Floor: options.sigma2Floor ?? 1e-10,
    truncation: options.truncation ?? "auto",
    truncationTolerance: options.truncationTolerance ?? 1e-6,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const withScale = options.scale ?? true;
  const m = normalizePoints(moving), f = normalizePoints(fixed);
  // s = 1 in caller units is s = movingScale / fixedScale between the normalised clouds
  const fixedScale = method === "rigid" && !withScale
    ? m.normalization.scale / f.normalization.scale
    : null;
  const useSearch = options.multiStart ?? options.initial === undefined;

  // Linear stage: rigid or affine (also the pre-alignment of non-rigid).
  let initialLinear: Float64Array | undefined, initialTranslation: Float64Array | undefined;
  let sigma2Initial: number | undefined;
  let multiStart: CpdResult["multiStart"];
  if (options.initial) {
    const init = normalizeAffine(options.initial, m.normalization, f.normalization);
    initialLinear = init.linear;
    initialTranslation = init.translation;
  } else if (useSearch) {
    const t0 = performance.now();
    const search = multiStartRigid(m.planar, f.planar, fixedScale, {
      w,
      sampleSize: 150,
      iterations: 8,
      finalists: 4,
      finalIterations: 60,
      escalateTo: 1000,
      seed: options.seed ?? 1,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const p = search.parameters;
    initialLinear = p.rotation.map((v) => v * p.scale);
    initialTranslation = p.translation;
    sigma2Initial = search.sigma2;
    multiStart = {
      candidates: search.candidates,
      bestIndex: search.bestIndex,
      sampleSize: search.sampleSize,
      timeMs: performance.now() - t0,
    };
  }
  const fit = yield* fitLinear(
    m.planar,
    f.planar,
    initialLinear && initialTranslation
      ? { linear: initialLinear, translation: initialTranslation }
      : undefined,
    {
      ...emOptions,
      ...(sigma2Initial !== undefined ? { sigma2Initial } : {}),
      // non-rigid from a given initial transform keeps it as its affine part
      ...(method === "nonrigid" && options.initial ? { maxIterations: 0 } : {}),
      method: method === "rigid" ? "rigid" : "affine",
      fixedScale,
      coarseSize: 1000,
      // non-rigid only needs a starting point: its affine stage stops at ≈ 8,000 points
      ...(method === "nonrigid" ? { maxPoints: 8000 } : {}),
      seed: options.seed ?? 1,
    },
  );
  const run = fit.run;
  const matrix = denormalizeAffine(
    fit.parameters.linear,
    fit.parameters.translation,
    m.normalization,
    f.normalization,
  );
  const scale = method === "rigid"
    ? fit.scale * f.normalization.scale / m.normalization.scale
    : undefined;
  const sigma2Scale = f.normalization.scale ** 2;
  if (method !== "nonrigid") {
    return {
      method,
      matrix,
      ...(scale !== undefined ? { scale } : {}),
      sigma2: run.sigma2 * sigma2Scale,
      iterations: run.iterations,
      converged: run.converged,
      logLikelihood: run.logLikelihood,
      timeMs: performance.now() - start,
      eStepMs: run.eStepMs,
      pairs: run.pairs,
      truncationError: run.truncationError,
      ...(multiStart ? { multiStart } : {}),
    };
  }
  const aligned = transformPointsAffine(matrix, moving);
  const nonrigid = yield* fitNonrigid(aligned, f.planar, f.normalization, {
    ...emOptions,
    maxIterations: options.maxIterations ?? 100,
    tolerance: options.tolerance ?? 1e-5,
    // the affine fit already measured the misfit (fixed-normalised units, as here): starting
    // from its σ² skips the wide, nearly dense first E-steps
    ...(run.iterations > 0 ? { sigma2Initial: run.sigma2 } : {}),
    beta: options.beta ?? 2,
    lambda: options.lambda ?? 2,
    ...(options.lowRank !== undefined ? { lowRank: options.lowRank } : {}),
    seed: options.seed ?? 1,
  });
  return {
    method,
    matrix,
    deformation: nonrigid.deformation,
    sigma2: nonrigid.run.sigma2 * sigma2Scale,
    iterations: nonrigid.run.iterations,
    converged: nonrigid.run.converged,
    logLikelihood: nonrigid.run.logLikelihood,
    timeMs: performance.now() - start,
    eStepMs: nonrigid.run.eStepMs,
    pairs: nonrigid.run.pairs,
    truncationError: nonrigid.run.truncationError,
    ...(multiStart ? { multiStart } : {}),
  };
}
