/**
 * In-memory 3-D connected components (6-connected) of a binary mask with CLEM-Reg's size
 * filter: objects under a voxel count, or spanning too few z slices, are dropped. A stand-in
 * for the chunked labelling of the chunked core, for volumes that fit in memory.
 * @module
 */

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

function findRoot(parent: Int32Array, index: number): number {
  let root = index;
  while (parent[root]! !== root) root = parent[root]!;
  while (parent[index]! !== root) {
    const next = parent[index]!;
    parent[index] = root;
    index = next;
  }
  return root;
}

function union(parent: Int32Array, a: number, b: number): void {
  const rootA = findRoot(parent, a);
  const rootB = findRoot(parent, b);
  if (rootA < rootB) parent[rootB] = rootA;
  else if (rootB < rootA) parent[rootA] = rootB;
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
  const [depth, height, width] = shape;
  const plane = height * width;
  const total = depth * plane;
  const parent = new Int32Array(total).fill(-1);
  for (let z = 0; z < depth; z++) {
    for (let y = 0; y < height; y++) {
      const row = z * plane + y * width;
      for (let x = 0; x < width; x++) {
        const i = row + x;
        if (!mask[i]) continue;
        parent[i] = i;
        if (x > 0 && mask[i - 1]) union(parent, i, i - 1);
        if (y > 0 && mask[i - width]) union(parent, i, i - width);
        if (z > 0 && mask[i - plane]) union(parent, i, i - plane);
      }
    }
  }
  const sizes = new Map<number, number>();
  const firstSlice = new Map<number, number>();
  const lastSlice = new Map<number, number>();
  for (let i = 0; i < total; i++) {
    if (parent[i]! < 0) continue;
    const root = findRoot(parent, i);
    const z = Math.floor(i / plane);
    sizes.set(root, (sizes.get(root) ?? 0) + 1);
    if (!firstSlice.has(root)) firstSlice.set(root, z);
    lastSlice.set(root, z);
  }
  const minVoxels = filter.minVoxels ?? 0;
  const minSlices = filter.minSlices ?? 1;
  const labelOfRoot = new Map<number, number>();
  let count = 0;
  for (const [root, size] of sizes) {
    const span = lastSlice.get(root)! - firstSlice.get(root)! + 1;
    if (size >= minVoxels && span >= minSlices) labelOfRoot.set(root, ++count);
  }
  const labels = new Uint32Array(total);
  for (let i = 0; i < total; i++) {
    if (parent[i]! >= 0) labels[i] = labelOfRoot.get(findRoot(parent, i)) ?? 0;
  }
  return { labels, count };
}
