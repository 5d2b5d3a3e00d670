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
   * @param fixedScale `null` to estimate s, else the value s is held at (in normalised space
   *   a caller-units scale of 1 is `movingScale / fixedScale`)
   * @param initial starting parameters (default identity)
   */
  constructor(
    readonly moving: Float64Array,
    readonly fixedScale: number | null,
    initial?: RigidParameters,
  ) {
    this.parameters = initial ?? {
      rotation: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1),
      scale: fixedScale ?? 1,
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
    const scale = this.fixedScale ?? trace / movingTrace;
    const translation = new Float64Array(3);
    for (let a = 0; a < 3; a++) {
      translation[a] = mo.meanFixed[a]! - scale * (rotation[3 * a]! * mo.meanMoving[0]! +
            rotation[3 * a + 1]! * mo.meanMoving[1]! + rotation[3 * a + 2]! * mo.meanMoving[2]!);
    }
    this.parameters = { rotation, scale, translation };
    this.update();
    // With s held fixed the residual keeps the s² tr(Ŷᵀ d(P1) Ŷ) term that the estimated-s form
    // cancels (s = tr(AᵀR) / tr(Ŷᵀ d(P1) Ŷ)); dropping it is a common bug.
    const residual = this.fixedScale === null
      ? mo.fixedTrace - scale * trace
      : mo.fixedTrace - 2 * scale * trace + scale * scale * movingTrace;
    return residual / (3 * np);
  }

  private update(): void {
    const { rotation, scale, translation } = this.parameters;
    applyLinear(this.moving, rotation.map((v) => v * scale), translation, this.transformed);
  }
}
