/**
 * Affine CPD model, Myronenko & Song 2010 Fig. 3: `T(y) = B y + t` in closed form.
 * @module
 */
import type { EmModel } from "./em.ts";
import type { EStepBuffers } from "./estep_types.ts";
import { invert3, multiply3 } from "./mat3.ts";
import { applyLinear, weightedMoments } from "./moments.ts";

/** Affine parameters in normalised space. */
export interface AffineParameters {
  /** B, 3×3 row-major. */
  linear: Float64Array;
  /** t. */
  translation: Float64Array;
}

/** EM model for affine CPD on planar normalised points. */
export class AffineModel implements EmModel {
  readonly transformed: Float64Array;
  /** Current parameters. */
  parameters: AffineParameters;

  /**
   * @param moving planar untransformed moving points Y
   * @param initial starting parameters (default identity)
   */
  constructor(readonly moving: Float64Array, initial?: AffineParameters) {
    this.parameters = initial ?? {
      linear: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1),
      translation: new Float64Array(3),
    };
    this.transformed = new Float64Array(moving.length);
    applyLinear(moving, this.parameters.linear, this.parameters.translation, this.transformed);
  }

  /** @inheritdoc */
  mStep(buffers: EStepBuffers, np: number): number {
    const mo = weightedMoments(buffers, np, this.moving);
    let inverse: Float64Array;
    try {
      inverse = invert3(mo.movingScatter);
    } catch {
      return Number.NaN; // degenerate posterior (all mass on a plane): keep σ² at its floor
    }
    const linear = multiply3(mo.cross, inverse);
    const translation = new Float64Array(3);
    let traceAB = 0;
    for (let a = 0; a < 3; a++) {
      translation[a] = mo.meanFixed[a]! - (linear[3 * a]! * mo.meanMoving[0]! +
        linear[3 * a + 1]! * mo.meanMoving[1]! + linear[3 * a + 2]! * mo.meanMoving[2]!);
      for (let b = 0; b < 3; b++) traceAB += mo.cross[3 * a + b]! * linear[3 * a + b]!;
    }
    this.parameters = { linear, translation };
    applyLinear(this.moving, linear, translation, this.transformed);
    return (mo.fixedTrace - traceAB) / (3 * np);
  }
}
