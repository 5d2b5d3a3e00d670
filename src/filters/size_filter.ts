/**
 * Object-size filtering: drop labels whose voxel count lies outside a range, with the range
 * optionally taken from percentiles of the object sizes (CLEM-Reg keeps objects between the
 * 5th and 95th percentile; done here on sizes, not on label ids).
 * @module
 */
import { labelSizes } from "./label_sizes.ts";

/** Options of `filterBySize`. */
export interface SizeFilterOptions {
  /** Smallest size kept, in voxels (inclusive); default 0. */
  minVoxels?: number;
  /** Largest size kept, in voxels (inclusive); default Infinity. */
  maxVoxels?: number;
  /** Sizes indexed by label (global sizes for a chunk); computed from `labels` when absent. */
  sizes?: Float64Array;
  /** Output array (may be `labels`); allocated when absent. */
  out?: Uint32Array;
}

/**
 * Set to 0 every object whose size is outside `[minVoxels, maxVoxels]`; kept objects keep their
 * label (so chunks filtered with the same global `sizes` stay consistent).
 * @param labels label volume or chunk
 * @param options minVoxels, maxVoxels, sizes, out
 * @returns the filtered labels
 * @throws {RangeError} when a label is beyond `sizes`
 * @example
 * ```ts
 * filterBySize(Uint32Array.of(1, 1, 2), { minVoxels: 2 }); // [1, 1, 0]
 * ```
 */
export function filterBySize(labels: Uint32Array, options: SizeFilterOptions = {}): Uint32Array {
  const sizes = options.sizes ?? labelSizes(labels);
  const minVoxels = options.minVoxels ?? 0;
  const maxVoxels = options.maxVoxels ?? Infinity;
  const keep = new Uint8Array(sizes.length);
  for (let label = 1; label < sizes.length; label++) {
    const size = sizes[label]!;
    keep[label] = size >= minVoxels && size <= maxVoxels ? 1 : 0;
  }
  const out = options.out ?? new Uint32Array(labels.length);
  if (out.length !== labels.length) {
    throw new RangeError(
      `Cannot filter sizes: out has ${out.length} voxels, labels ${labels.length}`,
    );
  }
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label >= keep.length) {
      throw new RangeError(`Cannot filter sizes: label ${label} is beyond sizes (${keep.length})`);
    }
    out[i] = keep[label] === 1 ? label : 0;
  }
  return out;
}

/**
 * The size range between two percentiles of the object sizes (labels ≥ 1 with at least one
 * voxel), with numpy's default linear interpolation. Feed it to `filterBySize`.
 * @param sizes counts indexed by label (`labelSizes`)
 * @param options lowPercentile (default 5), highPercentile (default 95)
 * @returns `{ minVoxels, maxVoxels }`; `{0, 0}` when there are no objects
 * @example
 * ```ts
 * sizePercentileRange(Float64Array.of(100, 1, 2, 3, 4, 5)); // { minVoxels: 1.2, maxVoxels: 4.8 }
 * ```
 */
export function sizePercentileRange(
  sizes: Float64Array,
  options: { lowPercentile?: number; highPercentile?: number } = {},
): { minVoxels: number; maxVoxels: number } {
  const objectSizes: number[] = [];
  for (let label = 1; label < sizes.length; label++) {
    if (sizes[label]! > 0) objectSizes.push(sizes[label]!);
  }
  if (objectSizes.length === 0) return { minVoxels: 0, maxVoxels: 0 };
  const sorted = Float64Array.from(objectSizes).sort();
  return {
    minVoxels: percentile(sorted, options.lowPercentile ?? 5),
    maxVoxels: percentile(sorted, options.highPercentile ?? 95),
  };
}

/** numpy.percentile (method "linear") of sorted values. */
function percentile(sorted: Float64Array, q: number): number {
  if (!(q >= 0 && q <= 100)) {
    throw new RangeError(`Cannot take percentile ${q}: must be in [0, 100]`);
  }
  const position = (q / 100) * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const fraction = position - below;
  return sorted[below]! + (sorted[above]! - sorted[below]!) * fraction;
}
