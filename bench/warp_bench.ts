/**
 * Warp throughput and read amplification of the chunked warp op (FM → EM grid, trilinear)
 * against `scipy.ndimage.affine_transform(order=1)` single-threaded on the same data in the
 * same run. FM: 2 × 64 × 512 × 512 uint16 at 130 × 35 × 35 nm in [1, 64, 128, 128] zstd
 * chunks (the sample generator's layout); output: a 4 × 12 × 12 µm EM box at 20 nm
 * (200 × 600 × 600 per channel, [1, 64, 128, 128] zstd chunks as in the pipeline), rotated
 * 20° about an axis tilted 30° from z, so it lies wholly inside the FM volume.
 * Read amplification = FM bytes decoded ÷ FM bytes truly needed, three ways: the bounding
 * box of the mapped output, the exact union of trilinear stencils, and the FM chunks that
 * union touches (the least a chunked reader can decode).
 * Run: `deno run -A bench/warp_bench.ts` (about 1-2 minutes on 2 cores).
 * @module
 */
import * as path from "node:path";
import { runOp } from "../src/chunked/scheduler.ts";
import { createWorkerPool } from "../src/chunked/pool.ts";
import { openImage, spatialGridUm } from "../src/io/image.ts";
import { createImage, writeImage } from "../src/io/writer.ts";
import { warpOp, type WarpParams } from "../src/stages/warp.ts";
import {
  type IndexAffine,
  indexAffine,
  sourceBoxFor,
  warpAffineBlock,
} from "../src/stages/warp_affine.ts";
import { type Figure, writeResults } from "./report.ts";

const MiB = 2 ** 20;
const FM_SHAPE = [64, 512, 512];
const FM_CHUNK = [64, 128, 128];
const EM_SHAPE = [200, 600, 600];
const EM_VOXEL_UM = 0.02;
const OUT_CHUNK = [64, 128, 128];
const CACHE_BYTES = 256 * MiB; // as in src/pipeline/output.ts
const fmVoxels = FM_SHAPE[0]! * FM_SHAPE[1]! * FM_SHAPE[2]!;
const outVoxels = EM_SHAPE[0]! * EM_SHAPE[1]! * EM_SHAPE[2]!;
const folder = await Deno.makeTempDir({ prefix: "clemreg-warp-bench-" });
const load = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
console.log(`load average before: ${load()}`);

/** FM-like content: smooth blobs plus noise (so zstd sees realistic entropy). */
function fmContent(channel: number): Uint16Array {
  const out = new Uint16Array(fmVoxels);
  let state = 12345 + channel;
  let i = 0;
  for (let z = 0; z < FM_SHAPE[0]!; z++) {
    for (let y = 0; y < FM_SHAPE[1]!; y++) {
      const a = Math.sin(z / (5 + channel)) * Math.sin(y / 23);
      for (let x = 0; x < FM_SHAPE[2]!; x++, i++) {
        state = (state * 1664525 + 1013904223) >>> 0;
        out[i] = 300 + 250 * a * Math.cos(x / (17 + channel)) + (state >>> 26);
      }
    }
  }
  return out;
}

// --- FM image and the EM grid: emToFm(p) = R (p − emCentre) + fmCentre, in µm.
const fmScale = [0.13, 0.035, 0.035];
const channels = [fmContent(0), fmContent(1)];
const fmAll = new Uint16Array(2 * fmVoxels);
channels.forEach((c, n) => fmAll.set(c, n * fmVoxels));
const fmLocation = path.join(folder, "fm.zarr");
const um = (name: string) => ({ name, type: "space", unit: "micrometer" });
const axes4 = [{ name: "c", type: "channel" }, um("z"), um("y"), um("x")];
await writeImage(fmLocation, fmAll, {
  axes: axes4,
  shape: [2, ...FM_SHAPE],
  chunks: [1, ...FM_CHUNK],
  dtype: "uint16",
  scale: [1, ...fmScale],
  channelNames: ["mito", "lyso"],
  levels: 1,
});
const tilt = (30 * Math.PI) / 180;
const axis = [Math.cos(tilt), Math.sin(tilt) / Math.SQRT2, Math.sin(tilt) / Math.SQRT2];
const rotation = rodrigues(axis, (20 * Math.PI) / 180);
const fmCentre = FM_SHAPE.map((n, a) => (n * fmScale[a]!) / 2);
const emCentre = EM_SHAPE.map((n) => (n * EM_VOXEL_UM) / 2);
const emToFm = rotation.map((row, r) => [
  ...row,
  fmCentre[r]! - row.reduce((s, v, c) => s + v * emCentre[c]!, 0),
]);
emToFm.push([0, 0, 0, 1]);
const fmGrid = spatialGridUm(await openImage(fmLocation), 0);
const emGrid = {
  shape: EM_SHAPE,
  scale: [EM_VOXEL_UM, EM_VOXEL_UM, EM_VOXEL_UM],
  translation: [0, 0, 0],
};
const map = indexAffine(emGrid, fmGrid, emToFm);

