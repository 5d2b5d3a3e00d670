/**
 * Object sizes from a label volume, as a reduction: per-chunk partial counts added into one
 * array indexed by label.
 * @module
 */

/**
 * Count voxels per label.
 * @param labels a label volume or chunk
 * @param options into: counts to add to (a reduction's running total; must be long enough);
 *   maxLabel: largest label expected (sizes the new array without a scan)
 * @returns counts indexed by label (`[0]` is the background); float64 so totals over 2³² fit
 * @throws {RangeError} when a label does not fit `into` or `maxLabel`
 * @example
 * ```ts
 * labelSizes(Uint32Array.of(0, 2, 2, 1)); // Float64Array [1, 1, 2]
 * ```
 */
export function labelSizes(
  labels: Uint32Array,
  options: { into?: Float64Array; maxLabel?: number } = {},
): Float64Array {
  let sizes = options.into;
  if (sizes === undefined) {
    let maxLabel = options.maxLabel;
    if (maxLabel === undefined) {
      maxLabel = 0;
      for (let i = 0; i < labels.length; i++) if (labels[i]! > maxLabel) maxLabel = labels[i]!;
    }
    sizes = new Float64Array(maxLabel + 1);
  }
  const size = sizes.length;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label >= size) {
      throw new RangeError(`Cannot count labels: label ${label} exceeds the ${size}-entry array`);
    }
    sizes[label]!++;
  }
  return sizes;
}
