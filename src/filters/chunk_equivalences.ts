/**
 * Cross-chunk connected components: the label pairs that touch across the boundary of two
 * labelled chunks (faces for 6-connectivity; faces, edges and corners for 26), to be merged in
 * one `UnionFind` before a relabel pass with its `lookupTable()`.
 * @module
 */
import type { Box } from "../io/types.ts";
import type { Connectivity } from "./label.ts";
import { voxelCount } from "../io/box.ts";
import { pad3 } from "./region.ts";

/**
 * Chunk-grid offsets of the neighbours each chunk must be compared with so that every touching
 * pair is visited once: 3 for 6-connectivity (+z, +y, +x), 13 for 26 (the "forward" half).
 * @param connectivity 6 or 26
 * @returns offsets `[dz, dy, dx]`
 * @example
 * ```ts
 * forwardNeighbourOffsets(6); // [[0, 0, 1], [0, 1, 0], [1, 0, 0]]
 * ```
 */
export function forwardNeighbourOffsets(connectivity: Connectivity): number[][] {
  const offsets: number[][] = [];
  for (let dz = -1; dz <= 1; dz++) {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const forward = dz > 0 || (dz === 0 && (dy > 0 || (dy === 0 && dx > 0)));
        const steps = Math.abs(dz) + Math.abs(dy) + Math.abs(dx);
        if (forward && (connectivity === 26 || steps === 1)) offsets.push([dz, dy, dx]);
      }
    }
  }
  return offsets;
}

/**
 * Pairs of labels `[a0, b0, a1, b1, …]` (a from chunk A, b from chunk B) of foreground voxels
 * that are neighbours across the two chunks' boundary. Works for any two disjoint boxes (faces,
 * edges, corners; nothing when they do not touch). Consecutive duplicates are dropped.
 * @param labelsA labels of chunk A (C-ordered over boxA)
 * @param boxA where chunk A lies in the volume
 * @param labelsB labels of chunk B
 * @param boxB where chunk B lies
 * @param options connectivity (default 26)
 * @returns the flat list of touching label pairs
 * @throws {RangeError} when a labels array does not match its box
 * @example
 * ```ts
 * const a = Uint32Array.of(1, 2), b = Uint32Array.of(7, 7);
 * chunkEquivalences(a, { start: [0, 0], stop: [1, 2] }, b, { start: [1, 0], stop: [2, 2] }, { connectivity: 6 });
 * // Uint32Array [1, 7, 2, 7]
 * ```
 */
export function chunkEquivalences(
  labelsA: Uint32Array,
  boxA: Box,
  labelsB: Uint32Array,
  boxB: Box,
  options: { connectivity?: Connectivity } = {},
): Uint32Array {
  const connectivity = options.connectivity ?? 26;
  const startA = pad3(boxA.start, 0), stopA = pad3(boxA.stop, 1);
  const startB = pad3(boxB.start, 0), stopB = pad3(boxB.stop, 1);
  const shapeA = stopA.map((s, axis) => s - startA[axis]!);
  const shapeB = stopB.map((s, axis) => s - startB[axis]!);
  if (voxelCount(shapeA) !== labelsA.length || voxelCount(shapeB) !== labelsB.length) {
    throw new RangeError("Cannot find equivalences: a labels array does not match its box");
  }
  // Voxels of A within one step of B: A ∩ (B grown by 1).
  const lo: number[] = [], hi: number[] = [];
  for (let axis = 0; axis < 3; axis++) {
    lo.push(Math.max(startA[axis]!, startB[axis]! - 1));
    hi.push(Math.min(stopA[axis]!, stopB[axis]! + 1));
    if (hi[axis]! <= lo[axis]!) return new Uint32Array(0);
  }
  const steps = neighbourSteps(connectivity);
  const rowA = shapeA[2]!, planeA = shapeA[1]! * rowA;
  const rowB = shapeB[2]!, planeB = shapeB[1]! * rowB;
  let pairs = new Uint32Array(64);
  let count = 0;
  let lastA = 0, lastB = 0;
  for (let z = lo[0]!; z < hi[0]!; z++) {
    for (let y = lo[1]!; y < hi[1]!; y++) {
      for (let x = lo[2]!; x < hi[2]!; x++) {
        const a = labelsA[(z - startA[0]!) * planeA + (y - startA[1]!) * rowA + x - startA[2]!]!;
        if (a === 0) continue;
        for (let s = 0; s < steps.length; s += 3) {
          const bz = z + steps[s]!, by = y + steps[s + 1]!, bx = x + steps[s + 2]!;
          if (
            bz < startB[0]! || bz >= stopB[0]! || by < startB[1]! || by >= stopB[1]! ||
            bx < startB[2]! || bx >= stopB[2]!
          ) continue;
          const b =
            labelsB[(bz - startB[0]!) * planeB + (by - startB[1]!) * rowB + bx - startB[2]!]!;
          if (b === 0 || (a === lastA && b === lastB)) continue;
          if (count + 2 > pairs.length) {
            const grown = new Uint32Array(pairs.length * 2);
            grown.set(pairs);
            pairs = grown;
          }
          pairs[count++] = a;
          pairs[count++] = b;
          lastA = a;
          lastB = b;
        }
      }
    }
  }
  return pairs.slice(0, count);
}

/** All 6 or 26 neighbour steps, flattened `[dz, dy, dx, …]`. */
function neighbourSteps(connectivity: Connectivity): Int32Array {
  const steps: number[] = [];
  for (let dz = -1; dz <= 1; dz++) {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const n = Math.abs(dz) + Math.abs(dy) + Math.abs(dx);
        if (n === 0 || (connectivity === 6 && n !== 1)) continue;
        steps.push(dz, dy, dx);
      }
    }
  }
  return Int32Array.from(steps);
}
