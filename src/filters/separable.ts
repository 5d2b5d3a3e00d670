/**
 * The engine behind every Gaussian-family filter: three 1-D passes (z, then y, then x) of
 * symmetric kernels over a region, with float64 accumulation and float32 results between
 * passes, in scipy's per-voxel summation order (c·w0 + Σ_{j=r..1} (m_j + p_j)·w_j). Each output
 * voxel depends only on input values and that fixed order, never on the region's edges, so
 * chunked results are bit-identical to a whole-volume run; boundary reflection (scipy
 * "reflect", half-sample symmetric) uses the true volume edges.
 *
 * The passes run in WebAssembly SIMD (`src/wasm/separable_wat.ts`, engine in
 * `separable_engine.ts`), four output z-planes per step: the z pass combines input planes into
 * four planes (output box grown by the y and x radii) sharing their loads, the y pass combines
 * rows four at a time and writes x-major, the x pass combines those x-rows four at a time and
 * writes float32 back in C order. The input is copied into wasm memory in z-slabs (output planes
 * plus the z halo, ≤ 32 MiB) so memory stays bounded on whole volumes. The plain TypeScript
 * engine (`separable_js.ts`) is the reference and gives the same bits; it also runs regions too
 * large for 2 GiB of wasm memory.
 * @module
 */
import type { Region3 } from "./region.ts";
import { reflect, separableRegionJs } from "./separable_js.ts";
import { separableEngine, type SeparableLayout } from "./separable_engine.ts";

export { type PassPlan, planPasses, reflect } from "./separable_js.ts";
export { passXWasm as passX, passYWasm as passY, passZWasm as passZ } from "./separable_passes.ts";

/** Input bytes (float32) one z-slab may copy into wasm memory. */
const SLAB_BYTES = 32 * 2 ** 20;
/** Fewest output planes per slab, however large the planes (one group of the z pass). */
const MIN_SLAB_PLANES = 4;

/**
 * Correlate a region with three symmetric kernels, one per axis (z, y, x).
 * @param input the input box's voxels, C-ordered
 * @param region normalised region (from `normaliseRegion`)
 * @param kernels odd-length symmetric kernels per axis; `[1]` leaves the axis as is
 * @param out receives the output box's voxels
 * @param slabPlanes output planes per z-slab (default: as many as 32 MiB of input allows, ≥ 4)
 */
export function separableRegion(
  input: Float32Array,
  region: Region3,
  kernels: readonly Float64Array[],
  out: Float32Array,
  slabPlanes?: number,
): void {
  const radius = kernels.map((kernel) => (kernel.length - 1) >> 1);
  const { inStart, inShape, volume, outStart, outShape } = region;
  const inPlane = inShape[1]! * inShape[2]!;
  const slab = Math.min(
    outShape[0]!,
    slabPlanes ??
      Math.max(MIN_SLAB_PLANES, Math.floor(SLAB_BYTES / (4 * inPlane)) - 2 * radius[0]!),
  );
  const layout: SeparableLayout = {
    region,
    radius,
    slabInputPlanes: Math.min(inShape[0]!, slab + 2 * radius[0]!),
  };
  const engine = separableEngine(layout, kernels);
  if (!engine) {
    separableRegionJs(input, region, kernels, out);
    return;
  }
  const outPlane = outShape[1]! * outShape[2]!;
  for (let z0 = 0; z0 < outShape[0]!; z0 += slab) {
    const z1 = Math.min(outShape[0]!, z0 + slab);
    let lo = Infinity, hi = -Infinity;
    for (let z = z0; z < z1; z++) {
      for (let j = -radius[0]!; j <= radius[0]!; j++) {
        const source = reflect(outStart[0]! + z + j, volume[0]!);
        lo = Math.min(lo, source);
        hi = Math.max(hi, source + 1);
      }
    }
    engine.loadInput(input.subarray((lo - inStart[0]!) * inPlane, (hi - inStart[0]!) * inPlane));
    for (let z = z0; z < z1; z += 4) {
      engine.planes(outStart[0]! + z, Math.min(4, z1 - z), lo, out, z * outPlane);
    }
  }
}
