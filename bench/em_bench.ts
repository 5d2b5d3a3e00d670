/**
 * EM segmentation speed per core (CPU time, see `bestMs`): the built-in CNN (3×3 convolutions
 * in WebAssembly SIMD) against the earlier MLP pixel classifier and against the same CNN with
 * TypeScript convolutions; the MLP model (features + MLP, plain TypeScript) against the same MLP run by tfjs (cpu backend) on the same features, and the
 * ONNX backend (onnxruntime-node) on the test model, and the previous built-in architecture
 * (random weights) as the before/after baseline.
 * Run: `deno run -A bench/em_bench.ts [MODEL.json]` (default: the built-in model).
 * @module
 */
import { cpuUsage } from "node:process";
import * as tf from "@tensorflow/tfjs";
import { writeResults } from "./report.ts";
import {
  computeContextFeatures,
  computeZContextFeatures,
  contextFeatureCount,
} from "../src/em/context_features.ts";
import { type DenseLayer, mlpForward } from "../src/em/mlp.ts";
import {
  type EmModel,
  type EmModelFile,
  encodeFloat32,
  loadEmModel,
  prepareEmModel,
  type StoredLayer,
} from "../src/em/em_model.ts";
import { computeFeatures2d, featureCount } from "../src/em/features_2d.ts";
import { loadOnnxModel, segmentOnnxBlock } from "../src/em/onnx_backend.ts";
import { segmentEmBlock } from "../src/em/segment_block.ts";
import { loadCnnModel } from "../src/em/cnn_model.ts";
import { cnnForward, cnnMacsPerPixel, createTape } from "../src/em/cnn_net.ts";
import { segmentCnnBlock } from "../src/em/segment_cnn_block.ts";
import { emLikeVolume } from "../tests/em/helpers.ts";
import { seededRandom } from "../src/random.ts";

/**
 * Best of `runs` timings of `work`, in milliseconds of this process's CPU time (user +
 * system, all threads): on a shared machine wall time measures the neighbours, CPU time
 * measures the work, which is what "per core" means.
 */
async function bestMs(runs: number, work: () => unknown): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const before = cpuUsage();
    await work();
    const used = cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

/** The same dense network in tfjs (cpu): one matMul + bias + activation per layer. */
function tfjsForward(layers: DenseLayer[], features: tf.Tensor2D): Float32Array {
  return tf.tidy(() => {
    let x: tf.Tensor2D = features;
    for (const layer of layers) {
      const weights = tf.tensor2d(layer.weights, [layer.outputs, layer.inputs]);
      const z = tf.add(tf.matMul(x, weights, false, true), tf.tensor1d(layer.bias)) as tf.Tensor2D;
      x = layer.activation === "relu"
        ? tf.relu(z)
        : layer.activation === "sigmoid"
        ? tf.sigmoid(z)
        : z;
    }
    return x.dataSync() as Float32Array;
  });
}

/**
 * The previous built-in architecture (before z context and the cascade gate): 29 features
 * with structure tensors at σ 1-5 px, a 16-8 MLP, auto-context at σ 2.5, 5, 8 px and a second
 * 16-8 MLP everywhere. Random weights: its speed does not depend on them.
 */
function previousArchitecture(): EmModel {
  const random = seededRandom(11);
  const dense = (widths: number[]): StoredLayer[] =>
    widths.slice(1).map((outputs, l) => ({
      inputs: widths[l]!,
      outputs,
      activation: l + 2 === widths.length ? "sigmoid" : "relu",
      weights: encodeFloat32(new Float32Array(widths[l]! * outputs).map(() => random() - 0.5)),
      bias: encodeFloat32(new Float32Array(outputs).map(() => random() - 0.5)),
    }));
  const features = { sigmasPx: [1, 1.6, 3.5, 5], truncate: 3, structureOuterRatio: 0.5 };
  const image = featureCount(features);
  const all = image + contextFeatureCount([2.5, 5, 8]);
  const file: EmModelFile = {
    format: "clemreg-em-mlp",
    version: 1,
    voxelSizeNm: [18.4, 18.4],
    features,
    normalisation: "volume-mean-std",
    featureMean: new Array(image).fill(0),
    featureStd: new Array(image).fill(1),
    layers: dense([image, 16, 8, 1]),
    context: {
      sigmasPx: [2.5, 5, 8],
      featureMean: new Array(all).fill(0),
      featureStd: new Array(all).fill(1),
      layers: dense([all, 16, 8, 1]),
    },
    threshold: 0.5,
    clean: { minObjectPx: 40, maxHolePx: 40 },
    training: {},
    licence: "random weights",
  };
  return prepareEmModel(file);
}

await tf.setBackend("cpu");
const model = await loadEmModel(Deno.args[0] ?? undefined);
const [depth, height, width] = [2, 512, 512];
const { volume } = emLikeVolume([depth, height, width], 7);
const voxels = depth * height * width;
const plane = height * width;
const mvox = (ms: number, count = voxels) => count / ms / 1e3;

const builtinMs = await bestMs(3, () => segmentEmBlock(volume, [depth, height, width], model));
const cnn = await loadCnnModel();
const cnnMs = await bestMs(3, () => segmentCnnBlock(volume, [depth, height, width], cnn));
// The same net with the TypeScript kernels, one slice (the forward pass alone).
const tsTape = createTape(cnn.net.spec, height, width);
tsTape.nodes[0]!.data.fill(0.1);
const cnnTsMs = await bestMs(2, () => cnnForward(cnn.net, tsTape));
console.log(`CNN: ${cnnMacsPerPixel(cnn.net.spec).toFixed(0)} MAC per voxel`);
const previous = previousArchitecture();
const previousMs = await bestMs(
  3,
  () => segmentEmBlock(volume, [depth, height, width], previous),
);

