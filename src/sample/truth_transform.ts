/**
 * The ground-truth FM→EM transform of a generated sample (`truth.json`), the same format as
 * the pipeline's `transform.json`, and its exact evaluation at points in both directions,
 * non-rigid field included, so tests can compute target registration errors.
 * @module
 */

/** A 3-D point (z, y, x) in micrometers. */
export type PointUm = [number, number, number];

/** A 4×4 homogeneous matrix acting on column vectors [z, y, x, 1]. */
export type Matrix4 = number[][];

/**
 * A smooth displacement field in EM space applied after the affine part:
 * `p_em = q + Σ_k displacementsUm[k] · exp(−|q − centersUm[k]|² / (2 sigmaUm²))`,
 * `q = fmToEm.matrix · [p_fm, 1]`.
 */
export interface GaussianRbfField {
  kind: "gaussian-rbf-displacement";
  space: "em";
  sigmaUm: number;
  /** The largest displacement magnitude over the EM volume. */
  amplitudeUm: number;
  centersUm: PointUm[];
  displacementsUm: PointUm[];
}

/** Contents of `truth.json` (and, with `diagnostics` instead of test points, `transform.json`). */
export interface TruthTransform {
  units: "micrometer";
  axes: ["z", "y", "x"];
  /** Affine part FM → EM (physical micrometers, level-0 scale and translation). */
  fmToEm: { matrix: Matrix4 };
  /** Exact inverse of `fmToEm.matrix` (the affine part only when `nonrigid` is set). */
  emToFm: { matrix: Matrix4 };
  nonrigid: GaussianRbfField | null;
  method: "rigid" | "affine" | "nonrigid";
  testPoints?: {
    fm: PointUm[];
    em: PointUm[];
    lysosomes: { fm: PointUm[]; em: PointUm[] };
  };
  [key: string]: unknown;
}

/** Apply a 4×4 affine matrix to a point. */
export function applyMatrix(matrix: Matrix4, point: readonly number[]): PointUm {
  const out: PointUm = [0, 0, 0];
  for (let row = 0; row < 3; row++) {
    const m = matrix[row]!;
    out[row] = m[0]! * point[0]! + m[1]! * point[1]! + m[2]! * point[2]! + m[3]!;
  }
  return out;
}

/** Displacement of the non-rigid field at an EM-space point `q`, added into `out`. */
export function rbfDisplacement(
  field: GaussianRbfField,
  q: readonly number[],
  out: number[],
): void {
  const inverseTwoSigma2 = 1 / (2 * field.sigmaUm * field.sigmaUm);
  out[0] = 0;
  out[1] = 0;
  out[2] = 0;
  for (let k = 0; k < field.centersUm.length; k++) {
    const c = field.centersUm[k]!;
    const dz = q[0]! - c[0], dy = q[1]! - c[1], dx = q[2]! - c[2];
    const weight = Math.exp(-(dz * dz + dy * dy + dx * dx) * inverseTwoSigma2);
    const d = field.displacementsUm[k]!;
    out[0] += weight * d[0];
    out[1] += weight * d[1];
    out[2] += weight * d[2];
  }
}

/**
 * Map FM-space points (µm) into EM space with the full truth transform.
 *
 * @param truth The transform (truth.json or transform.json contents).
 * @param points Points (z, y, x) in FM physical micrometers.
 * @returns The EM-space points.
 * @example
 * ```ts
 * const identity = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
 * const truth = { units: "micrometer", axes: ["z", "y", "x"], fmToEm: { matrix: identity },
 *   emToFm: { matrix: identity }, nonrigid: null, method: "rigid" } as const;
 * fmToEmPoints({ ...truth, axes: ["z", "y", "x"] }, [[1, 2, 3]]); // [[1, 2, 3]]
 * ```
 */
export function fmToEmPoints(truth: TruthTransform, points: readonly PointUm[]): PointUm[] {
  const displacement = [0, 0, 0];
  return points.map((p) => {
    const q = applyMatrix(truth.fmToEm.matrix, p);
    if (truth.nonrigid === null) return q;
    rbfDisplacement(truth.nonrigid, q, displacement);
    return [q[0] + displacement[0]!, q[1] + displacement[1]!, q[2] + displacement[2]!];
  });
}

