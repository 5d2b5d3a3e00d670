/**
 * Scoring a built-in EM model on labelled slices with the project's own inference
 * (`segmentEmBlock`, as the pipeline runs it): Dice and IoU after threshold and clean-up, and
 * a grid search of threshold and clean-up sizes (run on training slices only).
 * @module
 */
import { cleanMask2d } from "./clean_mask_2d.ts";
import { type EmModelFile, prepareEmModel } from "./em_model.ts";
import { overlapScores } from "./mask_metrics.ts";
import { segmentEmBlock } from "./segment_block.ts";
import { type CnnModelFile, prepareCnnModel } from "./cnn_model.ts";
import { segmentCnnBlock } from "./segment_cnn_block.ts";
import type { LabelledSlice } from "./training_data.ts";

/** Probabilities of a model on whole slices (volume statistics of those slices), and truth. */
export function predictSlices(
  file: EmModelFile | CnnModelFile,
  slices: LabelledSlice[],
): { probabilities: Float32Array; truth: Uint8Array; shape: [number, number, number] } {
  const first = slices[0]!;
  const shape = [slices.length, first.height, first.width] as [number, number, number];
  const plane = first.height * first.width;
  const volume = new Float32Array(slices.length * plane);
  const truth = new Uint8Array(volume.length);
  slices.forEach((s, z) => {
    volume.set(s.intensity, z * plane);
    truth.set(s.mask, z * plane);
  });
  const probabilities = file.format === "clemreg-em-cnn"
    ? segmentCnnBlock(volume, shape, prepareCnnModel(file))
    : segmentEmBlock(volume, shape, prepareEmModel(file));
  return { probabilities, truth, shape };
}

/** Dice and IoU after threshold and clean-up (and Dice before clean-up). */
export function score(
  predicted: ReturnType<typeof predictSlices>,
  threshold: number,
  cleanUp: EmModelFile["clean"],
): { dice: number; iou: number; diceRaw: number } {
  const { probabilities, truth, shape } = predicted;
  const mask = new Uint8Array(probabilities.length);
  for (let i = 0; i < mask.length; i++) mask[i] = probabilities[i]! >= threshold ? 1 : 0;
  const diceRaw = overlapScores(mask, truth).dice;
  cleanMask2d(mask, shape, cleanUp);
  return { ...overlapScores(mask, truth), diceRaw };
}

/** Dice and IoU of a model file on some slices, with its own threshold and clean-up. */
export function validate(
  file: EmModelFile | CnnModelFile,
  slices: LabelledSlice[],
): { dice: number; iou: number; diceRaw: number } {
  return score(predictSlices(file, slices), file.threshold, file.clean);
}

/** The threshold and clean-up sizes with the best Dice on some slices (grid search). */
export function bestPostprocess(
  file: EmModelFile | CnnModelFile,
  slices: LabelledSlice[],
): { threshold: number; clean: EmModelFile["clean"] } {
  const predicted = predictSlices(file, slices);
  let best = { threshold: 0.5, clean: file.clean };
  let bestDice = -1;
  for (let step = 0; step <= 14; step++) {
    const threshold = step === 14 ? 0.97 : Math.round((0.3 + 0.05 * step) * 100) / 100;
    for (const minObjectPx of [20, 40, 80, 120]) {
      for (const maxHolePx of [40, 400]) {
        const candidate = { minObjectPx, maxHolePx };
        const { dice } = score(predicted, threshold, candidate);
        if (dice > bestDice) [best, bestDice] = [{ threshold, clean: candidate }, dice];
      }
    }
  }
  return best;
}
