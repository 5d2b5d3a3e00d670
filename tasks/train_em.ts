/**
 * Train the built-in EM mitochondria model: `deno task train-em [--select] [--seed S]
 * [--out models/em_mito_mlp.json]` (other options: see `main`). Slices 00-11 of em-vnc stack1
 * train (flips, 90° rotations, gain/offset jitter; 1:3 mitochondria:background pixel samples);
 * slices 12-14 are scored once at the end (Dice and IoU after threshold and clean-up).
 * `--select` trains on 00-08 and scores 09-11 after every epoch: hyper-parameters were chosen
 * that way, never on 12-14. Stage 1: image features → MLP (8-4); stage 2 (auto-context): image
 * features + the stage-1 map smoothed at 3 scales with its Hessian + the neighbouring slices'
 * maps (z context) → MLP (12-6), run only past a cascade gate. The threshold and clean-up
 * sizes are chosen on the training slices. tfjs (cpu) trains the dense layers; scoring runs
 * the project's own forward pass, the one inference uses.
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { runCli, UsageError } from "./cli.ts";
import { cleanMask2d } from "../src/em/clean_mask_2d.ts";
import {
  computeContextFeatures,
  computeZContextFeatures,
  contextFeatureCount,
} from "../src/em/context_features.ts";
import {
  type EmModel,
  type EmModelFile,
  encodeFloat32,
  prepareEmModel,
  type StoredLayer,
} from "../src/em/em_model.ts";
import { mlpForward } from "../src/em/mlp.ts";
import {
  computeFeatures2d,
  defaultFeatureSpec,
  featureCount,
  type FeatureSpec,
} from "../src/em/features_2d.ts";
import { overlapScores } from "../src/em/mask_metrics.ts";
import { intensityStats, segmentEmBlock } from "../src/em/segment_block.ts";
import { findDataDir, type LabelledSlice, loadVncSlice } from "../src/em/training_data.ts";
import { seededRandom } from "../src/random.ts";

let downsampleFactor = 4;
const rawPixelNm = 4.6;
const clean = { minObjectPx: 40, maxHolePx: 40 };
let contextSigmasPx = [2.5, 5, 8];
let zSigmasPx: number[] = [];
let gate: number | undefined;
let featureSpec: FeatureSpec = defaultFeatureSpec;
let contextOnly = false;
let learningRate = 2e-3;
let learningRateDecay = 1;
let validateEachEpoch = false;
let negativeRatio = 1;
let hardFraction = 0;

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
interface Augmentation {
  turns: number;
  flip: boolean;
  gain: number;
  offset: number;
}

const identity: Augmentation = { turns: 0, flip: false, gain: 1, offset: 0 };

function drawAugmentation(random: () => number): Augmentation {
  return {
    turns: Math.floor(random() * 4),
    flip: random() < 0.5,
    gain: 0.8 + 0.4 * random(),
    offset: 0.3 * (2 * random() - 1),
  };
}

/** One augmented, normalised slice: dihedral transform, then gain and offset jitter. */
function augment(
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

/** Feature planes of one slice for the stage being trained, and its first-stage map. */
interface SliceFeatures {
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
function stackFeatures(
  normalised: Float32Array[],
  size: number,
  firstStage: EmModel[] | undefined,
): SliceFeatures[] {
  const pixels = size * size;
  const imagePlanes = featureCount(featureSpec);
  const contextPlanes = contextFeatureCount(contextSigmasPx, zSigmasPx);
  const planes = imagePlanes + (firstStage ? contextPlanes : 0);
  const all = normalised.map((slice, z) => {
    const features = new Float32Array(planes * pixels);
    computeFeatures2d(slice, size, size, featureSpec, features);
    const probability = new Float32Array(pixels);
    if (firstStage) mlpForward(firstStage[z]!.layers, features, pixels, pixels, probability);
    return { features, probability };
  });
  if (!firstStage) return all.map(({ features }) => ({ features, planes }));
  const depth = all.length;
  return all.map(({ features, probability }, z) => {
    const context = features.subarray(imagePlanes * pixels);
    computeContextFeatures(probability, size, size, contextSigmasPx, featureSpec.truncate, context);
    if (zSigmasPx.length > 0) {
      const below = all[z > 0 ? z - 1 : Math.min(1, depth - 1)]!.probability;
      const above = all[z < depth - 1 ? z + 1 : Math.max(0, depth - 2)]!.probability;
      computeZContextFeatures(
        below,
        above,
        size,
        size,
        zSigmasPx,
        featureSpec.truncate,
        context.subarray(contextFeatureCount(contextSigmasPx) * pixels),
      );
    }
    const eligible = gate === undefined ? undefined : new Uint8Array(pixels);
    if (eligible) {
      for (let p = 0; p < pixels; p++) {
        eligible[p] = probability[p]! >= gate! || context[pixels + p]! >= gate! ? 1 : 0;
      }
    }
    return {
      ...(contextOnly ? { features: context, planes: contextPlanes } : { features, planes }),
      probability,
      ...(eligible ? { eligible } : {}),
    };
  });
}

/**
 * A sample of `perClass` mitochondria pixels and `perClass × negativeRatio` background pixels
 * (with replacement). When `hardness` is given, a `hardFraction` share of the background
 * pixels is drawn in proportion to it (the first stage's probability: hard negatives).
 */
function sampleRows(
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
    const count = Math.round(perClass * (label === 0 ? negativeRatio : 1));
    let uniform = count;
    if (label === 0 && hardness && hardFraction > 0) {
      const cumulative = new Float64Array(pool.length);
      let total = 0;
      pool.forEach((p, i) => cumulative[i] = total += hardness[p]! + 0.02);
      const hard = Math.round(count * hardFraction);
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

/** Mean and standard deviation of each column. */
function columnStats(rows: number[][]): { mean: number[]; std: number[] } {
  const count = rows[0]!.length;
  const mean = new Array<number>(count).fill(0);
  const std = new Array<number>(count).fill(0);
  for (const row of rows) row.forEach((v, f) => mean[f]! += v / rows.length);
  for (const row of rows) row.forEach((v, f) => std[f]! += (v - mean[f]!) ** 2 / rows.length);
  return { mean, std: std.map((v) => Math.sqrt(v) + 1e-6) };
}

/** A dense network in tfjs: ReLU hidden layers, one sigmoid output, seeded initialisation. */
function buildNetwork(inputs: number, hidden: number[], seed: number): tf.Sequential {
  const network = tf.sequential();
  const widths = [...hidden, 1];
  widths.forEach((units, l) =>
    network.add(tf.layers.dense({
      units,
      activation: l === widths.length - 1 ? "sigmoid" : "relu",
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + l }),
      ...(l === 0 ? { inputShape: [inputs] } : {}),
    }))
  );
  network.compile({ optimizer: tf.train.adam(learningRate), loss: "binaryCrossentropy" });
  return network;
}

/** The network's layers in the stored form (weights transposed to outputs × inputs). */
function storedLayers(network: tf.Sequential): StoredLayer[] {
  return network.layers.map((layer, l) => {
    const [kernel, bias] = layer.getWeights();
    const [inputs, outputs] = kernel!.shape as [number, number];
    const transposed = tf.tidy(() => kernel!.transpose().dataSync() as Float32Array);
    return {
      inputs,
      outputs,
      activation: l === network.layers.length - 1 ? "sigmoid" : "relu",
      weights: encodeFloat32(new Float32Array(transposed)),
      bias: encodeFloat32(new Float32Array(bias!.dataSync() as Float32Array)),
    };
  });
}

/** One epoch: fresh augmented samples, seeded shuffle, standardise, fit. */
async function fitEpoch(
  network: tf.Sequential,
  train: LabelledSlice[],
  stats: { mean: number; std: number },
  firstStage: EmModel[] | undefined,
  standard: { mean: number[]; std: number[] },
  random: () => number,
  perClass: number,
  epoch: number,
): Promise<number> {
  const rows: number[][] = [];
  const targets: number[] = [];
  // With z context, one augmentation for the whole stack keeps neighbouring slices aligned.
  const shared = firstStage && zSigmasPx.length > 0 ? drawAugmentation(random) : undefined;
  const augmented = train.map((slice) => augment(slice, stats, shared ?? drawAugmentation(random)));
  const sliceFeatures = stackFeatures(
    augmented.map((a) => a.normalised),
    train[0]!.width,
    firstStage,
  );
  sliceFeatures.forEach(({ features, planes, probability, eligible }, z) => {
    const mask = augmented[z]!.mask;
    sampleRows(features, planes, mask, random, perClass, rows, targets, probability, eligible);
  });
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    [targets[i], targets[j]] = [targets[j]!, targets[i]!];
  }
  const optimizer = network.optimizer as unknown as { learningRate: number };
  optimizer.learningRate = learningRate * learningRateDecay ** epoch;
  const xs = tf.tensor2d(
    rows.map((row) => row.map((v, f) => (v - standard.mean[f]!) / standard.std[f]!)),
  );
  const ys = tf.tensor2d(targets, [targets.length, 1]);
  const history = await network.fit(xs, ys, {
    epochs: 1,
    batchSize: 256,
    shuffle: false,
    verbose: 0,
  });
  xs.dispose();
  ys.dispose();
  return Number(history.history.loss?.[0]);
}

/** Unaugmented features of the training slices, sampled, for standardisation. */
function probeStats(
  train: LabelledSlice[],
  stats: { mean: number; std: number },
  firstStage: EmModel[] | undefined,
  random: () => number,
): { mean: number[]; std: number[] } {
  const rows: number[][] = [];
  const sliceFeatures = stackFeatures(
    train.map((slice) => augment(slice, stats, identity).normalised),
    train[0]!.width,
    firstStage,
  );
  sliceFeatures.forEach(({ features, planes, eligible }, z) => {
    sampleRows(features, planes, train[z]!.mask, random, 500, rows, [], undefined, eligible);
  });
  return columnStats(rows);
}

/** Probabilities of a model on whole slices (volume statistics of those slices), and truth. */
function predictSlices(
  file: EmModelFile,
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
  return { probabilities: segmentEmBlock(volume, shape, prepareEmModel(file)), truth, shape };
}

/** Dice and IoU after threshold and clean-up (and Dice before clean-up). */
function score(
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

function validate(
  file: EmModelFile,
  slices: LabelledSlice[],
): { dice: number; iou: number; diceRaw: number } {
  return score(predictSlices(file, slices), file.threshold, file.clean);
}

/** The threshold and clean-up sizes with the best Dice on some slices (grid search). */
function bestPostprocess(
  file: EmModelFile,
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

/**
 * One first stage per training slice, trained without that slice's fold (`folds` contiguous
 * groups of slices), with the same standardisation, epochs and widths as the real one.
 */
async function outOfFoldStages(
  train: LabelledSlice[],
  stats: { mean: number; std: number },
  standard: { mean: number[]; std: number[] },
  random: () => number,
  perClass: number,
  epochs: number,
  folds: number,
  toFile: (network: tf.Sequential) => EmModelFile,
  hidden: number[],
  seed: number,
): Promise<EmModel[]> {
  const foldOf = (z: number) => Math.floor((z * folds) / train.length);
  const stages: EmModel[] = [];
  for (let fold = 0; fold < folds; fold++) {
    const network = buildNetwork(standard.mean.length, hidden, seed + 10 + fold);
    const others = train.filter((_, z) => foldOf(z) !== fold);
    for (let epoch = 0; epoch < epochs; epoch++) {
      await fitEpoch(network, others, stats, undefined, standard, random, perClass, epoch);
    }
    const model = prepareEmModel(toFile(network));
    train.forEach((_, z) => {
      if (foldOf(z) === fold) stages[z] = model;
    });
    console.log(`first stage without fold ${fold + 1}/${folds} trained`);
  }
  return stages;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      epochs: { type: "string", default: "10" },
      "context-epochs": { type: "string", default: "12" },
      seed: { type: "string", default: "5" },
      hidden: { type: "string", default: "12,6" },
      hidden1: { type: "string", default: "8,4" },
      "per-class": { type: "string", default: "2500" },
      "context-sigmas": { type: "string", default: "2.5,5,8" },
      "z-sigmas": { type: "string", default: "2" },
      folds: { type: "string", default: "0" },
      gate: { type: "string", default: "0.1" },
      "local-std": { type: "boolean", default: false },
      "structure-tensor": { type: "boolean", default: false },
      factor: { type: "string", default: "4" },
      "context-only": { type: "boolean", default: false },
      select: { type: "boolean", default: false },
      "negative-ratio": { type: "string", default: "3" },
      "hard-fraction": { type: "string", default: "0" },
      lr: { type: "string", default: "0.002" },
      "lr-decay": { type: "string", default: "0.8" },
      sigmas: { type: "string", default: defaultFeatureSpec.sigmasPx.join(",") },
      out: {
        type: "string",
        default: new URL("../models/em_mito_mlp.json", import.meta.url).pathname,
      },
    },
  });
  const dataDir = findDataDir();
  if (!dataDir) throw new UsageError("Cannot train: ../shared/data (or CLEMREG_DATA) is missing");
  const epochs = Number(values.epochs);
  const contextEpochs = Number(values["context-epochs"]);
  const seed = Number(values.seed);
  const hidden = values.hidden.split(",").map(Number);
  const hidden1 = values.hidden1.split(",").map(Number);
  const perClass = Number(values["per-class"]);
  contextSigmasPx = values["context-sigmas"].split(",").map(Number);
  zSigmasPx = values["z-sigmas"] && values["z-sigmas"] !== "none"
    ? values["z-sigmas"].split(",").map(Number)
    : [];
  downsampleFactor = Number(values.factor);
  contextOnly = values["context-only"];
  featureSpec = {
    ...featureSpec,
    sigmasPx: values.sigmas.split(",").map(Number),
    localStd: values["local-std"],
    structureTensor: values["structure-tensor"],
  };
  await tf.setBackend("cpu");
  const stack = `${dataDir}/em-vnc/stack1`;
  const slices: LabelledSlice[] = [];
  for (let i = 0; i < 15; i++) slices.push(await loadVncSlice(stack, i, downsampleFactor));
  // Selection mode: train on 00-08, score on 09-11 (hyper-parameters are chosen there);
  // the final model trains on 00-11 and is scored once on 12-14.
  const select = values.select;
  const train = slices.slice(0, select ? 9 : 12);
  const validation = slices.slice(select ? 9 : 12, select ? 12 : 15);
  learningRate = Number(values.lr);
  learningRateDecay = Number(values["lr-decay"]);
  validateEachEpoch = select;
  negativeRatio = Number(values["negative-ratio"]);
  hardFraction = Number(values["hard-fraction"]);
  const folds = Number(values.folds);
  gate = values.gate && values.gate !== "none" ? Number(values.gate) : undefined;
  const trainStats = intensityStats(Float32Array.from(train.flatMap((s) => [...s.intensity])));
  const random = seededRandom(seed);
  const started = performance.now();
  const standard1 = probeStats(train, trainStats, undefined, random);
  const network1 = buildNetwork(standard1.mean.length, hidden1, seed);
  const stage1File = (network = network1): EmModelFile => ({
    format: "clemreg-em-mlp",
    version: 1,
    voxelSizeNm: [rawPixelNm * downsampleFactor, rawPixelNm * downsampleFactor],
    features: featureSpec,
    normalisation: "volume-mean-std",
    featureMean: standard1.mean,
    featureStd: standard1.std,
    layers: storedLayers(network),
    threshold: 0.5,
    clean,
    training: {},
    licence: "CC BY-NC-SA 3.0: derived from em-vnc stack1 (Gerhard et al. 2013, " +
      "doi 10.6084/m9.figshare.856713); see models/LICENSE",
  });
  const report = (stage: string, epoch: number, total: number, loss: number, file: EmModelFile) => {
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    if (!validateEachEpoch) {
      console.log(`${stage} epoch ${epoch + 1}/${total} loss ${loss.toFixed(4)} ${seconds} s`);
      return;
    }
    const scores = validate(file, validation);
    console.log(
      `${stage} epoch ${epoch + 1}/${total} loss ${loss.toFixed(4)} val Dice ${
        scores.dice.toFixed(4)
      } ` +
        `IoU ${scores.iou.toFixed(4)} (before clean-up ${scores.diceRaw.toFixed(4)}) ${seconds} s`,
    );
    return scores;
  };
  for (let epoch = 0; epoch < epochs; epoch++) {
    const loss = await fitEpoch(
      network1,
      train,
      trainStats,
      undefined,
      standard1,
      random,
      perClass,
      epoch,
    );
    report("stage 1", epoch, epochs, loss, stage1File());
  }
  const firstFile = stage1File();
  // Stage 2 learns from out-of-fold first-stage maps (each slice predicted by a first stage
  // that did not train on it), so it sees first-stage errors as they are on new data.
  const firstStage = folds > 1
    ? await outOfFoldStages(
      train,
      trainStats,
      standard1,
      random,
      perClass,
      epochs,
      folds,
      (n) => stage1File(n),
      hidden1,
      seed,
    )
    : train.map(() => prepareEmModel(firstFile));
  const standard2 = probeStats(train, trainStats, firstStage, random);
  const network2 = buildNetwork(standard2.mean.length, hidden, seed + 100);
  const fullFile = (
    threshold: number,
    training: Record<string, unknown>,
    cleanUp = clean,
  ): EmModelFile => ({
    ...firstFile,
    context: {
      sigmasPx: contextSigmasPx,
      ...(zSigmasPx.length > 0 ? { zSigmasPx } : {}),
      ...(gate !== undefined ? { gate } : {}),
      contextOnly,
      featureMean: standard2.mean,
      featureStd: standard2.std,
      layers: storedLayers(network2),
    },
    threshold,
    clean: cleanUp,
    training,
  });
  for (let epoch = 0; epoch < contextEpochs; epoch++) {
    const loss = await fitEpoch(
      network2,
      train,
      trainStats,
      firstStage,
      standard2,
      random,
      perClass,
      epoch,
    );
    report("context", epoch, contextEpochs, loss, fullFile(0.5, {}));
  }
  // The threshold is chosen on the training slices, never on the validation slices.
  const { threshold, clean: cleanUp } = bestPostprocess(fullFile(0.5, {}), train);
  const trainScores = validate(fullFile(threshold, {}, cleanUp), train);
  console.log(
    `training slices: Dice ${trainScores.dice.toFixed(4)} IoU ${trainScores.iou.toFixed(4)}`,
  );
  const scores = validate(fullFile(threshold, {}, cleanUp), validation);
  const file = fullFile(threshold, {
    data: `em-vnc stack1, ${downsampleFactor}x${downsampleFactor} block mean of 4.6 nm pixels`,
    trainSlices: select ? "00-08" : "00-11",
    validationSlices: select ? "09-11 (selection hold-out)" : "12-14",
    learningRate,
    learningRateDecayPerEpoch: learningRateDecay,
    epochs,
    contextEpochs,
    seed,
    hidden,
    firstStageHidden: hidden1,
    pixelsPerClassPerSlicePerEpoch: perClass,
    negativeRatio,
    hardNegativeFraction: hardFraction,
    stage2TrainedOn: folds > 1
      ? `out-of-fold first-stage maps (${folds} contiguous folds)`
      : "first-stage maps of its own training slices",
    augmentation: "dihedral (flips, 90° rotations), gain 0.8-1.2, offset ±0.3 std",
    hyperParametersChosenOn: "train-em --select: trained on 00-08, scored on 09-11 (never 12-14)",
    thresholdChosenOn: `training slices ${
      select ? "00-08" : "00-11"
    } (Dice after clean-up; clean-up sizes too)`,
    validationDice: scores.dice,
    validationIoU: scores.iou,
    validationDiceBeforeCleanUp: scores.diceRaw,
    trainingSeconds: (performance.now() - started) / 1000,
  }, cleanUp);
  await Deno.writeTextFile(values.out, JSON.stringify(file, null, 2) + "\n");
  console.log(
    `wrote ${values.out}: threshold ${threshold}, Dice ${scores.dice.toFixed(4)}, IoU ${
      scores.iou.toFixed(4)
    }`,
  );
}

if (import.meta.main) await runCli(main);
