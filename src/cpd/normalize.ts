/**
 * Internal normalisation: each cloud is centred on its centroid and divided by its RMS radius,
 * so CPD's σ², β and tolerances mean the same whatever the caller's units. Transforms found in
 * normalised space are mapped back to caller units here.
 * @module
 */
import { affineMatrix4 } from "./mat3.ts";

/** How a cloud was normalised: `x̂ = (x - centroid) / scale`. */
export interface Normalization {
  /** Centroid in caller units. */
  centroid: [number, number, number];
  /** RMS distance to the centroid in caller units (1 for a single point). */
  scale: number;
}

/**
 * Centre and scale an interleaved xyz cloud; returns a planar copy.
 * @param points interleaved `[x0, y0, z0, x1, ...]` (stride 3)
 * @returns planar normalised coordinates and the normalisation used
 * @throws {RangeError} if the cloud is empty or has non-finite coordinates
 */
export function normalizePoints(
  points: Float64Array,
): { planar: Float64Array; normalization: Normalization } {
  const count = points.length / 3;
  if (count < 1 || !Number.isInteger(count)) {
    throw new RangeError(`Cannot normalise points: length ${points.length} is not 3 × count ≥ 3`);
  }
  const centroid: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < points.length; i++) {
    if (!Number.isFinite(points[i]!)) {
      throw new RangeError(`Cannot normalise points: coordinate ${i} is ${points[i]}`);
    }
    centroid[i % 3]! += points[i]!;
  }
  for (let a = 0; a < 3; a++) centroid[a]! /= count;
  let sq = 0;
  for (let i = 0; i < points.length; i++) {
    const d = points[i]! - centroid[i % 3]!;
    sq += d * d;
  }
  const scale = sq > 0 ? Math.sqrt(sq / count) : 1;
  const planar = new Float64Array(points.length);
  for (let j = 0; j < count; j++) {
    for (let a = 0; a < 3; a++) planar[j + a * count] = (points[3 * j + a]! - centroid[a]!) / scale;
  }
  return { planar, normalization: { centroid, scale } };
}

/**
 * Map an affine map found in normalised space, `ŷ → B ŷ + t`, to caller units:
 * `y → (s_f / s_m) B (y - c_m) + s_f t + c_f`.
 * @param linear B, 3×3 row-major
 * @param translation t
 * @param moving normalisation of the moving cloud
 * @param fixed normalisation of the fixed cloud
 * @returns 4×4 row-major moving → fixed matrix for column vectors
 */
export function denormalizeAffine(
  linear: Float64Array,
  translation: ArrayLike<number>,
  moving: Normalization,
  fixed: Normalization,
): Float64Array {
  const ratio = fixed.scale / moving.scale;
  const b = linear.map((v) => v * ratio);
  const t = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    t[a] = fixed.scale * translation[a]! + fixed.centroid[a]! -
      (b[3 * a]! * moving.centroid[0] + b[3 * a + 1]! * moving.centroid[1] +
        b[3 * a + 2]! * moving.centroid[2]);
  }
  return affineMatrix4(b, t);
}

/**
 * The inverse of {@link denormalizeAffine}: express a caller-units 4×4 matrix in normalised
 * coordinates (used to start a fit from a given transform).
 * @param matrix 4×4 row-major caller-units matrix
 * @param moving moving normalisation
 * @param fixed fixed normalisation
 * @returns B and t in normalised space
 */
export function normalizeAffine(
  matrix: Float64Array,
  moving: Normalization,
  fixed: Normalization,
): { linear: Float64Array; translation: Float64Array } {
  const ratio = moving.scale / fixed.scale;
  const linear = new Float64Array(9);
  const translation = new Float64Array(3);
  for (let a = 0; a < 3; a++) {
    let mapped = matrix[4 * a + 3]!;
    for (let b = 0; b < 3; b++) {
      linear[3 * a + b] = matrix[4 * a + b]! * ratio;
      mapped += matrix[4 * a + b]! * moving.centroid[b]!;
    }
    translation[a] = (mapped - fixed.centroid[a]!) / fixed.scale;
  }
  return { linear, translation };
}
