/**
 * Exact (dense) CPD E-step, streamed: memory O(M + N), never an M×N matrix. Each fixed point x_n
 * gets its kernel row k_mn = exp(-|x_n - T(y_m)|² / 2σ²) over every moving point, then its
 * posteriors P_mn = k_mn / (Σ_m k_mn + c) are folded into P1, Pt1 and PX. The pair loops run in
 * WebAssembly SIMD (`src/wasm/estep_wat.ts`, two f64 lanes, an inlined exponential with relative
 * error ≤ 4e-16); the plain TypeScript version (`estep_dense_js.ts`) is the reference.
 * @module
 */
import { instantiateEmbedded } from "../wasm/module_cache.ts";
import { ESTEP_WASM_BASE64 } from "../wasm/estep_wasm.ts";
import type { EStepBuffers, EStepTotals } from "./estep_types.ts";
import { likelihoodOffset, outlierConstant } from "./estep_types.ts";

/** Fixed points per call into WebAssembly: short calls let V8 tier the code up early. */
const ROWS_PER_CALL = 128;
/** Coordinate of the padding moving points: far enough that their kernel is exactly 0. */
const FAR_AWAY = 1e100;

/** One thread's WebAssembly instance and the layout of its memory (byte offsets). */
interface Kernel {
  memory: WebAssembly.Memory;
  denseRows: (...args: number[]) => void;
  capacity: number;
}

let kernel: Kernel | null = null;

/** The instance, its memory grown to hold `padded` moving points and a batch of rows. */
function kernelFor(padded: number): Kernel {
  if (!kernel) {
    const instance = instantiateEmbedded(ESTEP_WASM_BASE64);
    kernel = {
      memory: instance.exports.memory as WebAssembly.Memory,
      denseRows: instance.exports.denseRows as (...args: number[]) => void,
      capacity: 0,
    };
  }
  if (kernel.capacity < padded) {
    const bytes = 8 * (8 * padded + 4 * ROWS_PER_CALL);
    const pages = Math.ceil(bytes / 65536) - kernel.memory.buffer.byteLength / 65536;
    if (pages > 0) kernel.memory.grow(pages);
    kernel.capacity = padded;
  }
  return kernel;
}

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
export function eStepDense(
  buffers: EStepBuffers,
  sigma2: number,
  w: number,
  first = 0,
  last = buffers.fixedCount,
): EStepTotals {
  const { fixed, fixedCount: n, moving, movingCount: m, p1, pt1, px } = buffers;
  const padded = Math.ceil(m / 4) * 4;
  const { memory, denseRows } = kernelFor(padded);
  // planar regions, in f64 units: mx my mz w a1 ax ay az (padded each), then fx fy fz den
  const heap = new Float64Array(memory.buffer);
  const region = (index: number) => index * padded;
  for (let axis = 0; axis < 3; axis++) {
    heap.set(moving.subarray(axis * m, axis * m + m), region(axis));
    heap.fill(FAR_AWAY, region(axis) + m, region(axis + 1));
  }
  heap.fill(0, region(4), region(8));
  const fx = region(8), fy = fx + ROWS_PER_CALL, fz = fy + ROWS_PER_CALL;
  const den = fz + ROWS_PER_CALL;
  const c = outlierConstant(sigma2, w, m, n);
  let np = 0;
  let logSum = 0;
  for (let start = first; start < last; start += ROWS_PER_CALL) {
    const rows = Math.min(ROWS_PER_CALL, last - start);
    for (let axis = 0; axis < 3; axis++) {
      const from = axis * n + start;
      heap.set(fixed.subarray(from, from + rows), fx + axis * ROWS_PER_CALL);
    }
    denseRows(
      ...[0, 1, 2, 3, 4, 5, 6, 7].map((index) => 8 * region(index)),
      padded / 4,
      8 * fx,
      8 * fy,
      8 * fz,
      8 * den,
      rows,
      -1 / (2 * sigma2),
      c,
    );
    for (let row = 0; row < rows; row++) {
      const sum = heap[den + row]!;
      const total = sum + c;
      logSum += Math.log(total > 1e-300 ? total : 1e-300);
      const posterior = sum <= 1e-300 ? 0 : sum / total;
      pt1[start + row] = posterior;
      np += posterior;
    }
  }
  for (let j = 0; j < m; j++) {
    p1[j]! += heap[region(4) + j]!;
    px[j]! += heap[region(5) + j]!;
    px[j + m]! += heap[region(6) + j]!;
    px[j + 2 * m]! += heap[region(7) + j]!;
  }
  return {
    np,
    logLikelihood: logSum + likelihoodOffset(sigma2, w, m, last - first),
    pairs: (last - first) * m,
    truncationError: 0,
  };
}
