/**
 * Lysosome-like puncta for the FM's second channel: spheres of 0.3-0.5 µm diameter placed in
 * EM space clear of the mitochondria and of each other. They are never used for
 * registration, so their test points measure target-structure accuracy.
 * @module
 */
import type { Random } from "./random.ts";
import type { Grid } from "./grid.ts";
import type { PointUm } from "./truth_transform.ts";

/** One spherical punctum. */
export interface Sphere {
  centreUm: PointUm;
  radiusUm: number;
}

/**
 * Place `count` non-overlapping spheres inside the EM volume where the labels are empty
 * within the sphere's radius plus `gapUm`.
 *
 * @param count How many spheres to place (fewer when the volume is too crowded).
 * @param labels Mitochondria labels on `grid`.
 * @param grid The EM grid.
 * @param random The seeded generator.
 * @param gapUm Smallest clearance to mitochondria and other spheres (default 0.15 µm).
 * @returns The spheres.
 */
export function placeLysosomes(
  count: number,
  labels: Uint16Array | Uint32Array,
  grid: Grid,
  random: Random,
  gapUm = 0.15,
): Sphere[] {
  const spheres: Sphere[] = [];
  const [nz, ny, nx] = grid.shape;
  for (let attempt = 0; attempt < count * 200 && spheres.length < count; attempt++) {
    const radiusUm = random.between(0.15, 0.25);
    const margin = radiusUm + gapUm;
    const centreUm = [0, 1, 2].map((a) => {
      const low = grid.translationUm[a]! + margin;
      const high = grid.translationUm[a]! + (grid.shape[a]! - 1) * grid.voxelUm[a]! - margin;
      return random.between(low, Math.max(low, high));
    }) as PointUm;
    if (
      spheres.some((s) =>
        Math.hypot(...s.centreUm.map((v, a) => v - centreUm[a]!)) < s.radiusUm + margin
      )
    ) {
      continue;
    }
    // Any labelled voxel within the clearance radius rejects the candidate.
    const lo = centreUm.map((c, a) =>
      Math.max(0, Math.floor((c - margin - grid.translationUm[a]!) / grid.voxelUm[a]!))
    );
    const hi = centreUm.map((c, a) =>
      Math.min(
        grid.shape[a]! - 1,
        Math.ceil((c + margin - grid.translationUm[a]!) / grid.voxelUm[a]!),
      )
    );
    let clear = true;
    for (let z = lo[0]!; z <= hi[0]! && clear; z++) {
      for (let y = lo[1]!; y <= hi[1]! && clear; y++) {
        for (let x = lo[2]!; x <= hi[2]!; x++) {
          if (labels[(z * ny + y) * nx + x] !== 0) {
            const d = Math.hypot(
              z * grid.voxelUm[0] + grid.translationUm[0] - centreUm[0],
              y * grid.voxelUm[1] + grid.translationUm[1] - centreUm[1],
              x * grid.voxelUm[2] + grid.translationUm[2] - centreUm[2],
            );
            if (d < margin) {
              clear = false;
              break;
            }
          }
        }
      }
    }
    if (clear) spheres.push({ centreUm, radiusUm });
  }
  void nz;
  return spheres;
}
