/**
 * The forward pass of a small dense network (ReLU hidden layers, sigmoid output) over
 * plane-major pixel features, in plain TypeScript: strips of pixels are pushed through
 * whole layers as row-wise multiply-adds; the first layer reads the feature planes in place.
 * @module
 */

/** One dense layer: `out = activation(weights × in + bias)`, weights row-major (outputs × inputs). */
export interface DenseLayer {
  inputs: number;
  outputs: number;
  weights: Float32Array;
  bias: Float32Array;
  activation: "relu" | "sigmoid" | "linear";
}

/** Pixels per strip: small enough for one strip's activations to stay in cache. */
const stripPixels = 256;

/**
 * One layer on pixel-major activations (`input[p × inputs + i]`), eight (then four) outputs
 * at a time so each loaded input feeds several accumulators held in registers.
 */
function denseStrip(
  layer: DenseLayer,
  input: Float32Array,
  count: number,
  output: Float32Array,
): void {
  const inputs = layer.inputs;
  const outputs = layer.outputs;
  const weights = layer.weights;
  const bias = layer.bias;
  for (let p = 0; p < count; p++) {
    const inBase = p * inputs;
    const outBase = p * outputs;
    let o = 0;
    for (; o + 8 <= outputs; o += 8) {
      const w0 = o * inputs;
      let acc0 = bias[o]!;
      let acc1 = bias[o + 1]!;
      let acc2 = bias[o + 2]!;
      let acc3 = bias[o + 3]!;
      let acc4 = bias[o + 4]!;
      let acc5 = bias[o + 5]!;
      let acc6 = bias[o + 6]!;
      let acc7 = bias[o + 7]!;
      for (let i = 0; i < inputs; i++) {
        const value = input[inBase + i]!;
        const w = w0 + i;
        acc0 += weights[w]! * value;
        acc1 += weights[w + inputs]! * value;
        acc2 += weights[w + 2 * inputs]! * value;
        acc3 += weights[w + 3 * inputs]! * value;
        acc4 += weights[w + 4 * inputs]! * value;
        acc5 += weights[w + 5 * inputs]! * value;
        acc6 += weights[w + 6 * inputs]! * value;
        acc7 += weights[w + 7 * inputs]! * value;
      }
      output[outBase + o] = acc0;
      output[outBase + o + 1] = acc1;
      output[outBase + o + 2] = acc2;
      output[outBase + o + 3] = acc3;
      output[outBase + o + 4] = acc4;
      output[outBase + o + 5] = acc5;
      output[outBase + o + 6] = acc6;
      output[outBase + o + 7] = acc7;
    }
    for (; o + 4 <= outputs; o += 4) {
      const w0 = o * inputs;
      const w1 = w0 + inputs;
      const w2 = w1 + inputs;
      const w3 = w2 + inputs;
      let acc0 = bias[o]!;
      let acc1 = bias[o + 1]!;
      let acc2 = bias[o + 2]!;
      let acc3 = bias[o + 3]!;
      for (let i = 0; i < inputs; i++) {
        const value = input[inBase + i]!;
        acc0 += weights[w0 + i]! * value;
        acc1 += weights[w1 + i]! * value;
        acc2 += weights[w2 + i]! * value;
        acc3 += weights[w3 + i]! * value;
      }
      output[outBase + o] = acc0;
      output[outBase + o + 1] = acc1;
      output[outBase + o + 2] = acc2;
      output[outBase + o + 3] = acc3;
    }
    for (; o < outputs; o++) {
      let acc = bias[o]!;
      const w = o * inputs;
      for (let i = 0; i < inputs; i++) acc += weights[w + i]! * input[inBase + i]!;
      output[outBase + o] = acc;
    }
    activate(layer.activation, output, outBase, outBase + outputs);
  }
}

/**
 * The first layer straight from plane-major features (`features[i × stride + pixel]`), eight
 * (then four) outputs at a time: no transposed copy of the features. Writes pixel-major activations.
 */
