/**
 * Train the built-in EM mitochondria model: `deno task train-em [--epochs N] [--seed S]
 * [--hidden 32,16] [--out models/em_mito_mlp.json]`. Slices 00-11 of em-vnc stack1 train
 * (with flips, 90° rotations and intensity gain/offset jitter, balanced pixel sampling),
 * slices 12-14 validate (Dice and IoU after threshold and clean-up). tfjs (cpu) trains the
 * dense layers; validation runs the project's own forward pass, the one inference uses.
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { runCli, UsageError } from "./cli.ts";
import { cleanMask2d } from "../src/em/clean_mask_2d.ts";
import { type EmModelFile, encodeFloat32, prepareEmModel } from "../src/em/em_model.ts";
import { computeFeatures2d, defaultFeatureSpec, featureCount } from "../src/em/features_2d.ts";
import { overlapScores } from "../src/em/mask_metrics.ts";
import { intensityStats, segmentEmBlock } from "../src/em/segment_block.ts";
import { findDataDir, type LabelledSlice, loadVncSlice } from "../src/em/training_data.ts";

const downsampleFactor = 4;
const rawPixelNm = 4.6;
const clean = { minObjectPx: 40, maxHolePx: 40 };

/** mulberry32: a small seeded generator, so training is reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

/** Features of one augmented slice and a balanced pixel sample from it. */
function sampleSlice(
  slice: LabelledSlice,
  stats: { mean: number; std: number },
  random: () => number,
  perClass: number,
  rows: number[][],
  targets: number[],
): void {
  const size = slice.width;
  const turns = Math.floor(random() * 4);
  const flip = random() < 0.5;
  const gain = 0.8 + 0.4 * random();
  const offset = 0.3 * (2 * random() - 1);
  const raw = dihedral(slice.intensity, size, turns, flip);
  const mask = dihedral(slice.mask, size, turns, flip);
  const normalised = new Float32Array(raw.length);
  for (let p = 0; p < raw.length; p++) {
    normalised[p] = ((raw[p]! - stats.mean) / stats.std) * gain + offset;
  }
  const count = featureCount(defaultFeatureSpec);
  const pixels = raw.length;
  const features = new Float32Array(count * pixels);
  computeFeatures2d(normalised, slice.height, slice.width, defaultFeatureSpec, features);
  const byClass: number[][] = [[], []];
  for (let p = 0; p < pixels; p++) byClass[mask[p]!]!.push(p);
  for (let label = 0; label < 2; label++) {
    const pool = byClass[label]!;
    if (pool.length === 0) continue;
    for (let n = 0; n < perClass; n++) {
      const p = pool[Math.floor(random() * pool.length)]!;
      const row = new Array<number>(count);
      for (let f = 0; f < count; f++) row[f] = features[f * pixels + p]!;
      rows.push(row);
      targets.push(label);
    }
  }
}

