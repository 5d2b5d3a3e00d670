/**
 * Mitochondria labels of a procedural EM volume (`procedural://em?…`), rendered directly at a
 * coarse voxel size in the volume's physical space, so a synthetic FM with a known transform
 * can be simulated for a logically terabyte-sized EM without touching its full resolution.
 * @module
 */
import { labelComponents } from "../filters/label.ts";
import { renderEmLabelBox } from "../io/procedural_em.ts";
import { proceduralSpec } from "../io/procedural_spec.ts";
import type { Grid } from "./grid.ts";

/** Slices rendered per call (bounds the scratch memory). */
const SLAB = 16;

/**
 * Render the mask of a procedural volume's mitochondria on a grid of `voxelUm` covering the
 * volume, and label its 6-connected components.
 *
 * NGFF places level-0 voxel centres at `i · s0` (nm) while the procedural field puts them at
 * `(i + ½) · s0`; the returned grid's translation, `(voxel − s0) / 2`, keeps its physical
 * coordinates identical to those of the procedural image's levels.
 * @param location `procedural://em?…` or `procedural://em-labels?…`
 * @param voxelUm voxel size (z, y, x) of the rendered grid, µm
 * @returns the grid (µm), labels (uint16 when they fit) and the object count
 * @throws {TypeError} for a malformed location
 */
export function labelsFromProcedural(
  location: string,
  voxelUm: [number, number, number],
): { grid: Grid; labels: Uint16Array | Uint32Array; count: number } {
  const spec = proceduralSpec(location);
  const level0 = spec.levels[0]!;
  const voxelNm = voxelUm.map((v) => v * 1000);
  const shape = [0, 1, 2].map((a) =>
    Math.max(1, Math.floor((level0.shape[a]! * level0.voxelNm[a]!) / voxelNm[a]!))
  ) as [number, number, number];
  const [nz, ny, nx] = shape;
  const mask = new Uint8Array(nz * ny * nx);
  for (let z = 0; z < nz; z += SLAB) {
    const stop = Math.min(nz, z + SLAB);
    const slab = renderEmLabelBox(spec.seed, voxelNm, { start: [z, 0, 0], stop: [stop, ny, nx] });
    mask.set(slab, z * ny * nx);
  }
  const components = labelComponents(mask, shape, { connectivity: 6 });
  const labels = components.count < 65536 ? Uint16Array.from(components.labels) : components.labels;
  const translationUm = [0, 1, 2].map((a) => (voxelNm[a]! - level0.voxelNm[a]!) / 2 / 1000) as [
    number,
    number,
    number,
  ];
  return { grid: { shape, voxelUm, translationUm }, labels, count: components.count };
}
