/**
 * Tapes whose 3×3 convolutions run in WebAssembly (f32x4 SIMD, `src/wasm/conv3x3_wat.ts`):
 * every node buffer and a copy of the parameters live in one instance's memory. The kernel
 * sweeps rows 4 pixels at a time, so the coarsest level's width must be a multiple of 4:
 * image sizes are multiples of {@linkcode wasmSizeMultiple}.
 * @module
 */
import { CONV3X3_WASM_BASE64 } from "../wasm/conv3x3_wasm.ts";
import { instantiateEmbedded } from "../wasm/module_cache.ts";
import {
  cnnParameterCount,
  cnnSizeMultiple,
  type CnnSpec,
  type CnnTape,
  createCnn,
  createTape,
} from "./cnn_net.ts";

/** Pixels the image sides must be a multiple of for the WebAssembly kernel. */
export function wasmSizeMultiple(spec: CnnSpec): number {
  return 4 * cnnSizeMultiple(spec);
}

/**
 * A tape for `h × w` images (multiples of {@linkcode wasmSizeMultiple}) running its
 * convolutions in WebAssembly; pass it to `cnnForward` like any tape.
 * @param spec the architecture
 * @param h image height in pixels
 * @param w image width in pixels
 * @param training also place gradient buffers in its memory (for `cnnBackward`)
 * @returns the tape, its buffers in a fresh instance's memory
 * @throws {RangeError} when a side is not a multiple of the size step
 */
export function createWasmTape(
  spec: CnnSpec,
  h: number,
  w: number,
  training = false,
): CnnTape {
  const step = wasmSizeMultiple(spec);
  if (h % step !== 0 || w % step !== 0) {
    throw new RangeError(
      `Cannot run the CNN in WebAssembly on ${h}×${w}: sides must be multiples of ${step}`,
    );
  }
  const parameters = cnnParameterCount(spec);
  let nodeFloats = 0;
  let largestKernel = 0;
  createTape(spec, h, w, (n) => {
    nodeFloats += n + 4; // 16-byte aligned buffers
    return new Float32Array(0);
  });
  const net = createCnn(spec);
  for (const layer of net.convs) largestKernel = Math.max(largestKernel, layer.weights.length);
  const floats = parameters + 4 +
    (training ? 2 * nodeFloats + parameters + largestKernel + 8 : nodeFloats);
  const instance = instantiateEmbedded(CONV3X3_WASM_BASE64);
  const memory = instance.exports.memory as WebAssembly.Memory;
  const pages = Math.ceil((floats * 4) / 65536);
  if (pages > memory.buffer.byteLength / 65536) {
    memory.grow(pages - memory.buffer.byteLength / 65536);
  }
  let offset = 0;
  const allocate = (n: number) => {
    const view = new Float32Array(memory.buffer, offset * 4, n);
    offset += Math.ceil(n / 4) * 4;
    return view;
  };
  const params = allocate(parameters);
  const tape = createTape(spec, h, w, allocate);
  type Kernel = (...args: number[]) => void;
  tape.wasm = {
    conv3x3: instance.exports.conv3x3 as Kernel,
    weightGrad: instance.exports.conv3x3WeightGrad as Kernel,
    params,
  };
  if (training) {
    tape.wasm.training = {
      grads: tape.nodes.map((n) => allocate(n.data.length)),
      paramGrads: allocate(parameters),
      kernel: allocate(largestKernel),
    };
  }
  return tape;
}
