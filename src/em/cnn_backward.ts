/**
 * Backward pass of the built-in EM CNN (`cnn_net.ts`): parameter gradients of a loss given its
 * gradient on the logits, step by step in reverse over the tape. A tape made for training by
 * `createWasmTape(…, true)` runs the convolutions' weight and input gradients in WebAssembly
 * (its gradient buffers live in the same memory); otherwise the TypeScript kernels run.
 * @module
 */
import { conv3x3Add, maxPool2Backward, paddedPlane, upsample2Backward } from "./cnn_layers.ts";
import type { CnnNet, CnnTape, Step } from "./cnn_net.ts";

/** Gradient buffers matching a tape's nodes. */
export function createGradBuffers(tape: CnnTape): Float32Array[] {
  return tape.nodes.map((n) => new Float32Array(n.data.length));
}

/**
 * Backward pass after `cnnForward` on the same tape: adds the parameter gradients for
 * `gradLogits` (a padded plane, zero border) into `gradParams`.
 * @param net the network
 * @param tape the tape of the forward pass
 * @param gradLogits gradient of the loss on the logits
 * @param gradParams parameter gradients, added to
 * @param grads scratch node buffers from {@linkcode createGradBuffers} (overwritten; a
 *   WebAssembly training tape uses its own)
 */
export function cnnBackward(
  net: CnnNet,
  tape: CnnTape,
  gradLogits: Float32Array,
  gradParams: Float32Array,
  grads: Float32Array[],
): void {
  const { nodes } = tape;
  const training = tape.wasm?.training;
  if (training) {
    grads = training.grads;
    training.paramGrads.fill(0);
  }
  for (const g of grads) g.fill(0);
  grads[grads.length - 1]!.set(gradLogits);
  for (let s = tape.steps.length - 1; s >= 0; s--) {
    const step = tape.steps[s]!;
    const out = nodes[step.out]!;
    const gradOut = grads[step.out]!;
    const [h, w] = [tape.h >> out.level, tape.w >> out.level];
    if (step.kind === "head") {
      headBackward(net, nodes[step.input]!, gradOut, grads[step.input]!, gradParams, h, w);
    } else if (step.kind === "pool") {
      const input = nodes[step.input]!.data;
      maxPool2Backward(input, gradOut, out.channels, 2 * h, 2 * w, grads[step.input]!);
    } else if (step.kind === "up") {
      upsample2Backward(gradOut, out.channels, h >> 1, w >> 1, grads[step.input]!);
    } else {
      convBackward(net, tape, step, grads, gradParams, h, w);
    }
  }
  if (training) {
    const sums = training.paramGrads;
    for (let i = 0; i < sums.length; i++) gradParams[i] = gradParams[i]! + sums[i]!;
  }
}

/** Backward of the 1×1 head. */
function headBackward(
  net: CnnNet,
  input: CnnTape["nodes"][number],
  gradOut: Float32Array,
  gradIn: Float32Array,
  gradParams: Float32Array,
  h: number,
  w: number,
): void {
  const plane = paddedPlane(h, w);
  const head = net.headOffset;
  let biasSum = 0;
  for (let p = 0; p < plane; p++) biasSum += gradOut[p]!;
  gradParams[head + input.channels] = gradParams[head + input.channels]! + biasSum;
  for (let c = 0; c < input.channels; c++) {
    const weight = net.params[head + c]!;
    let sum = 0;
    for (let p = 0; p < plane; p++) {
      sum += gradOut[p]! * input.data[c * plane + p]!;
      gradIn[c * plane + p] = gradIn[c * plane + p]! + weight * gradOut[p]!;
    }
    gradParams[head + c] = gradParams[head + c]! + sum;
  }
}

