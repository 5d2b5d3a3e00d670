import { ok as assert, strictEqual } from "node:assert/strict";
import {
  cnnForward,
  cnnMacsPerPixel,
  cnnParameterCount,
  type CnnSpec,
  createCnn,
  createTape,
} from "../../src/em/cnn_net.ts";
import { cnnBackward, createGradBuffers } from "../../src/em/cnn_backward.ts";
import { createWasmTape, wasmSizeMultiple } from "../../src/em/cnn_wasm.ts";
import { adamStep, batchLoss, createAdam } from "../../src/em/cnn_training.ts";
import { type CnnModelFile, prepareCnnModel } from "../../src/em/cnn_model.ts";
import { encodeFloat32 } from "../../src/em/em_model.ts";
import { segmentCnnBlock } from "../../src/em/segment_cnn_block.ts";
import { emLikeVolume } from "./helpers.ts";
import { seededRandom } from "../../src/random.ts";

const small: CnnSpec = { encoder: [2, 3, 3], encoderConvs: [1, 2, 1], decoder: [2, 3] };

function randomNet(spec: CnnSpec, seed: number, scale = 1) {
  const random = seededRandom(seed);
  const params = new Float32Array(cnnParameterCount(spec)).map(() => (random() - 0.5) * scale);
  return createCnn(spec, params);
}

/** Fill a padded plane's interior with uniform values in [−1, 1). */
function fillInterior(plane: Float32Array, h: number, w: number, random: () => number): void {
  for (let y = 1; y <= h; y++) {
    for (let x = 1; x <= w; x++) plane[y * (w + 2) + x] = random() * 2 - 1;
  }
}

Deno.test("cnnBackward() matches finite differences of the forward pass", () => {
  const net = randomNet(small, 1);
  const [h, w] = [8, 12];
  const tape = createTape(small, h, w);
  const random = seededRandom(2);
  fillInterior(tape.nodes[0]!.data, h, w, random);
  const direction = new Float32Array(tape.nodes[0]!.data.length);
  fillInterior(direction, h, w, random);
  const loss = () => {
    const logits = cnnForward(net, tape);
    let sum = 0;
    for (let i = 0; i < logits.length; i++) sum += logits[i]! * direction[i]!;
    return sum;
  };
  loss();
  const gradient = new Float32Array(net.params.length);
  cnnBackward(net, tape, direction, gradient, createGradBuffers(tape));
  let checked = 0;
  for (let i = 0; i < net.params.length; i += 3) {
    const value = net.params[i]!;
    net.params[i] = value + 2e-4;
    const up = loss();
    net.params[i] = value - 2e-4;
    const down = loss();
    net.params[i] = value;
    const numeric = (up - down) / 4e-4;
    const error = Math.abs(numeric - gradient[i]!);
    assert(
      error <= 0.02 * Math.max(0.05, Math.abs(numeric)),
      `parameter ${i}: ${numeric} vs ${gradient[i]}`,
    );
    checked++;
  }
  strictEqual(checked, Math.ceil(net.params.length / 3));
});

Deno.test("batchLoss() gives the gradient of BCE + soft Dice on the logits", () => {
  const size = 4;
  const random = seededRandom(3);
  const logits = [0, 1].map(() => {
    const plane = new Float32Array((size + 2) ** 2);
    fillInterior(plane, size, size, random);
    return plane;
  });
  const targets = [0, 1].map(() =>
    Uint8Array.from({ length: size * size }, () => random() < 0.4 ? 1 : 0)
  );
  const gradients = logits.map((l) => new Float32Array(l.length));
  batchLoss(logits, targets, size, 1, gradients);
  const scratch = logits.map((l) => new Float32Array(l.length));
  for (const [b, p] of [[0, 7], [1, 14], [1, 29]] as const) {
    const value = logits[b]![p]!;
    logits[b]![p] = value + 1e-3;
    const up = batchLoss(logits, targets, size, 1, scratch);
    logits[b]![p] = value - 1e-3;
    const down = batchLoss(logits, targets, size, 1, scratch);
    logits[b]![p] = value;
    const numeric = (up - down) / 2e-3;
    assert(Math.abs(numeric - gradients[b]![p]!) < 2e-4, `${numeric} vs ${gradients[b]![p]}`);
  }
});

Deno.test("adamStep() moves parameters down a quadratic", () => {
  const params = Float32Array.of(3, -2);
  const state = createAdam(2);
  for (let step = 0; step < 500; step++) {
    adamStep(state, params, Float32Array.of(2 * params[0]!, 2 * params[1]!), 0.05);
  }
  assert(Math.abs(params[0]!) < 0.05 && Math.abs(params[1]!) < 0.05, `${params}`);
});

