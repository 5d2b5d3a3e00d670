/**
 * The saved form of a CPD transform (`T.json`) and its application to points. Other stages
 * (warping, QC) load a transform with {@link loadTransform} and map points with
 * {@link applyTransform}; the 4×4 matrix alone is enough for rigid and affine fits.
 * @module
 */
import { GaussianDeformation, type GaussianDeformationJson } from "./deformation.ts";
import { transformPointsAffine } from "./mat3.ts";
import type { CpdMethod, CpdResult } from "./types.ts";

/** JSON written by `deno task cpd`. */
export interface TransformJson {
  /** Identifies the file. */
  format: "clemreg-cpd-transform";
  /** Format version. */
  version: 1;
  /** Model that produced it. */
  method: CpdMethod;
  /** Moving → fixed 4×4 matrix, nested rows, for column vectors `[c1, c2, c3, 1]`. */
  matrix: number[][];
  /** Non-rigid: displacement applied after `matrix`. */
  deformation?: GaussianDeformationJson;
  /** Fit diagnostics (not needed to apply the transform). */
  diagnostics?: Record<string, unknown>;
}

/** A loaded transform: `p → deformation(matrix · p)` (no deformation for rigid and affine). */
export interface SavedTransform {
  /** Model that produced it. */
  method: CpdMethod;
  /** 4×4 row-major matrix. */
  matrix: Float64Array;
  /** Non-rigid displacement. */
  deformation?: GaussianDeformation;
}

/**
 * Build the JSON form of a CPD result.
 * @param result the fit
 * @returns a JSON-ready object
 */
export function transformToJson(result: CpdResult): TransformJson {
  const m = result.matrix;
  return {
    format: "clemreg-cpd-transform",
    version: 1,
    method: result.method,
    matrix: [0, 1, 2, 3].map((r) => [m[4 * r]!, m[4 * r + 1]!, m[4 * r + 2]!, m[4 * r + 3]!]),
    ...(result.deformation ? { deformation: result.deformation.toJSON() } : {}),
    diagnostics: {
      ...(result.scale !== undefined ? { scale: result.scale } : {}),
      sigma2: result.sigma2,
      iterations: result.iterations,
      converged: result.converged,
      logLikelihood: result.logLikelihood,
      timeMs: result.timeMs,
      eStepMs: result.eStepMs,
      pairs: result.pairs,
      truncationError: result.truncationError,
      ...(result.multiStart ? { multiStart: result.multiStart } : {}),
    },
  };
}

/**
 * Validate and load a parsed `T.json`.
 * @param json the parsed JSON value
 * @returns the transform
 * @throws {TypeError} naming the first field that is missing or malformed
 * @example
 * ```ts
 * import { applyTransform, loadTransform } from "./transform_io.ts";
 * const t = loadTransform({ format: "clemreg-cpd-transform", version: 1, method: "rigid",
 *   matrix: [[1, 0, 0, 5], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] });
 * applyTransform(t, Float64Array.of(1, 2, 3)); // → [6, 2, 3]
 * ```
 */
export function loadTransform(json: unknown): SavedTransform {
  if (typeof json !== "object" || json === null) {
    throw new TypeError("Cannot load transform: expected a JSON object");
  }
  const o = json as Partial<TransformJson>;
  const rows = o.matrix;
  if (
    !Array.isArray(rows) || rows.length !== 4 ||
    !rows.every((r) => Array.isArray(r) && r.length === 4 && r.every(Number.isFinite))
  ) {
    throw new TypeError('Cannot load transform: "matrix" must be 4 rows of 4 finite numbers');
  }
  const method = o.method ?? (o.deformation ? "nonrigid" : "affine");
  if (!["rigid", "affine", "nonrigid"].includes(method)) {
    throw new TypeError(`Cannot load transform: unknown method "${method}"`);
  }
  const matrix = Float64Array.from(rows.flat());
  if (o.deformation === undefined) return { method, matrix };
  return { method, matrix, deformation: GaussianDeformation.fromJSON(o.deformation) };
}

/**
 * Map interleaved xyz points through a saved transform.
 * @param transform loaded transform
 * @param points interleaved xyz (stride 3), caller units
 * @returns mapped copy
 */
export function applyTransform(transform: SavedTransform, points: Float64Array): Float64Array {
  const affine = transformPointsAffine(transform.matrix, points);
  return transform.deformation ? transform.deformation.evaluate(affine) : affine;
}
