/**
 * `deno run -A bench/filters_bench.ts [SIZE]`: Mvox/s of the filter kernels on a SIZE³ float32
 * volume (default 256) — Gaussian σ=2, DoG σ=3 (− 4.8), LoG σ=2, 26- and 6-connected labels
 * (into a fresh output each call, as scipy does, and into one reused output) —
 * against a naive triple-loop baseline in the same run, against the TypeScript reference of the
 * separable engine (`separable_js.ts`, same bits) for the Gaussian and the DoG, and against
 * scipy.ndimage via /usr/bin/python3 when present (only the filter call is timed there).
 * @module
 */
import {
  differenceOfGaussians,
  gaussianFilter,
  gaussianKernel1d,
  haloVoxels,
  labelComponents,
  laplaceOfGaussian,
  threshold,
} from "../src/filters/mod.ts";
import { normaliseRegion, wholeRegion } from "../src/filters/region.ts";
import { separableRegionJs } from "../src/filters/separable_js.ts";
import { type Figure, writeResults } from "./report.ts";

const size = Number(Deno.args[0] ?? 256);
const shape = [size, size, size];
const voxels = size ** 3;
const repeats = 5;

let state = 12345;
const image = new Float32Array(voxels);
for (let i = 0; i < voxels; i++) {
  state = (Math.imul(state, 1103515245) + 12345) >>> 0;
  image[i] = state / 4294967296;
}
const smooth = gaussianFilter(image, shape, { sigma: 2 });
let mean = 0;
for (let i = 0; i < voxels; i++) mean += smooth[i]!;
const mask = threshold(smooth, mean / voxels);

/** Best Mvox/s over `repeats` runs. */
function mvoxPerSecond(run: () => unknown, times = repeats): number {
  let best = Infinity;
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    run();
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return voxels / best / 1e6;
}

// ---- naive baselines: one voxel at a time, reflect computed per tap ----
function reflect(i: number, n: number): number {
  const p = 2 * n;
  const m = ((i % p) + p) % p;
  return m < n ? m : p - 1 - m;
}
function naivePass(src: Float32Array, axis: number, kernel: Float64Array): Float32Array {
  const dst = new Float32Array(src.length);
  const r = (kernel.length - 1) / 2;
  const stride = axis === 0 ? size * size : axis === 1 ? size : 1;
  let i = 0;
  for (let z = 0; z < size; z++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++, i++) {
        const along = axis === 0 ? z : axis === 1 ? y : x;
        const lineStart = i - along * stride;
        let sum = 0;
        for (let k = -r; k <= r; k++) {
          sum += src[lineStart + reflect(along + k, size) * stride]! * kernel[k + r]!;
        }
        dst[i] = sum;
      }
    }
  }
  return dst;
}
function naiveGaussian(src: Float32Array, sigma: number, orderAxis = -1): Float32Array {
  const r = haloVoxels(sigma)[0]!;
  let out = src;
  for (let axis = 0; axis < 3; axis++) {
    out = naivePass(out, axis, gaussianKernel1d(sigma, axis === orderAxis ? 2 : 0, r));
  }
  return out;
}
function naiveLabel(mask: Uint8Array): Uint32Array {
  const labels = new Uint32Array(mask.length);
  const queue: number[] = [];
  let next = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 0 || labels[i] !== 0) continue;
    labels[i] = ++next;
    queue.push(i);
    while (queue.length > 0) {
      const v = queue.pop()!;
      const z = Math.floor(v / (size * size)), y = Math.floor(v / size) % size, x = v % size;
      for (let dz = -1; dz <= 1; dz++) {
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const zz = z + dz, yy = y + dy, xx = x + dx;
            if (zz < 0 || yy < 0 || xx < 0 || zz >= size || yy >= size || xx >= size) continue;
            const w = (zz * size + yy) * size + xx;
            if (mask[w] !== 0 && labels[w] === 0) {
              labels[w] = next;
              queue.push(w);
            }
          }
        }
      }
    }
  }
  return labels;
}

