/**
 * Training samples for the built-in EM model: feature planes of a stack of augmented slices
 * for either stage (image features; for the second stage also the auto-context and z-context
 * planes of the first stage's maps) and class-balanced pixel rows drawn from them.
 * @module
 */
import {
  computeContextFeatures,
  computeZContextFeatures,
  contextFeatureCount,
} from "./context_features.ts";
import type { EmModel } from "./em_model.ts";
import { computeFeatures2d, featureCount, type FeatureSpec } from "./features_2d.ts";
import { mlpForward } from "./mlp.ts";

/** What the samples are made of: the model's feature set and the sampling policy. */
export interface SampleSetup {
  features: FeatureSpec;
  contextSigmasPx: number[];
  zSigmasPx: number[];
  /** Cascade gate of the second stage (its samples come only from pixels past it). */
  gate: number | undefined;
  contextOnly: boolean;
  /** Background pixels drawn per mitochondria pixel. */
  negativeRatio: number;
  /** Share of background pixels drawn in proportion to the first stage's probability. */
  hardFraction: number;
}

/** Feature planes of one slice for the stage being trained, and its first-stage map. */
export interface SliceFeatures {
  features: Float32Array;
  planes: number;
  probability?: Float32Array;
  /** Pixels past the cascade gate (the only ones the second stage sees), when gated. */
  eligible?: Uint8Array;
}

/**
 * Feature planes of a stack of normalised slices: the image features, plus (when a
 * first-stage model is given) the auto-context features of its prediction, and the z-context
 * features of the neighbouring slices' predictions (mirrored at the stack's ends, as in
 * inference).
 */
export function stackFeatures(
  setup: SampleSetup,
  normalised: Float32Array[],
  size: number,
  firstStage: EmModel[] | undefined,
): SliceFeatures[] {
  const pixels = size * size;
  const imagePlanes = featureCount(setup.features);
  const contextPlanes = contextFeatureCount(setup.contextSigmasPx, setup.zSigmasPx);
  const planes = imagePlanes + (firstStage ? contextPlanes : 0);
  const all = normalised.map((slice, z) => {
    const features = new Float32Array(planes * pixels);
    computeFeatures2d(slice, size, size, setup.features, features);
    const probability = new Float32Array(pixels);
    if (firstStage) mlpForward(firstStage[z]!.layers, features, pixels, pixels, probability);
    return { features, probability };
  });
  if (!firstStage) return all.map(({ features }) => ({ features, planes }));
  const depth = all.length;
  return all.map(({ features, probability }, z) => {
    const context = features.subarray(imagePlanes * pixels);
    computeContextFeatures(
      probability,
      size,
      size,
      setup.contextSigmasPx,
      setup.features.truncate,
      context,
    );
    if (setup.zSigmasPx.length > 0) {
      const below = all[z > 0 ? z - 1 : Math.min(1, depth - 1)]!.probability;
      const above = all[z < depth - 1 ? z + 1 : Math.max(0, depth - 2)]!.probability;
      computeZContextFeatures(
        below,
        above,
        size,
        size,
        setup.zSigmasPx,
        setup.features.truncate,
        context.subarray(contextFeatureCount(setup.contextSigmasPx) * pixels),
      );
    }
    const eligible = setup.gate === undefined ? undefined : new Uint8Array(pixels);
    if (eligible) {
      for (let p = 0; p < pixels; p++) {
        eligible[p] = probability[p]! >= setup.gate! || context[pixels + p]! >= setup.gate! ? 1 : 0;
      }
    }
    return {
      ...(setup.contextOnly ? { features: context, planes: contextPlanes } : { features, planes }),
      probability,
      ...(eligible ? { eligible } : {}),
    };
  });
}

/**
 * A sample of `perClass` mitochondria pixels and `perClass × setup.negativeRatio` background pixels
 * (with replacement). When `hardness` is given, a `hardFraction` share of the background
 * pixels is drawn in proportion to it (the first stage's probability: hard negatives).
 */
export function sampleRows(
  setup: SampleSetup,
  features: Float32Array,
  planes: number,
  mask: Uint8Array,
  random: () => number,
  perClass: number,
  rows: number[][],
  targets: number[],
  hardness?: Float32Array,
  eligible?: Uint8Array,
): void {
  const pixels = mask.length;
  const byClass: number[][] = [[], []];
  for (let p = 0; p < pixels; p++) if (!eligible || eligible[p]) byClass[mask[p]!]!.push(p);
  const push = (p: number, label: number) => {
    const row = new Array<number>(planes);
    for (let f = 0; f < planes; f++) row[f] = features[f * pixels + p]!;
    rows.push(row);
    targets.push(label);
  };
  for (let label = 0; label < 2; label++) {
    const pool = byClass[label]!;
    if (pool.length === 0) continue;
    const count = Math.round(perClass * (label === 0 ? setup.negativeRatio : 1));
    let uniform = count;
    if (label === 0 && hardness && setup.hardFraction > 0) {
      const cumulative = new Float64Array(pool.length);
      let total = 0;
      pool.forEach((p, i) => cumulative[i] = total += hardness[p]! + 0.02);
      const hard = Math.round(count * setup.hardFraction);
      uniform -= hard;
      for (let n = 0; n < hard; n++) {
        const target = random() * total;
        let [low, high] = [0, pool.length - 1];
        while (low < high) {
          const middle = (low + high) >> 1;
          if (cumulative[middle]! < target) low = middle + 1;
          else high = middle;
        }
        push(pool[low]!, 0);
      }
    }
    for (let n = 0; n < uniform; n++) push(pool[Math.floor(random() * pool.length)]!, label);
  }
}

/** Mean and standard deviation of each column (std + 1e-6). */
export function columnStats(rows: number[][]): { mean: number[]; std: number[] } {
  const count = rows[0]!.length;
  const mean = new Array<number>(count).fill(0);
  const std = new Array<number>(count).fill(0);
  for (const row of rows) row.forEach((v, f) => mean[f]! += v / rows.length);
  for (const row of rows) row.forEach((v, f) => std[f]! += (v - mean[f]!) ** 2 / rows.length);
  return { mean, std: std.map((v) => Math.sqrt(v) + 1e-6) };
}