// Stage by stage on one slice, to compare the MLP with tfjs on identical features.
const spec = model.file.features;
const imagePlanes = featureCount(spec);
const context = model.file.context;
const zSigmas = context?.zSigmasPx ?? [];
const planes = imagePlanes + (context ? contextFeatureCount(context.sigmasPx, zSigmas) : 0);
const features = new Float32Array(planes * plane);
const slice = Float32Array.from(volume.subarray(0, plane), (v) => (v - 128) / 50);
const probability = new Float32Array(plane);
const featuresMs = await bestMs(3, () => {
  computeFeatures2d(slice, height, width, spec, features);
  if (context) {
    mlpForward(model.layers, features, plane, plane, probability);
    computeContextFeatures(
      probability,
      height,
      width,
      context.sigmasPx,
      spec.truncate,
      features.subarray(imagePlanes * plane),
    );
    if (zSigmas.length > 0) {
      // The slice's own map stands in for its neighbours' (same cost).
      computeZContextFeatures(
        probability,
        probability,
        height,
        width,
        zSigmas,
        spec.truncate,
        features.subarray((imagePlanes + contextFeatureCount(context.sigmasPx)) * plane),
      );
    }
  }
});
const mlpLayers = model.contextLayers ?? model.layers;
const mlpInputs = mlpLayers[0]!.inputs;
const stageInput = context?.contextOnly ? features.subarray(imagePlanes * plane) : features;
const mlpMs = await bestMs(3, () => mlpForward(mlpLayers, stageInput, plane, plane, probability));
const pixelMajor = new Float32Array(plane * mlpInputs);
for (let f = 0; f < mlpInputs; f++) {
  for (let p = 0; p < plane; p++) pixelMajor[p * mlpInputs + f] = stageInput[f * plane + p]!;
}
const featureTensor = tf.tensor2d(pixelMajor, [plane, mlpInputs]);
const tfjsMs = await bestMs(3, () => tfjsForward(mlpLayers, featureTensor));
const ours = new Float32Array(plane);
mlpForward(mlpLayers, stageInput, plane, plane, ours);
const theirs = tfjsForward(mlpLayers, featureTensor);
let worst = 0;
for (let p = 0; p < plane; p++) worst = Math.max(worst, Math.abs(ours[p]! - theirs[p]!));
console.log(`MLP: plain TS and tfjs agree to ${worst.toExponential(2)}`);

const onnx = await loadOnnxModel(
  new URL("../tests/fixtures/em_onnx/config.json", import.meta.url).pathname,
);
onnx.config.tileSize = [256, 256];
onnx.config.overlap = 32;
const onnxMs = await bestMs(3, () => segmentOnnxBlock(volume, [depth, height, width], onnx));
await onnx.session.release();

const mlpCount = (layers: DenseLayer[]) => layers.reduce((sum, l) => sum + l.inputs * l.outputs, 0);
console.log(
  `model: ${imagePlanes} image features${context ? ` + ${planes - imagePlanes} context` : ""}, ` +
    `MACs per voxel: ${
      mlpCount(model.layers) + (model.contextLayers ? mlpCount(model.contextLayers) : 0)
    }`,
);
const builtin = mvox(builtinMs);
const featuresAndTfjs = plane / (featuresMs + tfjsMs + (context ? mlpMs : 0)) / 1e3;
await writeResults("em", [
  {
    name: "builtin EM CNN inference (wasm SIMD convs), 1 thread",
    value: mvox(cnnMs),
    unit: "Mvox/s",
    baseline: "MLP pixel classifier (em_mito_mlp.json, the previous built-in), same run",
    baselineValue: builtin,
    ratio: mvox(cnnMs) / builtin,
  },
  {
    name: "builtin EM CNN inference (wasm SIMD convs) vs TypeScript convs, 1 thread",
    value: mvox(cnnMs),
    unit: "Mvox/s",
    baseline: "same net with TypeScript convs (forward only)",
    baselineValue: mvox(cnnTsMs, plane),
    ratio: mvox(cnnMs) / mvox(cnnTsMs, plane),
  },
  {
    name: "MLP pixel classifier vs its previous architecture, 1 thread",
    value: builtin,
    unit: "Mvox/s",
    baseline: "previous built-in architecture (29 features, 16-8 MLPs, no gate), same code",
    baselineValue: mvox(previousMs),
    ratio: builtin / mvox(previousMs),
  },
  {
    name: "MLP pixel classifier (features + MLP), 1 thread",
    value: builtin,
    unit: "Mvox/s",
    baseline: "same features + tfjs-cpu MLP",
    baselineValue: featuresAndTfjs,
    ratio: builtin / featuresAndTfjs,
  },
  {
    name: "final-stage MLP forward, plain TS",
    value: mvox(mlpMs, plane),
    unit: "Mvox/s",
    baseline: "tfjs-cpu matMul forward",
    baselineValue: mvox(tfjsMs, plane),
    ratio: tfjsMs / mlpMs,
  },
  {
    name: "features (incl. stage-1 MLP + context), 1 thread",
    value: mvox(featuresMs, plane),
    unit: "Mvox/s",
    baseline: "MLP pixel classifier total",
    baselineValue: builtin,
    ratio: mvox(featuresMs, plane) / builtin,
  },
  {
    name: "ONNX backend (3x3 conv test model, 256² tiles)",
    value: mvox(onnxMs),
    unit: "Mvox/s",
    baseline: "MLP pixel classifier",
    baselineValue: builtin,
    ratio: mvox(onnxMs) / builtin,
  },
]);
