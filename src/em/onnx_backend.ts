/**
 * A user's ONNX EM model (e.g. MitoNet exported from PyTorch) run with onnxruntime-node,
 * slice by slice in overlapping 2-D tiles blended with a smooth window. The window is zero on
 * the `overlap / 4` pixels next to an inner tile edge, where a network's padding corrupts its
 * output, and ramps up linearly over the rest of the overlap; at image borders it stays 1.
 * onnxruntime-node is imported on first use, so the other backends run without `--allow-ffi`.
 * @module
 */
import type * as Ort from "onnxruntime-node";

/** The JSON config that comes with an ONNX model. */
export interface OnnxModelConfig {
  /** The model file, relative to the config file. */
  model: string;
  inputName: string;
  outputName: string;
  /** Input normalisation: `(value − mean) / std`. */
  mean: number;
  std: number;
  /** Tile `[y, x]` in pixels fed to the network (input shape `[1, 1, y, x]`). */
  tileSize: [number, number];
  /** Overlap between neighbouring tiles in pixels. */
  overlap: number;
  /** In-plane voxel size `[y, x]` the model expects, in nanometres. */
  voxelSizeNm: [number, number];
  /** Probability threshold for the mask. */
  threshold: number;
}

/** A loaded ONNX model. */
export interface OnnxEmModel {
  config: OnnxModelConfig;
  session: Ort.InferenceSession;
  /** The onnxruntime-node module (imported on first use). */
  runtime: typeof Ort;
}

/**
 * Load an ONNX model from its JSON config (or from the `.onnx` file, with `config` given).
 * @param configPath path of the config JSON
 * @returns the model and its inference session
 */
export async function loadOnnxModel(configPath: string): Promise<OnnxEmModel> {
  const config = JSON.parse(await Deno.readTextFile(configPath)) as OnnxModelConfig;
  const modelPath = new URL(config.model, new URL(configPath, `file://${Deno.cwd()}/`)).pathname;
  const runtime = await import("onnxruntime-node");
  const session = await runtime.InferenceSession.create(modelPath);
  return { config, session, runtime };
}

/** Tile starts along one axis: stride `tile − overlap`, the last tile flush with the end. */
function tileStarts(size: number, tile: number, overlap: number): number[] {
  if (size <= tile) return [0];
  const stride = Math.max(1, tile - overlap);
  const starts: number[] = [];
  for (let start = 0; start + tile < size; start += stride) starts.push(start);
  starts.push(size - tile);
  return starts;
}

/** Blending weights along one axis of a tile; `atLow`/`atHigh`: that edge is the image edge. */
function axisWindow(tile: number, overlap: number, atLow: boolean, atHigh: boolean): Float32Array {
  const trim = Math.max(1, Math.floor(overlap / 4));
  const ramp = Math.max(1, Math.floor(overlap / 2) - trim);
  const window = new Float32Array(tile);
  for (let i = 0; i < tile; i++) {
    let weight = 1;
    if (!atLow) weight = Math.min(weight, i < trim ? 0 : Math.min(1, (i - trim + 1) / ramp));
    const j = tile - 1 - i;
    if (!atHigh) weight = Math.min(weight, j < trim ? 0 : Math.min(1, (j - trim + 1) / ramp));
    window[i] = weight;
  }
  return window;
}

/**
 * Mitochondria probabilities of an EM block with an ONNX model, per z slice, tiled.
 * Slices smaller than a tile are padded by mirroring.
 * @param volume the EM block, C order
 * @param shape `[z, y, x]`
 * @param model the loaded model
 * @param options abort signal
 * @returns probabilities, same shape as the block
 */
export async function segmentOnnxBlock(
  volume: ArrayLike<number>,
  shape: readonly [number, number, number],
  model: OnnxEmModel,
  options: { signal?: AbortSignal } = {},
): Promise<Float32Array> {
  const [depth, height, width] = shape;
  const { config, session } = model;
  const [tileY, tileX] = config.tileSize;
  const startsY = tileStarts(height, tileY, config.overlap);
  const startsX = tileStarts(width, tileX, config.overlap);
  const out = new Float32Array(depth * height * width);
  const weightSum = new Float32Array(height * width);
  const input = new Float32Array(tileY * tileX);
  const inverseStd = 1 / config.std;
  for (let z = 0; z < depth; z++) {
    weightSum.fill(0);
    const sliceOffset = z * height * width;
    for (const y0 of startsY) {
      const windowY = axisWindow(tileY, config.overlap, y0 === 0, y0 + tileY >= height);
      for (const x0 of startsX) {
        options.signal?.throwIfAborted();
        const windowX = axisWindow(tileX, config.overlap, x0 === 0, x0 + tileX >= width);
        for (let ty = 0; ty < tileY; ty++) {
          const y = mirror(y0 + ty, height);
          for (let tx = 0; tx < tileX; tx++) {
            const value = volume[sliceOffset + y * width + mirror(x0 + tx, width)]!;
            input[ty * tileX + tx] = (value - config.mean) * inverseStd;
          }
        }
        const feeds = {
          [config.inputName]: new model.runtime.Tensor("float32", input, [1, 1, tileY, tileX]),
        };
        const result = await session.run(feeds);
        const tensor = result[config.outputName];
        if (!tensor) throw new TypeError(`Cannot read ONNX output ${config.outputName}`);
        const probabilities = tensor.data as Float32Array;
        for (let ty = 0; ty < tileY && y0 + ty < height; ty++) {
          for (let tx = 0; tx < tileX && x0 + tx < width; tx++) {
            const weight = windowY[ty]! * windowX[tx]!;
            if (weight === 0) continue;
            const p = (y0 + ty) * width + x0 + tx;
            out[sliceOffset + p] = out[sliceOffset + p]! + weight * probabilities[ty * tileX + tx]!;
            weightSum[p] = weightSum[p]! + weight;
          }
        }
      }
    }
    for (let p = 0; p < height * width; p++) {
      out[sliceOffset + p] = out[sliceOffset + p]! / weightSum[p]!;
    }
  }
  return out;
}

/** Mirror an index into `[0, size)` (edge repeated), for slices smaller than a tile. */
function mirror(index: number, size: number): number {
  const period = 2 * size;
  let i = index % period;
  if (i < 0) i += period;
  return i < size ? i : period - 1 - i;
}
