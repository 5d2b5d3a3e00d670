import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import {
  convolveSeparable2d,
  gaussianKernel1d,
  separableScratchLength,
} from "../../src/em/gaussian_2d.ts";
import { type DenseLayer, mlpForward } from "../../src/em/mlp.ts";
import { computeFeatures2d, featureCount } from "../../src/em/features_2d.ts";
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

Deno.test("segmentEmBlock() with z context on z-chunks read with the halo equals the whole volume", () => {
  const model = randomModel(6, 18.4, false, [1, 2]);
  const [haloZ, halo] = emBlockHalo(model);
  assertEquals(haloZ, 1);
  const random = seededRandom(7);
  const [depth, height, width] = [7, 40, 36];
  const volume = new Uint8Array(depth * height * width).map(() => Math.floor(random() * 256));
  const stats = { intensityMean: 128, intensityStd: 60 };
  const whole = segmentEmBlock(volume, [depth, height, width], model, stats);
  const plane = height * width;
  const chunk = 3; // z chunks 0-2, 3-5, 6: each read with one slice above and below
  for (let z0 = 0; z0 < depth; z0 += chunk) {
    const zs = [Math.max(0, z0 - haloZ), Math.min(depth, z0 + chunk + haloZ)] as const;
    const block = volume.slice(zs[0] * plane, zs[1] * plane);
    const result = segmentEmBlock(block, [zs[1] - zs[0], height, width], model, stats);
    for (let z = z0; z < Math.min(depth, z0 + chunk); z++) {
      const got = result.subarray((z - zs[0]) * plane, (z - zs[0] + 1) * plane);
      assertEquals(got, whole.subarray(z * plane, (z + 1) * plane));
    }
  }
  // The neighbours matter: a slice alone differs from the same slice inside the volume.
  const alone = segmentEmBlock(
    volume.slice(3 * plane, 4 * plane),
    [1, height, width],
    model,
    stats,
  );
  assert(alone.some((v, p) => v !== whole[3 * plane + p]), "z context should change slice 3");
  assertEquals(halo, emBlockHalo(randomModel(6))[1]);
});

Deno.test("mlpForward() on listed pixels equals the full evaluation there and leaves the rest", () => {
  const random = seededRandom(8);
  const layer = (inputs: number, outputs: number, activation: DenseLayer["activation"]) => ({
    inputs,
    outputs,
    activation,
    weights: new Float32Array(inputs * outputs).map(() => random() - 0.5),
    bias: new Float32Array(outputs).map(() => random() - 0.5),
  });
  const layers = [layer(5, 8, "relu"), layer(8, 1, "sigmoid")];
  const pixels = 700;
  const features = new Float32Array(5 * pixels).map(() => random() * 2 - 1);
  const full = new Float32Array(pixels);
  mlpForward(layers, features, pixels, pixels, full);
  const listed = Uint32Array.from({ length: pixels }, (_, p) => p).filter((p) => p % 3 !== 1);
  const out = new Float32Array(pixels).fill(-1);
  mlpForward(layers, features, pixels, listed.length, out, listed);
  for (let p = 0; p < pixels; p++) assertEquals(out[p], p % 3 === 1 ? -1 : full[p]);
});

Deno.test("segmentEmBlock() with a cascade gate: zero where gated, chunks still exact", () => {
  const [depth, height, width] = [3, 120, 40];
  const random = seededRandom(9);
  const volume = new Uint8Array(depth * height * width).map(() => Math.floor(random() * 256));
  const stats = { intensityMean: 128, intensityStd: 60 };
  const ungated = segmentEmBlock(
    volume,
    [depth, height, width],
    randomModel(6, 18.4, false, [1]),
    stats,
  );
  // Gate at the median of the first stage's map of slice 0, so both branches are taken.
  const plain = randomModel(6, 18.4, false, [1]);
  const plane = height * width;
  const features = new Float32Array(featureCount(plain.file.features) * plane);
  const slice = Float32Array.from(volume.subarray(0, plane), (v) => (v - 128) / 60);
  computeFeatures2d(slice, height, width, plain.file.features, features);
  const map = new Float32Array(plane);
  mlpForward(plain.layers, features, plane, plane, map);
  const median = map.slice().sort()[plane >> 1]!;
  const model = randomModel(6, 18.4, false, [1], median);
  const whole = segmentEmBlock(volume, [depth, height, width], model, stats);
  let zeros = 0;
  let same = 0;
  for (let i = 0; i < whole.length; i++) {
    if (whole[i] === 0) zeros++;
    else if (whole[i] === ungated[i]) same++;
  }
  assert(zeros > 0 && same > 0 && zeros + same === whole.length, `${zeros} gated, ${same} kept`);
  const [, halo] = emBlockHalo(model);
  const [y0, y1] = [50, 60]; // read with the halo: rows 50 − halo to 60 + halo of 120
  const ys = [Math.max(0, y0 - halo), Math.min(height, y1 + halo)] as const;
  assert(ys[0] > 0 && ys[1] < height, `halo ${halo} leaves no cut`);
  const block = new Uint8Array(depth * (ys[1] - ys[0]) * width);
  for (let z = 0; z < depth; z++) {
    const from = (z * height + ys[0]) * width;
    block.set(volume.subarray(from, from + (ys[1] - ys[0]) * width), z * (ys[1] - ys[0]) * width);
  }
  const part = segmentEmBlock(block, [depth, ys[1] - ys[0], width], model, stats);
  for (let z = 0; z < depth; z++) {
    for (let y = y0; y < y1; y++) {
      const got = part.subarray(
        ((z * (ys[1] - ys[0])) + y - ys[0]) * width,
        ((z * (ys[1] - ys[0])) + y - ys[0] + 1) * width,
      );
      assertEquals(got, whole.subarray((z * height + y) * width, (z * height + y + 1) * width));
    }
  }
});
