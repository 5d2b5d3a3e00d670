import assert from "node:assert/strict";
import type { Box } from "../../src/io/types.ts";
import { gaussianKernel1d, haloBox } from "../../src/filters/mod.ts";
import { normaliseRegion } from "../../src/filters/region.ts";
import { separableRegion } from "../../src/filters/separable.ts";
import { separableEngine } from "../../src/filters/separable_engine.ts";
import {
  passX,
  passY,
  passZ,
  planPasses,
  separableRegionJs,
} from "../../src/filters/separable_js.ts";
import { passXWasm, passYWasm, passZWasm } from "../../src/filters/separable_passes.ts";
import { seededRandom } from "../../src/random.ts";
import { crop } from "./volume_helpers.ts";

/** A random symmetric kernel of radius r (weights of both signs and mixed magnitudes). */
function randomKernel(random: () => number, r: number): Float64Array {
  const kernel = new Float64Array(2 * r + 1);
  for (let j = 0; j <= r; j++) {
    const w = (random() - 0.3) * 10 ** Math.floor(random() * 4 - 2);
    kernel[r - j] = w;
    kernel[r + j] = w;
  }
  return kernel;
}

/** A volume of values with mixed signs and magnitudes (so rounding differences would show). */
function mixedVolume(random: () => number, length: number): Float32Array {
  const data = new Float32Array(length);
  for (let i = 0; i < data.length; i++) data[i] = (random() - 0.5) * 10 ** (random() * 6 - 3);
  return data;
}

/** Filter `box` of a volume with the wasm and the TypeScript engines; assert equal bytes. */
function assertSameBits(
  volume: Float32Array,
  shape: number[],
  box: Box,
  kernels: Float64Array[],
  inputBox: Box,
  label: string,
): void {
  const radius = kernels.map((kernel) => (kernel.length - 1) >> 1);
  const input = crop(volume, shape, inputBox);
  const region = normaliseRegion(
    { inputBox, volumeShape: shape, outputBox: box },
    radius,
    input.length,
  );
  const count = box.stop.reduce((n, stop, axis) => n * (stop - box.start[axis]!), 1);
  const wasm = new Float32Array(count), js = new Float32Array(count);
  separableRegion(input, region, kernels, wasm);
  separableRegionJs(input, region, kernels, js);
  assert.deepEqual(new Uint8Array(wasm.buffer), new Uint8Array(js.buffer), label);
}

Deno.test("separableRegion() gives the TypeScript engine's bits on odd shapes and radii > size", () => {
  const random = seededRandom(31);
  for (let trial = 0; trial < 60; trial++) {
    const shape = [1, 2, 3].map(() => 1 + Math.floor(random() * (trial < 30 ? 6 : 23)));
    const kernels = [0, 1, 2].map(() => {
      const r = Math.floor(random() * (random() < 0.3 ? 30 : 9));
      return random() < 0.5 ? randomKernel(random, r) : gaussianKernel1d(0.5 + r / 4, 0, r);
    });
    const volume = mixedVolume(random, shape[0]! * shape[1]! * shape[2]!);
    const start = shape.map((n) => Math.floor(random() * n));
    const stop = shape.map((n, a) => start[a]! + 1 + Math.floor(random() * (n - start[a]!)));
    const box = { start, stop };
    const radius = kernels.map((kernel) => (kernel.length - 1) >> 1);
    const label = `shape ${shape}, radii ${radius}, box ${start}..${stop}`;
    assertSameBits(volume, shape, box, kernels, haloBox(box, shape, radius), label);
    assertSameBits(volume, shape, box, kernels, { start: [0, 0, 0], stop: shape }, label);
  }
});

Deno.test("separableRegion() gives the TypeScript engine's bits on whole volumes, tiny and wide", () => {
  const random = seededRandom(5);
  const cases: [number[], number[]][] = [
    [[1, 1, 1], [0, 0, 0]],
    [[1, 1, 1], [3, 2, 1]],
    [[2, 3, 2], [5, 0, 7]],
    [[5, 7, 70], [8, 8, 8]],
    [[40, 9, 33], [19, 12, 3]],
    [[3, 4, 257], [1, 2, 19]],
  ];
  for (const [shape, radius] of cases) {
    const kernels = radius.map((r) => gaussianKernel1d(1 + r / 4, 0, r));
    const volume = mixedVolume(random, shape[0]! * shape[1]! * shape[2]!);
    const whole = { start: [0, 0, 0], stop: shape };
    assertSameBits(volume, shape, whole, kernels, whole, `shape ${shape}, radii ${radius}`);
  }
});

