/**
 * Connected-component labelling of a binary mask (6- or 26-connectivity): a raster pass over the
 * foreground runs of each row with union-find, then a pass that writes the final labels. Labels
 * are numbered in scan order of each object's first voxel, like `scipy.ndimage.label`. An
 * offset makes per-chunk labels globally unique for chunked CCL.
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
  firstPass(mask, labels, nz, ny, nx, connectivity, sets);
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

/**
 * Foreground runs of the rows of one z plane: `[start, stop)` in x and the run's provisional
 * label; `rowFirst[y]` is the index of row y's first run (`rowFirst[ny]` the run count).
 */
class PlaneRuns {
  starts: Int32Array;
  stops: Int32Array;
  ids: Uint32Array;
  readonly rowFirst: Int32Array;
  count = 0;

  constructor(ny: number) {
    const capacity = Math.max(64, 4 * ny);
    this.starts = new Int32Array(capacity);
    this.stops = new Int32Array(capacity);
    this.ids = new Uint32Array(capacity);
    this.rowFirst = new Int32Array(ny + 1);
  }

  push(start: number, stop: number, id: number): void {
    if (this.count === this.starts.length) {
      const capacity = this.count * 2;
      this.starts = grown(this.starts, new Int32Array(capacity));
      this.stops = grown(this.stops, new Int32Array(capacity));
      this.ids = grown(this.ids, new Uint32Array(capacity));
    }
    this.starts[this.count] = start;
    this.stops[this.count] = stop;
    this.ids[this.count++] = id;
  }
}

function grown<T extends Int32Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * Provisional labels, run by run: each row's foreground runs are joined with the runs they touch
 * in the earlier rows that hold neighbours (6: the row above and the row behind; 26: also the
 * two rows behind it diagonally, and runs touching only at a corner). Runs of a row are sorted,
 * so each neighbour row is walked once per row. Labels are created in scan order of each run's
 * first voxel, so an object's smallest label is that of its first voxel.
 */
function firstPass(
  mask: Uint8Array,
  labels: Uint32Array,
  nz: number,
  ny: number,
  nx: number,
  connectivity: Connectivity,
  sets: UnionFind,
): void {
  // A run [a, b) touches [start, stop) when b + reach > start and a < stop + reach.
  const reach = connectivity === 26 ? 1 : 0;
  // Earlier rows holding neighbours, as [dz, dy]: the row above, then the rows behind.
  const neighbourRows: readonly (readonly [number, number])[] = connectivity === 26
    ? [[0, -1], [-1, -1], [-1, 0], [-1, 1]]
    : [[0, -1], [-1, 0]];
  let current = new PlaneRuns(ny);
  let previous = new PlaneRuns(ny);
  // Neighbour rows of the run being labelled: [plane runs, next run to look at, end of row].
  const rowRuns: PlaneRuns[] = [];
  const cursor: number[] = [];
  const rowEnd: number[] = [];
  for (let z = 0; z < nz; z++) {
    current.count = 0;
    for (let y = 0; y < ny; y++) {
      current.rowFirst[y] = current.count;
      let rows = 0;
      for (let r = 0; r < neighbourRows.length; r++) {
        const [dz, dy] = neighbourRows[r]!;
        const row = y + dy;
        if ((dz < 0 && z === 0) || row < 0 || row >= ny) continue;
        const runs = dz < 0 ? previous : current;
        rowRuns[rows] = runs;
        cursor[rows] = runs.rowFirst[row]!;
        rowEnd[rows++] = runs.rowFirst[row + 1]!;
      }
      const rowStart = (z * ny + y) * nx;
      let x = 0;
      while (x < nx) {
        if (mask[rowStart + x] === 0) {
          labels[rowStart + x] = 0;
          x++;
          continue;
        }
        const start = x;
        while (x < nx && mask[rowStart + x] !== 0) x++;
        const stop = x;
        let label = 0;
        for (let r = 0; r < rows; r++) {
          const runs = rowRuns[r]!;
          const end = rowEnd[r]!;
          let k = cursor[r]!;
          while (k < end && runs.stops[k]! + reach <= start) k++;
          cursor[r] = k; // runs left of this one cannot touch the next run either
          for (; k < end && runs.starts[k]! < stop + reach; k++) {
            label = merge(sets, label, runs.ids[k]!);
          }
        }
        if (label === 0) label = sets.add();
        current.push(start, stop, label);
        if (stop - start > 32) labels.fill(label, rowStart + start, rowStart + stop);
        else for (let k = rowStart + start; k < rowStart + stop; k++) labels[k] = label;
      }
    }
    current.rowFirst[ny] = current.count;
    const swap = previous;
    previous = current;
    current = swap;
  }
}

/** Join a neighbour's provisional label into the current one (0 = none yet). */
function merge(sets: UnionFind, label: number, neighbour: number): number {
  if (neighbour === 0 || neighbour === label) return label;
  if (label === 0) return neighbour;
  return sets.union(label, neighbour);
}
