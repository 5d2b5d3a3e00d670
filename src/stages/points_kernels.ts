/**
 * Chunk kernels of the default point-cloud sampling: boundary voxels of label objects (a
 * label voxel with a 6-neighbour of another value, found with a 1-voxel halo), a first
 * reduction that estimates occupied grid cells over a ladder of cell sizes, and the voxel-grid
 * reduction itself. A cell's representative is its boundary voxel nearest the cell centre
 * (ties: lowest voxel index), so the result lies on the boundary and does not depend on chunking.
 * @module
 */
import type { KernelContext, KernelInput, KernelResult } from "../chunked/types.ts";

/** Where the voxel grid sits: physical voxel size and translation, µm (z, y, x). */
export interface PhysicalGrid {
  voxelSizeUm: number[];
  translationUm: number[];
  shape: number[];
}

/**
 * Call `visit(z, y, x)` for every boundary voxel of the task's own box, in raster order.
 * @param input the chunk plus a 1-voxel halo (clipped at the volume edges)
 * @param outputBox the chunk
 * @param visit receives global voxel indices
 */
export function forEachBoundaryVoxel(
  input: KernelInput,
  outputBox: { start: number[]; stop: number[] },
  visit: (z: number, y: number, x: number) => void,
): void {
  const data = input.data;
  const [z0, y0, x0] = input.box.start as [number, number, number];
  const ny = input.box.stop[1]! - y0, nx = input.box.stop[2]! - x0;
  const nz = input.box.stop[0]! - z0;
  const plane = ny * nx;
  for (let z = outputBox.start[0]!; z < outputBox.stop[0]!; z++) {
    const lz = z - z0;
    for (let y = outputBox.start[1]!; y < outputBox.stop[1]!; y++) {
      const ly = y - y0;
      let i = lz * plane + ly * nx + outputBox.start[2]! - x0;
      for (let x = outputBox.start[2]!; x < outputBox.stop[2]!; x++, i++) {
        const v = data[i]!;
        if (v === 0) continue;
        const lx = x - x0;
        if (
          (lx > 0 && data[i - 1] !== v) || (lx < nx - 1 && data[i + 1] !== v) ||
          (ly > 0 && data[i - nx] !== v) || (ly < ny - 1 && data[i + nx] !== v) ||
          (lz > 0 && data[i - plane] !== v) || (lz < nz - 1 && data[i + plane] !== v)
        ) visit(z, y, x);
      }
    }
  }
}

/** Params of {@link cellLadderKernel}. */
export interface LadderParams extends PhysicalGrid {
  cellSizesUm: number[];
}

/**
 * Reduce kernel: the chunk's boundary-voxel count and, per ladder cell size, the grid cells
 * its boundary voxels occupy: cells wholly inside the chunk are counted here, cells that may
 * reach into a neighbour chunk are listed by key and counted once in the merge (exact).
 */
export function cellLadderKernel(
  inputs: KernelInput[],
  params: LadderParams,
  context: KernelContext,
): KernelResult {
  const box = context.outputBox;
  const sizes = params.cellSizesUm;
  const cells = new Float64Array(sizes.length);
  const border: number[][] = sizes.map(() => []);
  // Chunk-local occupancy bitmaps, one per ladder size.
  const local = sizes.map((c) => {
    const low = [0, 1, 2].map((a) => cellOf(params, a, box.start[a]!, c));
    const high = [0, 1, 2].map((a) => cellOf(params, a, box.stop[a]! - 1, c));
    const dims = [0, 1, 2].map((a) => high[a]! - low[a]! + 1);
    // A cell is shared with a neighbour chunk when it is the first or last cell along an
    // axis on which the chunk does not end at the volume edge.
    const sharedLow = [0, 1, 2].map((a) => box.start[a]! > 0);
    const sharedHigh = [0, 1, 2].map((a) => box.stop[a]! < params.shape[a]!);
    const global = cellDims(params, c);
    return {
      c,
      low,
      high,
      dims,
      sharedLow,
      sharedHigh,
      global,
      seen: new Uint8Array(dims[0]! * dims[1]! * dims[2]!),
    };
  });
  let boundary = 0;
  const index = [0, 0, 0];
  forEachBoundaryVoxel(inputs[0]!, box, (z, y, x) => {
    boundary++;
    index[0] = z;
    index[1] = y;
    index[2] = x;
    for (let k = 0; k < local.length; k++) {
      const { c, low, high, dims, sharedLow, sharedHigh, global, seen } = local[k]!;
      const cz = cellOf(params, 0, z, c),
        cy = cellOf(params, 1, y, c),
        cx = cellOf(params, 2, x, c);
      const at = ((cz - low[0]!) * dims[1]! + cy - low[1]!) * dims[2]! + cx - low[2]!;
      if (seen[at] !== 0) continue;
      seen[at] = 1;
      const cell = [cz, cy, cx];
      let shared = false;
      for (let a = 0; a < 3; a++) {
        if ((sharedLow[a] && cell[a] === low[a]) || (sharedHigh[a] && cell[a] === high[a])) {
          shared = true;
        }
      }
      if (shared) border[k]!.push((cz * global[1]! + cy) * global[2]! + cx);
      else cells[k]!++;
    }
  });
  return { partial: { boundary, cells, border: border.map((keys) => Float64Array.from(keys)) } };
}