/** Backward of a 3×3 conv + ReLU step: weight, bias and input gradients. */
function convBackward(
  net: CnnNet,
  tape: CnnTape,
  step: Extract<Step, { kind: "conv" }>,
  grads: Float32Array[],
  gradParams: Float32Array,
  h: number,
  w: number,
): void {
  const layer = net.convs[step.layer]!;
  const out = tape.nodes[step.out]!;
  const gradOut = grads[step.out]!;
  for (let i = 0; i < gradOut.length; i++) if (out.data[i]! <= 0) gradOut[i] = 0;
  const inputs = step.inputs.map((n) => tape.nodes[n]!);
  const channels = inputs.map((n) => n.channels);
  const biasStart = layer.offset + layer.weights.length;
  const biasGrad = gradParams.subarray(biasStart, biasStart + layer.cout);
  const plane = paddedPlane(h, w);
  const toImage = step.inputs[0] === 0 && step.inputs.length === 1; // no gradient needed
  const wasm = tape.wasm;
  const training = wasm?.training;
  if (!wasm || !training) {
    const weightGrad = gradParams.subarray(layer.offset, biasStart);
    const datas = inputs.map((n) => n.data);
    conv3x3WeightGrad(datas, channels, h, w, gradOut, layer.cout, weightGrad, biasGrad);
    if (toImage) return;
    const gradIn = new Float32Array(layer.cin * plane);
    const kernel = transposedKernel(layer.weights, layer.cout, layer.cin);
    conv3x3Add([gradOut], [layer.cout], h, w, kernel, layer.cin, gradIn);
    let offset = 0;
    step.inputs.forEach((n, i) => {
      const target = grads[n]!;
      const size = channels[i]! * plane;
      for (let p = 0; p < size; p++) target[p] = target[p]! + gradIn[offset + p]!;
      offset += size;
    });
    return;
  }
  for (let co = 0; co < layer.cout; co++) {
    let sum = 0;
    for (let p = co * plane; p < (co + 1) * plane; p++) sum += gradOut[p]!;
    biasGrad[co] = biasGrad[co]! + sum;
  }
  let ci = 0;
  for (const input of inputs) {
    const target = training.paramGrads.byteOffset + (layer.offset + ci * 9) * 4;
    const args = [input.data.byteOffset, input.channels, h, w, gradOut.byteOffset, layer.cout];
    wasm.weightGrad(...args, target, layer.cin * 36);
    ci += input.channels;
  }
  if (toImage) return;
  training.kernel.set(transposedKernel(layer.weights, layer.cout, layer.cin));
  ci = 0;
  step.inputs.forEach((n, i) => {
    const kernel = training.kernel.byteOffset + ci * layer.cout * 36;
    const args = [gradOut.byteOffset, layer.cout, h, w, kernel, layer.cout * 36];
    wasm.conv3x3(...args, channels[i]!, grads[n]!.byteOffset);
    ci += channels[i]!;
  });
}

/**
 * Weight and bias gradients of `conv3x3Add`: `gradWeights[co][ci][k] += Σ gradOut ·
 * shifted input`, `gradBias[co] += Σ gradOut` (interior pixels).
 */
function conv3x3WeightGrad(
  inputs: Float32Array[],
  channels: number[],
  h: number,
  w: number,
  gradOut: Float32Array,
  cout: number,
  gradWeights: Float32Array,
  gradBias: Float32Array,
): void {
  const stride = w + 2;
  const plane = paddedPlane(h, w);
  const cin = channels.reduce((a, b) => a + b, 0);
  for (let co = 0; co < cout; co++) {
    const g0 = co * plane + stride + 1;
    let biasSum = 0;
    for (let y = 0; y < h; y++) {
      const g = g0 + y * stride;
      for (let x = 0; x < w; x++) biasSum += gradOut[g + x]!;
    }
    gradBias[co] = gradBias[co]! + biasSum;
    let ci = 0;
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i]!;
      for (let c = 0; c < channels[i]!; c++, ci++) {
        let s00 = 0, s01 = 0, s02 = 0, s10 = 0, s11 = 0, s12 = 0, s20 = 0, s21 = 0, s22 = 0;
        const base = c * plane;
        for (let y = 0; y < h; y++) {
          const r0 = base + y * stride;
          const r1 = r0 + stride;
          const r2 = r1 + stride;
          const g = g0 + y * stride;
          for (let x = 0; x < w; x++) {
            const d = gradOut[g + x]!;
            if (d === 0) continue;
            s00 += d * input[r0 + x]!;
            s01 += d * input[r0 + x + 1]!;
            s02 += d * input[r0 + x + 2]!;
            s10 += d * input[r1 + x]!;
            s11 += d * input[r1 + x + 1]!;
            s12 += d * input[r1 + x + 2]!;
            s20 += d * input[r2 + x]!;
            s21 += d * input[r2 + x + 1]!;
            s22 += d * input[r2 + x + 2]!;
          }
        }
        const k = (co * cin + ci) * 9;
        const sums = [s00, s01, s02, s10, s11, s12, s20, s21, s22];
        for (let t = 0; t < 9; t++) gradWeights[k + t] = gradWeights[k + t]! + sums[t]!;
      }
    }
  }
}

/**
 * The weights of the input-gradient convolution of a `cout × cin` 3×3 layer: channels swapped
 * and the kernel rotated by 180°, so `conv3x3Add(gradOut, …, transposed, cin, gradIn)` is
 * the backward pass to the (concatenated) input.
 */
function transposedKernel(weights: Float32Array, cout: number, cin: number): Float32Array {
  const out = new Float32Array(weights.length);
  for (let co = 0; co < cout; co++) {
    for (let ci = 0; ci < cin; ci++) {
      for (let t = 0; t < 9; t++) {
        out[(ci * cout + co) * 9 + 8 - t] = weights[(co * cin + ci) * 9 + t]!;
      }
    }
  }
  return out;
}