// --- What the FM region truly needed is.
const outBox = { start: [0, 0, 0], stop: EM_SHAPE };
const bbox = sourceBoxFor(outBox, map, FM_SHAPE)!;
const bboxBytes = (b: typeof bbox) => b.stop.reduce((p, s, a) => p * (s - b.start[a]!), 1) * 2;
const needed = stencilUnion(map);
const exactVoxels = needed.reduce((s, v) => s + v, 0);
const chunkVoxels = touchedChunkVoxels(needed);
const perChannel = { bbox: bboxBytes(bbox), exact: exactVoxels * 2, chunks: chunkVoxels * 2 };
console.log(
  `FM needed per channel: bbox ${(perChannel.bbox / MiB).toFixed(2)} MiB, exact stencil union ${
    (perChannel.exact / MiB).toFixed(2)
  } MiB, chunks touched ${(perChannel.chunks / MiB).toFixed(2)} MiB, whole FM ${
    (fmVoxels * 2 / MiB).toFixed(2)
  } MiB`,
);

// --- scipy, single-threaded, on channel 0; it writes its output for a comparison.
await Deno.writeFile(path.join(folder, "fm0.u16"), new Uint8Array(channels[0]!.buffer));
const scipySeconds = await runScipy();

// --- The in-memory kernel alone on channel 0, 1 thread.
const kernelOut = new Uint16Array(outVoxels);
const t0 = performance.now();
warpAffineBlock(
  channels[0]!,
  { start: [0, 0, 0], stop: FM_SHAPE },
  FM_SHAPE,
  outBox,
  map,
  kernelOut,
);
const kernelSeconds = (performance.now() - t0) / 1000;
if (scipySeconds !== undefined) compareWithScipy(kernelOut);

// --- The chunked op, 2 channels, zstd → zstd, 1 and 2 workers; then a cache sweep (1 channel).
const figures: Figure[] = [];
const scipyMvox = scipySeconds === undefined ? NaN : outVoxels / scipySeconds / 1e6;
const vsScipy = (name: string, mvox: number): Figure => ({
  name,
  value: mvox,
  unit: "Mvox/s",
  baseline: scipySeconds === undefined
    ? "scipy absent"
    : "scipy affine_transform order=1, 1 thread",
  baselineValue: scipyMvox,
  ratio: mvox / scipyMvox,
});
const amplification = (
  name: string,
  read: number,
  baseline: string,
  neededBytes: number,
): Figure => ({
  name,
  value: read / MiB,
  unit: "MiB decoded",
  baseline,
  baselineValue: neededBytes / MiB,
  ratio: read / neededBytes,
});
figures.push(
  vsScipy("warpAffineBlock, whole volume in memory, 1 thread", outVoxels / kernelSeconds / 1e6),
);
for (const workers of [1, 2]) {
  const run = await runWarp(workers, [0, 1], CACHE_BYTES);
  figures.push(
    vsScipy(`warp op 2 ch, ${workers} worker(s), zstd→zstd`, (2 * outVoxels) / run.seconds / 1e6),
  );
  if (workers === 2) {
    figures.push(
      vsScipy("warp op 2 ch, 2 workers, per worker", (2 * outVoxels) / run.seconds / 2e6),
    );
  }
  const w = `${workers} worker(s), cache ${CACHE_BYTES / MiB} MiB`;
  figures.push(
    amplification(
      `read amplification, ${w}`,
      run.bytesRead,
      "FM bbox of mapped output",
      2 * perChannel.bbox,
    ),
  );
  figures.push(
    amplification(
      `read amplification vs exact, ${w}`,
      run.bytesRead,
      "exact stencil union",
      2 * perChannel.exact,
    ),
  );
  figures.push(
    amplification(
      `read amplification vs chunks touched, ${w}`,
      run.bytesRead,
      "FM chunks touched",
      2 * perChannel.chunks,
    ),
  );
  figures.push(
    amplification(
      `op bytesRead ÷ bytesNeeded, ${w}`,
      run.bytesRead,
      "op bytesNeeded (Σ per-chunk boxes)",
      run.bytesNeeded,
    ),
  );
}
for (const cacheMiB of [4, 16]) {
  const run = await runWarp(1, [0], cacheMiB * MiB);
  figures.push(
    amplification(
      `read amplification vs chunks touched, 1 ch, 1 worker, cache ${cacheMiB} MiB`,
      run.bytesRead,
      "FM chunks touched",
      perChannel.chunks,
    ),
  );
}
console.log(`load average after: ${load()}`);
await Deno.remove(folder, { recursive: true });
await writeResults("warp", figures);

