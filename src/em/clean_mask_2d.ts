/**
 * Per-slice clean-up of a thresholded probability map: small specks are removed and small
 * holes filled, both measured in pixels of the model's voxel size.
 * @module
 */
import { labelComponents } from "./label_components.ts";

/** Clean-up sizes in pixels. */
export interface CleanOptions {
  /** Remove foreground objects with fewer pixels in a slice. */
  minObjectPx: number;
  /** Fill background holes with fewer pixels in a slice. */
  maxHolePx: number;
}

/**
 * Remove small objects and fill small holes, slice by slice, in place.
 * @param mask 0/1 volume, C order, modified in place
 * @param shape `[z, y, x]`
 * @param options the size limits
 */
export function cleanMask2d(
  mask: Uint8Array,
  shape: readonly [number, number, number],
  options: CleanOptions,
): void {
  const [depth, height, width] = shape;
  const plane = height * width;
  const inverse = new Uint8Array(plane);
  for (let z = 0; z < depth; z++) {
    const slice = mask.subarray(z * plane, (z + 1) * plane);
    const kept = labelComponents(slice, [1, height, width], { minVoxels: options.minObjectPx });
    for (let p = 0; p < plane; p++) slice[p] = kept.labels[p]! > 0 ? 1 : 0;
    for (let p = 0; p < plane; p++) inverse[p] = slice[p] ? 0 : 1;
    const large = labelComponents(inverse, [1, height, width], { minVoxels: options.maxHolePx });
    for (let p = 0; p < plane; p++) if (inverse[p] && large.labels[p] === 0) slice[p] = 1;
  }
}
