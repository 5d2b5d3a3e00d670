/**
 * Training-time augmentation of labelled EM slices: the eight dihedral transforms (rotations
 * by 90° and flips, all of which leave mitochondria mitochondria) and intensity gain/offset
 * jitter, applied after normalisation to the volume's mean and std.
 * @module
 */
import type { LabelledSlice } from "./training_data.ts";

/** Rotate a square slice by `quarterTurns` × 90° and optionally flip it left-right. */
function dihedral<T extends Float32Array | Uint8Array>(
  source: T,
  size: number,
  quarterTurns: number,
  flip: boolean,
): T {
  const out = source.slice() as T;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sy = y;
      let sx = flip ? size - 1 - x : x;
      for (let t = 0; t < quarterTurns; t++) [sy, sx] = [size - 1 - sx, sy];
      out[y * size + x] = source[sy * size + sx]!;
    }
  }
  return out;
}

/** Parameters of one augmentation: dihedral transform, gain and offset. */
export interface Augmentation {
  turns: number;
  flip: boolean;
  gain: number;
  offset: number;
}

/** No change: the slice as it is, normalised. */
export const identityAugmentation: Augmentation = { turns: 0, flip: false, gain: 1, offset: 0 };

/** A random augmentation: quarter turns, flip, gain 0.8-1.2, offset ±0.3 std. */
export function drawAugmentation(random: () => number): Augmentation {
  return {
    turns: Math.floor(random() * 4),
    flip: random() < 0.5,
    gain: 0.8 + 0.4 * random(),
    offset: 0.3 * (2 * random() - 1),
  };
}

/**
 * One augmented, normalised slice: dihedral transform, then gain and offset jitter.
 * @param slice a square labelled slice
 * @param stats intensity mean and std of the training volume
 * @param augmentation the transform
 * @returns the normalised intensities and the mask, both transformed
 */
export function augmentSlice(
  slice: LabelledSlice,
  stats: { mean: number; std: number },
  { turns, flip, gain, offset }: Augmentation,
): { normalised: Float32Array; mask: Uint8Array } {
  const size = slice.width;
  const raw = dihedral(slice.intensity, size, turns, flip);
  const normalised = new Float32Array(raw.length);
  for (let p = 0; p < raw.length; p++) {
    normalised[p] = ((raw[p]! - stats.mean) / stats.std) * gain + offset;
  }
  return { normalised, mask: dihedral(slice.mask, size, turns, flip) };
}
