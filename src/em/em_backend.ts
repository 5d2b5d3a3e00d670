/**
 * One face for the EM segmentation backends that predict probabilities (the built-in MLP and
 * a user's ONNX model): the voxel size each expects, the halo a block needs, the threshold,
 * and a block prediction.
 * @module
 */
import { type EmModel, loadEmModel } from "./em_model.ts";
import { type CnnModel, loadCnnModel } from "./cnn_model.ts";
import { segmentCnnBlock } from "./segment_cnn_block.ts";
import { loadOnnxModel, type OnnxEmModel, segmentOnnxBlock } from "./onnx_backend.ts";
import { emBlockHalo, segmentEmBlock } from "./segment_block.ts";

/** Volume statistics a block prediction may need (the built-in model normalises with them). */
export interface VolumeStats {
  mean: number;
  std: number;
}

/** A probability-predicting backend. */
export interface EmBackend {
  name: string;
  /** In-plane voxel size `[y, x]` the model expects, in nanometres. */
  voxelSizeNm: [number, number];
  /** Halo `[z, y, x]` in voxels each block is read with. */
  halo: [number, number, number];
  threshold: number;
  /** Probabilities for a block (halo included). */
  predict(
    block: Uint8Array | Uint16Array | Float32Array,
    shape: readonly [number, number, number],
    stats: VolumeStats,
    signal?: AbortSignal,
  ): Promise<Float32Array>;
  /** Free native resources. */
  close(): Promise<void>;
}

/** A built-in model (the CNN, or the earlier MLP pixel classifier) as a backend. */
export function builtinBackend(model: EmModel | CnnModel): EmBackend {
  if ("net" in model) return cnnBackend(model);
  const mlp = model;
  return {
    name: "builtin",
    voxelSizeNm: mlp.file.voxelSizeNm,
    halo: emBlockHalo(mlp),
    threshold: mlp.file.threshold,
    predict: (block, shape, stats, signal) =>
      Promise.resolve(segmentEmBlock(block, shape, mlp, {
        intensityMean: stats.mean,
        intensityStd: stats.std,
        ...(signal ? { signal } : {}),
      })),
    close: () => Promise.resolve(),
  };
}

/** The built-in CNN as a backend: blocks get a halo of the model's `haloPx`. */
function cnnBackend(model: CnnModel): EmBackend {
  const halo = model.file.haloPx;
  return {
    name: "builtin-cnn",
    voxelSizeNm: model.file.voxelSizeNm,
    halo: [0, halo, halo],
    threshold: model.file.threshold,
    predict: (block, shape, stats, signal) =>
      Promise.resolve(segmentCnnBlock(block, shape, model, {
        intensityMean: stats.mean,
        intensityStd: stats.std,
        ...(signal ? { signal } : {}),
      })),
    close: () => Promise.resolve(),
  };
}

/** An ONNX model as a backend; blocks get a halo of one tile overlap. */
export function onnxBackend(model: OnnxEmModel): EmBackend {
  const overlap = model.config.overlap;
  return {
    name: `onnx:${model.config.model}`,
    voxelSizeNm: model.config.voxelSizeNm,
    halo: [0, overlap, overlap],
    threshold: model.config.threshold,
    predict: (block, shape, _stats, signal) =>
      segmentOnnxBlock(block, shape, model, signal ? { signal } : {}),
    close: () => model.session.release(),
  };
}

/** Config files an `.onnx` model may come with, in the order they are tried. */
function onnxConfigCandidates(modelPath: string): string[] {
  const folder = modelPath.includes("/") ? modelPath.slice(0, modelPath.lastIndexOf("/")) : ".";
  return [`${modelPath}.json`, modelPath.replace(/\.onnx$/, ".json"), `${folder}/config.json`];
}

/**
 * Open a backend by name: `builtin` (the CNN, `models/em_mito_cnn.json`), a clemreg CNN or
 * MLP `.json`, an ONNX model's config `.json`,
 * or an `.onnx` file with its config beside it (`M.onnx.json`, `M.json` or `config.json`).
 * @param model `builtin` or a path
 * @returns the backend
 * @throws {TypeError} when an `.onnx` file has no config beside it
 */
export async function openEmBackend(model: string): Promise<EmBackend> {
  if (model === "builtin") return builtinBackend(await loadCnnModel());
  let configPath = model;
  if (model.endsWith(".onnx")) {
    const candidates = onnxConfigCandidates(model);
    const found = candidates.find((path) => {
      try {
        return Deno.statSync(path).isFile;
      } catch {
        return false;
      }
    });
    if (!found) {
      throw new TypeError(
        `Cannot open ONNX model ${model}: no config found (tried ${candidates.join(", ")})`,
      );
    }
    configPath = found;
  }
  const parsed = JSON.parse(await Deno.readTextFile(configPath)) as { format?: string };
  if (parsed.format === "clemreg-em-mlp") return builtinBackend(await loadEmModel(configPath));
  if (parsed.format === "clemreg-em-cnn") return builtinBackend(await loadCnnModel(configPath));
  return onnxBackend(await loadOnnxModel(configPath));
}