/** Run the warp op into a fresh output with a warmed-up fresh pool; time only the op. */
async function runWarp(workers: number, fmChannels: number[], cacheBytes: number) {
  const outLocation = path.join(folder, `out-${workers}-${fmChannels.length}-${cacheBytes}.zarr`);
  await createImage(outLocation, {
    axes: axes4,
    shape: [fmChannels.length, ...EM_SHAPE],
    chunks: [1, ...OUT_CHUNK],
    dtype: "uint16",
    scale: [1, ...emGrid.scale],
    levels: 1,
  });
  const params: WarpParams = {
    fm: { location: fmLocation, level: 0 },
    channelAxis: 0,
    channels: fmChannels,
    map,
    order: 1,
    cacheBytes,
  };
  const pool = createWorkerPool({ size: workers });
  try {
    await warmUp(pool);
    const started = performance.now();
    const result = await runOp(warpOp(params, { location: outLocation, level: 0 }), {
      executor: pool,
      quiet: true,
      journalDir: false,
    });
    const seconds = (performance.now() - started) / 1000;
    const stats = result.result as { bytesRead: number; bytesNeeded: number };
    console.log(
      `warp op ${fmChannels.length} ch, ${workers} worker(s), cache ${cacheBytes / MiB} MiB: ${
        seconds.toFixed(2)
      } s, decoded ${(stats.bytesRead / MiB).toFixed(1)} MiB (load ${load()})`,
    );
    return { seconds, ...stats };
  } finally {
    await pool.close();
    await Deno.remove(outLocation, { recursive: true });
  }
}

/** Start each worker's modules with a one-voxel warp of a tiny image, outside the timing. */
async function warmUp(pool: ReturnType<typeof createWorkerPool>): Promise<void> {
  const tiny = path.join(folder, "tiny.zarr");
  const spec = { axes: axes4, dtype: "uint16" as const, scale: [1, 1, 1, 1], levels: 1 };
  await writeImage(tiny, new Uint16Array(8), {
    ...spec,
    shape: [1, 2, 2, 2],
    chunks: [1, 2, 2, 2],
  });
  const out = path.join(folder, `tiny-out-${crypto.randomUUID()}.zarr`);
  await createImage(out, { ...spec, shape: [1, 1, 1, pool.concurrency], chunks: [1, 1, 1, 1] });
  const identity: IndexAffine = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]];
  const params = {
    fm: { location: tiny, level: 0 },
    channelAxis: 0,
    channels: [0],
    map: identity,
    order: 1 as const,
    cacheBytes: MiB,
  };
  await runOp(warpOp(params, { location: out, level: 0 }), {
    executor: pool,
    quiet: true,
    journalDir: false,
  });
}

/** Rotation by `angle` (radians) about the unit `axis` (z, y, x). */
function rodrigues(axis: number[], angle: number): number[][] {
  const [a, b, c] = axis as [number, number, number];
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const t = 1 - cos;
  return [
    [cos + a * a * t, a * b * t - c * sin, a * c * t + b * sin],
    [b * a * t + c * sin, cos + b * b * t, b * c * t - a * sin],
    [c * a * t - b * sin, c * b * t + a * sin, cos + c * c * t],
  ];
}

