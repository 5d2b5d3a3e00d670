/**
 * Renders the EM-like intensity volume from mitochondria labels: a grey cytoplasm with slow
 * shading and noise, dark one-voxel membranes at label borders and, inside, a darker matrix
 * with lighter cristae-like bands across each object's long axis (FIB-SEM-like contrast).
 * @module
 */
import type { Random } from "./random.ts";
import type { Grid } from "./grid.ts";
import type { LabelStats } from "./label_stats.ts";

/** Grey levels of the EM rendering. */
export interface EmContrast {
  cytoplasm: number;
  matrix: number;
  crista: number;
  membrane: number;
  noiseSigma: number;
}

const DEFAULT_CONTRAST: EmContrast = {
  cytoplasm: 165,
  matrix: 95,
  crista: 135,
  membrane: 45,
  noiseSigma: 10,
};

/**
 * Render an EM-like uint8 volume from labels.
 *
 * @param labels Mitochondria labels on `grid`.
 * @param stats Statistics of the labels (centroid, principal axis).
 * @param grid The EM grid.
 * @param random The seeded generator.
 * @param contrast Grey levels (defaults: cytoplasm 165, matrix 95, crista 135, membrane 45, noise σ 10).
 * @returns The intensity volume, C order.
 */
export function renderEm(
  labels: Uint16Array | Uint32Array,
  stats: readonly LabelStats[],
  grid: Grid,
  random: Random,
  contrast: EmContrast = DEFAULT_CONTRAST,
): Uint8Array {
  const [nz, ny, nx] = grid.shape;
  const [vz, vy, vx] = grid.voxelUm;
  // Per-label cristae band: phase = (p − centroid)·axis / period + offset.
  const maxLabel = stats.reduce((m, s) => Math.max(m, s.label), 0);
  const band = new Float64Array((maxLabel + 1) * 5);
  const periodUm = Math.max(0.09, 2.5 * Math.max(vz, vy, vx));
  for (const s of stats) {
    const o = s.label * 5;
    band[o] = s.principalAxis[0] * vz / periodUm;
    band[o + 1] = s.principalAxis[1] * vy / periodUm;
    band[o + 2] = s.principalAxis[2] * vx / periodUm;
    band[o + 3] = -(s.principalAxis[0] * (s.centroidUm[0] - grid.translationUm[0]) +
          s.principalAxis[1] * (s.centroidUm[1] - grid.translationUm[1]) +
          s.principalAxis[2] * (s.centroidUm[2] - grid.translationUm[2])) / periodUm +
      random.uniform();
  }
  // Slow shading as a sum of three smooth 1-D profiles, and a table of normal noise.
  const profiles = [nz, ny, nx].map((n, a) => {
    const wavelength = random.between(1.5, 4) / grid.voxelUm[a]!;
    const phase = random.between(0, 2 * Math.PI);
    return Float64Array.from(
      { length: n },
      (_, i) => 4 * Math.sin((2 * Math.PI * i) / wavelength + phase),
    );
  });
  const noise = new Float32Array(65536);
  for (let i = 0; i < noise.length; i++) noise[i] = contrast.noiseSigma * random.normal();
  let state = Math.floor(random.uniform() * 4294967296) >>> 0;
  const out = new Uint8Array(nz * ny * nx);
  const [pz, py, px] = profiles as [Float64Array, Float64Array, Float64Array];
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const row = (z * ny + y) * nx;
      const shade = pz[z]! + py[y]!;
      for (let x = 0; x < nx; x++) {
        const index = row + x;
        const label = labels[index]!;
        let value: number;
        if (label === 0) {
          value = contrast.cytoplasm + shade + px[x]!;
        } else if (
          (x > 0 && labels[index - 1] !== label) || (x + 1 < nx && labels[index + 1] !== label) ||
          (y > 0 && labels[index - nx] !== label) || (y + 1 < ny && labels[index + nx] !== label) ||
          (z > 0 && labels[index - nx * ny] !== label) ||
          (z + 1 < nz && labels[index + nx * ny] !== label)
        ) {
          value = contrast.membrane;
        } else {
          const o = label * 5;
          const phase = band[o]! * z + band[o + 1]! * y + band[o + 2]! * x + band[o + 3]!;
          value = phase - Math.floor(phase) < 0.35 ? contrast.crista : contrast.matrix;
        }
        // xorshift32 picks a noise sample: cheap and deterministic.
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        value += noise[state & 0xffff]!;
        out[index] = value < 0 ? 0 : value > 255 ? 255 : value + 0.5;
      }
    }
  }
  return out;
}
