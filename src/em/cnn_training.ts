/**
 * Training pieces for the built-in EM CNN: augmented random crops of labelled slices (dihedral
 * transform, gain/offset jitter), the loss (binary cross-entropy + soft Dice over the batch)
 * with its gradient on the logits, and an Adam step over the parameter vector.
 * @module
 */
import type { Augmentation } from "./augment_slice.ts";
import type { LabelledSlice } from "./training_data.ts";

/**
 * Write one augmented crop into a padded input plane and a target mask.
 * @param slice the labelled slice (square or not)
 * @param stats intensity mean and std of the training volume
 * @param y0 crop top row in the slice
 * @param x0 crop left column
 * @param size crop side in pixels
 * @param augmentation dihedral transform and intensity jitter
 * @param input padded plane of `size × size` (interior written)
 * @param target `size × size` 0/1 mask (unpadded)
 */
export function writeCrop(
  slice: LabelledSlice,
  stats: { mean: number; std: number },
  y0: number,
  x0: number,
  size: number,
  { turns, flip, gain, offset }: Augmentation,
  input: Float32Array,
  target: Uint8Array,
): void {
  const stride = size + 2;
  const scale = gain / stats.std;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sy = y;
      let sx = flip ? size - 1 - x : x;
      for (let t = 0; t < turns; t++) [sy, sx] = [size - 1 - sx, sy];
      const p = (y0 + sy) * slice.width + x0 + sx;
      input[(y + 1) * stride + x + 1] = (slice.intensity[p]! - stats.mean) * scale + offset;
      target[y * size + x] = slice.mask[p]!;
    }
  }
}

/**
 * Loss of a batch and its gradient on the logits: mean binary cross-entropy plus
 * `diceWeight × (1 − soft Dice)` over all pixels of the batch.
 * @param logits padded logit planes, one per crop
 * @param targets 0/1 masks, one per crop
 * @param size crop side
 * @param diceWeight weight of the Dice term
 * @param gradients padded planes to write the gradients into (border zero)
 * @returns the loss
 */
export function batchLoss(
  logits: Float32Array[],
  targets: Uint8Array[],
  size: number,
  diceWeight: number,
  gradients: Float32Array[],
): number {
  const stride = size + 2;
  const count = logits.length * size * size;
  let intersection = 0;
  let total = 0;
  let crossEntropy = 0;
  const probabilities = logits.map(() => new Float32Array(size * size));
  logits.forEach((logit, b) => {
    const target = targets[b]!;
    const probability = probabilities[b]!;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const z = logit[(y + 1) * stride + x + 1]!;
        const p = 1 / (1 + Math.exp(-z));
        const t = target[y * size + x]!;
        probability[y * size + x] = p;
        intersection += p * t;
        total += p + t;
        // log(1 + e^−|z|) + max(z, 0) − z t, stable for large |z|
        crossEntropy += Math.log1p(Math.exp(-Math.abs(z))) + Math.max(z, 0) - z * t;
      }
    }
  });
  const smooth = 1;
  const dice = (2 * intersection + smooth) / (total + smooth);
  logits.forEach((_, b) => {
    const target = targets[b]!;
    const probability = probabilities[b]!;
    const gradient = gradients[b]!;
    gradient.fill(0);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const p = probability[y * size + x]!;
        const t = target[y * size + x]!;
        const dDice = (2 * t) / (total + smooth) -
          (2 * intersection + smooth) / (total + smooth) ** 2;
        gradient[(y + 1) * stride + x + 1] = (p - t) / count - diceWeight * dDice * p * (1 - p);
      }
    }
  });
  return crossEntropy / count + diceWeight * (1 - dice);
}

/** Adam optimiser state over one parameter vector. */
export interface AdamState {
  m: Float32Array;
  v: Float32Array;
  step: number;
}

/** Fresh Adam state for `n` parameters. */
export function createAdam(n: number): AdamState {
  return { m: new Float32Array(n), v: new Float32Array(n), step: 0 };
}

/** One Adam step (β 0.9 / 0.999, ε 1e-8) of `params` along `gradients`. */
export function adamStep(
  state: AdamState,
  params: Float32Array,
  gradients: Float32Array,
  learningRate: number,
): void {
  const [beta1, beta2] = [0.9, 0.999];
  state.step++;
  const correction1 = 1 - beta1 ** state.step;
  const correction2 = 1 - beta2 ** state.step;
  for (let i = 0; i < params.length; i++) {
    const g = gradients[i]!;
    state.m[i] = beta1 * state.m[i]! + (1 - beta1) * g;
    state.v[i] = beta2 * state.v[i]! + (1 - beta2) * g * g;
    const mHat = state.m[i]! / correction1;
    const vHat = state.v[i]! / correction2;
    params[i] = params[i]! - (learningRate * mHat) / (Math.sqrt(vHat) + 1e-8);
  }
}