function denseFromPlanes(
  layer: DenseLayer,
  features: Float32Array,
  stride: number,
  start: number,
  count: number,
  pixels: Uint32Array | undefined,
  output: Float32Array,
): void {
  const inputs = layer.inputs;
  const outputs = layer.outputs;
  const weights = layer.weights;
  const bias = layer.bias;
  for (let p = 0; p < count; p++) {
    const pixel = pixels ? pixels[start + p]! : start + p;
    const outBase = p * outputs;
    let o = 0;
    for (; o + 8 <= outputs; o += 8) {
      const w = o * inputs;
      let acc0 = bias[o]!;
      let acc1 = bias[o + 1]!;
      let acc2 = bias[o + 2]!;
      let acc3 = bias[o + 3]!;
      let acc4 = bias[o + 4]!;
      let acc5 = bias[o + 5]!;
      let acc6 = bias[o + 6]!;
      let acc7 = bias[o + 7]!;
      let at = pixel;
      for (let i = w; i < w + inputs; i++, at += stride) {
        const value = features[at]!;
        acc0 += weights[i]! * value;
        acc1 += weights[i + inputs]! * value;
        acc2 += weights[i + 2 * inputs]! * value;
        acc3 += weights[i + 3 * inputs]! * value;
        acc4 += weights[i + 4 * inputs]! * value;
        acc5 += weights[i + 5 * inputs]! * value;
        acc6 += weights[i + 6 * inputs]! * value;
        acc7 += weights[i + 7 * inputs]! * value;
      }
      output[outBase + o] = acc0;
      output[outBase + o + 1] = acc1;
      output[outBase + o + 2] = acc2;
      output[outBase + o + 3] = acc3;
      output[outBase + o + 4] = acc4;
      output[outBase + o + 5] = acc5;
      output[outBase + o + 6] = acc6;
      output[outBase + o + 7] = acc7;
    }
    for (; o + 4 <= outputs; o += 4) {
      const w = o * inputs;
      let acc0 = bias[o]!;
      let acc1 = bias[o + 1]!;
      let acc2 = bias[o + 2]!;
      let acc3 = bias[o + 3]!;
      let at = pixel;
      for (let i = w; i < w + inputs; i++, at += stride) {
        const value = features[at]!;
        acc0 += weights[i]! * value;
        acc1 += weights[i + inputs]! * value;
        acc2 += weights[i + 2 * inputs]! * value;
        acc3 += weights[i + 3 * inputs]! * value;
      }
      output[outBase + o] = acc0;
      output[outBase + o + 1] = acc1;
      output[outBase + o + 2] = acc2;
      output[outBase + o + 3] = acc3;
    }
    for (; o < outputs; o++) {
      let acc = bias[o]!;
      let at = pixel;
      for (let i = o * inputs; i < (o + 1) * inputs; i++, at += stride) {
        acc += weights[i]! * features[at]!;
      }
      output[outBase + o] = acc;
    }
    activate(layer.activation, output, outBase, outBase + outputs);
  }
}

/** Apply an activation to `values[from … to − 1]` in place. */
function activate(
  activation: DenseLayer["activation"],
  values: Float32Array,
  from: number,
  to: number,
): void {
  if (activation === "relu") {
    for (let k = from; k < to; k++) if (values[k]! < 0) values[k] = 0;
  } else if (activation === "sigmoid") {
    for (let k = from; k < to; k++) values[k] = 1 / (1 + Math.exp(-values[k]!));
  }
}

/**
 * Run the network on `pixelCount` pixels whose features are stored plane-major
 * (`features[f × planeStride + p]`), writing one output per pixel.
 * @param layers the network, first layer's `inputs` = number of feature planes
 * @param features feature planes
 * @param planeStride distance between feature planes (usually the pixel count)
 * @param pixelCount number of pixels to evaluate
 * @param out receives the last layer's single output per pixel
 * @param pixels optional pixel indices: evaluate pixels `pixels[0 … pixelCount − 1]` only,
 *   writing `out[pixels[k]]` (other outputs are left as they are)
 * @throws {RangeError} when the last layer has more than one output
 */
export function mlpForward(
  layers: readonly DenseLayer[],
  features: Float32Array,
  planeStride: number,
  pixelCount: number,
  out: Float32Array,
  pixels?: Uint32Array,
): void {
  const first = layers[0];
  const last = layers[layers.length - 1];
  if (!first || !last || last.outputs !== 1) {
    throw new RangeError("Cannot run the network: its last layer must have exactly one output");
  }
  let widest = 0;
  for (const layer of layers) widest = Math.max(widest, layer.inputs, layer.outputs);
  const bufferA = new Float32Array(widest * stripPixels);
  const bufferB = new Float32Array(widest * stripPixels);
  for (let start = 0; start < pixelCount; start += stripPixels) {
    const count = Math.min(stripPixels, pixelCount - start);
    denseFromPlanes(first, features, planeStride, start, count, pixels, bufferB);
    let input = bufferB;
    let output = bufferA;
    for (let l = 1; l < layers.length; l++) {
      denseStrip(layers[l]!, input, count, output);
      const swap = input;
      input = output;
      output = swap;
    }
    if (pixels) {
      for (let p = 0; p < count; p++) out[pixels[start + p]!] = input[p]!;
    } else {
      out.set(input.subarray(0, count), start);
    }
  }
}