/**
 * Map EM-space points (µm) into FM space: the exact inverse of {@linkcode fmToEmPoints}
 * (the non-rigid field is inverted by fixed-point iteration to 1e-13 µm).
 *
 * @param truth The transform.
 * @param points Points (z, y, x) in EM physical micrometers.
 * @returns The FM-space points.
 * @throws {RangeError} When the field is not invertible (iteration does not converge).
 */
export function emToFmPoints(truth: TruthTransform, points: readonly PointUm[]): PointUm[] {
  const field = truth.nonrigid;
  const displacement = [0, 0, 0];
  return points.map((p) => {
    let q: PointUm = [p[0], p[1], p[2]];
    if (field !== null) {
      let converged = false;
      for (let iteration = 0; iteration < 200 && !converged; iteration++) {
        rbfDisplacement(field, q, displacement);
        const next: PointUm = [
          p[0] - displacement[0]!,
          p[1] - displacement[1]!,
          p[2] - displacement[2]!,
        ];
        converged = Math.hypot(next[0] - q[0], next[1] - q[1], next[2] - q[2]) < 1e-13;
        q = next;
      }
      if (!converged) {
        throw new RangeError("Cannot invert the non-rigid field: fixed-point iteration diverged");
      }
    }
    return applyMatrix(truth.emToFm.matrix, q);
  });
}

/**
 * Invert a 4×4 affine matrix (last row 0 0 0 1) exactly via the 3×3 adjugate.
 *
 * @param matrix The affine matrix.
 * @returns Its inverse.
 * @throws {RangeError} When the linear part is singular.
 */
export function invertAffine(matrix: Matrix4): Matrix4 {
  const m = (r: number, c: number): number => matrix[r]![c]!;
  const cofactor = [
    [
      m(1, 1) * m(2, 2) - m(1, 2) * m(2, 1),
      m(0, 2) * m(2, 1) - m(0, 1) * m(2, 2),
      m(0, 1) * m(1, 2) - m(0, 2) * m(1, 1),
    ],
    [
      m(1, 2) * m(2, 0) - m(1, 0) * m(2, 2),
      m(0, 0) * m(2, 2) - m(0, 2) * m(2, 0),
      m(0, 2) * m(1, 0) - m(0, 0) * m(1, 2),
    ],
    [
      m(1, 0) * m(2, 1) - m(1, 1) * m(2, 0),
      m(0, 1) * m(2, 0) - m(0, 0) * m(2, 1),
      m(0, 0) * m(1, 1) - m(0, 1) * m(1, 0),
    ],
  ];
  const determinant = m(0, 0) * cofactor[0]![0]! + m(0, 1) * cofactor[1]![0]! +
    m(0, 2) * cofactor[2]![0]!;
  if (!(Math.abs(determinant) > 1e-300)) {
    throw new RangeError("Cannot invert a singular affine matrix");
  }
  const inverse: Matrix4 = [];
  for (let r = 0; r < 3; r++) {
    const row = cofactor[r]!.map((value) => value / determinant);
    row.push(-(row[0]! * m(0, 3) + row[1]! * m(1, 3) + row[2]! * m(2, 3)));
    inverse.push(row);
  }
  inverse.push([0, 0, 0, 1]);
  return inverse;
}

/**
 * Read and minimally validate a `truth.json` or `transform.json` file.
 *
 * @param path The JSON file.
 * @returns Its contents.
 * @throws {TypeError} When the file lacks the 4×4 matrices.
 */
export async function readTruth(path: string): Promise<TruthTransform> {
  const truth = JSON.parse(await Deno.readTextFile(path)) as TruthTransform;
  const isMatrix = (m: unknown) =>
    Array.isArray(m) && m.length === 4 && m.every((row) => Array.isArray(row) && row.length === 4);
  if (!isMatrix(truth?.fmToEm?.matrix) || !isMatrix(truth?.emToFm?.matrix)) {
    throw new TypeError(`Cannot read ${path}: fmToEm.matrix and emToFm.matrix must be 4×4 arrays`);
  }
  return truth;
}
