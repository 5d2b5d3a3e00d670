/**
 * The built-in EM CNN: a small 2-D U-Net on the normalised slice. Encoder level `l` works at
 * 1/2^l resolution (2×2 max pooling between levels) with `encoderConvs[l]` 3×3 conv + ReLU
 * layers; each decoder level upsamples the level below (nearest, 2×), concatenates the encoder
 * map of its level and applies one 3×3 conv + ReLU; a 1×1 head gives the logit. Most of the
 * receptive field comes from the cheap coarse levels. Parameters live in one Float32Array (the
 * layers are views into it), so the optimiser sees one vector. The forward pass runs on a
 * {@linkcode CnnTape} that keeps every activation (the backward pass is `cnn_backward.ts`).
 * @module
 */
import {
  conv1x1To1,
  conv3x3Add,
  fillBias,
  maxPool2,
  paddedPlane,
  reluInPlace,
  upsample2,
} from "./cnn_layers.ts";

/** The architecture. */
export interface CnnSpec {
  /** Channels of encoder level l (at 1/2^l resolution). */
  encoder: number[];
  /** 3×3 convolutions at encoder level l. */
  encoderConvs: number[];
  /** Channels of decoder level l, for l = 0 … levels − 2. */
  decoder: number[];
}

/** One 3×3 convolution layer: views into the parameter vector. */
interface ConvLayer {
  cin: number;
  cout: number;
  weights: Float32Array;
  bias: Float32Array;
  /** Offset of `weights` in the parameter vector (bias follows). */
  offset: number;
}

/** A network: its spec, the parameter vector and the layers viewing it. */
export interface CnnNet {
  spec: CnnSpec;
  params: Float32Array;
  convs: ConvLayer[];
  /** 1×1 head: `decoder[0]` weights then one bias, at the end of `params`. */
  headOffset: number;
}

/** One step of a tape: a convolution (+ ReLU), pooling, upsampling or the head. */
export type Step =
  | { kind: "conv"; layer: number; inputs: number[]; out: number }
  | { kind: "pool"; input: number; out: number }
  | { kind: "up"; input: number; out: number }
  | { kind: "head"; input: number; out: number };

/** The WebAssembly 3×3 convolution a tape may run its conv steps with (`cnn_wasm.ts`). */
export interface WasmConv {
  /** `conv3x3(in, channels, h, w, weights, coStride, cout, out)`, byte addresses. */
  conv3x3: (...args: number[]) => void;
  /** `conv3x3WeightGrad(in, channels, h, w, gradOut, cout, gradWeights, coStride)`. */
  weightGrad: (...args: number[]) => void;
  /** The parameters' copy in WebAssembly memory (refreshed at every forward pass). */
  params: Float32Array;
  /** For training: node gradients, parameter gradients, a kernel scratch, in its memory. */
  training?: { grads: Float32Array[]; paramGrads: Float32Array; kernel: Float32Array };
}

/** Activations of one forward pass (per node: channels, level, padded planes). */
export interface CnnTape {
  h: number;
  w: number;
  nodes: { channels: number; level: number; data: Float32Array }[];
  steps: Step[];
  /** Run conv steps in WebAssembly (node buffers then live in its memory). */
  wasm?: WasmConv;
}

/** Conv layer shapes `[cin, cout]` in order (encoder levels, then decoder from coarse). */
function layerShapes(spec: CnnSpec): [number, number][] {
  const shapes: [number, number][] = [];
  const levels = spec.encoder.length;
  for (let l = 0; l < levels; l++) {
    for (let j = 0; j < spec.encoderConvs[l]!; j++) {
      const cin = j > 0 ? spec.encoder[l]! : l === 0 ? 1 : spec.encoder[l - 1]!;
      shapes.push([cin, spec.encoder[l]!]);
    }
  }
  for (let l = levels - 2; l >= 0; l--) {
    const below = l === levels - 2 ? spec.encoder[levels - 1]! : spec.decoder[l + 1]!;
    shapes.push([below + spec.encoder[l]!, spec.decoder[l]!]);
  }
  return shapes;
}

/**
 * A network over a parameter vector (new, zero, when `params` is absent).
 * @param spec the architecture
 * @param params the parameters, as {@linkcode cnnParameterCount} floats
 * @returns the network
 */
export function createCnn(spec: CnnSpec, params?: Float32Array): CnnNet {
  const shapes = layerShapes(spec);
  const count = cnnParameterCount(spec);
  const values = params ?? new Float32Array(count);
  if (values.length !== count) {
    throw new TypeError(`Cannot build the CNN: ${values.length} parameters, expected ${count}`);
  }
  let offset = 0;
  const convs = shapes.map(([cin, cout]) => {
    const layer = {
      cin,
      cout,
      offset,
      weights: values.subarray(offset, offset + cin * cout * 9),
      bias: values.subarray(offset + cin * cout * 9, offset + cin * cout * 10),
    };
    offset += cin * cout * 10;
    return layer;
  });
  return { spec, params: values, convs, headOffset: offset };
}

