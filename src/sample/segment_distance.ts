/**
 * Closest distances between points and segments in 3-D, for placing and rasterising the
 * sample's capsule-shaped mitochondria.
 * @module
 */

/**
 * Squared distance from a point to the segment [a, b].
 *
 * @param p The point.
 * @param a Segment start.
 * @param b Segment end.
 * @returns The squared Euclidean distance.
 */
export function segmentDistanceSquared(
  p: readonly number[],
  a: readonly number[],
  b: readonly number[],
): number {
  const abz = b[0]! - a[0]!, aby = b[1]! - a[1]!, abx = b[2]! - a[2]!;
  const apz = p[0]! - a[0]!, apy = p[1]! - a[1]!, apx = p[2]! - a[2]!;
  const length2 = abz * abz + aby * aby + abx * abx;
  let t = length2 > 0 ? (apz * abz + apy * aby + apx * abx) / length2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const dz = apz - t * abz, dy = apy - t * aby, dx = apx - t * abx;
  return dz * dz + dy * dy + dx * dx;
}

/**
 * Distance between segments [p1, q1] and [p2, q2] (Ericson, Real-Time Collision Detection 5.1.9).
 *
 * @returns The smallest Euclidean distance between any two points of the segments.
 */
export function segmentSegmentDistance(
  p1: readonly number[],
  q1: readonly number[],
  p2: readonly number[],
  q2: readonly number[],
): number {
  const d1 = [0, 1, 2].map((i) => q1[i]! - p1[i]!);
  const d2 = [0, 1, 2].map((i) => q2[i]! - p2[i]!);
  const r = [0, 1, 2].map((i) => p1[i]! - p2[i]!);
  const dot = (u: number[], v: number[]) => u[0]! * v[0]! + u[1]! * v[1]! + u[2]! * v[2]!;
  const a = dot(d1, d1), e = dot(d2, d2), f = dot(d2, r);
  const clamp = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
  let s: number, t: number;
  if (a <= 1e-15 && e <= 1e-15) {
    s = 0;
    t = 0;
  } else if (a <= 1e-15) {
    s = 0;
    t = clamp(f / e);
  } else {
    const c = dot(d1, r);
    if (e <= 1e-15) {
      t = 0;
      s = clamp(-c / a);
    } else {
      const b = dot(d1, d2);
      const denominator = a * e - b * b;
      s = denominator > 1e-15 ? clamp((b * f - c * e) / denominator) : 0;
      t = (b * s + f) / e;
      if (t < 0) {
        t = 0;
        s = clamp(-c / a);
      } else if (t > 1) {
        t = 1;
        s = clamp((b - c) / a);
      }
    }
  }
  return Math.hypot(...[0, 1, 2].map((i) => p1[i]! + d1[i]! * s - p2[i]! - d2[i]! * t));
}
