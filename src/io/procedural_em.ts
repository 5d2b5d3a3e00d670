/**
 * The EM-like field behind the procedural store: a continuous intensity over space (nm)
 * and each voxel is its mean over the voxel's footprint, computed in closed form at any
 * level, so a coarse level equals the mean of the finer one without reading it: smooth
 * cytoplasm texture from products of sinusoids (box-averaged exactly by a sinc factor),
 * dark mitochondria-like ellipsoids on a hashed jittered grid (partial-volume edges) whose
 * density varies over tens of µm, and
 * per-voxel hash noise whose spread shrinks with the square root of the voxel volume.
 * @module
 */
import type { Box } from "./types.ts";

/** Mean grey level of cytoplasm. */
const BACKGROUND = 150;
/** Texture terms: amplitude (grey levels) and wavelength (nm). */
const TEXTURE = [{ amplitude: 24, wavelengthNm: 4000 }, { amplitude: 14, wavelengthNm: 900 }, {
  amplitude: 8,
  wavelengthNm: 260,
}];
/** Mitochondria: grid cell (nm), chance of one per cell, radius range (nm), darkness. */
const CELL_NM = 1600;
const BLOB_CHANCE = 0.9;
const RADIUS_NM = [180, 420];
const DARKNESS = 70;
/**
 * Mitochondria density varies over tens of µm, as between cytoplasm and nuclei or
 * extracellular space: the chance per cell is scaled by an envelope in [DENSITY_FLOOR, 1] made
 * of a few seeded plane waves of this wavelength (nm). It also keeps a volume from looking the
 * same under rotations, as a uniformly filled box would.
 */
const DENSITY_WAVELENGTH_NM = 24000;
const DENSITY_FLOOR = 0.12;
/** Noise standard deviation at a 5×5×20 nm³ voxel (grey levels). */
const NOISE_SIGMA = 12;
const NOISE_REFERENCE_NM3 = 5 * 5 * 20;

/** 32-bit integer hash (murmur3 finaliser) of a few integers. */
function hash(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ 0x27d4eb2d, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^
    Math.imul(c, 0xc2b2ae3d) ^ Math.imul(d, 0x165667b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash → [0, 1). */
function unit(h: number): number {
  return h / 4294967296;
}

/** mean of sin(ω x + φ) over [c − s/2, c + s/2] = sin(ω c + φ) · sinc(ω s / 2). */
function sinc(u: number): number {
  return Math.abs(u) < 1e-9 ? 1 : Math.sin(u) / u;
}

/**
 * Render the voxels of `box` at a level with voxel size `voxelNm` (z, y, x), uint8, C order.
 * @param seed the volume's seed
 * @param level the level index (noise differs per level)
 * @param voxelNm the level's voxel size in nm
 * @param box voxel indices to render (may extend past the volume: the field is unbounded)
 * @returns the voxels
 */
export function renderEmBox(seed: number, level: number, voxelNm: number[], box: Box): Uint8Array {
  const [z0, y0, x0] = box.start as [number, number, number];
  const nz = box.stop[0]! - z0, ny = box.stop[1]! - y0, nx = box.stop[2]! - x0;
  const field = new Float32Array(nz * ny * nx).fill(BACKGROUND);
  const sizes = [nz, ny, nx];
  const starts = [z0, y0, x0];
  // Texture: Π_a sin(ω_a p_a + φ_a), separable, so one table per term and axis.
  for (let term = 0; term < TEXTURE.length; term++) {
    const { amplitude, wavelengthNm } = TEXTURE[term]!;
    const tables = sizes.map((n, axis) => {
      const omega = (2 * Math.PI / wavelengthNm) * (0.8 + 0.4 * unit(hash(seed, term, axis, 1)));
      const phase = 2 * Math.PI * unit(hash(seed, term, axis, 2));
      const s = voxelNm[axis]!;
      const attenuation = sinc(omega * s / 2);
      const table = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        table[i] = Math.sin(omega * (starts[axis]! + i + 0.5) * s + phase) * attenuation;
      }
      return table;
    });
    const [tz, ty, tx] = tables as [Float32Array, Float32Array, Float32Array];
    let i = 0;
    for (let z = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        const zy = amplitude * tz[z]! * ty[y]!;
        for (let x = 0; x < nx; x++) field[i++]! += zy * tx[x]!;
      }
    }
  }
  addBlobs(field, seed, voxelNm, starts, sizes);
  // Noise: independent per voxel and level; spread ∝ 1/√(voxel volume).
  const volumeNm3 = voxelNm[0]! * voxelNm[1]! * voxelNm[2]!;
  const amplitude = NOISE_SIGMA * Math.sqrt(3) * Math.sqrt(NOISE_REFERENCE_NM3 / volumeNm3);
  const out = new Uint8Array(field.length);
  const levelSeed = hash(seed, level, 7, 3);
  let i = 0;
  for (let z = z0; z < z0 + nz; z++) {
    for (let y = y0; y < y0 + ny; y++) {
      for (let x = x0; x < x0 + nx; x++) {
        const noise = amplitude * (2 * unit(hash(levelSeed, z, y, x)) - 1);
        const value = field[i]! + noise;
        out[i++] = value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
      }
    }
  }
  return out;
}

/**
 * The mitochondria mask of `box` at a level with voxel size `voxelNm`: 1 where the voxel's
 * centre lies inside one of the ellipsoids that {@link renderEmBox} darkens, else 0. Point
 * sampling, so every level is exact for its own grid (a coarse level is not the mode of the
 * finer one, but differs from it only at object edges).
 * @param seed the volume's seed
 * @param voxelNm the level's voxel size in nm
 * @param box voxel indices to render
 * @returns the mask, uint8, C order
 */
