/**
 * Uniform grid over the transformed moving points for the truncated E-step: a counting sort of
 * the points by cell, with coordinates copied in cell order so that a cell row is one
 * contiguous run of memory.
 * @module
 */

/** Upper bound on the number of grid cells, whatever the radius (memory stays O(M + cap)). */
const MAX_CELLS = 1 << 21;

/** A grid over a planar point set; cell `(cx, cy, cz)` holds `sorted*[cellStart[c]..cellStart[c+1])`. */
export class MovingGrid {
  /** Coordinates in cell order. */
  sortedX: Float64Array;
  /** Coordinates in cell order. */
  sortedY: Float64Array;
  /** Coordinates in cell order. */
  sortedZ: Float64Array;
  /** Original index of each sorted point. */
  order: Int32Array;
  /** Start offset of each cell in the sorted arrays (length cells + 1). */
  cellStart: Int32Array = new Int32Array(1);
  /** Cells along x. */
  dimX = 1;
  /** Cells along y. */
  dimY = 1;
  /** Cells along z. */
  dimZ = 1;
  /** Lower corner of the grid, x. */
  minX = 0;
  /** Lower corner of the grid, y. */
  minY = 0;
  /** Lower corner of the grid, z. */
  minZ = 0;
  /** Edge of a cubic cell (half the radius it was built for, larger when the cell cap binds). */
  cellSize = 1;
  private cellOf: Int32Array;

  /** @param capacity the number of points the grid will hold */
  constructor(capacity: number) {
    this.sortedX = new Float64Array(capacity);
    this.sortedY = new Float64Array(capacity);
    this.sortedZ = new Float64Array(capacity);
    this.order = new Int32Array(capacity);
    this.cellOf = new Int32Array(capacity);
  }

  /**
   * Rebuild the grid for planar points, with cells of `radius / 2`.
   * @param points planar coordinates, length 3·count
   * @param radius search radius the grid is tuned for
   */
  build(points: Float64Array, radius: number): void {
    const count = points.length / 3;
    let minX = Infinity, minY = Infinity, minZ = Infinity;
    let maxX = -Infinity, maxY = -Infinity, maxZ = -Infinity;
    for (let j = 0; j < count; j++) {
      const x = points[j]!, y = points[j + count]!, z = points[j + 2 * count]!;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      if (z < minZ) minZ = z;
      if (z > maxZ) maxZ = z;
    }
    // cells of radius/2: the E-step visits the cells that meet the ball, ≈ 2× fewer candidates
    // on a surface than 27 cells of the radius
    let cell = Math.max(radius / 2, 1e-12);
    let dims = [maxX - minX, maxY - minY, maxZ - minZ].map((e) => Math.floor(e / cell) + 1);
    const cells = dims[0]! * dims[1]! * dims[2]!;
    if (cells > MAX_CELLS) {
      cell *= Math.cbrt(cells / MAX_CELLS) * 1.01;
      dims = [maxX - minX, maxY - minY, maxZ - minZ].map((e) => Math.floor(e / cell) + 1);
    }
    this.dimX = dims[0]!;
    this.dimY = dims[1]!;
    this.dimZ = dims[2]!;
    this.minX = minX;
    this.minY = minY;
    this.minZ = minZ;
    this.cellSize = cell;
    const total = this.dimX * this.dimY * this.dimZ;
    if (this.cellStart.length < total + 1) this.cellStart = new Int32Array(total + 1);
    const start = this.cellStart;
    start.fill(0, 0, total + 1);
    for (let j = 0; j < count; j++) {
      const cx = Math.min(this.dimX - 1, Math.floor((points[j]! - minX) / cell));
      const cy = Math.min(this.dimY - 1, Math.floor((points[j + count]! - minY) / cell));
      const cz = Math.min(this.dimZ - 1, Math.floor((points[j + 2 * count]! - minZ) / cell));
      const c = (cz * this.dimY + cy) * this.dimX + cx;
      this.cellOf[j] = c;
      start[c + 1]!++;
    }
    for (let c = 0; c < total; c++) start[c + 1]! += start[c]!;
    // cellStart[c] doubles as the insertion cursor, then is restored by shifting
    for (let j = 0; j < count; j++) {
      const c = this.cellOf[j]!;
      const s = start[c]!++;
      this.order[s] = j;
      this.sortedX[s] = points[j]!;
      this.sortedY[s] = points[j + count]!;
      this.sortedZ[s] = points[j + 2 * count]!;
    }
    for (let c = total; c > 0; c--) start[c] = start[c - 1]!;
    start[0] = 0;
  }

  /** Most runs {@link runsNear} can write for this radius: one per (z, y) cell row of the box. */
  maxRunsNear(radius: number): number {
    const span = Math.floor((2 * radius) / this.cellSize) + 2;
    return Math.min(span, this.dimZ) * Math.min(span, this.dimY);
  }

  /**
   * The runs `[begin, end)` of sorted points whose cells meet the ball of `radius` around
   * (x, y, z): per (z, y) row of cells, only the x-run of cells the ball reaches. Written as
   * pairs into `out` from pair index `at`; empty runs are skipped.
   * @returns the number of runs written
   */
  runsNear(x: number, y: number, z: number, radius: number, out: Int32Array, at: number): number {
    const { minX, minY, minZ, cellSize, dimX, dimY, dimZ, cellStart } = this;
    const radius2 = radius * radius;
    const y0 = Math.max(0, Math.floor((y - radius - minY) / cellSize));
    const y1 = Math.min(dimY - 1, Math.floor((y + radius - minY) / cellSize));
    const z0 = Math.max(0, Math.floor((z - radius - minZ) / cellSize));
    const z1 = Math.min(dimZ - 1, Math.floor((z + radius - minZ) / cellSize));
    let written = 0;
    for (let cz = z0; cz <= z1; cz++) {
      const zLow = minZ + cz * cellSize;
      const gapZ = z < zLow ? zLow - z : (z > zLow + cellSize ? z - zLow - cellSize : 0);
      for (let cy = y0; cy <= y1; cy++) {
        const yLow = minY + cy * cellSize;
        const gapY = y < yLow ? yLow - y : (y > yLow + cellSize ? y - yLow - cellSize : 0);
        const rest = radius2 - gapY * gapY - gapZ * gapZ;
        if (rest < 0) continue;
        const halfRun = Math.sqrt(rest);
        const x0 = Math.max(0, Math.floor((x - halfRun - minX) / cellSize));
        const x1 = Math.min(dimX - 1, Math.floor((x + halfRun - minX) / cellSize));
        if (x1 < x0) continue;
        const rowCell = (cz * dimY + cy) * dimX;
        const begin = cellStart[rowCell + x0]!, end = cellStart[rowCell + x1 + 1]!;
        if (end === begin) continue;
        out[2 * (at + written)] = begin;
        out[2 * (at + written) + 1] = end;
        written++;
      }
    }
    return written;
  }
}
