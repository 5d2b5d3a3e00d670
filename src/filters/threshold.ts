/**
 * Binary threshold: the step between a filtered image and the mask that gets labelled.
 * @module
 */
import type { TypedArray } from "../io/types.ts";

/**
 * Mask of voxels strictly above `value` (as scikit-image's `image > threshold`).
 * @param image any numeric volume
 * @param value the threshold (voxels equal to it are background)
 * @param options out: output mask; allocated when absent
 * @returns 1 where `image > value`, else 0
 * @throws {RangeError} when `out` has the wrong length
 * @example
 * ```ts
 * threshold(Float32Array.of(0.2, 0.5, 0.9), 0.5); // Uint8Array [0, 0, 1]
 * ```
 */
export function threshold(
  image: TypedArray,
  value: number,
  options: { out?: Uint8Array } = {},
): Uint8Array {
  const out = options.out ?? new Uint8Array(image.length);
  if (out.length !== image.length) {
    throw new RangeError(`Cannot threshold: out has ${out.length} voxels, image ${image.length}`);
  }
  for (let i = 0; i < image.length; i++) out[i] = image[i]! > value ? 1 : 0;
  return out;
}
