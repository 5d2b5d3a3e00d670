/**
 * Low-rank Gaussian kernel for non-rigid CPD: a Nyström approximation from L landmarks,
 * re-diagonalised so that `G ≈ Q Λ Qᵀ` with Q (M×K) orthonormal — the form the Woodbury
 * solve needs. Cost O(M·L·K + L³), memory O(M·K); G itself (M×M) is never built.
 * @module
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { seededRandom } from "../random.ts";

/** `G ≈ Q Λ Qᵀ` with `Q = G_ML · R · Λ^{-1/2}` (so the deformation extends to any point). */
export interface LowRankKernel {
  /** K: kept eigenpairs. */
  rank: number;
  /** Q, column-major: column k is `q[k·M .. (k+1)·M)`. */
  q: Float64Array;
  /** Λ, descending. */
  eigenvalues: Float64Array;
  /** Landmarks, planar (length 3L). */
  landmarks: Float64Array;
  /** R (L×K, row-major): maps `QᵀW` to landmark coefficients via `α = R Λ^{1/2} QᵀW`. */
  landmarkMap: Float64Array;
}

/**
 * Build the low-rank kernel of `exp(-|y_i - y_j|² / 2β²)` over planar points.
 * @param points planar moving points (length 3M)
 * @param beta kernel width
 * @param rank wanted K (fewer are kept when the kernel's spectrum is numerically shorter)
 * @param seed PRNG seed for landmark choice
 * @returns the factorisation
 */
export function lowRankKernel(
  points: Float64Array,
  beta: number,
  rank: number,
  seed: number,
): LowRankKernel {
  const m = points.length / 3;
  const l = Math.min(m, Math.max(2 * rank, rank + 10));
  const random = seededRandom(seed);
  const pick = Array.from({ length: m }, (_, i) => i);
  for (let i = 0; i < l; i++) {
    const j = i + Math.floor(random() * (m - i));
    const t = pick[i]!;
    pick[i] = pick[j]!;
    pick[j] = t;
  }
  const landmarks = new Float64Array(3 * l);
  for (let i = 0; i < l; i++) {
    for (let a = 0; a < 3; a++) landmarks[i + a * l] = points[pick[i]! + a * m]!;
  }
  const inv2b2 = 1 / (2 * beta * beta);
  const gll = new Matrix(l, l);
  for (let i = 0; i < l; i++) {
    for (let j = 0; j < l; j++) gll.set(i, j, kernel(landmarks, l, i, landmarks, l, j, inv2b2));
  }
  const eig = new EigenvalueDecomposition(gll, { assumeSymmetric: true });
  const values = eig.realEigenvalues, vectors = eig.eigenvectorMatrix;
  const maxValue = Math.max(...values);
  const kept = values.map((v, i) => [v, i] as const).filter(([v]) => v > 1e-11 * maxValue);
  const r = kept.length;
  // T = U_r Σ_r^{-1/2} (L×r); B = G_ML T (M×r)
  const t = new Matrix(l, r);
  kept.forEach(([v, col], k) => {
    for (let i = 0; i < l; i++) t.set(i, k, vectors.get(i, col) / Math.sqrt(v));
  });
  const b = new Matrix(m, r);
  const row = new Float64Array(l);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < l; i++) row[i] = kernel(points, m, j, landmarks, l, i, inv2b2);
    for (let k = 0; k < r; k++) {
      let s = 0;
      for (let i = 0; i < l; i++) s += row[i]! * t.get(i, k);
      b.set(j, k, s);
    }
  }
  const inner = new EigenvalueDecomposition(b.transpose().mmul(b), { assumeSymmetric: true });
  const order = inner.realEigenvalues.map((v, i) => [v, i] as const)
    // eigenpairs below 1e-8 of the largest barely move (the prior penalises them 1e8× more)
    // but cost O(M·K²) per M-step each: drop them
    .filter(([v]) => v > 1e-8 * largest(inner.realEigenvalues)).sort((x, y) => y[0] - x[0])
    .slice(0, rank);
  const kRank = order.length;
  const eigenvalues = Float64Array.from(order, ([v]) => v);
  const v = inner.eigenvectorMatrix;
  const q = new Float64Array(m * kRank);
  const landmarkMap = new Float64Array(l * kRank);
  order.forEach(([value, col], k) => {
    const norm = 1 / Math.sqrt(value);
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let c = 0; c < r; c++) s += b.get(j, c) * v.get(c, col);
      q[k * m + j] = s * norm;
    }
    for (let i = 0; i < l; i++) {
      let s = 0;
      for (let c = 0; c < r; c++) s += t.get(i, c) * v.get(c, col);
      landmarkMap[i * kRank + k] = s;
    }
  });
  return { rank: kRank, q, eigenvalues, landmarks, landmarkMap };
}

function kernel(
  a: Float64Array,
  aCount: number,
  i: number,
  b: Float64Array,
  bCount: number,
  j: number,
  inv2b2: number,
): number {
  const dx = a[i]! - b[j]!, dy = a[i + aCount]! - b[j + bCount]!;
  const dz = a[i + 2 * aCount]! - b[j + 2 * bCount]!;
  return Math.exp(-(dx * dx + dy * dy + dz * dz) * inv2b2);
}

function largest(values: number[]): number {
  return Math.max(...values);
}
