/**
 * Non-rigid resampling: the EM → FM map (the inverse of "affine, then CPD's Gaussian
 * displacement") is evaluated exactly on a coarse grid of nodes every `step` voxels
 * of the output block, and trilinearly interpolated in between. The field is a sum of
 * Gaussians of width β (≥ several hundred nm), so over a step of a few voxels the
 * interpolation error is tiny; `tests/stages/warp_field_test.ts` checks the bound.
 * @module
 */
import { GaussianDeformation, type GaussianDeformationJson } from "../cpd/deformation.ts";
import type { Box, TypedArray } from "../io/types.ts";
import type { PhysicalGrid } from "./warp_affine.ts";

/** Fixed-point iterations of the field inversion (the displacement is a contraction). */
const inversionIterations = 12;

/** Node positions of a coarse grid over a block: every `step`, plus the last voxel. */
export function nodeAxis(start: number, stop: number, step: number): number[] {
  const nodes: number[] = [];
  for (let v = start; v < stop - 1; v += step) nodes.push(v);
  nodes.push(stop - 1);
  return nodes;
}

/**
 * FM voxel indices (z, y, x) of the EM grid's voxels at the nodes of a block.
 * @param targetBox the output block (EM grid indices)
 * @param target the EM grid (µm)
 * @param source the FM grid (µm)
 * @param emToFm the inverse of the affine part (4×4, µm)
 * @param deformation CPD's displacement, applied after the affine FM → EM
 * @param step node spacing in voxels
 * @returns node coordinates (flat, 3 per node) and the node axes
 */
export function fieldNodes(
  targetBox: Box,
  target: PhysicalGrid,
  source: PhysicalGrid,
  emToFm: readonly (readonly number[])[],
  deformation: GaussianDeformationJson,
  step: number,
): { coordinates: Float64Array; axes: [number[], number[], number[]] } {
  const axes = [0, 1, 2].map((a) => nodeAxis(targetBox.start[a]!, targetBox.stop[a]!, step)) as [
    number[],
    number[],
    number[],
  ];
  const count = axes[0].length * axes[1].length * axes[2].length;
  const q = new Float64Array(3 * count);
  let n = 0;
  for (const z of axes[0]) {
    for (const y of axes[1]) {
      for (const x of axes[2]) {
        q[n++] = target.translation[0]! + z * target.scale[0]!;
        q[n++] = target.translation[1]! + y * target.scale[1]!;
        q[n++] = target.translation[2]! + x * target.scale[2]!;
      }
    }
  }
  // Invert x + v(x) = q by fixed point: x ← q − v(x).
  const field = GaussianDeformation.fromJSON(deformation);
  let x = q.slice();
  for (let iteration = 0; iteration < inversionIterations; iteration++) {
    const displaced = field.evaluate(x);
    const next = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) next[i] = q[i]! - (displaced[i]! - x[i]!);
    x = next;
  }
  const coordinates = new Float64Array(3 * count);
  for (let i = 0; i < count; i++) {
    for (let r = 0; r < 3; r++) {
      const m = emToFm[r]!;
      const fm = m[0]! * x[3 * i]! + m[1]! * x[3 * i + 1]! + m[2]! * x[3 * i + 2]! + m[3]!;
      coordinates[3 * i + r] = (fm - source.translation[r]!) / source.scale[r]!;
    }
  }
  return { coordinates, axes };
}

/** The source box covering every node coordinate (plus interpolation margin), or undefined. */
export function fieldSourceBox(
  coordinates: Float64Array,
  sourceShape: readonly number[],
): Box | undefined {
  const low = [Infinity, Infinity, Infinity];
  const high = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < coordinates.length; i += 3) {
    for (let r = 0; r < 3; r++) {
      low[r] = Math.min(low[r]!, coordinates[i + r]!);
      high[r] = Math.max(high[r]!, coordinates[i + r]!);
    }
  }
  const start = low.map((v) => Math.max(0, Math.floor(v - 1e-6)));
  const stop = high.map((v, a) => Math.min(sourceShape[a]!, Math.floor(v + 1e-6) + 2));
  return start.some((s, a) => s >= stop[a]!) ? undefined : { start, stop };
}

/**
 * Resample a block through interpolated node coordinates (trilinear or nearest).
 * Points outside the source read `cval`, as in {@linkcode warpAffineBlock}.
 */
