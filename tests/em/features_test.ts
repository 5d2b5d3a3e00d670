import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import {
  convolveSeparable2d,
  gaussianKernel1d,
  separableScratchLength,
} from "../../src/em/gaussian_2d.ts";
import { type DenseLayer, mlpForward } from "../../src/em/mlp.ts";
import { emBlockHalo, segmentEmBlock } from "../../src/em/segment_block.ts";
import { randomModel } from "./helpers.ts";
import { seededRandom } from "../../src/random.ts";

function reflect(i: number, n: number): number {
  if (i < 0) return -i - 1;
  if (i >= n) return 2 * n - i - 1;
  return i;
}

Deno.test("convolveSeparable2d() equals a direct 2-D Gaussian with mirrored borders", () => {
  const random = seededRandom(1);
  const [height, width] = [23, 31];
  const slice = new Float32Array(height * width).map(() => random());
  const kernel = gaussianKernel1d(1.6);
  const radius = (kernel.length - 1) / 2;
  const out = new Float32Array(slice.length);
  convolveSeparable2d(
    slice,
    out,
    height,
    width,
    kernel,
    new Float32Array(separableScratchLength(height, width, radius)),
  );
  let worst = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = -radius; dy <= radius; dy++) {
        for (let dx = -radius; dx <= radius; dx++) {
          sum += kernel[dy + radius]! * kernel[dx + radius]! *
            slice[reflect(y + dy, height) * width + reflect(x + dx, width)]!;
        }
      }
      worst = Math.max(worst, Math.abs(sum - out[y * width + x]!));
    }
  }
  assert(worst < 1e-5, `largest difference ${worst}`);
});

Deno.test("mlpForward() equals a naive per-pixel evaluation", () => {
  const random = seededRandom(2);
  const layer = (
    inputs: number,
    outputs: number,
    activation: DenseLayer["activation"],
  ): DenseLayer => ({
    inputs,
    outputs,
    activation,
    weights: new Float32Array(inputs * outputs).map(() => random() - 0.5),
    bias: new Float32Array(outputs).map(() => random() - 0.5),
  });
  const layers = [layer(7, 6, "relu"), layer(6, 3, "relu"), layer(3, 1, "sigmoid")];
  const pixels = 600; // more than one strip, not a multiple of it
  const features = new Float32Array(7 * pixels).map(() => random() * 2 - 1);
  const out = new Float32Array(pixels);
  mlpForward(layers, features, pixels, pixels, out);
  for (let p = 0; p < pixels; p++) {
    let values = Array.from({ length: 7 }, (_, f) => features[f * pixels + p]!);
    for (const l of layers) {
      values = Array.from({ length: l.outputs }, (_, o) => {
        let sum = l.bias[o]!;
        for (let i = 0; i < l.inputs; i++) sum += l.weights[o * l.inputs + i]! * values[i]!;
        return l.activation === "relu"
          ? Math.max(0, sum)
          : l.activation === "sigmoid"
          ? 1 / (1 + Math.exp(-sum))
          : sum;
      });
    }
    assert(Math.abs(values[0]! - out[p]!) < 1e-5, `pixel ${p}: ${values[0]} vs ${out[p]}`);
  }
});

for (const contextOnly of [false, true]) {
  Deno.test(`segmentEmBlock() on chunks read with the halo equals the whole slice exactly (contextOnly ${contextOnly})`, () => {
    const model = randomModel(3, 18.4, contextOnly);
    const [, halo] = emBlockHalo(model);
    const random = seededRandom(4);
    const [depth, height, width] = [2, 150, 137];
    const volume = new Uint8Array(depth * height * width).map(() => Math.floor(random() * 256));
    const stats = { intensityMean: 128, intensityStd: 60 };
    const whole = segmentEmBlock(volume, [depth, height, width], model, stats);
    const chunk = 45; // odd-sized chunks, some smaller than the halo at the far edges
    let compared = 0;
    for (let y0 = 0; y0 < height; y0 += chunk) {
      for (let x0 = 0; x0 < width; x0 += chunk) {
        const ys = [Math.max(0, y0 - halo), Math.min(height, y0 + chunk + halo)] as const;
        const xs = [Math.max(0, x0 - halo), Math.min(width, x0 + chunk + halo)] as const;
        const [bh, bw] = [ys[1] - ys[0], xs[1] - xs[0]];
        const block = new Uint8Array(depth * bh * bw);
        for (let z = 0; z < depth; z++) {
          for (let y = 0; y < bh; y++) {
            const from = (z * height + ys[0] + y) * width + xs[0];
            block.set(volume.subarray(from, from + bw), (z * bh + y) * bw);
          }
        }
        const result = segmentEmBlock(block, [depth, bh, bw], model, stats);
        for (let z = 0; z < depth; z++) {
          for (let y = y0; y < Math.min(height, y0 + chunk); y++) {
            for (let x = x0; x < Math.min(width, x0 + chunk); x++) {
              const expected = whole[(z * height + y) * width + x]!;
              const got = result[(z * bh + y - ys[0]) * bw + x - xs[0]]!;
              if (got !== expected) assertEquals({ z, y, x, got }, { z, y, x, got: expected });
              compared++;
            }
          }
        }
      }
    }
    assertEquals(compared, depth * height * width);
  });
}

Deno.test("segmentEmBlock() with a halo smaller than the feature radius does differ", () => {
  const model = randomModel(3);
  const random = seededRandom(5);
  const [height, width] = [120, 120];
  const volume = new Uint8Array(height * width).map(() => Math.floor(random() * 256));
  const stats = { intensityMean: 128, intensityStd: 60 };
  const whole = segmentEmBlock(volume, [1, height, width], model, stats);
  const block = new Uint8Array(60 * width);
  block.set(volume.subarray(0, 60 * width));
  const part = segmentEmBlock(block, [1, 60, width], model, stats);
  let differing = 0;
  for (let p = 50 * width; p < 60 * width; p++) if (part[p] !== whole[p]) differing++;
  assert(differing > 0, "a too-small halo should change results near the cut");
});
