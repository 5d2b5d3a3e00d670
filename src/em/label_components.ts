/**
 * In-memory 3-D connected components (6-connected) of a binary mask with CLEM-Reg's size
 * filter: objects under a voxel count, or spanning too few z slices, are dropped. Built on the
 * filters' labelling (`src/filters/label.ts`), for volumes that fit in memory.
 * @module
 */
import { labelComponents as labelMask } from "../filters/label.ts";
import { labelSizes } from "../filters/label_sizes.ts";
import { relabel } from "../filters/relabel.ts";

/** Size filter for {@linkcode labelComponents}. */
export interface ComponentFilter {
  /** Drop objects with fewer voxels (CLEM-Reg: 500). Default 0. */
  minVoxels?: number;
  /** Drop objects spanning fewer z slices (CLEM-Reg: 4). Default 1. */
  minSlices?: number;
}

/** Labels numbered 1..count in raster order of their first voxel; 0 is background. */
export interface LabelResult {
  labels: Uint32Array;
  count: number;
}

/**
 * Label the 6-connected components of `mask` (non-zero = object) and apply the size filter.
 * @param mask the binary volume, C order
 * @param shape `[z, y, x]`
 * @param filter minimum size and z extent
 * @returns labels (uint32) and their count after filtering
 */
export function labelComponents(
  mask: ArrayLike<number>,
  shape: readonly [number, number, number],
  filter: ComponentFilter = {},
): LabelResult {
  const binary = mask instanceof Uint8Array ? mask : Uint8Array.from(mask, (v) => (v ? 1 : 0));
  const { labels, count } = labelMask(binary, shape, { connectivity: 6 });
  const sizes = labelSizes(labels, { maxLabel: count });
  const firstSlice = new Int32Array(count + 1).fill(-1);
  const lastSlice = new Int32Array(count + 1);
  const [depth, height, width] = shape;
  const plane = height * width;
  for (let z = 0, i = 0; z < depth; z++) {
    for (const end = i + plane; i < end; i++) {
      const label = labels[i]!;
      if (label === 0) continue;
      if (firstSlice[label]! < 0) firstSlice[label] = z;
      lastSlice[label] = z;
    }
  }
  const minVoxels = filter.minVoxels ?? 0;
  const minSlices = filter.minSlices ?? 1;
  // Kept objects are renumbered 1..kept in label order, which is raster order of first voxels.
  const table = new Uint32Array(count + 1);
  let kept = 0;
  for (let label = 1; label <= count; label++) {
    const span = lastSlice[label]! - firstSlice[label]! + 1;
    if (sizes[label]! >= minVoxels && span >= minSlices) table[label] = ++kept;
  }
  relabel(labels, table, { out: labels });
  return { labels, count: kept };
}
