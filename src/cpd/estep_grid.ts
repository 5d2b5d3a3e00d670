/**
 * Truncated CPD E-step: only moving points within `radius = k·σ` of a fixed point enter its
 * posterior, found through a uniform grid over T(Y) rebuilt every iteration (O(M) time and
 * memory). This thread walks the grid and lists, per fixed point, the runs of grid-sorted
 * moving points whose cells meet its ball; WebAssembly SIMD (`src/wasm/estep_grid_wat.ts`)
 * evaluates the kernels over those runs and accumulates the posteriors. The plain TypeScript
 * version (`estep_grid_js.ts`) is the reference.
 *
 * Error bound: a neglected pair has kernel value below `exp(-k²/2)`, so the neglected mass of
 * fixed point x_n is at most `ε_n = M · exp(-k²/2)`. Each posterior P_mn, and therefore every
 * entry of P1, Pt1 and PX / ‖x‖, is then off by at most `ε_n / (den_n + c)` relative to the
 * dense result, where `den_n + c` is the computed denominator. The E-step returns the largest
 * of these bounds as `truncationError`; {@link truncationRadiusFactor} picks k so that
 * `M · exp(-k²/2) = tolerance`.
 * @module
 */
import { instantiateEmbedded } from "../wasm/module_cache.ts";
import { ESTEP_GRID_WASM_BASE64 } from "../wasm/estep_grid_wasm.ts";
import { coarseCellOrder } from "./estep_grid_js.ts";
import type { EStepBuffers, EStepTotals } from "./estep_types.ts";
import { likelihoodOffset, outlierConstant } from "./estep_types.ts";
import type { MovingGrid } from "./moving_grid.ts";

export { truncationRadiusFactor } from "./estep_grid_js.ts";

/** Fixed points per call into WebAssembly (short calls let V8 tier the code up early). */
const ROWS_PER_CALL = 256;
/** Runs `[begin, end)` the run table holds (at least one row's worth); a batch is flushed early when it fills. */
const RUN_CAPACITY = 1 << 16;

/** This thread's instance, its memory sized for `capacity` moving points. */
interface Kernel {
  memory: WebAssembly.Memory;
  gridRows: (...args: number[]) => void;
  capacity: number;
}

let kernel: Kernel | null = null;

/** Byte offsets of the regions for M moving points (see `estep_grid_wat.ts`). */
function layout(m: number) {
  const padded = m + 4;
  const f64 = (index: number) => 8 * index;
  const sx = 0, sy = f64(padded), sz = f64(2 * padded), a1 = f64(3 * padded);
  const ax = f64(4 * padded), ay = f64(5 * padded), az = f64(6 * padded);
  const w = f64(7 * padded);
  const fx = w + f64(2 * m + 8), fy = fx + f64(ROWS_PER_CALL), fz = fy + f64(ROWS_PER_CALL);
  const den = fz + f64(ROWS_PER_CALL);
  const rowRuns = den + f64(ROWS_PER_CALL);
  const runs = rowRuns + 4 * (ROWS_PER_CALL + 2);
  return { padded, sx, sy, sz, a1, ax, ay, az, w, fx, fy, fz, den, rowRuns, runs };
}

function kernelFor(m: number): Kernel {
  if (!kernel) {
    const instance = instantiateEmbedded(ESTEP_GRID_WASM_BASE64);
    kernel = {
      memory: instance.exports.memory as WebAssembly.Memory,
      gridRows: instance.exports.gridRows as (...args: number[]) => void,
      capacity: 0,
    };
  }
  if (kernel.capacity < m) {
    const bytes = layout(m).runs + 8 * RUN_CAPACITY;
    const pages = Math.ceil(bytes / 65536) - kernel.memory.buffer.byteLength / 65536;
    if (pages > 0) kernel.memory.grow(pages);
    kernel.capacity = m;
  }
  return kernel;
}

