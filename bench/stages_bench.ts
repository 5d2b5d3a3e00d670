/**
 * Stage benchmarks: FM segmentation (chunked, 2 workers, and whole-volume) in Mvox/s against
 * scipy's difference of Gaussians on the same volume in the same run; point-cloud extraction
 * on `em_mask.tif` (decode timed separately), against CLEM-Reg's ≈ 30 s reference.
 * Run: `deno run -A bench/stages_bench.ts`.
 * @module
 */
import { decode as decodeTiff } from "tiff";
import { createWorkerPool } from "../src/chunked/pool.ts";
import { createSharedArray, sharedArrayData } from "../src/chunked/shared_array.ts";
import { segmentFm } from "../src/stages/fm_segmentation.ts";
import { segmentFmVolume } from "../src/stages/fm_segmentation_volume.ts";
import { pointsFromLabels } from "../src/stages/points.ts";
import { fmPhantom } from "../tests/stages/fm_phantom.ts";
import { type Figure, writeResults } from "./report.ts";

const figures: Figure[] = [];
const SHAPE = [48, 256, 256];
const VOXEL_NM = [130, 35, 35];
const voxels = SHAPE.reduce((a, b) => a * b, 1);
const { fm } = fmPhantom({ shape: SHAPE, voxelSizeNm: VOXEL_NM, objects: 40, seed: 5 });
const dir = await Deno.makeTempDir({ prefix: "stages-bench-" });

// scipy: the DoG alone (σ = 105 nm → voxels), float32, single-threaded, best of 3.
await Deno.writeFile(`${dir}/fm.u16`, new Uint8Array(fm.buffer));
const sigma = VOXEL_NM.map((v) => 105 / v);
const script = `
import numpy as np, time
from scipy import ndimage
v = np.fromfile("${dir}/fm.u16", dtype=np.uint16).reshape(${
  JSON.stringify(SHAPE)
}).astype(np.float32)
v = (v - v.min()) / (v.max() - v.min())
s = np.array(${JSON.stringify(sigma)})
best = 1e9
for _ in range(3):
    t = time.perf_counter(); d = ndimage.gaussian_filter(v, s) - ndimage.gaussian_filter(v, 1.6 * s)
    best = min(best, time.perf_counter() - t)
print(best)`;
const python = await new Deno.Command("/usr/bin/python3", { args: ["-c", script] }).output();
const scipySeconds = Number(new TextDecoder().decode(python.stdout).trim());
const scipyMvox = voxels / scipySeconds / 1e6;

let started = performance.now();
segmentFmVolume(fm, SHAPE, VOXEL_NM);
const wholeMvox = voxels / ((performance.now() - started) / 1000) / 1e6;
figures.push({
  name: "FM segmentation, whole volume, 1 thread (Mvox/s)",
  value: wholeMvox,
  unit: "Mvox/s",
  baseline: "scipy DoG only",
  baselineValue: scipyMvox,
  ratio: wholeMvox / scipyMvox,
});

const input = createSharedArray("bench-fm", {
  shape: SHAPE,
  chunks: [48, 128, 128],
  dtype: "uint16",
});
sharedArrayData(input).set(fm);
const pool = createWorkerPool({ size: 2 });
try {
  started = performance.now();
  await segmentFm(
    { array: input, voxelSizeUm: VOXEL_NM.map((v) => v / 1000) },
    { output: `${dir}/labels.zarr`, executor: pool, quiet: true },
  );
  const chunkedMvox = voxels / ((performance.now() - started) / 1000) / 1e6;
  figures.push({
    name: "FM segmentation, chunked to OME-Zarr, 2 workers (Mvox/s)",
    value: chunkedMvox,
    unit: "Mvox/s",
    baseline: "scipy DoG only",
    baselineValue: scipyMvox,
    ratio: chunkedMvox / scipyMvox,
  });

  const maskPath = new URL("../../shared/data/em-hela/em_mask.tif", import.meta.url).pathname;
  const emMask = Deno.env.get("CLEMREG_DATA")
    ? `${Deno.env.get("CLEMREG_DATA")}/em-hela/em_mask.tif`
    : maskPath;
  if (await Deno.stat(emMask).then(() => true, () => false)) {
    started = performance.now();
    const pages = decodeTiff(await Deno.readFile(emMask));
    const [ny, nx] = [pages[0]!.height, pages[0]!.width];
    const location = createSharedArray("em-mask", {
      shape: [pages.length, ny, nx],
      chunks: [32, 256, 256],
      dtype: "uint8",
    });
    const data = sharedArrayData(location);
    pages.forEach((page, z) => {
      const plane = page.data;
      for (let i = 0; i < plane.length; i++) data[z * ny * nx + i] = plane[i]! !== 0 ? 1 : 0;
    });
    const decodeSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const cloud = await pointsFromLabels(
      { array: location, voxelSizeUm: [0.02, 0.02, 0.02] },
      { executor: pool, quiet: true },
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `em_mask ${pages.length}×${ny}×${nx}: decode ${decodeSeconds.toFixed(2)} s, ` +
        `${cloud.surfaceVoxels} boundary voxels → ${cloud.sampled} → ${
          cloud.points.length / 3
        } points`,
    );
    figures.push({
      name: "point cloud from em_mask.tif, 2 workers (s, decode excluded)",
      value: seconds,
      unit: "s",
      baseline: "CLEM-Reg sampling (measured here earlier)",
      baselineValue: 30,
      ratio: 30 / seconds,
    });
  } else {
    console.warn(`skipping em_mask points: ${emMask} not found`);
  }
} finally {
  await pool.close();
  await Deno.remove(dir, { recursive: true });
}
await writeResults("stages", figures);