/** Merge of {@link cellLadderKernel}: exact occupied-cell counts per ladder size. */
export function cellLadderMerge(
  partials: unknown[],
  params: LadderParams,
): { boundary: number; cells: number[] } {
  const cells = new Array<number>(params.cellSizesUm.length).fill(0);
  const shared = params.cellSizesUm.map(() => new Set<number>());
  let boundary = 0;
  for (const p of partials as { boundary: number; cells: Float64Array; border: Float64Array[] }[]) {
    boundary += p.boundary;
    p.cells.forEach((n, k) => (cells[k] = cells[k]! + n));
    p.border.forEach((keys, k) => keys.forEach((key) => shared[k]!.add(key)));
  }
  return { boundary, cells: cells.map((n, k) => n + shared[k]!.size) };
}

/** Grid cell index along an axis of a voxel index, for cells of `cellUm` from the volume corner. */
export function cellOf(grid: PhysicalGrid, axis: number, index: number, cellUm: number): number {
  return Math.floor(((index + 0.5) * grid.voxelSizeUm[axis]!) / cellUm);
}

/** Per-cell representatives: cell keys, voxel indices (z, y, x) and squared distances to centre. */
export interface CellPartial {
  keys: Float64Array;
  voxels: Int32Array;
  distances: Float64Array;
}

/** Params of {@link voxelGridKernel}. */
export interface VoxelGridParams extends PhysicalGrid {
  cellUm: number;
}

/** Reduce kernel: the representative boundary voxel of every cell the chunk touches. */
export function voxelGridKernel(
  inputs: KernelInput[],
  params: VoxelGridParams,
  context: KernelContext,
): KernelResult {
  const cells = new Map<number, number>();
  const voxels: number[] = [];
  const distances: number[] = [];
  const keys: number[] = [];
  const dims = cellDims(params, params.cellUm);
  forEachBoundaryVoxel(inputs[0]!, context.outputBox, (z, y, x) => {
    const index = [z, y, x];
    let key = 0, distance = 0;
    for (let a = 0; a < 3; a++) {
      const cell = cellOf(params, a, index[a]!, params.cellUm);
      key = key * dims[a]! + cell;
      const offset = (index[a]! + 0.5) * params.voxelSizeUm[a]! - (cell + 0.5) * params.cellUm;
      distance += offset * offset;
    }
    const slot = cells.get(key);
    if (slot === undefined) {
      cells.set(key, keys.length);
      keys.push(key);
      voxels.push(z, y, x);
      distances.push(distance);
    } else if (distance < distances[slot]!) {
      // Raster order visits lower indices first, so equal distances keep the first voxel.
      distances[slot] = distance;
      voxels[3 * slot] = z;
      voxels[3 * slot + 1] = y;
      voxels[3 * slot + 2] = x;
    }
  });
  const partial: CellPartial = {
    keys: Float64Array.from(keys),
    voxels: Int32Array.from(voxels),
    distances: Float64Array.from(distances),
  };
  return { partial };
}

/** Merge of {@link voxelGridKernel}: one representative per cell, sorted by cell key. */
export function voxelGridMerge(partials: unknown[]): CellPartial {
  const best = new Map<number, { voxel: [number, number, number]; distance: number }>();
  for (const p of partials as CellPartial[]) {
    for (let i = 0; i < p.keys.length; i++) {
      const key = p.keys[i]!, distance = p.distances[i]!;
      const voxel: [number, number, number] = [
        p.voxels[3 * i]!,
        p.voxels[3 * i + 1]!,
        p.voxels[3 * i + 2]!,
      ];
      const found = best.get(key);
      if (
        !found || distance < found.distance ||
        (distance === found.distance && before(voxel, found.voxel))
      ) {
        best.set(key, { voxel, distance });
      }
    }
  }
  const sorted = [...best.keys()].sort((a, b) => a - b);
  const keys = Float64Array.from(sorted);
  const voxels = new Int32Array(3 * sorted.length);
  const distances = new Float64Array(sorted.length);
  sorted.forEach((key, i) => {
    const { voxel, distance } = best.get(key)!;
    voxels.set(voxel, 3 * i);
    distances[i] = distance;
  });
  return { keys, voxels, distances };
}

/** Number of cells per axis (keys are C-order over these). */
export function cellDims(grid: PhysicalGrid, cellUm: number): number[] {
  return [0, 1, 2].map((a) => cellOf(grid, a, grid.shape[a]! - 1, cellUm) + 1);
}

function before(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}
