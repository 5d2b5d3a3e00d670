/**
 * A synthetic FM mitochondria volume for the stage tests: seeded random ellipsoids (the
 * truth mask) blurred with a Gaussian PSF, on a background, with seeded Gaussian noise.
 * @module
 */
import { gaussianFilter } from "../../src/filters/gaussian.ts";
import { seededRandom } from "../../src/random.ts";

/** Options of {@link fmPhantom}. */
export interface PhantomOptions {
  shape: number[];
  voxelSizeNm: number[];
  objects: number;
  /** Slices at the top and bottom with no object at all (their centre and extent). */
  emptyMarginSlices?: number;
  psfSigmaNm?: number[];
  /** Noise σ as a fraction of the object brightness. */
  noise?: number;
  seed?: number;
}

/**
 * Generate the phantom.
 * @returns the FM volume (uint16) and the truth mask (uint8), both C-ordered (z, y, x)
 */
export function fmPhantom(options: PhantomOptions): { fm: Uint16Array; truth: Uint8Array } {
  const [nz, ny, nx] = options.shape as [number, number, number];
  const [vz, vy, vx] = options.voxelSizeNm as [number, number, number];
  const random = seededRandom(options.seed ?? 7);
  const margin = options.emptyMarginSlices ?? 0;
  const truth = new Uint8Array(nz * ny * nx);
  const gapNm = 100;
  for (let n = 0, attempts = 0; n < options.objects && attempts < 400; attempts++) {
    // Capsule-like ellipsoids as the sample's mitochondria: 0.3-0.7 µm thick, 1-3 µm long.
    const radius = 150 + 200 * random();
    const half = 500 + 1000 * random();
    const theta = Math.PI * random(), phi = 2 * Math.PI * random();
    // Mostly lateral orientation, as mitochondria in a flat cell.
    const axis = [
      0.3 * Math.cos(theta),
      Math.sin(theta) * Math.sin(phi),
      Math.sin(theta) * Math.cos(phi),
    ];
    const norm = Math.hypot(...axis);
    const [az, ay, ax] = axis.map((a) => a / norm) as [number, number, number];
    const zLow = (margin + 0.5) * vz + half * Math.abs(az) + radius;
    const zHigh = (nz - margin - 0.5) * vz - half * Math.abs(az) - radius;
    const cz = zLow + (zHigh - zLow) * random();
    const cy = (0.1 + 0.8 * random()) * ny * vy, cx = (0.1 + 0.8 * random()) * nx * vx;
    const inside = (z: number, y: number, x: number, grow: number) => {
      const dz = z * vz - cz, dy = y * vy - cy, dx = x * vx - cx;
      const along = dz * az + dy * ay + dx * ax;
      const across2 = dz * dz + dy * dy + dx * dx - along * along;
      return (along / (half + grow)) ** 2 + across2 / (radius + grow) ** 2 <= 1;
    };
    let overlaps = false;
    for (let i = 0; i < truth.length && !overlaps; i++) {
      if (truth[i] === 0) continue;
      const x = i % nx, y = Math.floor(i / nx) % ny, z = Math.floor(i / (nx * ny));
      overlaps = inside(z, y, x, gapNm);
    }
    if (overlaps) continue;
    n++;
    for (let z = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++) if (inside(z, y, x, 0)) truth[(z * ny + y) * nx + x] = 1;
      }
    }
  }
  const psf = options.psfSigmaNm ?? [250, 100, 100];
  const signal = gaussianFilter(Float32Array.from(truth), options.shape, {
    sigma: [psf[0]! / vz, psf[1]! / vy, psf[2]! / vx],
  });
  const fm = new Uint16Array(truth.length);
  const noise = options.noise ?? 0.05;
  for (let i = 0; i < fm.length; i++) {
    const gauss = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    fm[i] = Math.max(0, Math.round(200 + 1000 * signal[i]! + 1000 * noise * gauss));
  }
  return { fm, truth };
}

/** Dice coefficient of two masks (non-zero = foreground). */
export function dice(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let both = 0, sumA = 0, sumB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] !== 0, y = b[i] !== 0;
    if (x) sumA++;
    if (y) sumB++;
    if (x && y) both++;
  }
  return sumA + sumB === 0 ? 1 : (2 * both) / (sumA + sumB);
}