export function renderEmLabelBox(seed: number, voxelNm: number[], box: Box): Uint8Array {
  const sizes = [0, 1, 2].map((a) => box.stop[a]! - box.start[a]!);
  const field = new Float32Array(sizes[0]! * sizes[1]! * sizes[2]!);
  addBlobs(field, seed, voxelNm, [...box.start], sizes, "mask");
  const out = new Uint8Array(field.length);
  for (let i = 0; i < field.length; i++) out[i] = field[i]! > 0 ? 1 : 0;
  return out;
}

/** The density envelope at a point (nm), in [DENSITY_FLOOR, 1]. */
function densityAt(seed: number, point: number[]): number {
  let sum = 0;
  for (let wave = 0; wave < 3; wave++) {
    // a seeded direction and phase
    const direction = [0, 1, 2].map((a) => unit(hash(seed, wave, a, 31)) - 0.5);
    const norm = Math.hypot(...direction) || 1;
    const phase = 2 * Math.PI * unit(hash(seed, wave, 3, 31));
    let projection = 0;
    for (let a = 0; a < 3; a++) projection += (direction[a]! / norm) * point[a]!;
    sum += Math.sin((2 * Math.PI / DENSITY_WAVELENGTH_NM) * projection + phase);
  }
  const envelope = 0.5 + 0.5 * Math.tanh(2 * sum);
  return DENSITY_FLOOR + (1 - DENSITY_FLOOR) * envelope;
}

/**
 * Darken the voxels covered by the ellipsoids of the grid cells near the box (`mode`
 * "darken"), or set to 1 the voxels whose centre is inside one ("mask").
 */
function addBlobs(
  field: Float32Array,
  seed: number,
  voxelNm: number[],
  starts: number[],
  sizes: number[],
  mode: "darken" | "mask" = "darken",
): void {
  const maxRadius = RADIUS_NM[1]! * 1.6;
  const lowNm = starts.map((s, a) => s * voxelNm[a]! - maxRadius);
  const highNm = starts.map((s, a) => (s + sizes[a]!) * voxelNm[a]! + maxRadius);
  const cellLow = lowNm.map((v) => Math.floor(v / CELL_NM));
  const cellHigh = highNm.map((v) => Math.floor(v / CELL_NM));
  const voxelVolume = voxelNm[0]! * voxelNm[1]! * voxelNm[2]!;
  const [, ny, nx] = sizes as [number, number, number];
  for (let cz = cellLow[0]!; cz <= cellHigh[0]!; cz++) {
    for (let cy = cellLow[1]!; cy <= cellHigh[1]!; cy++) {
      for (let cx = cellLow[2]!; cx <= cellHigh[2]!; cx++) {
        const h = hash(seed ^ 0x5bd1e995, cz, cy, cx);
        if (unit(h) >= BLOB_CHANCE) continue;
        const cellCentre = [cz, cy, cx].map((c) => (c + 0.5) * CELL_NM);
        if (unit(hash(h, 9, 23, 0)) >= densityAt(seed, cellCentre)) continue;
        const center = [cz, cy, cx].map((c, a) => (c + unit(hash(h, a, 11, 0))) * CELL_NM);
        const radius = RADIUS_NM[0]! + (RADIUS_NM[1]! - RADIUS_NM[0]!) * unit(hash(h, 5, 13, 0));
        // Elongated along x or y (mitochondria are tubes), flattened along z.
        const along = unit(hash(h, 6, 17, 0)) < 0.5 ? 1 : 2;
        const radii = [radius * 0.8, radius, radius].map((r, a) => (a === along ? r * 1.6 : r));
        const blobVolume = (4 / 3) * Math.PI * radii[0]! * radii[1]! * radii[2]!;
        const scale = Math.min(1, blobVolume / voxelVolume);
        const edge = Math.max(1e-3, radii.reduce((sum, r, a) => sum + voxelNm[a]! / 2 / r, 0) / 3);
        const lo = center.map((c, a) =>
          Math.max(0, Math.floor((c - radii[a]! * (1 + edge)) / voxelNm[a]!) - starts[a]!)
        );
        const hi = center.map((c, a) =>
          Math.min(sizes[a]!, Math.ceil((c + radii[a]! * (1 + edge)) / voxelNm[a]!) - starts[a]!)
        );
        for (let z = lo[0]!; z < hi[0]!; z++) {
          const dz = ((starts[0]! + z + 0.5) * voxelNm[0]! - center[0]!) / radii[0]!;
          for (let y = lo[1]!; y < hi[1]!; y++) {
            const dy = ((starts[1]! + y + 0.5) * voxelNm[1]! - center[1]!) / radii[1]!;
            const dzy = dz * dz + dy * dy;
            let i = (z * ny + y) * nx + lo[2]!;
            for (let x = lo[2]!; x < hi[2]!; x++, i++) {
              const dx = ((starts[2]! + x + 0.5) * voxelNm[2]! - center[2]!) / radii[2]!;
              const distance = Math.sqrt(dzy + dx * dx);
              if (mode === "mask") {
                if (distance <= 1) field[i] = 1;
                continue;
              }
              const cover = (1 + edge - distance) / (2 * edge);
              if (cover > 0) field[i]! -= DARKNESS * scale * (cover >= 1 ? 1 : cover);
            }
          }
        }
      }
    }
  }
}
