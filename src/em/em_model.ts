/**
 * The built-in EM mitochondria model as stored in `models/em_mito_mlp.json`: the feature
 * spec, intensity normalisation, feature standardisation, the dense layers (float32 weights
 * in base64) and the voxel size it was trained at. Loading folds the feature standardisation
 * into the first layer, so inference pays nothing for it.
 * @module
 */
import type { CleanOptions } from "./clean_mask_2d.ts";
import type { DenseLayer } from "./mlp.ts";
import type { FeatureSpec } from "./features_2d.ts";

/** A layer as stored: weights row-major (outputs × inputs), base64 of little-endian float32. */
export interface StoredLayer {
  inputs: number;
  outputs: number;
  activation: DenseLayer["activation"];
  weights: string;
  bias: string;
}

/** The second (auto-context) stage as stored. */
export interface ContextStage {
  /** Smoothing scales of the first stage's probability map, in pixels. */
  sigmasPx: number[];
  /**
   * Z context: smoothing scales (pixels) of the first stage's maps of the slices above and
   * below. Absent: slices are independent (no z halo).
   */
  zSigmasPx?: number[];
  /**
   * Cascade gate: where the first stage's probability and its smoothing at the first context
   * scale are both below this, the second stage is skipped and the probability is 0.
   * Absent: the second stage runs everywhere.
   */
  gate?: number;
  /** Stage 2 sees only the context features (not the image features): cheaper. */
  contextOnly?: boolean;
  featureMean: number[];
  featureStd: number[];
  layers: StoredLayer[];
}

/** The model file's content. */
export interface EmModelFile {
  format: "clemreg-em-mlp";
  version: 1;
  /** In-plane voxel size (y, x) the model expects, in nanometres. */
  voxelSizeNm: [number, number];
  features: FeatureSpec;
  /** Intensities are mapped to `(value − mean) / std` with the volume's own mean and std. */
  normalisation: "volume-mean-std";
  featureMean: number[];
  featureStd: number[];
  layers: StoredLayer[];
  /** Optional auto-context stage: its input is the image features + context features. */
  context?: ContextStage;
  threshold: number;
  clean: CleanOptions;
  /** Free-form training facts: data, epochs, seed, validation Dice and IoU. */
  training: Record<string, unknown>;
  licence: string;
}

/** A model ready for inference (standardisation folded into layer 0). */
export interface EmModel {
  file: EmModelFile;
  layers: DenseLayer[];
  /** The auto-context stage's layers, when the model has one. */
  contextLayers: DenseLayer[] | undefined;
}

/** Encode float32 values as base64 (little-endian). */
export function encodeFloat32(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}

/** Decode base64 little-endian float32 values. */
export function decodeFloat32(text: string): Float32Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/** Decode stored layers and fold `(x − mean) / std` into the first one. */
function prepareLayers(stored: StoredLayer[], mean: number[], std: number[]): DenseLayer[] {
  const layers: DenseLayer[] = stored.map((layer) => ({
    inputs: layer.inputs,
    outputs: layer.outputs,
    activation: layer.activation,
    weights: decodeFloat32(layer.weights),
    bias: decodeFloat32(layer.bias),
  }));
  const first = layers[0];
  if (!first || first.inputs !== mean.length || mean.length !== std.length) {
    throw new TypeError("Cannot load the EM model: first layer does not match the features");
  }
  for (let o = 0; o < first.outputs; o++) {
    let shift = 0;
    for (let i = 0; i < first.inputs; i++) {
      const scaled = first.weights[o * first.inputs + i]! / std[i]!;
      first.weights[o * first.inputs + i] = scaled;
      shift += scaled * mean[i]!;
    }
    first.bias[o] = first.bias[o]! - shift;
  }
  return layers;
}

/**
 * Turn a model file into an inference-ready model.
 * @param file the parsed JSON
 * @returns the model with standardisation folded into each stage's first layer
 * @throws {TypeError} when the file is not a clemreg EM MLP or its layers do not chain
 */
export function prepareEmModel(file: EmModelFile): EmModel {
  if (file.format !== "clemreg-em-mlp") {
    throw new TypeError(`Cannot load the EM model: format is ${file.format}, not clemreg-em-mlp`);
  }
  const layers = prepareLayers(file.layers, file.featureMean, file.featureStd);
  const contextLayers = file.context
    ? prepareLayers(file.context.layers, file.context.featureMean, file.context.featureStd)
    : undefined;
  return { file, layers, contextLayers };
}

/** The committed built-in model's location. */
export const builtinModelUrl = new URL("../../models/em_mito_mlp.json", import.meta.url);

/**
 * Load an EM MLP model from a JSON file (default: the built-in model).
 * @param location path or file URL
 * @returns the inference-ready model
 */
export async function loadEmModel(location: string | URL = builtinModelUrl): Promise<EmModel> {
  return prepareEmModel(JSON.parse(await Deno.readTextFile(location)) as EmModelFile);
}
