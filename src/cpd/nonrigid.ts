/**
 * Non-rigid CPD (Myronenko & Song 2010, Fig. 4 with the low-rank kernel of §4.3):
 * `T(Y) = Y + G W`, W from `(d(P1) G + λσ² I) W = PX - d(P1) Y` solved with the Woodbury
 * identity on `G ≈ Q Λ Qᵀ`, so each M-step costs O(M·K + K³) and W (M×3) is never formed.
 * @module
 */
import { CholeskyDecomposition, Matrix } from "ml-matrix";
import { GaussianDeformation } from "./deformation.ts";
import { type EmModel, type EmOptions, type EmOutcome, type EmSteps, emSteps } from "./em.ts";
import type { EStepBuffers } from "./estep_types.ts";
import { type LowRankKernel, lowRankKernel } from "./lowrank.ts";
import type { Normalization } from "./normalize.ts";

/** Options of {@link fitNonrigid}. */
export interface NonrigidOptions extends EmOptions {
  /** Kernel width β (normalised units). */
  beta: number;
  /** Regularisation λ. */
  lambda: number;
  /** Rank K of the kernel approximation; default max(20, ⌈√M⌉). */
  lowRank?: number;
  /** Landmark seed. */
  seed: number;
}

/** EM model of non-rigid CPD on planar normalised points. */
export class NonrigidModel implements EmModel {
  readonly transformed: Float64Array;
  /** Current QᵀW (K×3, row-major). */
  readonly qtw: Float64Array;

  /**
   * @param moving planar pre-aligned moving points Y (normalised)
   * @param kernel low-rank kernel of Y
   * @param lambda regularisation λ
   */
  constructor(
    readonly moving: Float64Array,
    readonly kernel: LowRankKernel,
    readonly lambda: number,
  ) {
    this.transformed = Float64Array.from(moving);
    this.qtw = new Float64Array(3 * kernel.rank);
  }

  /** @inheritdoc */
  mStep(buffers: EStepBuffers, np: number, sigma2: number): number {
    const { fixed, fixedCount: n, movingCount: m, p1, pt1, px } = buffers;
    const { q, eigenvalues, rank: k } = this.kernel;
    const y = this.moving;
    const ls = this.lambda * sigma2;
    // g = Qᵀ F with F = PX - d(P1) Y; h = Qᵀ d(P1) Q
    const g = new Matrix(k, 3);
    const h = new Matrix(k, k);
    for (let a = 0; a < k; a++) {
      const qa = a * m;
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += q[qa + j]! * (px[j + c * m]! - p1[j]! * y[j + c * m]!);
        g.set(a, c, s);
      }
      for (let b = a; b < k; b++) {
        const qb = b * m;
        let s = 0;
        for (let j = 0; j < m; j++) s += q[qa + j]! * p1[j]! * q[qb + j]!;
        h.set(a, b, s);
        h.set(b, a, s);
      }
    }
    // S = Λ^{-1} + h / (λσ²);  QᵀW = (g - h S^{-1} g / (λσ²)) / (λσ²)
    const sMat = h.clone().div(ls);
    for (let a = 0; a < k; a++) sMat.set(a, a, sMat.get(a, a) + 1 / eigenvalues[a]!);
    const z = new CholeskyDecomposition(sMat).solve(g);
    const hz = h.mmul(z);
    for (let a = 0; a < k; a++) {
      for (let c = 0; c < 3; c++) this.qtw[3 * a + c] = (g.get(a, c) - hz.get(a, c) / ls) / ls;
    }
    // T(Y) = Y + Q Λ QᵀW, and the σ² update
    const t = this.transformed;
    let xx = 0, xt = 0, tt = 0;
    for (let c = 0; c < 3; c++) {
      for (let j = 0; j < m; j++) {
        let v = y[j + c * m]!;
        for (let a = 0; a < k; a++) v += q[a * m + j]! * eigenvalues[a]! * this.qtw[3 * a + c]!;
        t[j + c * m] = v;
        xt += px[j + c * m]! * v;
        tt += p1[j]! * v * v;
      }
      for (let i = 0; i < n; i++) xx += pt1[i]! * fixed[i + c * n]! * fixed[i + c * n]!;
    }
    return (xx - 2 * xt + tt) / (3 * np);
  }

  /** @returns landmark coefficients α = R Λ^{1/2} QᵀW, planar (length 3L) */
  landmarkCoefficients(): Float64Array {
    const { landmarkMap, eigenvalues, rank: k, landmarks } = this.kernel;
    const l = landmarks.length / 3;
    const out = new Float64Array(3 * l);
    for (let i = 0; i < l; i++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let a = 0; a < k; a++) {
          s += landmarkMap[i * k + a]! * Math.sqrt(eigenvalues[a]!) * this.qtw[3 * a + c]!;
        }
        out[i + c * l] = s;
      }
    }
    return out;
  }
}

/**
 * Fit the non-rigid model to pre-aligned moving points, both in the fixed cloud's normalisation.
 * @param aligned interleaved xyz moving points after the affine part, caller units
 * @param fixed planar fixed points, normalised by `normalization`
 * @param normalization the fixed cloud's normalisation
 * @param options EM and kernel options
 * @returns the displacement field and the EM outcome
 */
export function* fitNonrigid(
  aligned: Float64Array,
  fixed: Float64Array,
  normalization: Normalization,
  options: NonrigidOptions,
): EmSteps<{ deformation: GaussianDeformation; run: EmOutcome }> {
  const m = aligned.length / 3;
  const y = new Float64Array(aligned.length);
  for (let j = 0; j < m; j++) {
    for (let a = 0; a < 3; a++) {
      y[j + a * m] = (aligned[3 * j + a]! - normalization.centroid[a]!) / normalization.scale;
    }
  }
  const rank = Math.min(m, options.lowRank ?? Math.max(20, Math.ceil(Math.sqrt(m))));
  const kernel = lowRankKernel(y, options.beta, rank, options.seed);
  const model = new NonrigidModel(y, kernel, options.lambda);
  const run = yield* emSteps(fixed, model, options);
  const deformation = new GaussianDeformation(
    options.beta,
    normalization,
    kernel.landmarks,
    model.landmarkCoefficients(),
  );
  return { deformation, run };
}
