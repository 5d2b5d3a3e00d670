/**
 * Test helpers: seeded random volumes, box crops, and partition comparison of label volumes.
 * @module
 */
import type { Box } from "../../src/io/types.ts";
import { seededRandom } from "../../src/random.ts";

/** A float32 volume of seeded uniform noise. */
export function randomVolume(shape: readonly number[], seed: number): Float32Array {
  const random = seededRandom(seed);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = random();
  return data;
}

/** Copy the voxels of `box` out of a C-ordered 3-D volume. */
export function crop<T extends Float32Array | Uint32Array | Uint8Array>(
  volume: T,
  shape: readonly number[],
  box: Box,
): T {
  const [z0, y0, x0] = box.start as [number, number, number];
  const [z1, y1, x1] = box.stop as [number, number, number];
  const out = new (volume.constructor as new (n: number) => T)((z1 - z0) * (y1 - y0) * (x1 - x0));
  let o = 0;
  for (let z = z0; z < z1; z++) {
    for (let y = y0; y < y1; y++) {
      const row = (z * shape[1]! + y) * shape[2]!;
      out.set(volume.subarray(row + x0, row + x1), o);
      o += x1 - x0;
    }
  }
  return out;
}

/** Write `data` (holding `box`) into a C-ordered 3-D volume. */
export function paste(volume: Uint32Array, shape: readonly number[], box: Box, data: Uint32Array) {
  const [z0, y0, x0] = box.start as [number, number, number];
  const [z1, y1, x1] = box.stop as [number, number, number];
  let o = 0;
  for (let z = z0; z < z1; z++) {
    for (let y = y0; y < y1; y++) {
      const row = (z * shape[1]! + y) * shape[2]!;
      volume.set(data.subarray(o, o + x1 - x0), row + x0);
      o += x1 - x0;
    }
  }
}

/**
 * Whether two label volumes describe the same partition: same background, and a one-to-one
 * map between their labels. Returns a message on the first difference, or null.
 */
export function partitionDifference(a: Uint32Array, b: Uint32Array): string | null {
  if (a.length !== b.length) return `lengths differ: ${a.length} vs ${b.length}`;
  const aToB = new Map<number, number>();
  const bToA = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    const la = a[i]!, lb = b[i]!;
    if ((la === 0) !== (lb === 0)) return `voxel ${i}: background differs (${la} vs ${lb})`;
    if (la === 0) continue;
    const mapped = aToB.get(la);
    if (mapped === undefined) aToB.set(la, lb);
    else if (mapped !== lb) return `voxel ${i}: label ${la} maps to both ${mapped} and ${lb}`;
    const back = bToA.get(lb);
    if (back === undefined) bToA.set(lb, la);
    else if (back !== la) return `voxel ${i}: label ${lb} maps back to both ${back} and ${la}`;
  }
  return null;
}