/** FM voxels (0/1 per voxel) that some output voxel's trilinear stencil reads. */
function stencilUnion(m: IndexAffine): Uint8Array {
  const [nz, ny, nx] = FM_SHAPE as [number, number, number];
  const mark = new Uint8Array(fmVoxels);
  const [m0, m1, m2] = m;
  for (let z = 0; z < EM_SHAPE[0]!; z++) {
    for (let y = 0; y < EM_SHAPE[1]!; y++) {
      let fz = m0[0] * z + m0[1] * y + m0[3];
      let fy = m1[0] * z + m1[1] * y + m1[3];
      let fx = m2[0] * z + m2[1] * y + m2[3];
      for (let x = 0; x < EM_SHAPE[2]!; x++) {
        if (fz >= 0 && fy >= 0 && fx >= 0 && fz <= nz - 1 && fy <= ny - 1 && fx <= nx - 1) {
          mark[(Math.floor(fz) * ny + Math.floor(fy)) * nx + Math.floor(fx)] = 1;
        }
        fz += m0[2];
        fy += m1[2];
        fx += m2[2];
      }
    }
  }
  // Dilate by {0, 1} along each axis: the stencil is floor(v) and floor(v) + 1.
  const strides = [ny * nx, nx, 1];
  for (let a = 0; a < 3; a++) {
    const s = strides[a]!;
    for (let i = fmVoxels - 1; i >= s; i--) {
      const coordinate = Math.floor(i / s) % FM_SHAPE[a]!;
      if (coordinate > 0 && mark[i - s]) mark[i] = 1;
    }
  }
  return mark;
}

/** Voxels of the FM chunks (spatial) that contain a needed voxel. */
function touchedChunkVoxels(mark: Uint8Array): number {
  const [nz, ny, nx] = FM_SHAPE as [number, number, number];
  const grid = FM_SHAPE.map((n, a) => Math.ceil(n / FM_CHUNK[a]!));
  const touched = new Set<number>();
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        if (!mark[i]) continue;
        const cz = Math.floor(z / FM_CHUNK[0]!);
        const cy = Math.floor(y / FM_CHUNK[1]!);
        touched.add((cz * grid[1]! + cy) * grid[2]! + Math.floor(x / FM_CHUNK[2]!));
      }
    }
  }
  let voxels = 0;
  for (const id of touched) {
    const index = [
      Math.floor(id / (grid[1]! * grid[2]!)),
      Math.floor(id / grid[2]!) % grid[1]!,
      id % grid[2]!,
    ];
    voxels += index.reduce(
      (p, c, a) => p * (Math.min(FM_SHAPE[a]!, (c + 1) * FM_CHUNK[a]!) - c * FM_CHUNK[a]!),
      1,
    );
  }
  return voxels;
}

/** scipy's affine_transform on FM channel 0 with the same matrix and offset; seconds of the call only. */
async function runScipy(): Promise<number | undefined> {
  const matrix = map.map((row) => row.slice(0, 3));
  const offset = map.map((row) => row[3]);
  const script = `
import os, sys, time
import numpy as np
from scipy import ndimage
v = np.fromfile(sys.argv[1], dtype=np.uint16).reshape(${JSON.stringify(FM_SHAPE)})
t = time.perf_counter()
out = ndimage.affine_transform(v, np.array(${JSON.stringify(matrix)}), offset=${
    JSON.stringify(offset)
  },
    output_shape=${JSON.stringify(EM_SHAPE)}, order=1, mode="constant", cval=0, prefilter=False)
print(time.perf_counter() - t)
out.tofile(sys.argv[2])`;
  const env = { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" };
  const python = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", script, path.join(folder, "fm0.u16"), path.join(folder, "scipy.u16")],
    env,
    stderr: "piped",
  }).output().catch(() => undefined);
  if (python?.code !== 0) {
    console.log(
      `scipy absent or failed: no scipy baseline (${
        python ? new TextDecoder().decode(python.stderr) : "no python3"
      })`,
    );
    return undefined;
  }
  const seconds = Number(new TextDecoder().decode(python.stdout).trim());
  console.log(
    `scipy affine_transform order=1, 1 thread, channel 0: ${seconds.toFixed(2)} s (load ${load()})`,
  );
  return seconds;
}

/** Check that the kernel computed what scipy did (same data, same map). */
function compareWithScipy(ours: Uint16Array): void {
  const bytes = Deno.readFileSync(path.join(folder, "scipy.u16"));
  const theirs = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  let maxDiff = 0;
  let over1 = 0;
  for (let i = 0; i < ours.length; i++) {
    const d = Math.abs(ours[i]! - theirs[i]!);
    if (d > maxDiff) maxDiff = d;
    if (d > 1) over1++;
  }
  console.log(
    `kernel vs scipy: max |difference| ${maxDiff}, ${over1} of ${ours.length} voxels differ by more than 1`,
  );
  Deno.removeSync(path.join(folder, "scipy.u16"));
}
