/**
 * Overlap scores of a predicted binary mask against a reference mask.
 * @module
 */

/** Dice and intersection-over-union of two masks. */
export interface OverlapScores {
  dice: number;
  iou: number;
}

/**
 * Dice = 2|A∩B| / (|A|+|B|) and IoU = |A∩B| / |A∪B| (non-zero = inside); 1 when both are empty.
 * @param predicted the predicted mask
 * @param reference the reference mask, same length
 * @returns both scores
 * @throws {RangeError} when the lengths differ
 */
export function overlapScores(
  predicted: ArrayLike<number>,
  reference: ArrayLike<number>,
): OverlapScores {
  if (predicted.length !== reference.length) {
    throw new RangeError(
      `Cannot score masks: lengths ${predicted.length} and ${reference.length} differ`,
    );
  }
  let both = 0;
  let predictedCount = 0;
  let referenceCount = 0;
  for (let i = 0; i < predicted.length; i++) {
    const a = predicted[i]! !== 0;
    const b = reference[i]! !== 0;
    if (a) predictedCount++;
    if (b) referenceCount++;
    if (a && b) both++;
  }
  const union = predictedCount + referenceCount - both;
  if (union === 0) return { dice: 1, iou: 1 };
  return { dice: (2 * both) / (predictedCount + referenceCount), iou: both / union };
}
