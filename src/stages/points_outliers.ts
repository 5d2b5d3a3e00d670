/**
 * Statistical outlier removal for point clouds (as Open3D's `remove_statistical_outlier`):
 * the mean distance of each point to its k nearest neighbours, and a cut at the mean of
 * those plus `stdRatio` standard deviations. Neighbours come from a uniform grid search.
 * @module
 */

/**
 * Mean distance from each point to its k nearest other points.
 * @param points flat (z, y, x) triples
 * @param k neighbours per point
 * @returns one mean distance per point (Infinity when fewer than k other points exist)
 */
export function meanNeighbourDistances(points: Float64Array, k: number): Float64Array {
  const n = points.length / 3;
  const result = new Float64Array(n).fill(Infinity);
  if (n <= k) return result;
  const low = [Infinity, Infinity, Infinity], high = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 3; a++) {
      low[a] = Math.min(low[a]!, points[3 * i + a]!);
      high[a] = Math.max(high[a]!, points[3 * i + a]!);
    }
  }
  // Cells holding about k points on a surface-like cloud: area ≈ n · h², so h from the extent.
  const extent = high.map((h, a) => h - low[a]!);
  const sorted = [...extent].sort((a, b) => b - a);
  const area = Math.max(sorted[0]! * sorted[1]!, 1e-12);
  const h = Math.max(Math.sqrt((area * k) / n), 1e-9);
  const dims = extent.map((e) => Math.floor(e / h) + 1);
  const cellOf = (i: number, a: number) => Math.floor((points[3 * i + a]! - low[a]!) / h);
  const keyOf = (cz: number, cy: number, cx: number) => (cz * dims[1]! + cy) * dims[2]! + cx;
  const order = Array.from({ length: n }, (_, i) => i);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = keyOf(cellOf(i, 0), cellOf(i, 1), cellOf(i, 2));
  order.sort((a, b) => keys[a]! - keys[b]! || a - b);
  const starts = new Map<number, [number, number]>();
  for (let j = 0; j < n;) {
    let end = j;
    while (end < n && keys[order[end]!] === keys[order[j]!]) end++;
    starts.set(keys[order[j]!]!, [j, end]);
    j = end;
  }
  const best = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    best.fill(Infinity);
    const c = [cellOf(i, 0), cellOf(i, 1), cellOf(i, 2)];
    const pz = points[3 * i]!, py = points[3 * i + 1]!, px = points[3 * i + 2]!;
    for (let ring = 0;; ring++) {
      for (let dz = -ring; dz <= ring; dz++) {
        const cz = c[0]! + dz;
        if (cz < 0 || cz >= dims[0]!) continue;
        for (let dy = -ring; dy <= ring; dy++) {
          const cy = c[1]! + dy;
          if (cy < 0 || cy >= dims[1]!) continue;
          const onShell = Math.abs(dz) === ring || Math.abs(dy) === ring;
          for (let dx = -ring; dx <= ring; dx += onShell ? 1 : 2 * ring || 1) {
            const cx = c[2]! + dx;
            if (cx < 0 || cx >= dims[2]!) continue;
            const range = starts.get(keyOf(cz, cy, cx));
            if (!range) continue;
            for (let j = range[0]; j < range[1]; j++) {
              const other = order[j]!;
              if (other === i) continue;
              const d = Math.hypot(
                points[3 * other]! - pz,
                points[3 * other + 1]! - py,
                points[3 * other + 2]! - px,
              );
              if (d < best[k - 1]!) insertSorted(best, d);
            }
          }
        }
      }
      // Points in later rings are at least ring·h away.
      if (best[k - 1]! <= ring * h || ring > dims[0]! + dims[1]! + dims[2]!) break;
    }
    let sum = 0;
    for (let j = 0; j < k; j++) sum += best[j]!;
    result[i] = sum / k;
  }
  return result;
}

/**
 * Drop points whose mean k-neighbour distance exceeds mean + stdRatio × std over all points.
 * @param points flat (z, y, x) triples
 * @param options neighbours (k, default 5), stdRatio (default 1)
 * @returns the kept points (order preserved) and how many were removed
 * @example
 * ```ts
 * const { removed } = removeStatisticalOutliers(new Float64Array(30), { neighbours: 2 });
 * ```
 */
export function removeStatisticalOutliers(
  points: Float64Array,
  options: { neighbours?: number; stdRatio?: number } = {},
): { points: Float64Array; removed: number } {
  const k = options.neighbours ?? 5;
  const ratio = options.stdRatio ?? 1;
  const n = points.length / 3;
  if (n <= k) return { points: points.slice(), removed: 0 };
  const distances = meanNeighbourDistances(points, k);
  let mean = 0;
  for (const d of distances) mean += d;
  mean /= n;
  let variance = 0;
  for (const d of distances) variance += (d - mean) ** 2;
  const cut = mean + ratio * Math.sqrt(variance / (n - 1));
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (distances[i]! <= cut) kept.push(i);
  const out = new Float64Array(3 * kept.length);
  kept.forEach((i, j) => out.set(points.subarray(3 * i, 3 * i + 3), 3 * j));
  return { points: out, removed: n - kept.length };
}

function insertSorted(best: Float64Array, d: number): void {
  let j = best.length - 1;
  while (j > 0 && best[j - 1]! > d) {
    best[j] = best[j - 1]!;
    j--;
  }
  best[j] = d;
}
