/**
 * 3×3 (row-major `Float64Array(9)`) and 4×4 helpers for the M-steps and transform algebra.
 * The SVD delegates to ml-matrix; it runs once per iteration, never in a hot loop.
 * @module
 */
import { Matrix, SingularValueDecomposition } from "ml-matrix";

/**
 * Rotation closest to `a` in the Procrustes sense, with the reflection guard:
 * `R = U diag(1, 1, det(UVᵀ)) Vᵀ` where `a = U S Vᵀ`.
 * @param a 3×3 row-major cross-moment
 * @returns the rotation and `tr(aᵀR)`
 */
export function procrustesRotation(a: Float64Array): { rotation: Float64Array; trace: number } {
  const svd = new SingularValueDecomposition(
    new Matrix([[a[0]!, a[1]!, a[2]!], [a[3]!, a[4]!, a[5]!], [a[6]!, a[7]!, a[8]!]]),
  );
  const u = svd.leftSingularVectors, v = svd.rightSingularVectors, s = svd.diagonal;
  const uv = u.mmul(v.transpose());
  const d = determinant3(Float64Array.from(uv.to1DArray())) < 0 ? -1 : 1;
  const rotation = new Float64Array(9);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      rotation[3 * r + c] = u.get(r, 0) * v.get(c, 0) + u.get(r, 1) * v.get(c, 1) +
        d * u.get(r, 2) * v.get(c, 2);
    }
  }
  return { rotation, trace: s[0]! + s[1]! + d * s[2]! };
}

/** @returns det of a 3×3 row-major matrix */
export function determinant3(a: Float64Array): number {
  return a[0]! * (a[4]! * a[8]! - a[5]! * a[7]!) - a[1]! * (a[3]! * a[8]! - a[5]! * a[6]!) +
    a[2]! * (a[3]! * a[7]! - a[4]! * a[6]!);
}

/**
 * Inverse of a 3×3 row-major matrix.
 * @throws {RangeError} if the matrix is singular
 */
export function invert3(a: Float64Array): Float64Array {
  const det = determinant3(a);
  if (!(Math.abs(det) > 1e-300)) throw new RangeError("Cannot invert a singular 3×3 matrix");
  const i = 1 / det;
  return Float64Array.of(
    (a[4]! * a[8]! - a[5]! * a[7]!) * i,
    (a[2]! * a[7]! - a[1]! * a[8]!) * i,
    (a[1]! * a[5]! - a[2]! * a[4]!) * i,
    (a[5]! * a[6]! - a[3]! * a[8]!) * i,
    (a[0]! * a[8]! - a[2]! * a[6]!) * i,
    (a[2]! * a[3]! - a[0]! * a[5]!) * i,
    (a[3]! * a[7]! - a[4]! * a[6]!) * i,
    (a[1]! * a[6]! - a[0]! * a[7]!) * i,
    (a[0]! * a[4]! - a[1]! * a[3]!) * i,
  );
}

/** @returns the product of two 3×3 row-major matrices */
export function multiply3(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(9);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      out[3 * r + c] = a[3 * r]! * b[c]! + a[3 * r + 1]! * b[3 + c]! + a[3 * r + 2]! * b[6 + c]!;
    }
  }
  return out;
}

/** @returns the product of two 4×4 row-major matrices */
export function multiply4(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(16);
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[4 * r + k]! * b[4 * k + c]!;
      out[4 * r + c] = s;
    }
  }
  return out;
}

/** @returns the 4×4 row-major homogeneous matrix of `x → B x + t` */
export function affineMatrix4(linear: Float64Array, translation: ArrayLike<number>): Float64Array {
  return Float64Array.of(
    linear[0]!,
    linear[1]!,
    linear[2]!,
    translation[0]!,
    linear[3]!,
    linear[4]!,
    linear[5]!,
    translation[1]!,
    linear[6]!,
    linear[7]!,
    linear[8]!,
    translation[2]!,
    0,
    0,
    0,
    1,
  );
}

/**
 * Apply a 4×4 row-major matrix to interleaved xyz points.
 * @param matrix 4×4 row-major, column-vector convention
 * @param points interleaved xyz
 * @returns transformed copy
 */
export function transformPointsAffine(
  matrix: ArrayLike<number>,
  points: Float64Array,
): Float64Array {
  const out = new Float64Array(points.length);
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i]!, y = points[i + 1]!, z = points[i + 2]!;
    for (let a = 0; a < 3; a++) {
      out[i + a] = matrix[4 * a]! * x + matrix[4 * a + 1]! * y + matrix[4 * a + 2]! * z +
        matrix[4 * a + 3]!;
    }
  }
  return out;
}