Deno.test("separableRegion() splits the output into z-slabs without changing a bit", () => {
  const random = seededRandom(9);
  const shape = [23, 9, 11];
  const volume = mixedVolume(random, shape[0]! * shape[1]! * shape[2]!);
  for (const r of [0, 2, 19]) {
    const kernels = [randomKernel(random, r), randomKernel(random, 3), randomKernel(random, 1)];
    for (const box of [{ start: [0, 0, 0], stop: shape }, { start: [5, 2, 3], stop: [20, 9, 4] }]) {
      const inputBox = haloBox(box, shape, [r, 3, 1]);
      const input = crop(volume, shape, inputBox);
      const region = normaliseRegion(
        { inputBox, volumeShape: shape, outputBox: box },
        [r, 3, 1],
        input.length,
      );
      const count = box.stop.reduce((n, stop, axis) => n * (stop - box.start[axis]!), 1);
      const js = new Float32Array(count);
      separableRegionJs(input, region, kernels, js);
      for (const slab of [1, 3, 7]) {
        const wasm = new Float32Array(count);
        separableRegion(input, region, kernels, wasm, slab);
        assert.deepEqual(
          new Uint8Array(wasm.buffer),
          new Uint8Array(js.buffer),
          `r ${r}, slab ${slab}`,
        );
      }
    }
  }
});

Deno.test("separableEngine() declines regions needing more than 2 GiB of wasm memory", () => {
  const layoutOf = (side: number[], inputPlanes: number) => ({
    region: {
      inStart: [0, 0, 0],
      inShape: side,
      volume: side,
      outStart: [0, 0, 0],
      outShape: side,
    },
    radius: [0, 0, 0],
    slabInputPlanes: inputPlanes,
  });
  const kernels = [Float64Array.of(1), Float64Array.of(1), Float64Array.of(1)];
  assert.ok(separableEngine(layoutOf([8, 10, 10], 8), kernels) !== undefined);
  // 60 input planes of 3000 × 3000 float32 voxels: 2.16 GB
  assert.equal(separableEngine(layoutOf([60, 3000, 3000], 60), kernels), undefined);
});

Deno.test("passZWasm(), passYWasm(), passXWasm() give the TypeScript passes' bits", () => {
  const random = seededRandom(77);
  for (let trial = 0; trial < 25; trial++) {
    const shape = [1, 2, 3].map(() => 1 + Math.floor(random() * 14));
    const radius = [0, 1, 2].map(() => Math.floor(random() * 12));
    const kernels = radius.map((r) => randomKernel(random, r));
    const volume = mixedVolume(random, shape[0]! * shape[1]! * shape[2]!);
    const start = shape.map((n) => Math.floor(random() * n));
    const stop = shape.map((n, a) => start[a]! + 1 + Math.floor(random() * (n - start[a]!)));
    const inputBox = haloBox({ start, stop }, shape, radius);
    const input = crop(volume, shape, inputBox);
    const spec = { inputBox, volumeShape: shape, outputBox: { start, stop } };
    const plan = planPasses(normaliseRegion(spec, radius, input.length), radius);
    const bytes = (array: Float32Array) => new Uint8Array(array.buffer);
    const pass1 = passZ(input, plan, kernels[0]!);
    assert.deepEqual(bytes(passZWasm(input, plan, kernels[0]!)), bytes(pass1), `z, trial ${trial}`);
    const pass2 = passY(pass1, plan, kernels[1]!);
    assert.deepEqual(bytes(passYWasm(pass1, plan, kernels[1]!)), bytes(pass2), `y, trial ${trial}`);
    const count = stop.reduce((n, s, axis) => n * (s - start[axis]!), 1);
    const js = new Float32Array(count), wasm = new Float32Array(count);
    passX(pass2, plan, kernels[2]!, js);
    passXWasm(pass2, plan, kernels[2]!, wasm);
    assert.deepEqual(bytes(wasm), bytes(js), `x, trial ${trial}`);
  }
});
