/**
 * Built-in EM CNN inference on one block: each slice is normalised with the volume's mean and
 * std, extended by mirroring to a multiple of the net's size step, run through the net (3×3
 * convolutions in WebAssembly SIMD) and the sigmoid. Blocks are read with the model's halo (about its receptive radius), so block
 * interiors match a whole-slice run up to the net's small pooling-phase differences.
 * @module
 */
import type { CnnModel } from "./cnn_model.ts";
import { cnnForward, type CnnTape } from "./cnn_net.ts";
import { createWasmTape, wasmSizeMultiple } from "./cnn_wasm.ts";
import { type SegmentBlockOptions, startBlock } from "./segment_block.ts";

/** Reusable tapes per padded slice size (a block's slices share one). */
const tapes = new WeakMap<CnnModel, Map<string, CnnTape>>();

function tapeFor(model: CnnModel, h: number, w: number): CnnTape {
  let bySize = tapes.get(model);
  if (!bySize) tapes.set(model, bySize = new Map());
  const key = `${h}x${w}`;
  let tape = bySize.get(key);
  if (!tape) {
    bySize.clear(); // keep one size: blocks of a volume mostly share it
    bySize.set(key, tape = createWasmTape(model.net.spec, h, w));
  }
  return tape;
}

/** Mirror an index into `[0, size)` (edge repeated). */
function mirror(index: number, size: number): number {
  if (size === 1) return 0;
  const period = 2 * size;
  let i = index % period;
  if (i < 0) i += period;
  return i < size ? i : period - 1 - i;
}

/**
 * Mitochondria probability per voxel of an EM block (block includes its halo) with the CNN.
 * @param volume the EM block, C order
 * @param shape `[z, y, x]` of the block
 * @param model the CNN model
 * @param options volume statistics, output buffer, abort signal
 * @returns probabilities in [0, 1], same shape as the block
 * @throws {RangeError} when the volume length does not match the shape
 */
export function segmentCnnBlock(
  volume: Float32Array | Uint8Array | Uint16Array,
  shape: readonly [number, number, number],
  model: CnnModel,
  options: SegmentBlockOptions = {},
): Float32Array {
  const [depth, height, width] = shape;
  const { plane, stats, out } = startBlock(volume, shape, options);
  const step = wasmSizeMultiple(model.net.spec);
  const [h, w] = [Math.ceil(height / step) * step, Math.ceil(width / step) * step];
  const tape = tapeFor(model, h, w);
  const input = tape.nodes[0]!.data;
  const stride = w + 2;
  const inverseStd = 1 / stats.std;
  const columns = Int32Array.from({ length: w }, (_, x) => mirror(x, width));
  for (let z = 0; z < depth; z++) {
    options.signal?.throwIfAborted();
    const offset = z * plane;
    for (let y = 0; y < h; y++) {
      const row = offset + mirror(y, height) * width;
      const target = (y + 1) * stride + 1;
      for (let x = 0; x < w; x++) {
        input[target + x] = (volume[row + columns[x]!]! - stats.mean) * inverseStd;
      }
    }
    const logits = cnnForward(model.net, tape);
    for (let y = 0; y < height; y++) {
      const source = (y + 1) * stride + 1;
      const o = offset + y * width;
      for (let x = 0; x < width; x++) out[o + x] = 1 / (1 + Math.exp(-logits[source + x]!));
    }
  }
  return out;
}
