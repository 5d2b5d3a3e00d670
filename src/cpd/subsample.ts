/**
 * Seeded random subsampling of planar clouds, for the multi-start search and the coarse stage.
 * @module
 */

/**
 * Random subset (without replacement) of a planar cloud.
 * @param points planar coordinates (length 3·count)
 * @param size wanted number of points; the cloud itself is returned when it is not larger
 * @param random PRNG in [0, 1)
 * @returns planar subset
 */
export function subsamplePlanar(
  points: Float64Array,
  size: number,
  random: () => number,
): Float64Array {
  const count = points.length / 3;
  if (count <= size) return points;
  const index = Array.from({ length: count }, (_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (count - i));
    const t = index[i]!;
    index[i] = index[j]!;
    index[j] = t;
  }
  const out = new Float64Array(3 * size);
  for (let i = 0; i < size; i++) {
    for (let a = 0; a < 3; a++) out[i + a * size] = points[index[i]! + a * count]!;
  }
  return out;
}
