/**
 * 6-connected components of a binary mask in one raster pass with union-find, then a
 * relabel pass numbering components 1..n in raster order of their first voxel (so the
 * result is deterministic). Whole-volume, for the sample's `--from-labels` input.
 * @module
 */

/**
 * Label the 6-connected components of `mask > 0` on a (z, y, x) grid.
 *
 * @param mask Binary (non-zero = foreground) volume, C order.
 * @param shape (z, y, x).
 * @returns Labels (uint16 when fewer than 65536 components, else uint32) and their count.
 */
export function connectedComponents(
  mask: ArrayLike<number>,
  shape: readonly [number, number, number],
): { labels: Uint16Array | Uint32Array; count: number } {
  const [nz, ny, nx] = shape;
  const plane = ny * nx;
  const provisional = new Uint32Array(nz * plane);
  let parent = new Uint32Array(1024);
  let next = 1;
  const find = (label: number): number => {
    let root = label;
    while (parent[root] !== root) root = parent[root]!;
    while (parent[label] !== root) {
      const up = parent[label]!;
      parent[label] = root;
      label = up;
    }
    return root;
  };
  const union = (a: number, b: number): number => {
    const ra = find(a), rb = find(b);
    if (ra === rb) return ra;
    const low = ra < rb ? ra : rb;
    parent[ra] = low;
    parent[rb] = low;
    return low;
  };
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const row = z * plane + y * nx;
      for (let x = 0; x < nx; x++) {
        const index = row + x;
        if (!mask[index]) continue;
        let label = 0;
        if (x > 0 && provisional[index - 1]) label = provisional[index - 1]!;
        if (y > 0 && provisional[index - nx]) {
          label = label ? union(label, provisional[index - nx]!) : provisional[index - nx]!;
        }
        if (z > 0 && provisional[index - plane]) {
          label = label ? union(label, provisional[index - plane]!) : provisional[index - plane]!;
        }
        if (!label) {
          if (next >= parent.length) {
            const grown = new Uint32Array(parent.length * 2);
            grown.set(parent);
            parent = grown;
          }
          parent[next] = next;
          label = next++;
        }
        provisional[index] = label;
      }
    }
  }
  const final = new Uint32Array(next);
  let count = 0;
  for (let i = 0; i < provisional.length; i++) {
    const label = provisional[i]!;
    if (!label) continue;
    const root = find(label);
    if (!final[root]) final[root] = ++count;
  }
  const labels = count < 65536 ? new Uint16Array(provisional.length) : provisional;
  for (let i = 0; i < provisional.length; i++) {
    const label = provisional[i]!;
    labels[i] = label ? final[find(label)]! : 0;
  }
  return { labels, count };
}