// ---- scipy, timed inside Python on the same volume and mask ----
async function scipyFigures(): Promise<Record<string, number> | null> {
  try {
    await Deno.stat("/usr/bin/python3");
  } catch {
    return null;
  }
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/image.f32`, new Uint8Array(image.buffer));
  await Deno.writeFile(`${dir}/mask.u8`, mask);
  const script = `
import time, json, numpy as np
from scipy import ndimage
n = ${size}
image = np.fromfile("${dir}/image.f32", dtype=np.float32).reshape(n, n, n)
mask = np.fromfile("${dir}/mask.u8", dtype=np.uint8).reshape(n, n, n)
def best(f):
    t = float("inf")
    for _ in range(${repeats}):
        s = time.perf_counter(); f(); t = min(t, time.perf_counter() - s)
    return image.size / t / 1e6
s26 = ndimage.generate_binary_structure(3, 3)
print(json.dumps({
  "gaussian": best(lambda: ndimage.gaussian_filter(image, 2.0, mode="reflect")),
  "dog": best(lambda: ndimage.gaussian_filter(image, 3.0) - ndimage.gaussian_filter(image, 4.8)),
  "log": best(lambda: ndimage.gaussian_laplace(image, 2.0, mode="reflect")),
  "label26": best(lambda: ndimage.label(mask, structure=s26)),
  "label6": best(lambda: ndimage.label(mask)),
}))
`;
  const result = await new Deno.Command("/usr/bin/python3", { args: ["-c", script] }).output();
  await Deno.remove(dir, { recursive: true });
  if (!result.success) {
    console.error(new TextDecoder().decode(result.stderr));
    return null;
  }
  return JSON.parse(new TextDecoder().decode(result.stdout));
}

// The same labelling into one reused output: a fresh 64 MiB output costs its first-touch page
// faults on every call, which on a VM can take longer than the labelling itself.
const reused = new Uint32Array(voxels);
const ours = {
  gaussian: mvoxPerSecond(() => gaussianFilter(image, shape, { sigma: 2 })),
  dog: mvoxPerSecond(() => differenceOfGaussians(image, shape, { sigmaLow: 3, sigmaHigh: 4.8 })),
  log: mvoxPerSecond(() => laplaceOfGaussian(image, shape, { sigma: 2 })),
  label26: mvoxPerSecond(() => labelComponents(mask, shape, { connectivity: 26 })),
  label6: mvoxPerSecond(() => labelComponents(mask, shape, { connectivity: 6 })),
  label26Reused: mvoxPerSecond(() =>
    labelComponents(mask, shape, { connectivity: 26, out: reused })
  ),
  label6Reused: mvoxPerSecond(() => labelComponents(mask, shape, { connectivity: 6, out: reused })),
};
const naive = {
  gaussian: mvoxPerSecond(() => naiveGaussian(image, 2), 1),
  dog: mvoxPerSecond(() => {
    const a = naiveGaussian(image, 3), b = naiveGaussian(image, 4.8);
    for (let i = 0; i < a.length; i++) a[i] = a[i]! - b[i]!;
  }, 1),
  log: mvoxPerSecond(() => {
    const sum = naiveGaussian(image, 2, 0);
    for (const axis of [1, 2]) {
      const term = naiveGaussian(image, 2, axis);
      for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + term[i]!;
    }
  }, 1),
  label26: mvoxPerSecond(() => naiveLabel(mask), 1),
};
// ---- the TypeScript separable engine (the WebAssembly one's reference), whole volume ----
function tsGaussian(sigma: number, radius = haloVoxels(sigma)[0]!): Float32Array {
  const region = normaliseRegion(wholeRegion(shape), [radius, radius, radius], voxels);
  const kernel = gaussianKernel1d(sigma, 0, radius);
  const out = new Float32Array(voxels);
  separableRegionJs(image, region, [kernel, kernel, kernel], out);
  return out;
}
const typescript = {
  gaussian: mvoxPerSecond(() => tsGaussian(2), 2),
  dog: mvoxPerSecond(() => {
    const a = tsGaussian(3), b = tsGaussian(4.8);
    for (let i = 0; i < a.length; i++) a[i] = a[i]! - b[i]!;
  }, 2),
};
const scipy = await scipyFigures();
if (scipy === null) {
  console.log("scipy: /usr/bin/python3 with scipy not found, scipy figures skipped");
}

const names: Record<keyof typeof ours, string> = {
  gaussian: "gaussianFilter σ=2",
  dog: "differenceOfGaussians σ=3/4.8",
  log: "laplaceOfGaussian σ=2",
  label26: "labelComponents 26-conn",
  label6: "labelComponents 6-conn",
  label26Reused: "labelComponents 26-conn, output reused",
  label6Reused: "labelComponents 6-conn, output reused",
};
const figures: Figure[] = [];
for (const key of Object.keys(ours) as (keyof typeof ours)[]) {
  const value = ours[key];
  const name = `${names[key]} ${size}³`;
  const naiveValue = key in naive ? naive[key as keyof typeof naive] : undefined;
  if (naiveValue !== undefined) {
    figures.push({
      name,
      value,
      unit: "Mvox/s",
      baseline: "naive triple loop",
      baselineValue: naiveValue,
      ratio: value / naiveValue,
    });
  }
  const tsValue = key in typescript ? typescript[key as keyof typeof typescript] : undefined;
  if (tsValue !== undefined) {
    figures.push({
      name,
      value,
      unit: "Mvox/s",
      baseline: "TypeScript separable engine",
      baselineValue: tsValue,
      ratio: value / tsValue,
    });
  }
  const scipyValue = scipy?.[key.replace("Reused", "")]; // scipy allocates its output each call
  if (scipyValue !== undefined) {
    figures.push({
      name,
      value,
      unit: "Mvox/s",
      baseline: "scipy.ndimage (1 thread)",
      baselineValue: scipyValue,
      ratio: value / scipyValue,
    });
  }
}
await writeResults("filters", figures);
