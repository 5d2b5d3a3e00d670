/**
 * The built-in EM CNN model as stored in `models/em_mito_cnn.json` (format `clemreg-em-cnn`):
 * the architecture, the parameters (float32, base64), the voxel size it was trained at, the
 * threshold and 2-D clean-up sizes, and training facts.
 * @module
 */
import type { CleanOptions } from "./clean_mask_2d.ts";
import { type CnnNet, type CnnSpec, createCnn } from "./cnn_net.ts";
import { decodeFloat32 } from "./em_model.ts";

/** The model file's content. */
export interface CnnModelFile {
  format: "clemreg-em-cnn";
  version: 1;
  /** In-plane voxel size (y, x) the model expects, in nanometres. */
  voxelSizeNm: [number, number];
  /** Intensities are mapped to `(value − mean) / std` with the volume's own mean and std. */
  normalisation: "volume-mean-std";
  architecture: CnnSpec;
  /** All parameters, base64 of little-endian float32 (layout: see `createCnn`). */
  parameters: string;
  /** Halo in pixels (y, x) each block is read with: about the net's receptive radius. */
  haloPx: number;
  threshold: number;
  clean: CleanOptions;
  /** Free-form training facts: data, steps, seed, validation Dice and IoU. */
  training: Record<string, unknown>;
  licence: string;
}

/** A CNN model ready for inference. */
export interface CnnModel {
  file: CnnModelFile;
  net: CnnNet;
}

/**
 * Turn a model file into an inference-ready model.
 * @param file the parsed JSON
 * @returns the model
 * @throws {TypeError} when the file is not a clemreg EM CNN or its parameters do not fit
 */
export function prepareCnnModel(file: CnnModelFile): CnnModel {
  if (file.format !== "clemreg-em-cnn") {
    throw new TypeError(`Cannot load the EM CNN: format is ${file.format}, not clemreg-em-cnn`);
  }
  return { file, net: createCnn(file.architecture, decodeFloat32(file.parameters)) };
}

/** The committed built-in CNN's location. */
export const builtinCnnUrl = new URL("../../models/em_mito_cnn.json", import.meta.url);

/**
 * Load an EM CNN model from a JSON file (default: the built-in model).
 * @param location path or file URL
 * @returns the inference-ready model
 */
export async function loadCnnModel(location: string | URL = builtinCnnUrl): Promise<CnnModel> {
  return prepareCnnModel(JSON.parse(await Deno.readTextFile(location)) as CnnModelFile);
}
