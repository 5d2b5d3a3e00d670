/**
 * Web Worker half of the parallel E-step: holds a range of fixed points and answers E-steps for
 * that range against the moving points, all in SharedArrayBuffers (no copies per iteration).
 * @module
 */
import * as Comlink from "comlink";
import { eStepDense } from "./estep_dense.ts";
import { eStepGrid } from "./estep_grid.ts";
import type { EStepBuffers, EStepTotals } from "./estep_types.ts";
import { MovingGrid } from "./moving_grid.ts";

let fixed: Float64Array = new Float64Array(0);
let pt1: Float64Array = new Float64Array(0);
let first = 0, last = 0;
let grid = new MovingGrid(0);
let rowWeight = new Float64Array(0);
let rowIndex = new Int32Array(0);

/** The API the pool calls through comlink. */
export const eStepWorkerApi = {
  /**
   * Point the worker at a fixed cloud and its range of it.
   * @param fixedBuffer planar fixed points (3N float64)
   * @param pt1Buffer shared Pt1 output (N float64)
   * @param from first fixed index of this worker
   * @param to one past its last fixed index
   */
  setFixed(fixedBuffer: SharedArrayBuffer, pt1Buffer: SharedArrayBuffer, from: number, to: number) {
    fixed = new Float64Array(fixedBuffer);
    pt1 = new Float64Array(pt1Buffer);
    first = from;
    last = to;
  },
  /**
   * E-step for this worker's range; partial P1 and PX go to `outBuffer` as `[P1 (M), PX (3M)]`.
   * @returns the range's totals
   */
  run(
    movingBuffer: SharedArrayBuffer,
    movingCount: number,
    sigma2: number,
    w: number,
    radius: number | null,
    outBuffer: SharedArrayBuffer,
  ): EStepTotals {
    const moving = new Float64Array(movingBuffer, 0, 3 * movingCount);
    const p1 = new Float64Array(outBuffer, 0, movingCount);
    const px = new Float64Array(outBuffer, 8 * movingCount, 3 * movingCount);
    p1.fill(0);
    px.fill(0);
    if (rowWeight.length < movingCount) {
      rowWeight = new Float64Array(movingCount);
      rowIndex = new Int32Array(movingCount);
      grid = new MovingGrid(movingCount);
    }
    const buffers: EStepBuffers = {
      fixed,
      fixedCount: fixed.length / 3,
      moving,
      movingCount,
      p1,
      pt1,
      px,
      rowWeight,
      rowIndex,
    };
    if (radius === null) return eStepDense(buffers, sigma2, w, first, last);
    grid.build(moving, radius);
    return eStepGrid(buffers, grid, sigma2, w, radius, first, last);
  },
};

Comlink.expose(eStepWorkerApi);