/** Number of parameters of an architecture. */
export function cnnParameterCount(spec: CnnSpec): number {
  return layerShapes(spec).reduce((sum, [cin, cout]) => sum + cin * cout * 10, 0) +
    spec.decoder[0]! + 1;
}

/** Multiply-adds per output pixel (a level-l layer costs 1/4^l of a full-resolution one). */
export function cnnMacsPerPixel(spec: CnnSpec): number {
  const levels = spec.encoder.length;
  const levelOf: number[] = [];
  for (let l = 0; l < levels; l++) for (let j = 0; j < spec.encoderConvs[l]!; j++) levelOf.push(l);
  for (let l = levels - 2; l >= 0; l--) levelOf.push(l);
  return layerShapes(spec).reduce(
    (sum, [cin, cout], i) => sum + (cin * cout * 9) / 4 ** levelOf[i]!,
    0,
  ) +
    spec.decoder[0]!;
}

/** Pixels a block's size must be a multiple of (2^(levels − 1)). */
export function cnnSizeMultiple(spec: CnnSpec): number {
  return 2 ** (spec.encoder.length - 1);
}

/**
 * Buffers and the step list for `h × w` images (multiples of {@linkcode cnnSizeMultiple}).
 * Node 0 is the input (fill its interior), the last node the logits.
 */
export function createTape(
  spec: CnnSpec,
  h: number,
  w: number,
  allocate: (floats: number) => Float32Array = (floats) => new Float32Array(floats),
): CnnTape {
  const nodes: CnnTape["nodes"] = [];
  const node = (channels: number, level: number) => {
    nodes.push({
      channels,
      level,
      data: allocate(channels * paddedPlane(h >> level, w >> level)),
    });
    return nodes.length - 1;
  };
  const steps: Step[] = [];
  const levels = spec.encoder.length;
  const encoded: number[] = [];
  let current = node(1, 0);
  let layer = 0;
  for (let l = 0; l < levels; l++) {
    if (l > 0) {
      const pooled = node(nodes[current]!.channels, l);
      steps.push({ kind: "pool", input: current, out: pooled });
      current = pooled;
    }
    for (let j = 0; j < spec.encoderConvs[l]!; j++) {
      const out = node(spec.encoder[l]!, l);
      steps.push({ kind: "conv", layer: layer++, inputs: [current], out });
      current = out;
    }
    encoded.push(current);
  }
  for (let l = levels - 2; l >= 0; l--) {
    const up = node(nodes[current]!.channels, l);
    steps.push({ kind: "up", input: current, out: up });
    const out = node(spec.decoder[l]!, l);
    steps.push({ kind: "conv", layer: layer++, inputs: [up, encoded[l]!], out });
    current = out;
  }
  steps.push({ kind: "head", input: current, out: node(1, 0) });
  return { h, w, nodes, steps };
}

/**
 * Forward pass: fills every node of the tape from its input node (node 0).
 * @returns the logits node's padded plane
 */
export function cnnForward(net: CnnNet, tape: CnnTape): Float32Array {
  const { nodes, wasm } = tape;
  wasm?.params.set(net.params);
  for (const step of tape.steps) {
    const out = nodes[step.out]!;
    const [h, w] = [tape.h >> out.level, tape.w >> out.level];
    if (step.kind === "conv") {
      const layer = net.convs[step.layer]!;
      const inputs = step.inputs.map((n) => nodes[n]!);
      fillBias(out.data, layer.bias, h, w);
      if (wasm) {
        let ci = 0;
        for (const input of inputs) {
          const weights = wasm.params.byteOffset + (layer.offset + ci * 9) * 4;
          const args = [input.data.byteOffset, input.channels, h, w, weights, layer.cin * 36];
          wasm.conv3x3(...args, layer.cout, out.data.byteOffset);
          ci += input.channels;
        }
      } else {
        conv3x3Add(
          inputs.map((n) => n.data),
          inputs.map((n) => n.channels),
          h,
          w,
          layer.weights,
          layer.cout,
          out.data,
        );
      }
      reluInPlace(out.data);
    } else if (step.kind === "pool") {
      maxPool2(nodes[step.input]!.data, out.channels, 2 * h, 2 * w, out.data);
    } else if (step.kind === "up") {
      upsample2(nodes[step.input]!.data, out.channels, h >> 1, w >> 1, out.data);
    } else {
      const input = nodes[step.input]!;
      const weights = net.params.subarray(net.headOffset, net.headOffset + input.channels);
      const bias = net.params[net.headOffset + input.channels]!;
      conv1x1To1(input.data, input.channels, h, w, weights, bias, out.data);
    }
  }
  return nodes[nodes.length - 1]!.data;
}
