/**
 * `cpdParallel()`: `cpd()` with its large E-steps split across a pool of Web Workers. Small
 * E-steps (multi-start, coarse stage) stay on the calling thread, where messaging would cost
 * more than it saves.
 * @module
 */
import { cpdSteps } from "./cpd.ts";
import { type EmSteps, eStepLocal } from "./em.ts";
import { EStepPool } from "./estep_pool.ts";
import { MovingGrid } from "./moving_grid.ts";
import type { CpdOptions, CpdResult } from "./types.ts";

/** Options of {@link cpdParallel}: those of `cpd()` plus the pool. */
export interface CpdParallelOptions extends CpdOptions {
  /** Workers (default: `navigator.hardwareConcurrency`). */
  workers?: number;
  /** E-steps with fewer point pairs (N·M) than this run on the calling thread. Default 2e6. */
  minPairsForWorkers?: number;
}

/**
 * Register `moving` onto `fixed` with CPD, E-steps in parallel. Same result as `cpd()` up to
 * floating-point summation order.
 * @param moving interleaved xyz moving points
 * @param fixed interleaved xyz fixed points
 * @param options `cpd()` options plus the pool size
 * @returns the fit
 * @example
 * ```ts ignore
 * import { cpdParallel } from "./cpd_parallel.ts";
 * const result = await cpdParallel(moving, fixed, { method: "rigid", workers: 2 });
 * ```
 */
export async function cpdParallel(
  moving: Float64Array,
  fixed: Float64Array,
  options: CpdParallelOptions = {},
): Promise<CpdResult> {
  const size = Math.max(1, Math.floor(options.workers ?? navigator.hardwareConcurrency ?? 2));
  const pool = new EStepPool(size);
  try {
    return await driveWithPool(
      cpdSteps(moving, fixed, options),
      pool,
      options.minPairsForWorkers ?? 2e6,
    );
  } finally {
    pool.close();
  }
}

async function driveWithPool<T>(steps: EmSteps<T>, pool: EStepPool, minPairs: number): Promise<T> {
  let grid: MovingGrid | undefined;
  let next = steps.next();
  while (!next.done) {
    const request = next.value;
    const { fixedCount, movingCount } = request.buffers;
    if (fixedCount * movingCount >= minPairs) {
      next = steps.next(await pool.run(request));
    } else {
      if (!grid || grid.order.length < movingCount) grid = new MovingGrid(movingCount);
      next = steps.next(eStepLocal(request, grid));
    }
  }
  return next.value;
}
