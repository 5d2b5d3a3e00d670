/**
 * Rigid CPD model (rotation, optional uniform scale, translation), Myronenko & Song 2010 Fig. 2,
 * with the reflection guard and the correct σ² update when the scale is fixed.
 * @module
 */
import type { EmModel } from "./em.ts";
import type { EStepBuffers } from "./estep_types.ts";
import { procrustesRotation } from "./mat3.ts";
import { applyLinear, weightedMoments } from "./moments.ts";

/** Rigid parameters in normalised space: `T(y) = s R y + t`. */
export interface RigidParameters {
  /** R, 3×3 row-major, det +1. */
  rotation: Float64Array;
  /** s (1 when the scale is fixed). */
  scale: number;
  /** t. */
  translation: Float64Array;
}

/** EM model for rigid CPD on planar normalised points. */
export class RigidModel implements EmModel {
  readonly transformed: Float64Array;
  /** Current parameters. */
  parameters: RigidParameters;

  /**
   * @param moving planar untransformed moving points Y
   * @param withScale estimate s (true) or hold s = 1
   * @param initial starting parameters (default identity)
   */
  constructor(
    readonly moving: Float64Array,
    readonly withScale: boolean,
    initial?: RigidParameters,
  ) {
    this.parameters = initial ?? {
      rotation: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1),
      scale: 1,
      translation: new Float64Array(3),
    };
    this.transformed = new Float64Array(moving.length);
    this.update();
  }

  /** @inheritdoc */
  mStep(buffers: EStepBuffers, np: number): number {
    const mo = weightedMoments(buffers, np, this.moving);
    const { rotation, trace } = procrustesRotation(mo.cross);
    const s = mo.movingScatter;
    const movingTrace = s[0]! + s[4]! + s[8]!;
    const scale = this.withScale ? trace / movingTrace : 1;
    const translation = new Float64Array(3);
    for (let a = 0; a < 3; a++) {
      translation[a] = mo.meanFixed[a]! - scale * (rotation[3 * a]! * mo.meanMoving[0]! +
            rotation[3 * a + 1]! * mo.meanMoving[1]! + rotation[3 * a + 2]! * mo.meanMoving[2]!);
    }
    this.parameters = { rotation, scale, translation };
    this.update();
    // With s fixed at 1 the residual keeps the tr(Ŷᵀ d(P1) Ŷ) term that the scaled form cancels.
    const residual = this.withScale
      ? mo.fixedTrace - scale * trace
      : mo.fixedTrace - 2 * trace + movingTrace;
    return residual / (3 * np);
  }

  private update(): void {
    const { rotation, scale, translation } = this.parameters;
    applyLinear(this.moving, rotation.map((v) => v * scale), translation, this.transformed);
  }
}
