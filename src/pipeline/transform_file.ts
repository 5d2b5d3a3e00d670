/**
 * `transform.json`: the FM → EM transform in micrometres over (z, y, x), its inverse,
 * the non-rigid field if any, and the fit diagnostics — the same format as the sample
 * generator's `truth.json`.
 * @module
 */
import type { GaussianDeformationJson } from "../cpd/deformation.ts";
import { invertAffine, type Matrix4 } from "../sample/truth_transform.ts";

/** The file's content. */
export interface TransformFile {
  units: "micrometer";
  axes: ["z", "y", "x"];
  fmToEm: { matrix: Matrix4 };
  emToFm: { matrix: Matrix4 };
  /** Non-rigid CPD displacement applied after `fmToEm.matrix` (FM → EM), or null. */
  nonrigid: null | { kind: "cpd-gaussian"; deformation: GaussianDeformationJson };
  method: "rigid" | "affine" | "nonrigid";
  diagnostics: Record<string, unknown>;
}

/** Nested rows of a row-major 4×4 matrix. */
export function matrixRows(matrix: ArrayLike<number>): Matrix4 {
  return [0, 1, 2, 3].map((r) => [0, 1, 2, 3].map((c) => matrix[4 * r + c]!));
}

/**
 * Build the file content from an FM → EM matrix (row-major, z y x order).
 * @param matrix FM → EM affine, 16 numbers row-major
 * @param method the model fitted last
 * @param diagnostics what the fits reported
 * @param deformation the non-rigid field, if any
 */
export function transformFile(
  matrix: ArrayLike<number>,
  method: TransformFile["method"],
  diagnostics: Record<string, unknown>,
  deformation?: GaussianDeformationJson,
): TransformFile {
  const fmToEm = matrixRows(matrix);
  return {
    units: "micrometer",
    axes: ["z", "y", "x"],
    fmToEm: { matrix: fmToEm },
    emToFm: { matrix: invertAffine(fmToEm) },
    nonrigid: deformation ? { kind: "cpd-gaussian", deformation } : null,
    method,
    diagnostics,
  };
}
