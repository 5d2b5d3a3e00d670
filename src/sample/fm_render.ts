/**
 * Renders the two-channel FM volume by sampling the EM-space geometry through the truth
 * transform: for each FM voxel centre (z-supersampled over the voxel's thickness) compute
 * p_em = fmToEm(p_fm), look up the mitochondria label (channel 0) and the lysosome spheres
 * (channel 1), then blur with the anisotropic PSF in FM voxel space and add background and
 * Poisson noise.
 * @module
 */
import type { Random } from "./random.ts";
import { type Grid, gridVoxels } from "./grid.ts";
import type { Sphere } from "./lysosomes.ts";
import { rbfDisplacement, type TruthTransform } from "./truth_transform.ts";
import { gaussianBlur } from "./gaussian_blur.ts";

/** Options of {@linkcode renderFm}. */
export interface FmRenderOptions {
  /** PSF Gaussian σ (z, y, x) in µm (default 0.25, 0.1, 0.1). */
  psfSigmaUm?: [number, number, number];
  /** Samples per FM voxel along z (default 3). */
  zSubsamples?: number;
  /** Camera offset in counts (default 100); read noise σ is 2 counts. */
  offset?: number;
  /** Background photons per channel (default 50, 30). */
  backgroundPhotons?: [number, number];
  /** Photons of a voxel fully inside an object, per channel (default 800, 1000). */
  signalPhotons?: [number, number];
}

/**
 * Render the FM volume (c, z, y, x) as uint16 counts.
 *
 * @param labels Mitochondria labels on `emGrid`.
 * @param brightness Relative brightness per label (index = label; 0 for background).
 * @param spheres Lysosome-like spheres in EM space.
 * @param truth The FM→EM transform.
 * @param grids `em` and `fm` grids.
 * @param random The seeded generator.
 * @param options See {@linkcode FmRenderOptions}.
 * @returns Two channels, C order.
 */
export function renderFm(
  labels: Uint16Array | Uint32Array,
  brightness: Float32Array,
  spheres: readonly Sphere[],
  truth: TruthTransform,
  grids: { em: Grid; fm: Grid },
  random: Random,
  options: FmRenderOptions = {},
): Uint16Array {
  const { fm } = grids;
  const mito = new Float32Array(gridVoxels(fm));
  const lyso = new Float32Array(gridVoxels(fm));
  sampleIndicators(labels, brightness, spheres, truth, grids, options.zSubsamples ?? 3, mito, lyso);
  const sigma = options.psfSigmaUm ?? [0.25, 0.1, 0.1];
  const sigmaVoxels = sigma.map((value, a) => value / fm.voxelUm[a]!) as [number, number, number];
  const offset = options.offset ?? 100;
  const background = options.backgroundPhotons ?? [50, 30];
  const signal = options.signalPhotons ?? [800, 1000];
  const readNoise2 = 4;
  // Poisson shot noise by its normal approximation (means are ≥ 30 photons), drawn from a
  // table of normal deviates indexed by xorshift32: fast and deterministic.
  const normals = new Float32Array(65536);
  for (let i = 0; i < normals.length; i++) normals[i] = random.normal();
  let state = Math.floor(random.uniform() * 4294967295) + 1 >>> 0;
  const out = new Uint16Array(2 * mito.length);
  for (const [channel, indicator] of [mito, lyso].entries()) {
    const blurred = gaussianBlur(indicator, fm.shape, sigmaVoxels);
    const base = channel * blurred.length;
    const bg = background[channel]!, peak = signal[channel]!;
    for (let i = 0; i < blurred.length; i++) {
      const mean = bg + peak * blurred[i]!;
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const value = offset + mean + Math.sqrt(mean + readNoise2) * normals[state & 0xffff]!;
      out[base + i] = value < 0 ? 0 : value > 65535 ? 65535 : Math.round(value);
    }
  }
  return out;
}

/** Spacing in FM voxels of the exact evaluations of the non-rigid field along x. */
const KNOT_STEP = 8;

/**
 * Accumulate, per FM voxel, the mean over its z-subsamples of the mitochondria brightness
 * and of the lysosome indicator at p_em = fmToEm(p_fm).
 */