export function warpFieldBlock(
  source: TypedArray,
  sourceBox: Box,
  sourceShape: readonly number[],
  targetBox: Box,
  nodes: { coordinates: Float64Array; axes: [number[], number[], number[]] },
  out: TypedArray,
  options: { order?: 0 | 1; cval?: number } = {},
): void {
  const order = options.order ?? 1;
  const cval = options.cval ?? 0;
  const [az, ay, ax] = nodes.axes;
  const [ny, nx] = [ay.length, ax.length];
  const c = nodes.coordinates;
  const [sz0, sy0, sx0] = [sourceBox.start[0]!, sourceBox.start[1]!, sourceBox.start[2]!];
  const syn = sourceBox.stop[1]! - sy0;
  const sxn = sourceBox.stop[2]! - sx0;
  const [bz, by, bx] = [sourceBox.stop[0]! - 1, sourceBox.stop[1]! - 1, sourceBox.stop[2]! - 1];
  const [maxZ, maxY, maxX] = [sourceShape[0]! - 1, sourceShape[1]! - 1, sourceShape[2]! - 1];
  const rounding = !(out instanceof Float32Array || out instanceof Float64Array);
  // Node cell and fraction of every voxel along each axis, computed once per block.
  const cells = [0, 1, 2].map((a) => {
    const axis = nodes.axes[a]!;
    const length = targetBox.stop[a]! - targetBox.start[a]!;
    const k = new Int32Array(length);
    const t = new Float64Array(length);
    let cellIndex = 0;
    for (let i = 0; i < length; i++) {
      const v = targetBox.start[a]! + i;
      while (cellIndex < axis.length - 2 && axis[cellIndex + 1]! <= v) cellIndex++;
      k[i] = cellIndex;
      t[i] = axis.length > 1
        ? (v - axis[cellIndex]!) / (axis[cellIndex + 1]! - axis[cellIndex]!)
        : 0;
    }
    return { k, t };
  });
  const f = new Float64Array(3);
  const interpolate = (
    kz: number,
    kz1: number,
    ky: number,
    ky1: number,
    kx: number,
    kx1: number,
    tz: number,
    ty: number,
    tx: number,
  ) => {
    for (let r = 0; r < 3; r++) {
      const a = c[3 * ((kz * ny + ky) * nx + kx) + r]!, b = c[3 * ((kz * ny + ky) * nx + kx1) + r]!;
      const d = c[3 * ((kz * ny + ky1) * nx + kx) + r]!,
        e = c[3 * ((kz * ny + ky1) * nx + kx1) + r]!;
      const g = c[3 * ((kz1 * ny + ky) * nx + kx) + r]!,
        h = c[3 * ((kz1 * ny + ky) * nx + kx1) + r]!;
      const i = c[3 * ((kz1 * ny + ky1) * nx + kx) + r]!,
        j = c[3 * ((kz1 * ny + ky1) * nx + kx1) + r]!;
      const c0 = a + tx * (b - a) + ty * (d + tx * (e - d) - (a + tx * (b - a)));
      const c1 = g + tx * (h - g) + ty * (i + tx * (j - i) - (g + tx * (h - g)));
      f[r] = c0 + tz * (c1 - c0);
    }
  };
  let o = 0;
  for (let zi = 0; zi < targetBox.stop[0]! - targetBox.start[0]!; zi++) {
    const kz = cells[0]!.k[zi]!, tz = cells[0]!.t[zi]!;
    const kz1 = Math.min(kz + 1, az.length - 1);
    for (let yi = 0; yi < targetBox.stop[1]! - targetBox.start[1]!; yi++) {
      const ky = cells[1]!.k[yi]!, ty = cells[1]!.t[yi]!;
      const ky1 = Math.min(ky + 1, ay.length - 1);
      for (let xi = 0; xi < targetBox.stop[2]! - targetBox.start[2]!; xi++, o++) {
        const kx = cells[2]!.k[xi]!, tx = cells[2]!.t[xi]!;
        const kx1 = Math.min(kx + 1, ax.length - 1);
        interpolate(kz, kz1, ky, ky1, kx, kx1, tz, ty, tx);
        const fz = f[0]!, fy = f[1]!, fx = f[2]!;
        if (fz < 0 || fy < 0 || fx < 0 || fz > maxZ || fy > maxY || fx > maxX) {
          out[o] = cval;
          continue;
        }
        if (order === 0) {
          const iz = Math.min(Math.floor(fz + 0.5), bz) - sz0;
          const iy = Math.min(Math.floor(fy + 0.5), by) - sy0;
          const ix = Math.min(Math.floor(fx + 0.5), bx) - sx0;
          out[o] = source[(iz * syn + iy) * sxn + ix]!;
          continue;
        }
        const iz = Math.floor(fz), iy = Math.floor(fy), ix = Math.floor(fx);
        const wz = fz - iz, wy = fy - iy, wx = fx - ix;
        const dz = iz < bz ? syn * sxn : 0, dy = iy < by ? sxn : 0, dx = ix < bx ? 1 : 0;
        const p = ((iz - sz0) * syn + (iy - sy0)) * sxn + (ix - sx0);
        const s = source;
        const v00 = s[p]! + wx * (s[p + dx]! - s[p]!);
        const v01 = s[p + dy]! + wx * (s[p + dy + dx]! - s[p + dy]!);
        const v10 = s[p + dz]! + wx * (s[p + dz + dx]! - s[p + dz]!);
        const v11 = s[p + dz + dy]! + wx * (s[p + dz + dy + dx]! - s[p + dz + dy]!);
        const v0 = v00 + wy * (v01 - v00);
        const value = v0 + wz * (v10 + wy * (v11 - v10) - v0);
        out[o] = rounding ? Math.round(value) : value;
      }
    }
  }
}
