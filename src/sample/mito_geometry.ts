/**
 * Random mitochondria for the synthetic sample: bent capsules (a polyline of three
 * segments swept by a sphere) of 0.3-0.7 µm diameter and 1-4 µm length, mostly lying in the
 * lateral plane like mitochondria in an adherent cell, placed without overlap fully inside
 * the EM volume, then rasterised into a label volume.
 * @module
 */
import type { Random } from "./random.ts";
import type { Grid } from "./grid.ts";
import type { PointUm } from "./truth_transform.ts";
import { segmentDistanceSquared, segmentSegmentDistance } from "./segment_distance.ts";

/** One bent capsule. */
export interface Capsule {
  pointsUm: PointUm[];
  radiusUm: number;
}

/** Options of {@linkcode placeMitochondria}. */
export interface PlacementOptions {
  /** Fraction of the EM volume to fill (default 0.04). */
  volumeFraction?: number;
  /** Smallest gap between two objects' surfaces in µm (default 0.1). */
  gapUm?: number;
}

/**
 * Place non-overlapping bent capsules in the grid's volume.
 *
 * @param grid The EM grid.
 * @param random The seeded generator.
 * @param options See {@linkcode PlacementOptions}.
 * @returns The capsules, in placement order.
 */
export function placeMitochondria(
  grid: Grid,
  random: Random,
  options: PlacementOptions = {},
): Capsule[] {
  const fraction = options.volumeFraction ?? 0.04;
  const gapUm = options.gapUm ?? 0.1;
  const low = [0, 1, 2].map((a) => grid.translationUm[a]! - grid.voxelUm[a]! / 2);
  const high = [0, 1, 2].map((a) => low[a]! + grid.shape[a]! * grid.voxelUm[a]!);
  const boxVolume = (high[0]! - low[0]!) * (high[1]! - low[1]!) * (high[2]! - low[2]!);
  const capsules: Capsule[] = [];
  let filled = 0;
  for (let attempt = 0; attempt < 4000 && filled < fraction * boxVolume; attempt++) {
    const radiusUm = random.between(0.15, 0.35);
    const lengthUm = random.between(1, 4);
    const margin = radiusUm + 2 * Math.max(...grid.voxelUm);
    const start = [0, 1, 2].map((a) => random.between(low[a]! + margin, high[a]! - margin));
    let direction = flattened(random.unitVector());
    const pointsUm: PointUm[] = [start as PointUm];
    for (let segment = 0; segment < 3; segment++) {
      const bend = random.unitVector();
      direction = flattened([0, 1, 2].map((a) => direction[a]! + 0.45 * bend[a]!));
      const previous = pointsUm[segment]!;
      pointsUm.push([0, 1, 2].map((a) => previous[a]! + direction[a]! * lengthUm / 3) as PointUm);
    }
    const inside = pointsUm.every((p) =>
      p.every((value, a) => value >= low[a]! + margin && value <= high[a]! - margin)
    );
    if (!inside) continue;
    const candidate = { pointsUm, radiusUm };
    if (capsules.some((other) => capsuleDistance(candidate, other) < gapUm)) continue;
    capsules.push(candidate);
    filled += Math.PI * radiusUm * radiusUm * lengthUm + (4 / 3) * Math.PI * radiusUm ** 3;
  }
  return capsules;
}

/** Damp the z component so tubes lie mostly in the lateral plane, then normalise. */
function flattened(vector: readonly number[]): [number, number, number] {
  const z = vector[0]! * 0.35, y = vector[1]!, x = vector[2]!;
  const norm = Math.hypot(z, y, x) || 1;
  return [z / norm, y / norm, x / norm];
}

/** Surface-to-surface distance of two capsules (negative when they overlap). */
export function capsuleDistance(a: Capsule, b: Capsule): number {
  let best = Infinity;
  for (let i = 0; i + 1 < a.pointsUm.length; i++) {
    for (let j = 0; j + 1 < b.pointsUm.length; j++) {
      best = Math.min(
        best,
        segmentSegmentDistance(
          a.pointsUm[i]!,
          a.pointsUm[i + 1]!,
          b.pointsUm[j]!,
          b.pointsUm[j + 1]!,
        ),
      );
    }
  }
  return best - a.radiusUm - b.radiusUm;
}

/**
 * Rasterise capsules into a label volume: voxel centres within a capsule get its index + 1.
 *
 * @param capsules The objects (must not overlap).
 * @param grid The EM grid.
 * @param labels Output labels, C order, `gridVoxels(grid)` long, zero-filled.
 */
export function rasterizeCapsules(
  capsules: readonly Capsule[],
  grid: Grid,
  labels: Uint16Array | Uint32Array,
): void {
  const [nz, ny, nx] = grid.shape;
  const [vz, vy, vx] = grid.voxelUm;
  const [tz, ty, tx] = grid.translationUm;
  const point = [0, 0, 0];
  for (const [index, capsule] of capsules.entries()) {
    const r = capsule.radiusUm;
    const r2 = r * r;
    const range = [0, 1, 2].map((a) => {
      const values = capsule.pointsUm.map((p) => p[a]!);
      const lo = Math.min(...values) - r, hi = Math.max(...values) + r;
      const t = grid.translationUm[a]!, v = grid.voxelUm[a]!;
      return [
        Math.max(0, Math.ceil((lo - t) / v)),
        Math.min(grid.shape[a]! - 1, Math.floor((hi - t) / v)),
      ];
    });
    const [z0, z1] = range[0]!, [y0, y1] = range[1]!, [x0, x1] = range[2]!;
    for (let z = z0!; z <= z1!; z++) {
      point[0] = z * vz + tz;
      for (let y = y0!; y <= y1!; y++) {
        point[1] = y * vy + ty;
        const row = (z * ny + y) * nx;
        for (let x = x0!; x <= x1!; x++) {
          point[2] = x * vx + tx;
          for (let s = 0; s + 1 < capsule.pointsUm.length; s++) {
            if (
              segmentDistanceSquared(point, capsule.pointsUm[s]!, capsule.pointsUm[s + 1]!) <= r2
            ) {
              labels[row + x] = index + 1;
              break;
            }
          }
        }
      }
    }
  }
  void nz;
}