function validate(
  file: EmModelFile,
  slices: LabelledSlice[],
): { dice: number; iou: number; diceRaw: number } {
  const model = prepareEmModel(file);
  const first = slices[0]!;
  const shape = [slices.length, first.height, first.width] as [number, number, number];
  const plane = first.height * first.width;
  const volume = new Float32Array(slices.length * plane);
  const truth = new Uint8Array(volume.length);
  slices.forEach((s, z) => {
    volume.set(s.intensity, z * plane);
    truth.set(s.mask, z * plane);
  });
  const probabilities = segmentEmBlock(volume, shape, model);
  const mask = new Uint8Array(volume.length);
  for (let i = 0; i < mask.length; i++) mask[i] = probabilities[i]! >= file.threshold ? 1 : 0;
  const diceRaw = overlapScores(mask, truth).dice;
  cleanMask2d(mask, shape, file.clean);
  return { ...overlapScores(mask, truth), diceRaw };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      epochs: { type: "string", default: "30" },
      seed: { type: "string", default: "5" },
      hidden: { type: "string", default: "16,8" },
      "per-class": { type: "string", default: "2500" },
      out: {
        type: "string",
        default: new URL("../models/em_mito_mlp.json", import.meta.url).pathname,
      },
    },
  });
  const dataDir = findDataDir();
  if (!dataDir) throw new UsageError("Cannot train: ../shared/data (or CLEMREG_DATA) is missing");
  const epochs = Number(values.epochs);
  const seed = Number(values.seed);
  const hidden = values.hidden.split(",").map(Number);
  const perClass = Number(values["per-class"]);
  await tf.setBackend("cpu");
  const stack = `${dataDir}/em-vnc/stack1`;
  const slices: LabelledSlice[] = [];
  for (let i = 0; i < 15; i++) slices.push(await loadVncSlice(stack, i, downsampleFactor));
  const train = slices.slice(0, 12);
  const validation = slices.slice(12);
  const trainStats = intensityStats(Float32Array.from(train.flatMap((s) => [...s.intensity])));
  const random = seededRandom(seed);
  const count = featureCount(defaultFeatureSpec);
  // Feature standardisation from unaugmented training features.
  const probeRows: number[][] = [];
  for (const s of train) sampleSlice(s, trainStats, () => 0, 500, probeRows, []);
  const featureMean = new Array<number>(count).fill(0);
  const featureStd = new Array<number>(count).fill(0);
  for (const row of probeRows) row.forEach((v, f) => featureMean[f]! += v / probeRows.length);
  for (const row of probeRows) {
    row.forEach((v, f) => featureStd[f]! += (v - featureMean[f]!) ** 2 / probeRows.length);
  }
  for (let f = 0; f < count; f++) featureStd[f] = Math.sqrt(featureStd[f]!) + 1e-6;

  const network = tf.sequential();
  const widths = [...hidden, 1];
  widths.forEach((units, l) =>
    network.add(tf.layers.dense({
      units,
      activation: l === widths.length - 1 ? "sigmoid" : "relu",
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + l }),
      ...(l === 0 ? { inputShape: [count] } : {}),
    }))
  );
  network.compile({ optimizer: tf.train.adam(2e-3), loss: "binaryCrossentropy" });
  const toFile = (metrics: Record<string, unknown>): EmModelFile => ({
    format: "clemreg-em-mlp",
    version: 1,
    voxelSizeNm: [rawPixelNm * downsampleFactor, rawPixelNm * downsampleFactor],
    features: defaultFeatureSpec,
    normalisation: "volume-mean-std",
    featureMean,
    featureStd,
    layers: network.layers.map((layer, l) => {
      const [kernel, bias] = layer.getWeights();
      const [inputs, outputs] = kernel!.shape as [number, number];
      const transposed = tf.tidy(() => kernel!.transpose().dataSync() as Float32Array);
      return {
        inputs,
        outputs,
        activation: l === widths.length - 1 ? "sigmoid" : "relu",
        weights: encodeFloat32(new Float32Array(transposed)),
        bias: encodeFloat32(new Float32Array(bias!.dataSync() as Float32Array)),
      };
    }),
    threshold: 0.5,
    clean,
    training: metrics,
    licence: "CC BY-NC-SA 3.0: derived from em-vnc stack1 (Gerhard et al. 2013, " +
      "doi 10.6084/m9.figshare.856713); see models/LICENSE",
  });
  const started = performance.now();
  let scores = { dice: 0, iou: 0, diceRaw: 0 };
  for (let epoch = 0; epoch < epochs; epoch++) {
    const rows: number[][] = [];
    const targets: number[] = [];
    for (const s of train) sampleSlice(s, trainStats, random, perClass, rows, targets);
    // Seeded shuffle (tfjs's own shuffle uses Math.random).
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
      [targets[i], targets[j]] = [targets[j]!, targets[i]!];
    }
    const standardised = rows.map((row) =>
      row.map((v, f) => (v - featureMean[f]!) / featureStd[f]!)
    );
    const xs = tf.tensor2d(standardised);
    const ys = tf.tensor2d(targets, [targets.length, 1]);
    const history = await network.fit(xs, ys, {
      epochs: 1,
      batchSize: 256,
      shuffle: false,
      verbose: 0,
    });
    xs.dispose();
    ys.dispose();
    scores = validate(toFile({}), validation);
    const loss = Number(history.history.loss?.[0]);
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    console.log(
      `epoch ${epoch + 1}/${epochs} loss ${loss.toFixed(4)} val Dice ${scores.dice.toFixed(4)} ` +
        `IoU ${scores.iou.toFixed(4)} (before clean-up ${scores.diceRaw.toFixed(4)}) ${seconds} s`,
    );
  }
  const file = toFile({
    data: "em-vnc stack1, 4x4 block mean of 4.6 nm pixels",
    trainSlices: "00-11",
    validationSlices: "12-14",
    epochs,
    seed,
    hidden,
    pixelsPerClassPerSlicePerEpoch: perClass,
    augmentation: "dihedral (flips, 90° rotations), gain 0.8-1.2, offset ±0.3 std",
    validationDice: scores.dice,
    validationIoU: scores.iou,
    validationDiceBeforeCleanUp: scores.diceRaw,
    trainingSeconds: (performance.now() - started) / 1000,
  });
  await Deno.writeTextFile(values.out, JSON.stringify(file, null, 1) + "\n");
  console.log(`wrote ${values.out}: Dice ${scores.dice.toFixed(4)}, IoU ${scores.iou.toFixed(4)}`);
}

if (import.meta.main) await runCli(main);