/**
 * Run the truncated E-step for fixed points `[first, last)`; same contract as `eStepDense`.
 * @param buffers inputs and accumulators
 * @param grid grid over `buffers.moving` built for `radius` (any cell size works)
 * @param sigma2 current σ²
 * @param w outlier weight
 * @param radius truncation radius (normalised units)
 * @param first first fixed point index (default 0)
 * @param last one past the last fixed point index (default N)
 * @returns the range's totals, `pairs` counting the candidates examined and `truncationError`
 * the largest per-point error bound
 */
export function eStepGrid(
  buffers: EStepBuffers,
  grid: MovingGrid,
  sigma2: number,
  w: number,
  radius: number,
  first = 0,
  last = buffers.fixedCount,
): EStepTotals {
  const { fixed, fixedCount: n, movingCount: m, p1, pt1, px } = buffers;
  const { sortedX, sortedY, sortedZ, order } = grid;
  const maxRuns = grid.maxRunsNear(radius);
  const { memory, gridRows } = kernelFor(m);
  const at = layout(m);
  const heap = new Float64Array(memory.buffer);
  const ints = new Int32Array(memory.buffer);
  const sorted = [sortedX, sortedY, sortedZ];
  [at.sx, at.sy, at.sz].forEach((offset, axis) => {
    heap.set(sorted[axis]!.subarray(0, m), offset / 8);
    heap.fill(0, offset / 8 + m, offset / 8 + at.padded);
  });
  heap.fill(0, at.a1 / 8, at.w / 8);
  const c = outlierConstant(sigma2, w, m, n);
  const radius2 = radius * radius;
  const neglected = m * Math.exp(-radius2 / (2 * sigma2));
  const visit = coarseCellOrder(fixed, n, first, last, grid);
  const rowRunsAt = at.rowRuns / 4, runsAt = at.runs / 4;
  let np = 0, logSum = 0, pairs = 0, worst = 0;
  let rows = 0, runCount = 0, batchStart = 0;

  const flush = () => {
    if (rows === 0) return;
    ints[rowRunsAt + rows] = runCount;
    gridRows(
      at.sx,
      at.sy,
      at.sz,
      at.w,
      at.a1,
      at.ax,
      at.ay,
      at.az,
      at.fx,
      at.fy,
      at.fz,
      at.den,
      at.rowRuns,
      at.runs,
      rows,
      -1 / (2 * sigma2),
      radius2,
      c,
    );
    for (let row = 0; row < rows; row++) {
      const den = heap[at.den / 8 + row]!;
      const total = den + c;
      logSum += Math.log(total > 1e-300 ? total : 1e-300);
      const bound = neglected / (total > 1e-300 ? total : 1e-300);
      if (bound > worst) worst = bound;
      const posterior = den <= 1e-300 ? 0 : den / total;
      pt1[visit[batchStart + row]!] = posterior;
      np += posterior;
    }
    batchStart += rows;
    rows = 0;
    runCount = 0;
  };

  for (let v = 0; v < visit.length; v++) {
    const i = visit[v]!;
    const x = fixed[i]!, y = fixed[i + n]!, z = fixed[i + 2 * n]!;
    if (runCount + maxRuns > RUN_CAPACITY) flush();
    heap[at.fx / 8 + rows] = x;
    heap[at.fy / 8 + rows] = y;
    heap[at.fz / 8 + rows] = z;
    ints[rowRunsAt + rows] = runCount;
    const written = grid.runsNear(x, y, z, radius, ints, runsAt / 2 + runCount);
    for (let r = runCount; r < runCount + written; r++) {
      pairs += ints[runsAt + 2 * r + 1]! - ints[runsAt + 2 * r]!;
    }
    runCount += written;
    rows++;
    if (rows === ROWS_PER_CALL) flush();
  }
  flush();
  for (let s = 0; s < m; s++) {
    const j = order[s]!;
    p1[j]! += heap[at.a1 / 8 + s]!;
    px[j]! += heap[at.ax / 8 + s]!;
    px[j + m]! += heap[at.ay / 8 + s]!;
    px[j + 2 * m]! += heap[at.az / 8 + s]!;
  }
  return {
    np,
    logLikelihood: logSum + likelihoodOffset(sigma2, w, m, last - first),
    pairs,
    truncationError: Math.min(worst, 1),
  };
}
