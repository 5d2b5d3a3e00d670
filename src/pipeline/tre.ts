/**
 * Target registration error of a transform against a sample's `truth.json`: the RMS
 * distance (nm) between the truth's EM test points and its FM test points mapped by the
 * transform, for mitochondria and for the lysosome-like channel.
 * @module
 */
import { applyTransform, loadTransform } from "../cpd/transform_io.ts";
import { readTruth } from "../sample/truth_transform.ts";
import type { TransformFile } from "./transform_file.ts";

/** TRE figures in nm (null when the truth has no lysosome points). */
export interface TreNm {
  mitochondria: number;
  lysosomes: number | null;
  points: number;
  lysosomePoints: number;
}

function rmsError(predicted: Float64Array, expected: number[][]): number {
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    for (let a = 0; a < 3; a++) sum += (predicted[3 * i + a]! - expected[i]![a]!) ** 2;
  }
  return Math.sqrt(sum / Math.max(1, expected.length));
}

/**
 * TRE of `transform` against the truth file.
 * @param transform the FM → EM transform (non-rigid included)
 * @param truthPath a sample's `truth.json`
 * @returns the figures, or undefined when the truth has no test points
 */
export async function treNm(
  transform: TransformFile,
  truthPath: string,
): Promise<TreNm | undefined> {
  const truth = await readTruth(truthPath);
  const tp = truth.testPoints;
  if (!tp) return undefined;
  const saved = loadTransform({
    method: transform.method,
    matrix: transform.fmToEm.matrix,
    ...(transform.nonrigid ? { deformation: transform.nonrigid.deformation } : {}),
  });
  const tre = (fm: number[][], em: number[][]) =>
    rmsError(applyTransform(saved, Float64Array.from(fm.flat())), em) * 1000;
  return {
    mitochondria: tre(tp.fm, tp.em),
    lysosomes: tp.lysosomes.fm.length ? tre(tp.lysosomes.fm, tp.lysosomes.em) : null,
    points: tp.fm.length,
    lysosomePoints: tp.lysosomes.fm.length,
  };
}
