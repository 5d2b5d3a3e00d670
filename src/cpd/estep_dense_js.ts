/**
 * Exact (dense) CPD E-step in plain TypeScript, streamed (the reference for the WebAssembly
 * version in `estep_dense.ts`, and its fallback): memory O(M + N), never an M×N matrix. Each fixed point
 * x_n gets its kernel row k_mn = exp(-|x_n - T(y_m)|² / 2σ²) in a length-M scratch buffer, then
 * its posteriors P_mn = k_mn / (Σ_m k_mn + c) are folded into P1, Pt1 and PX.
 * @module
 */
import {
  FRACTION_POW2 as FRACTION_TABLE,
  INTEGER_POW2 as INTEGER_TABLE,
  LN2_OVER_32,
  LOG2E_TIMES_32,
  UNDERFLOW,
} from "./fast_exp.ts";
import type { EStepBuffers, EStepTotals } from "./estep_types.ts";
import { likelihoodOffset, outlierConstant } from "./estep_types.ts";

/**
 * Run the dense E-step for fixed points `[first, last)`, accumulating into `buffers.p1` and
 * `buffers.px` (the caller zeroes them once per iteration) and writing `buffers.pt1`.
 * @param buffers inputs and accumulators
 * @param sigma2 current σ² (> 0)
 * @param w outlier weight in [0, 1)
 * @param first first fixed point index (default 0)
 * @param last one past the last fixed point index (default N)
 * @returns Σ P, the log-likelihood of the range and the number of pairs evaluated
 */
export function eStepDenseJs(
  buffers: EStepBuffers,
  sigma2: number,
  w: number,
  first = 0,
  last = buffers.fixedCount,
): EStepTotals {
  const { fixed, fixedCount: n, moving, movingCount: m, p1, pt1, px, rowWeight } = buffers;
  // local copies: imported bindings cost a check per access in the hot loop
  const FRACTION_POW2 = FRACTION_TABLE, INTEGER_POW2 = INTEGER_TABLE;
  const c = outlierConstant(sigma2, w, m, n);
  // exponent in 1/32 octaves per unit squared distance
  const toOctaves = -LOG2E_TIMES_32 / (2 * sigma2);
  // one view per axis (no index arithmetic in the loop) and an interleaved accumulator
  // [P1, PXx, PXy, PXz] per moving point: one memory stream in the second pass instead of four
  const movingX = moving.subarray(0, m), movingY = moving.subarray(m, 2 * m);
  const movingZ = moving.subarray(2 * m, 3 * m);
  const accumulator = new Float64Array(4 * m);
  let np = 0;
  let logSum = 0;
  for (let i = first; i < last; i++) {
    const x = fixed[i]!, y = fixed[i + n]!, z = fixed[i + 2 * n]!;
    let den = 0;
    for (let j = 0; j < m; j++) {
      const dx = x - movingX[j]!, dy = y - movingY[j]!, dz = z - movingZ[j]!;
      const u = (dx * dx + dy * dy + dz * dz) * toOctaves;
      let k = 0;
      if (u > UNDERFLOW) {
        // inlined pow2Over32(u): V8 does not always inline it here
        const whole = Math.floor(u);
        const e = whole | 0;
        const f = (u - whole) * LN2_OVER_32;
        k = (1 + f * (1 + f * (0.5 + f * (1 / 6 + f * (1 / 24 + f * (1 / 120 + f / 720)))))) *
          FRACTION_POW2[e & 31]! * INTEGER_POW2[(e >> 5) + 1100]!;
      }
      rowWeight[j] = k;
      den += k;
    }
    const total = den + c;
    logSum += Math.log(total > 1e-300 ? total : 1e-300);
    if (den <= 1e-300) {
      pt1[i] = 0;
      continue;
    }
    const inv = 1 / total;
    pt1[i] = den * inv;
    np += den * inv;
    const wx = x * inv, wy = y * inv, wz = z * inv;
    for (let j = 0, q = 0; j < m; j++, q += 4) {
      const k = rowWeight[j]!;
      if (k === 0) continue;
      accumulator[q]! += k * inv;
      accumulator[q + 1]! += k * wx;
      accumulator[q + 2]! += k * wy;
      accumulator[q + 3]! += k * wz;
    }
  }
  for (let j = 0, q = 0; j < m; j++, q += 4) {
    p1[j]! += accumulator[q]!;
    px[j]! += accumulator[q + 1]!;
    px[j + m]! += accumulator[q + 2]!;
    px[j + 2 * m]! += accumulator[q + 3]!;
  }
  return {
    np,
    logLikelihood: logSum + likelihoodOffset(sigma2, w, m, last - first),
    pairs: (last - first) * m,
    truncationError: 0,
  };
}
