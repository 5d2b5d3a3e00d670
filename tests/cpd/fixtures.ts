/**
 * Shared synthetic cases for the CPD tests: seeded surface clouds, known transforms, and the
 * error measures the acceptance criteria use.
 * @module
 */
import { rotationMatrix, sampleSurfaceCloud, transformPointsAffine } from "../../src/cpd/mod.ts";

/** 4×4 row-major matrix of `x → s R x + t` with R about `axis` by `angleDeg`. */
export function similarity(
  axis: [number, number, number],
  angleDeg: number,
  scale: number,
  translation: [number, number, number],
): Float64Array {
  const r = rotationMatrix(axis, angleDeg);
  return Float64Array.of(
    scale * r[0]!,
    scale * r[1]!,
    scale * r[2]!,
    translation[0],
    scale * r[3]!,
    scale * r[4]!,
    scale * r[5]!,
    translation[1],
    scale * r[6]!,
    scale * r[7]!,
    scale * r[8]!,
    translation[2],
    0,
    0,
    0,
    1,
  );
}

/** Inverse of a 4×4 affine matrix (row-major, last row 0 0 0 1). */
export function invertAffine(m: Float64Array): Float64Array {
  const a = [m[0]!, m[1]!, m[2]!, m[4]!, m[5]!, m[6]!, m[8]!, m[9]!, m[10]!];
  const det = a[0]! * (a[4]! * a[8]! - a[5]! * a[7]!) - a[1]! * (a[3]! * a[8]! - a[5]! * a[6]!) +
    a[2]! * (a[3]! * a[7]! - a[4]! * a[6]!);
  const inv = [
    (a[4]! * a[8]! - a[5]! * a[7]!) / det,
    (a[2]! * a[7]! - a[1]! * a[8]!) / det,
    (a[1]! * a[5]! - a[2]! * a[4]!) / det,
    (a[5]! * a[6]! - a[3]! * a[8]!) / det,
    (a[0]! * a[8]! - a[2]! * a[6]!) / det,
    (a[2]! * a[3]! - a[0]! * a[5]!) / det,
    (a[3]! * a[7]! - a[4]! * a[6]!) / det,
    (a[1]! * a[6]! - a[0]! * a[7]!) / det,
    (a[0]! * a[4]! - a[1]! * a[3]!) / det,
  ];
  const t = [m[3]!, m[7]!, m[11]!];
  const out = new Float64Array(16);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) out[4 * r + c] = inv[3 * r + c]!;
    out[4 * r + 3] = -(inv[3 * r]! * t[0]! + inv[3 * r + 1]! * t[1]! + inv[3 * r + 2]! * t[2]!);
  }
  out[15] = 1;
  return out;
}

/**
 * A registration case: fixed sampled from the shape, moving sampled independently and mapped by
 * the inverse of `truth`, so that `truth` maps moving onto fixed.
 */
export function makeCase(
  truth: Float64Array,
  options: { fixedCount: number; movingCount: number; noise: number; outliers: number },
): { moving: Float64Array; fixed: Float64Array } {
  const cloud = { noise: options.noise, outlierFraction: options.outliers };
  const fixed = sampleSurfaceCloud(options.fixedCount, 11, cloud);
  const base = sampleSurfaceCloud(options.movingCount, 22, cloud);
  return { moving: transformPointsAffine(invertAffine(truth), base), fixed };
}

/** Largest absolute difference between two matrices' entries. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Angle (degrees) of the rotation between the linear parts of two similarity matrices. */
export function rotationErrorDeg(found: Float64Array, truth: Float64Array): number {
  const unit = (m: Float64Array) => {
    const s = Math.cbrt(
      m[0]! * (m[5]! * m[10]! - m[6]! * m[9]!) - m[1]! * (m[4]! * m[10]! - m[6]! * m[8]!) +
        m[2]! * (m[4]! * m[9]! - m[5]! * m[8]!),
    );
    return [0, 1, 2, 4, 5, 6, 8, 9, 10].map((i) => m[i]! / s);
  };
  const a = unit(found), b = unit(truth);
  let trace = 0;
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) trace += a[3 * r + c]! * b[3 * r + c]!;
  return (Math.acos(Math.max(-1, Math.min(1, (trace - 1) / 2))) * 180) / Math.PI;
}

/** ‖ΔB‖_F / ‖B‖_F of the linear parts. */
export function relativeLinearError(found: Float64Array, truth: Float64Array): number {
  let d = 0, n = 0;
  for (const i of [0, 1, 2, 4, 5, 6, 8, 9, 10]) {
    d += (found[i]! - truth[i]!) ** 2;
    n += truth[i]! ** 2;
  }
  return Math.sqrt(d / n);
}
