/**
 * Connected-component labelling of a binary mask (6- or 26-connectivity), two raster passes
 * with union-find; labels are numbered in scan order of each object's first voxel, like
 * `scipy.ndimage.label`. An offset makes per-chunk labels globally unique for chunked CCL.
 * @module
 */
import { voxelCount } from "../io/box.ts";
import { pad3 } from "./region.ts";
import { UnionFind } from "./union_find.ts";

/** Neighbourhoods: 6 shares a face, 26 a face, an edge or a corner. */
export type Connectivity = 6 | 26;

/** Options of `labelComponents`. */
export interface LabelOptions {
  /** 6 (faces) or 26 (faces, edges, corners); default 26. */
  connectivity?: Connectivity;
  /** Added to every non-zero label (so a chunk's labels are offset+1..offset+count). */
  labelOffset?: number;
  /** Output array; allocated when absent. */
  out?: Uint32Array;
}

/**
 * Label the connected components of a mask (non-zero = foreground).
 * @param mask the mask, C-ordered
 * @param shape its shape (1 to 3 axes)
 * @param options connectivity, labelOffset, out
 * @returns labels (0 background, else labelOffset + 1..count) and the object count
 * @throws {RangeError} when shape, out or the offset do not fit
 * @example
 * ```ts
 * const { count } = labelComponents(Uint8Array.of(1, 0, 1, 1), [4], { connectivity: 6 }); // 2
 * ```
 */
export function labelComponents(
  mask: Uint8Array,
  shape: readonly number[],
  options: LabelOptions = {},
): { labels: Uint32Array; count: number } {
  const connectivity = options.connectivity ?? 26;
  if (connectivity !== 6 && connectivity !== 26) {
    throw new RangeError(`Cannot label: connectivity must be 6 or 26, got ${connectivity}`);
  }
  const [nz, ny, nx] = pad3(shape, 1) as [number, number, number];
  const length = voxelCount([nz, ny, nx]);
  if (mask.length !== length) {
    throw new RangeError(`Cannot label: mask has ${mask.length} voxels, shape holds ${length}`);
  }
  const labels = options.out ?? new Uint32Array(length);
  if (labels.length !== length) {
    throw new RangeError(`Cannot label: out has ${labels.length} voxels, shape holds ${length}`);
  }
  const sets = new UnionFind(1);
  if (connectivity === 6) firstPass6(mask, labels, nz, ny, nx, sets);
  else firstPass26(mask, labels, nz, ny, nx, sets);
  const { table, count } = sets.lookupTable();
  const offset = options.labelOffset ?? 0;
  if (!(offset >= 0) || offset + count > 0xffffffff) {
    throw new RangeError(`Cannot label: labelOffset ${offset} + ${count} objects exceeds uint32`);
  }
  if (offset !== 0) { for (let i = 1; i < table.length; i++) table[i] = table[i]! + offset; }
  for (let i = 0; i < length; i++) {
    const provisional = labels[i]!;
    if (provisional !== 0) labels[i] = table[provisional]!;
  }
  return { labels, count };
}

/** Provisional labels with the 3 earlier face neighbours. */
function firstPass6(
  mask: Uint8Array,
  labels: Uint32Array,
  nz: number,
  ny: number,
  nx: number,
  sets: UnionFind,
): void {
  const plane = ny * nx;
  let i = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        if (mask[i] === 0) {
          labels[i] = 0;
          continue;
        }
        let label = x > 0 ? labels[i - 1]! : 0;
        const up = y > 0 ? labels[i - nx]! : 0;
        const back = z > 0 ? labels[i - plane]! : 0;
        if (label === 0) label = up !== 0 ? up : back;
        if (label === 0) label = sets.add();
        else {
          if (up !== 0 && up !== label) label = sets.union(label, up);
          if (back !== 0 && back !== label) label = sets.union(label, back);
        }
        labels[i] = label;
      }
    }
  }
}

/**
 * Provisional labels with the 13 earlier neighbours. When the left voxel is foreground, only the
 * 4 neighbours at x+1 can bring new connections (the others neighbour the left voxel too).
 */
function firstPass26(
  mask: Uint8Array,
  labels: Uint32Array,
  nz: number,
  ny: number,
  nx: number,
  sets: UnionFind,
): void {
  const plane = ny * nx;
  let i = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const hasUp = y > 0, hasDown = y < ny - 1, hasBack = z > 0;
      for (let x = 0; x < nx; x++, i++) {
        if (mask[i] === 0) {
          labels[i] = 0;
          continue;
        }
        const hasRight = x < nx - 1;
        let label = x > 0 ? labels[i - 1]! : 0;
        const firstDx = label !== 0 ? 1 : -1;
        const fromX = x + firstDx < 0 ? 0 : firstDx;
        const toX = hasRight ? 1 : 0;
        for (let dx = fromX; dx <= toX; dx++) {
          if (hasUp) label = merge(sets, label, labels[i - nx + dx]!);
          if (hasBack) {
            const b = i - plane + dx;
            if (hasUp) label = merge(sets, label, labels[b - nx]!);
            label = merge(sets, label, labels[b]!);
            if (hasDown) label = merge(sets, label, labels[b + nx]!);
          }
        }
        labels[i] = label !== 0 ? label : sets.add();
      }
    }
  }
}

/** Join a neighbour's provisional label into the current one (0 = none yet). */
function merge(sets: UnionFind, label: number, neighbour: number): number {
  if (neighbour === 0 || neighbour === label) return label;
  if (label === 0) return neighbour;
  return sets.union(label, neighbour);
}
