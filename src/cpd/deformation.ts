/**
 * The non-rigid CPD displacement field as a Gaussian radial basis expansion over landmarks:
 * `v(p̂) = Σ_l exp(-|p̂ - ŷ_l|² / 2β²) α_l`, in the fixed cloud's normalised coordinates
 * `p̂ = (p - centroid) / scale`. It can be evaluated anywhere (for warping), saved and loaded.
 * @module
 */
import type { Normalization } from "./normalize.ts";

/** Serialisable form of a {@link GaussianDeformation}. */
export interface GaussianDeformationJson {
  /** Kernel width β in normalised units. */
  beta: number;
  /** Normalisation of the space the field lives in (the fixed cloud's). */
  normalization: Normalization;
  /** Landmarks ŷ_l, nested rows `[x, y, z]` (normalised units). */
  controlPoints: number[][];
  /** Coefficients α_l, nested rows (normalised units). */
  coefficients: number[][];
}

/** A displacement field that is smooth (Gaussian kernel) and defined everywhere. */
export class GaussianDeformation {
  /**
   * @param beta kernel width β (normalised units)
   * @param normalization normalisation of the field's space
   * @param controlPoints planar landmarks (length 3L)
   * @param coefficients planar coefficients (length 3L)
   */
  constructor(
    readonly beta: number,
    readonly normalization: Normalization,
    readonly controlPoints: Float64Array,
    readonly coefficients: Float64Array,
  ) {}

  /**
   * Apply `p → p + s·v((p - c)/s)` to interleaved caller-unit points (those already mapped by
   * the affine part of the transform).
   * @param points interleaved xyz, caller units
   * @returns displaced copy
   * @example
   * ```ts
   * import { GaussianDeformation } from "./deformation.ts";
   * const field = new GaussianDeformation(1, { centroid: [0, 0, 0], scale: 1 },
   *   Float64Array.of(0, 0, 0), Float64Array.of(0.1, 0, 0));
   * field.evaluate(Float64Array.of(0, 0, 0)); // → [0.1, 0, 0]
   * ```
   */
  evaluate(points: Float64Array): Float64Array {
    const { centroid, scale } = this.normalization;
    const l = this.controlPoints.length / 3;
    const cp = this.controlPoints, co = this.coefficients;
    const inv2b2 = 1 / (2 * this.beta * this.beta);
    const out = new Float64Array(points.length);
    for (let i = 0; i < points.length; i += 3) {
      const x = (points[i]! - centroid[0]) / scale;
      const y = (points[i + 1]! - centroid[1]) / scale;
      const z = (points[i + 2]! - centroid[2]) / scale;
      let vx = 0, vy = 0, vz = 0;
      for (let j = 0; j < l; j++) {
        const dx = x - cp[j]!, dy = y - cp[j + l]!, dz = z - cp[j + 2 * l]!;
        const k = Math.exp(-(dx * dx + dy * dy + dz * dz) * inv2b2);
        vx += k * co[j]!;
        vy += k * co[j + l]!;
        vz += k * co[j + 2 * l]!;
      }
      out[i] = points[i]! + scale * vx;
      out[i + 1] = points[i + 1]! + scale * vy;
      out[i + 2] = points[i + 2]! + scale * vz;
    }
    return out;
  }

  /** @returns the JSON form (nested rows) */
  toJSON(): GaussianDeformationJson {
    const rows = (planar: Float64Array) => {
      const l = planar.length / 3;
      return Array.from({ length: l }, (_, j) => [planar[j]!, planar[j + l]!, planar[j + 2 * l]!]);
    };
    return {
      beta: this.beta,
      normalization: this.normalization,
      controlPoints: rows(this.controlPoints),
      coefficients: rows(this.coefficients),
    };
  }

  /**
   * Rebuild a deformation from its JSON form.
   * @param json parsed object
   * @returns the deformation
   * @throws {TypeError} when fields are missing or malformed
   */
  static fromJSON(json: GaussianDeformationJson): GaussianDeformation {
    const planar = (rows: unknown, name: string) => {
      if (!Array.isArray(rows)) {
        throw new TypeError(`Cannot load deformation: ${name} is not a list`);
      }
      const l = rows.length;
      const out = new Float64Array(3 * l);
      rows.forEach((row, j) => {
        if (!Array.isArray(row) || row.length !== 3 || !row.every(Number.isFinite)) {
          throw new TypeError(`Cannot load deformation: ${name}[${j}] is not [x, y, z]`);
        }
        for (let a = 0; a < 3; a++) out[j + a * l] = row[a] as number;
      });
      return out;
    };
    const n = json.normalization;
    if (!(json.beta > 0) || !n || !(n.scale > 0) || n.centroid?.length !== 3) {
      throw new TypeError("Cannot load deformation: beta or normalization is missing or invalid");
    }
    const cp = planar(json.controlPoints, "controlPoints");
    const co = planar(json.coefficients, "coefficients");
    if (cp.length !== co.length) {
      throw new TypeError(
        "Cannot load deformation: controlPoints and coefficients differ in length",
      );
    }
    return new GaussianDeformation(
      json.beta,
      { centroid: [...n.centroid], scale: n.scale },
      cp,
      co,
    );
  }
}
