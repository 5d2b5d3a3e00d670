/**
 * Rigid and affine fits in normalised space, coarse to fine: when a cloud is large, EM first
 * converges on random subsets, then the full clouds start from that answer and its σ², so the
 * expensive full-size E-steps are few and mostly narrow (truncated).
 * @module
 */
import { AffineModel } from "./affine.ts";
import { type EmOptions, type EmOutcome, type EmSteps, emSteps } from "./em.ts";
import { RigidModel } from "./rigid.ts";
import { subsamplePlanar } from "./subsample.ts";
import { seededRandom } from "../random.ts";

/** A linear map in normalised space: `T(ŷ) = B ŷ + t`. */
export interface LinearParameters {
  /** B, 3×3 row-major (s·R for rigid). */
  linear: Float64Array;
  /** t. */
  translation: Float64Array;
}

/** Options of {@link fitLinear}. */
export interface LinearFitOptions extends EmOptions {
  /** `"rigid"` (with or without scale) or `"affine"`. */
  method: "rigid" | "affine";
  /** Rigid: `null` to estimate a uniform scale, else the normalised-space scale to hold. */
  fixedScale: number | null;
  /** Clouds larger than 1.5× this get coarse stages on subsets of this size, then ×8, ×64, …. */
  coarseSize: number;
  /** Seed of the coarse subsets. */
  seed: number;
  /**
   * Largest cloud the final level runs on: bigger clouds stop at a subset of about this size
   * (enough for a starting point, e.g. the affine part of a non-rigid fit). Default: no limit.
   */
  maxPoints?: number;
}

/** Result of {@link fitLinear}. */
export interface LinearFit {
  /** Fitted parameters. */
  parameters: LinearParameters;
  /** Rigid: the scale s (1 when fixed). */
  scale: number;
  /** EM outcome of the full-size stage. */
  run: EmOutcome;
}

/**
 * Fit a rigid or affine CPD model, with a coarse stage for large clouds.
 * @param moving planar normalised moving points
 * @param fixed planar normalised fixed points
 * @param initial starting parameters (default identity)
 * @param options method and EM options
 * @returns parameters and the full-size EM outcome (a generator of E-step requests: drive it
 *   with `driveSync` or a worker pool)
 */
export function* fitLinear(
  moving: Float64Array,
  fixed: Float64Array,
  initial: LinearParameters | undefined,
  options: LinearFitOptions,
): EmSteps<LinearFit> {
  const count = Math.max(moving.length, fixed.length) / 3;
  let start = initial, levelOptions: LinearFitOptions = options;
  // levels coarseSize, 8·coarseSize, 64·coarseSize, … below the cloud size
  const random = seededRandom(options.seed + 7);
  for (
    let size = options.coarseSize;
    count > 1.5 * size && options.maxIterations > 0;
    size *= 8
  ) {
    const coarse = yield* fitOnce(
      subsamplePlanar(moving, size, random),
      subsamplePlanar(fixed, size, random),
      start,
      { ...levelOptions, tolerance: Math.max(options.tolerance, 1e-4) }, // the next level refines
    );
    start = coarse.parameters;
    levelOptions = { ...options, sigma2Initial: coarse.run.sigma2 };
    if (8 * size > (options.maxPoints ?? Infinity)) return coarse;
  }
  return yield* fitOnce(moving, fixed, start, levelOptions);
}

function* fitOnce(
  moving: Float64Array,
  fixed: Float64Array,
  initial: LinearParameters | undefined,
  options: LinearFitOptions,
): EmSteps<LinearFit> {
  if (options.method === "affine") {
    const model = new AffineModel(moving, initial);
    const run = yield* emSteps(fixed, model, options);
    return { parameters: model.parameters, scale: 1, run };
  }
  const model = new RigidModel(
    moving,
    options.fixedScale,
    initial && rigidStart(initial, options.fixedScale),
  );
  const run = yield* emSteps(fixed, model, options);
  const p = model.parameters;
  return {
    parameters: { linear: p.rotation.map((v) => v * p.scale), translation: p.translation },
    scale: p.scale,
    run,
  };
}

/** Split `B = s R` into rigid parameters (only T(Y) at the start depends on them). */
function rigidStart(start: LinearParameters, fixedScale: number | null) {
  const b = start.linear;
  const det = b[0]! * (b[4]! * b[8]! - b[5]! * b[7]!) - b[1]! * (b[3]! * b[8]! - b[5]! * b[6]!) +
    b[2]! * (b[3]! * b[7]! - b[4]! * b[6]!);
  const s = Math.cbrt(Math.abs(det)) || 1;
  return {
    rotation: b.map((v) => v / s),
    scale: fixedScale ?? s,
    translation: start.translation,
  };
}
