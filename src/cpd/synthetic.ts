/**
 * Seeded synthetic surface clouds for CPD tests and benchmarks: an ellipsoid with a curved tube
 * and a small sphere attached off-axis, so the shape has no rotational symmetry and every
 * starting rotation has one right answer.
 * @module
 */
import { seededRandom } from "../random.ts";

/** Options of {@link sampleSurfaceCloud}. */
export interface SurfaceCloudOptions {
  /** Gaussian noise σ added to every coordinate (shape size ≈ 1). Default 0. */
  noise?: number;
  /** Fraction of points replaced by uniform outliers in the bounding box. Default 0. */
  outlierFraction?: number;
}

/**
 * Sample `count` points on the test shape (ellipsoid semi-axes 1, 0.7, 0.5; tube radius 0.15
 * along a quarter circle; sphere radius 0.25), interleaved xyz.
 * @param count number of points
 * @param seed PRNG seed
 * @param options noise and outliers
 * @returns interleaved xyz coordinates (length 3·count)
 */
export function sampleSurfaceCloud(
  count: number,
  seed: number,
  options: SurfaceCloudOptions = {},
): Float64Array {
  const random = seededRandom(seed);
  const gauss = () => {
    const u = Math.max(random(), 1e-300);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const noise = options.noise ?? 0;
  const outliers = Math.round(count * (options.outlierFraction ?? 0));
  const out = new Float64Array(3 * count);
  for (let i = 0; i < count - outliers; i++) {
    const pick = random();
    let x: number, y: number, z: number;
    if (pick < 0.6) {
      // ellipsoid: uniform direction scaled by the semi-axes
      const u = 2 * random() - 1, phi = 2 * Math.PI * random(), r = Math.sqrt(1 - u * u);
      x = 1.0 * r * Math.cos(phi);
      y = 0.7 * r * Math.sin(phi);
      z = 0.5 * u;
    } else if (pick < 0.88) {
      // tube around the arc centred (1, 0, 0.2) of radius 0.6 in the x-z plane, from 0 to 100°
      const s = (100 / 180) * Math.PI * random(), phi = 2 * Math.PI * random();
      const cx = 1 + 0.6 * Math.cos(s), cz = 0.2 + 0.6 * Math.sin(s);
      const nx = Math.cos(s), nz = Math.sin(s);
      x = cx + 0.15 * Math.cos(phi) * nx;
      y = 0.15 * Math.sin(phi);
      z = cz + 0.15 * Math.cos(phi) * nz;
    } else {
      const u = 2 * random() - 1, phi = 2 * Math.PI * random(), r = Math.sqrt(1 - u * u);
      x = -0.5 + 0.25 * r * Math.cos(phi);
      y = 0.75 + 0.25 * r * Math.sin(phi);
      z = 0.3 + 0.25 * u;
    }
    out[3 * i] = x + noise * gauss();
    out[3 * i + 1] = y + noise * gauss();
    out[3 * i + 2] = z + noise * gauss();
  }
  for (let i = count - outliers; i < count; i++) {
    out[3 * i] = -1.3 + 3.3 * random();
    out[3 * i + 1] = -1.0 + 2.0 * random();
    out[3 * i + 2] = -0.8 + 1.9 * random();
  }
  return out;
}

/**
 * Rotation matrix (3×3 row-major) of `angleDeg` degrees about `axis` (Rodrigues).
 * @param axis rotation axis (need not be unit length)
 * @param angleDeg angle in degrees
 * @returns 3×3 row-major rotation
 */
export function rotationMatrix(axis: [number, number, number], angleDeg: number): Float64Array {
  const len = Math.hypot(...axis);
  const [x, y, z] = axis.map((v) => v / len) as [number, number, number];
  const t = (angleDeg * Math.PI) / 180, c = Math.cos(t), s = Math.sin(t), v = 1 - c;
  return Float64Array.of(
    c + x * x * v,
    x * y * v - z * s,
    x * z * v + y * s,
    y * x * v + z * s,
    c + y * y * v,
    y * z * v - x * s,
    z * x * v - y * s,
    z * y * v + x * s,
    c + z * z * v,
  );
}