Deno.test("createWasmTape() runs the same network as the TypeScript kernels", () => {
  const spec: CnnSpec = { encoder: [3, 4, 5, 6], encoderConvs: [1, 2, 1, 2], decoder: [3, 4, 5] };
  const net = randomNet(spec, 4, 0.5);
  const [h, w] = [64, 96];
  strictEqual(wasmSizeMultiple(spec), 32);
  const reference = createTape(spec, h, w);
  const wasm = createWasmTape(spec, h, w);
  fillInterior(reference.nodes[0]!.data, h, w, seededRandom(5));
  wasm.nodes[0]!.data.set(reference.nodes[0]!.data);
  const expected = cnnForward(net, reference);
  const actual = cnnForward(net, wasm);
  let worst = 0;
  let largest = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(expected[i]! - actual[i]!));
    largest = Math.max(largest, Math.abs(expected[i]!));
  }
  assert(largest > 0.01, "the network is not trivially zero");
  assert(worst < 1e-5 * Math.max(1, largest), `max difference ${worst}`);
});

Deno.test("segmentCnnBlock() gives probabilities for any block size, interiors close to the whole slice", () => {
  const spec: CnnSpec = { encoder: [4, 6, 8, 8], encoderConvs: [1, 2, 2, 2], decoder: [4, 6, 8] };
  const net = randomNet(spec, 6, 0.6);
  const file: CnnModelFile = {
    format: "clemreg-em-cnn",
    version: 1,
    voxelSizeNm: [18.4, 18.4],
    normalisation: "volume-mean-std",
    architecture: spec,
    parameters: encodeFloat32(net.params),
    haloPx: 32,
    threshold: 0.5,
    clean: { minObjectPx: 40, maxHolePx: 40 },
    training: {},
    licence: "random weights",
  };
  const model = prepareCnnModel(file);
  const shape: [number, number, number] = [2, 150, 130];
  const { volume } = emLikeVolume(shape, 8);
  const stats = { intensityMean: 120, intensityStd: 40 };
  const whole = segmentCnnBlock(volume, shape, model, stats);
  assert(whole.every((p) => p >= 0 && p <= 1));
  // A 60 × 50 chunk at (64, 64) read with a 32-pixel halo, as the pipeline reads it.
  const [y0, x0, h, w] = [64 - 32, 64 - 32, 60 + 64, 50 + 64];
  const block = new Uint8Array(2 * h * w);
  for (let z = 0; z < 2; z++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        block[(z * h + y) * w + x] = volume[(z * 150 + y0 + y) * 130 + x0 + x]!;
      }
    }
  }
  const part = segmentCnnBlock(block, [2, h, w], model, stats);
  let sum = 0;
  let count = 0;
  for (let z = 0; z < 2; z++) {
    for (let y = 32; y < 32 + 60; y++) {
      for (let x = 32; x < 32 + 50; x++) {
        sum += Math.abs(part[(z * h + y) * w + x]! - whole[(z * 150 + y0 + y) * 130 + x0 + x]!);
        count++;
      }
    }
  }
  assert(sum / count < 0.02, `mean interior difference ${sum / count}`);
  assert(cnnMacsPerPixel(spec) > 0);
});

Deno.test("cnnBackward() on a WebAssembly training tape gives the TypeScript gradients", () => {
  const spec: CnnSpec = { encoder: [3, 4, 5, 6], encoderConvs: [1, 2, 1, 2], decoder: [3, 4, 5] };
  const net = randomNet(spec, 9, 0.5);
  const [h, w] = [32, 64];
  const reference = createTape(spec, h, w);
  const wasm = createWasmTape(spec, h, w, true);
  const random = seededRandom(10);
  fillInterior(reference.nodes[0]!.data, h, w, random);
  wasm.nodes[0]!.data.set(reference.nodes[0]!.data);
  const direction = new Float32Array(reference.nodes[0]!.data.length);
  fillInterior(direction, h, w, random);
  cnnForward(net, reference);
  cnnForward(net, wasm);
  const expected = new Float32Array(net.params.length);
  const actual = new Float32Array(net.params.length);
  cnnBackward(net, reference, direction, expected, createGradBuffers(reference));
  cnnBackward(net, wasm, direction, actual, []);
  let worst = 0;
  let largest = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(expected[i]! - actual[i]!));
    largest = Math.max(largest, Math.abs(expected[i]!));
  }
  assert(largest > 0.1, "gradients are not trivially zero");
  assert(worst < 1e-4 * largest, `max difference ${worst} of ${largest}`);
});
