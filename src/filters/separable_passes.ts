/**
 * Single passes of the separable engine (for filters that combine passes of different kernels,
 * like the Laplacian of Gaussian), run in WebAssembly: each pass is `separableRegion` over the
 * pass's own boxes with `[1]` on the other two axes, which copies those axes exactly (c·1), so
 * the results carry the same bits as the TypeScript passes of `separable_js.ts`.
 * @module
 */
import { separableRegion } from "./separable.ts";
import type { PassPlan } from "./separable_js.ts";

/** The identity kernel: one tap of weight 1. */
const IDENTITY = Float64Array.of(1);

/** Voxels of a box shape. */
function voxels(shape: readonly number[]): number {
  return shape[0]! * shape[1]! * shape[2]!;
}

/**
 * First pass (along z) of the input box, as `passZ` of `separable_js.ts`.
 * @param input voxels of the region's input box
 * @param plan boxes of the passes (`planPasses`)
 * @param kernel symmetric kernel along z
 * @returns the z pass over `plan.start1` / `plan.shape1`
 */
export function passZWasm(input: Float32Array, plan: PassPlan, kernel: Float64Array): Float32Array {
  const { region, start1, shape1 } = plan;
  const pass1 = new Float32Array(voxels(shape1));
  const boxes = { ...region, outStart: start1, outShape: shape1 };
  separableRegion(input, boxes, [kernel, IDENTITY, IDENTITY], pass1);
  return pass1;
}

/**
 * Second pass (along y) of a z-pass result, as `passY` of `separable_js.ts`.
 * @param pass1 the z pass (`plan.start1` / `plan.shape1`)
 * @param plan boxes of the passes
 * @param kernel symmetric kernel along y
 * @returns the y pass over `plan.start2` / `plan.shape2`
 */
export function passYWasm(pass1: Float32Array, plan: PassPlan, kernel: Float64Array): Float32Array {
  const { region, start1, shape1, start2, shape2 } = plan;
  const pass2 = new Float32Array(voxels(shape2));
  const boxes = {
    inStart: start1,
    inShape: shape1,
    volume: region.volume,
    outStart: start2,
    outShape: shape2,
  };
  separableRegion(pass1, boxes, [IDENTITY, kernel, IDENTITY], pass2);
  return pass2;
}

/**
 * Last pass (along x) of a y-pass result into the output box, as `passX` of `separable_js.ts`.
 * @param pass2 the y pass (`plan.start2` / `plan.shape2`)
 * @param plan boxes of the passes
 * @param kernel symmetric kernel along x
 * @param out receives the region's output box
 */
export function passXWasm(
  pass2: Float32Array,
  plan: PassPlan,
  kernel: Float64Array,
  out: Float32Array,
): void {
  const { region, start2, shape2 } = plan;
  const boxes = { ...region, inStart: start2, inShape: shape2 };
  separableRegion(pass2, boxes, [IDENTITY, IDENTITY, kernel], out);
}
