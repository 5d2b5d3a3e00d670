/**
 * A regular 3-D voxel grid in physical micrometers: voxel centre of index i is
 * `i · voxelUm + translationUm`, the OME-Zarr level-0 convention.
 * @module
 */

/** A voxel grid (z, y, x), sizes in micrometers. */
export interface Grid {
  shape: [number, number, number];
  voxelUm: [number, number, number];
  translationUm: [number, number, number];
}

/**
 * The physical centre of a grid's voxel-centre extent.
 *
 * @param grid The grid.
 * @returns (z, y, x) in micrometers.
 */
export function gridCentreUm(grid: Grid): [number, number, number] {
  return [0, 1, 2].map((axis) =>
    grid.translationUm[axis]! + ((grid.shape[axis]! - 1) / 2) * grid.voxelUm[axis]!
  ) as [number, number, number];
}

/** Number of voxels in a grid. */
export function gridVoxels(grid: Grid): number {
  return grid.shape[0] * grid.shape[1] * grid.shape[2];
}