function sampleIndicators(
  labels: Uint16Array | Uint32Array,
  brightness: Float32Array,
  spheres: readonly Sphere[],
  truth: TruthTransform,
  grids: { em: Grid; fm: Grid },
  subsamples: number,
  mito: Float32Array,
  lyso: Float32Array,
): void {
  const { em, fm } = grids;
  const [fz, fy, fx] = fm.shape;
  const [ez, ey, ex] = em.shape;
  const [etz, ety, etx] = em.translationUm;
  const [evz, evy, evx] = em.voxelUm;
  const m = truth.fmToEm.matrix.map((row) => row.map(Number));
  const [m0, m1, m2] = m as [number[], number[], number[]];
  const field = truth.nonrigid;
  const buckets = bucketSpheres(spheres, em);
  const q = [0, 0, 0];
  const displacement = [0, 0, 0];
  const slack = field === null ? 0 : 1.5 * field.amplitudeUm;
  const lowZ = etz - evz / 2 - slack, highZ = etz + (ez - 0.5) * evz + slack;
  const lowY = ety - evy / 2 - slack, highY = ety + (ey - 0.5) * evy + slack;
  const lowX = etx - evx / 2 - slack, highX = etx + (ex - 0.5) * evx + slack;
  const stepZ = m0[2]! * fm.voxelUm[2],
    stepY = m1[2]! * fm.voxelUm[2],
    stepX = m2[2]! * fm.voxelUm[2];
  const weight = 1 / subsamples;
  const knotCount = Math.ceil((fx - 1) / KNOT_STEP) + 1;
  const knots = new Float64Array(3 * knotCount);
  for (let z = 0; z < fz; z++) {
    for (let s = 0; s < subsamples; s++) {
      const pz = fm.translationUm[0] + (z + (s + 0.5) / subsamples - 0.5) * fm.voxelUm[0];
      for (let y = 0; y < fy; y++) {
        const py = fm.translationUm[1] + y * fm.voxelUm[1];
        const px0 = fm.translationUm[2];
        let qz = m0[0]! * pz + m0[1]! * py + m0[2]! * px0 + m0[3]!;
        let qy = m1[0]! * pz + m1[1]! * py + m1[2]! * px0 + m1[3]!;
        let qx = m2[0]! * pz + m2[1]! * py + m2[2]! * px0 + m2[3]!;
        const row = (z * fy + y) * fx;
        if (field !== null) {
          // The smooth field, exact at knots every KNOT_STEP voxels, linear in between
          // (error < 1 nm for σ ≥ 1 µm and amplitude ≤ 0.5 µm).
          for (let k = 0; k < knotCount; k++) {
            const x = Math.min(k * KNOT_STEP, fx - 1);
            q[0] = qz + x * stepZ;
            q[1] = qy + x * stepY;
            q[2] = qx + x * stepX;
            rbfDisplacement(field, q, displacement);
            knots[3 * k] = displacement[0]!;
            knots[3 * k + 1] = displacement[1]!;
            knots[3 * k + 2] = displacement[2]!;
          }
        }
        for (let x = 0; x < fx; x++, qz += stepZ, qy += stepY, qx += stepX) {
          if (qz < lowZ || qz > highZ || qy < lowY || qy > highY || qx < lowX || qx > highX) {
            continue;
          }
          let ez0 = qz, ey0 = qy, ex0 = qx;
          if (field !== null) {
            const k = Math.floor(x / KNOT_STEP);
            const x0 = k * KNOT_STEP, x1 = Math.min((k + 1) * KNOT_STEP, fx - 1);
            const t = x1 > x0 ? (x - x0) / (x1 - x0) : 0;
            const a = 3 * k, b = 3 * Math.min(k + 1, knotCount - 1);
            ez0 += knots[a]! + t * (knots[b]! - knots[a]!);
            ey0 += knots[a + 1]! + t * (knots[b + 1]! - knots[a + 1]!);
            ex0 += knots[a + 2]! + t * (knots[b + 2]! - knots[a + 2]!);
          }
          const iz = Math.round((ez0 - etz) / evz);
          const iy = Math.round((ey0 - ety) / evy);
          const ix = Math.round((ex0 - etx) / evx);
          if (iz >= 0 && iz < ez && iy >= 0 && iy < ey && ix >= 0 && ix < ex) {
            const label = labels[(iz * ey + iy) * ex + ix]!;
            if (label !== 0) mito[row + x]! += weight * brightness[label]!;
          }
          const cell = buckets.cellOf(ez0, ey0, ex0);
          if (cell >= 0) {
            for (let k = buckets.start[cell]!; k < buckets.start[cell + 1]!; k++) {
              const sphere = spheres[buckets.items[k]!]!;
              const dz = ez0 - sphere.centreUm[0],
                dy = ey0 - sphere.centreUm[1],
                dx = ex0 - sphere.centreUm[2];
              if (dz * dz + dy * dy + dx * dx <= sphere.radiusUm * sphere.radiusUm) {
                lyso[row + x]! += weight;
              }
            }
          }
        }
      }
    }
  }
}

/** A uniform cell grid over the EM box listing the spheres each cell touches (CSR arrays). */
function bucketSpheres(spheres: readonly Sphere[], em: Grid) {
  const cellUm = 0.5;
  const low = em.translationUm.map((t, a) => t - em.voxelUm[a]!);
  const counts = em.shape.map((n, a) =>
    Math.max(1, Math.ceil(((n + 2) * em.voxelUm[a]!) / cellUm))
  );
  const [cz, cy, cx] = counts as [number, number, number];
  const lists: number[][] = Array.from({ length: cz * cy * cx }, () => []);
  for (const [index, sphere] of spheres.entries()) {
    const lo = sphere.centreUm.map((c, a) =>
      Math.max(0, Math.floor((c - sphere.radiusUm - low[a]!) / cellUm))
    );
    const hi = sphere.centreUm.map((c, a) =>
      Math.min(counts[a]! - 1, Math.floor((c + sphere.radiusUm - low[a]!) / cellUm))
    );
    for (let z = lo[0]!; z <= hi[0]!; z++) {
      for (let y = lo[1]!; y <= hi[1]!; y++) {
        for (let x = lo[2]!; x <= hi[2]!; x++) lists[(z * cy + y) * cx + x]!.push(index);
      }
    }
  }
  const start = new Int32Array(lists.length + 1);
  for (let i = 0; i < lists.length; i++) start[i + 1] = start[i]! + lists[i]!.length;
  const items = Int32Array.from(lists.flat());
  const cellOf = (pz: number, py: number, px: number): number => {
    const z = Math.floor((pz - low[0]!) / cellUm);
    const y = Math.floor((py - low[1]!) / cellUm);
    const x = Math.floor((px - low[2]!) / cellUm);
    return z < 0 || z >= cz || y < 0 || y >= cy || x < 0 || x >= cx ? -1 : (z * cy + y) * cx + x;
  };
  return { start, items, cellOf };
}
