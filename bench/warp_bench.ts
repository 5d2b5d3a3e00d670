/**
 * Warp throughput and read amplification of the chunked warp op (FM → EM grid, trilinear)
 * against `scipy.ndimage.affine_transform(order=1)` single-threaded on the same data in the
 * same run (scipy's call alone is timed; its output is compared voxel by voxel), in wall
 * Mvox/s and in Mvox per CPU-second of the process (all threads; /proc/self/stat for us,
 * `time.process_time()` for scipy), which is the per-core figure on a shared machine.
 * FM: 2 × 64 × 512 × 512 uint16 at 130 × 35 × 35 nm, zstd, in the sample generator's
 * [1, 64, 128, 128] chunks (layout A) and in finer [1, 16, 64, 64] chunks (layout B).
 * Output: a 4 × 10 × 10 µm EM box at 20 nm (200 × 500 × 500 per channel, pipeline chunks
 * [1, 64, 128, 128]), rotated 20° about an axis tilted 30° from z, wholly inside the FM.
 * Read amplification = FM bytes decoded ÷ FM bytes truly needed: the bounding box of the
 * mapped output (clipped to FM), the exact union of trilinear stencils, and the FM chunks that
 * union touches (the least a reader of whole chunks can decode).
 * Run: `deno run -A bench/warp_bench.ts` (about 2 minutes on 2 busy cores).
 * @module
 */
import * as path from "node:path";
import { runOp } from "../src/chunked/scheduler.ts";
import { createWorkerPool } from "../src/chunked/pool.ts";
import type { TaskExecutor } from "../src/chunked/types.ts";
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
import { rotationMatrix, stencilUnion, touchedChunkVoxels } from "./warp_needed.ts";

const MiB = 2 ** 20;
const FM_SHAPE = [64, 512, 512];
const FM_SCALE_UM = [0.13, 0.035, 0.035];
const LAYOUTS = { A: [64, 128, 128], B: [16, 64, 64] } as const;
const EM_SHAPE = [200, 500, 500];
const EM_VOXEL_UM = 0.02;
const OUT_CHUNK = [64, 128, 128];
const CACHE_BYTES = 256 * MiB; // as in src/pipeline/output.ts
const fmVoxels = FM_SHAPE[0]! * FM_SHAPE[1]! * FM_SHAPE[2]!;
const outVoxels = EM_SHAPE[0]! * EM_SHAPE[1]! * EM_SHAPE[2]!;
const folder = await Deno.makeTempDir({ prefix: "clemreg-warp-bench-" });
const load = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
const um = (name: string) => ({ name, type: "space", unit: "micrometer" });
const axes4 = [{ name: "c", type: "channel" }, um("z"), um("y"), um("x")];
console.log(`load average before: ${load()}`);

// --- FM images (two chunk layouts) and the map: emToFm(p) = R (p − emCentre) + fmCentre, µm.
const channels = [fmContent(0), fmContent(1)];
const fmAll = new Uint16Array(2 * fmVoxels);
channels.forEach((c, n) => fmAll.set(c, n * fmVoxels));
const fmLocations: Record<string, string> = {};
for (const [name, chunks] of Object.entries(LAYOUTS)) {
  fmLocations[name] = path.join(folder, `fm-${name}.zarr`);
  await writeImage(fmLocations[name], fmAll, {
    axes: axes4,
    shape: [2, ...FM_SHAPE],
    chunks: [1, ...chunks],
    dtype: "uint16",
    scale: [1, ...FM_SCALE_UM],
    channelNames: ["mito", "lyso"],
    levels: 1,
  });
}
const tilt = (30 * Math.PI) / 180;
const rotation = rotationMatrix(
  [Math.cos(tilt), Math.sin(tilt) / Math.SQRT2, Math.sin(tilt) / Math.SQRT2],
  (20 * Math.PI) / 180,
);
const fmCentre = FM_SHAPE.map((n, a) => (n * FM_SCALE_UM[a]!) / 2);
const emCentre = EM_SHAPE.map((n) => (n * EM_VOXEL_UM) / 2);
const emToFm = rotation.map((row, r) => [
  ...row,
  fmCentre[r]! - row.reduce((s, v, c) => s + v * emCentre[c]!, 0),
]);
emToFm.push([0, 0, 0, 1]);
const fmGrid = spatialGridUm(await openImage(fmLocations.A!), 0);
const emScale = [EM_VOXEL_UM, EM_VOXEL_UM, EM_VOXEL_UM];
const map = indexAffine(
  { shape: EM_SHAPE, scale: emScale, translation: [0, 0, 0] },
  fmGrid,
  emToFm,
);

// --- The FM region truly needed (per channel, bytes).
const outBox = { start: [0, 0, 0], stop: EM_SHAPE };
const bbox = sourceBoxFor(outBox, map, FM_SHAPE)!;
const needed = stencilUnion(map, EM_SHAPE, FM_SHAPE);
const perChannel = {
  bbox: 2 * bbox.stop.reduce((p, s, a) => p * (s - bbox.start[a]!), 1),
  exact: 2 * needed.reduce((s, v) => s + v, 0),
  A: 2 * touchedChunkVoxels(needed, FM_SHAPE, LAYOUTS.A),
  B: 2 * touchedChunkVoxels(needed, FM_SHAPE, LAYOUTS.B),
};
const mib = (bytes: number) => `${(bytes / MiB).toFixed(2)} MiB`;
console.log(
  `FM needed per channel: bbox [${bbox.start}]-[${bbox.stop}] ${mib(perChannel.bbox)}, ` +
    `exact stencil union ${mib(perChannel.exact)}, chunks touched A ${mib(perChannel.A)}, ` +
    `B ${mib(perChannel.B)}; whole FM channel ${mib(2 * fmVoxels)}`,
);

// --- scipy (channel 0, 1 thread), then the in-memory kernel alone on the same data.
await Deno.writeFile(path.join(folder, "fm0.u16"), new Uint8Array(channels[0]!.buffer));
const scipy = await runScipy();
const scipySeconds = scipy?.wall;
const kernelOut = new Uint16Array(outVoxels);
const t0 = performance.now();
const cpu0 = cpuSeconds();
const wholeFm = { start: [0, 0, 0], stop: FM_SHAPE };
warpAffineBlock(channels[0]!, wholeFm, FM_SHAPE, outBox, map, kernelOut);
const kernelSeconds = (performance.now() - t0) / 1000;
const kernelCpu = cpuSeconds() - cpu0;
console.log(
  `warpAffineBlock, channel 0, 1 thread: ${kernelSeconds.toFixed(2)} s (${
    kernelCpu.toFixed(2)
  } CPU-s, load ${load()})`,
);
if (scipySeconds !== undefined) compareWithScipy(kernelOut);

const figures: Figure[] = [];
const scipyMvox = scipySeconds === undefined ? NaN : outVoxels / scipySeconds / 1e6;
const vsScipy = (name: string, mvox: number): Figure => ({
  name,
  value: mvox,
  unit: "Mvox/s",
  baseline: scipySeconds === undefined ? "scipy absent" : "scipy affine_transform o=1, 1 thread",
  baselineValue: scipyMvox,
  ratio: mvox / scipyMvox,
});
const scipyPerCpu = scipy === undefined ? NaN : outVoxels / scipy.cpu / 1e6;
const perCpu = (name: string, voxels: number, cpu: number): Figure => ({
  name: `${name}, per CPU-second`,
  value: voxels / cpu / 1e6,
  unit: "Mvox/CPU-s",
  baseline: scipy === undefined ? "scipy absent" : "scipy, per CPU-second",
  baselineValue: scipyPerCpu,
  ratio: voxels / cpu / 1e6 / scipyPerCpu,
});
const amplification = (name: string, read: number, baseline: string, bytes: number): Figure => ({
  name,
  value: read / MiB,
  unit: "MiB decoded",
  baseline,
  baselineValue: bytes / MiB,
  ratio: read / bytes,
});
figures.push(vsScipy("warpAffineBlock in memory, 1 thread", outVoxels / kernelSeconds / 1e6));
figures.push(perCpu("warpAffineBlock in memory, 1 thread", outVoxels, kernelCpu));

// --- The chunked op, 2 channels: throughput (zstd and raw output), amplification per layout.
for (const [layout, codec] of [["A", "zstd"], ["A", "raw"], ["B", "raw"]] as const) {
  for (const workers of [1, 2]) {
    const run = await runWarp(layout, workers, [0, 1], CACHE_BYTES, codec);
    const mvox = (2 * outVoxels) / run.seconds / 1e6;
    const what = `warp op 2 ch, FM ${layout}, out ${codec}, ${workers} worker(s)`;
    figures.push(vsScipy(what, mvox));
    figures.push(perCpu(what, 2 * outVoxels, run.cpu));
    if (layout === "A" && codec === "raw") continue; // same reads as zstd
    const w = `FM ${layout}, ${workers} worker(s), cache ${CACHE_BYTES / MiB} MiB`;
    const read = run.bytesRead;
    figures.push(amplification(`read ampl. vs bbox, ${w}`, read, "FM bbox", 2 * perChannel.bbox));
    figures.push(
      amplification(`read ampl. vs exact, ${w}`, read, "exact stencil union", 2 * perChannel.exact),
    );
    figures.push(
      amplification(
        `read ampl. vs chunks, ${w}`,
        read,
        "FM chunks touched",
        2 * perChannel[layout],
      ),
    );
    figures.push(
      amplification(`op bytesRead/bytesNeeded, ${w}`, read, "Σ chunk boxes", run.bytesNeeded),
    );
  }
}
// --- Cache size: 1 channel, 1 worker, layout A (each FM chunk spans all 64 z planes).
for (const cacheMiB of [4, 16]) {
  const run = await runWarp("A", 1, [0], cacheMiB * MiB, "raw");
  const name = `read ampl. vs chunks, FM A, 1 ch, 1 worker, cache ${cacheMiB} MiB`;
  figures.push(amplification(name, run.bytesRead, "FM chunks touched", perChannel.A));
}
console.log(`load average after: ${load()}`);
await Deno.remove(folder, { recursive: true });
await writeResults("warp", figures);

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

/** Run the warp op into a fresh output with a fresh, warmed-up pool; time only the op. */
async function runWarp(
  layout: "A" | "B",
  workers: number,
  fmChannels: number[],
  cacheBytes: number,
  codec: "zstd" | "raw",
) {
  const outLocation = path.join(folder, `out-${crypto.randomUUID()}.zarr`);
  await createImage(outLocation, {
    axes: axes4,
    shape: [fmChannels.length, ...EM_SHAPE],
    chunks: [1, ...OUT_CHUNK],
    dtype: "uint16",
    scale: [1, ...emScale],
    levels: 1,
    codec,
  });
  const params: WarpParams = {
    fm: { location: fmLocations[layout]!, level: 0 },
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
    const cpu = cpuSeconds();
    const result = await runOp(warpOp(params, { location: outLocation, level: 0 }), {
      executor: pool,
      quiet: true,
      journalDir: false,
    });
    const seconds = (performance.now() - started) / 1000;
    const stats = result.result as { bytesRead: number; bytesNeeded: number };
    console.log(
      `warp op ${fmChannels.length} ch, FM ${layout}, out ${codec}, ${workers} worker(s), cache ${
        cacheBytes / MiB
      } MiB: ${seconds.toFixed(2)} s (${(cpuSeconds() - cpu).toFixed(2)} CPU-s), decoded ${
        mib(stats.bytesRead)
      } (load ${load()})`,
    );
    return { seconds, cpu: cpuSeconds() - cpu, ...stats };
  } finally {
    await pool.close();
    await Deno.remove(outLocation, { recursive: true });
  }
}

/** Start each worker's modules with a tiny warp (its own FM, so no cache is warmed). */
async function warmUp(pool: TaskExecutor): Promise<void> {
  const tiny = path.join(folder, `tiny-${crypto.randomUUID()}.zarr`);
  const spec = { axes: axes4, dtype: "uint16" as const, scale: [1, 1, 1, 1], levels: 1 };
  await writeImage(tiny, new Uint16Array(8), {
    ...spec,
    shape: [1, 2, 2, 2],
    chunks: [1, 2, 2, 2],
  });
  const out = path.join(folder, `tiny-out-${crypto.randomUUID()}.zarr`);
  const n = pool.concurrency;
  await createImage(out, { ...spec, shape: [1, 1, 1, n], chunks: [1, 1, 1, 1] });
  const identity: IndexAffine = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]];
  const params = { ...fmParams(tiny), map: identity, cacheBytes: MiB };
  await runOp(warpOp(params, { location: out, level: 0 }), {
    executor: pool,
    quiet: true,
    journalDir: false,
  });
}

function fmParams(location: string) {
  return { fm: { location, level: 0 }, channelAxis: 0, channels: [0], order: 1 as const };
}

/** scipy's affine_transform of FM channel 0 with the same matrix and offset; the call's seconds. */
async function runScipy(): Promise<{ wall: number; cpu: number } | undefined> {
  const matrix = JSON.stringify(map.map((row) => row.slice(0, 3)));
  const offset = JSON.stringify(map.map((row) => row[3]));
  const script = `
import sys, time
import numpy as np
from scipy import ndimage
v = np.fromfile(sys.argv[1], dtype=np.uint16).reshape(${JSON.stringify(FM_SHAPE)})
t, c = time.perf_counter(), time.process_time()
out = ndimage.affine_transform(v, np.array(${matrix}), offset=${offset}, order=1,
    output_shape=${JSON.stringify(EM_SHAPE)}, mode="constant", cval=0, prefilter=False)
print(time.perf_counter() - t, time.process_time() - c)
out.tofile(sys.argv[2])`;
  const python = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", script, path.join(folder, "fm0.u16"), path.join(folder, "scipy.u16")],
    env: { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
    stderr: "piped",
  }).output().catch(() => undefined);
  if (python?.code !== 0) {
    const why = python ? new TextDecoder().decode(python.stderr) : "no /usr/bin/python3";
    console.log(`scipy absent or failed, so no scipy baseline: ${why}`);
    return undefined;
  }
  const [wall, cpu] = new TextDecoder().decode(python.stdout).trim().split(" ").map(Number) as [
    number,
    number,
  ];
  console.log(
    `scipy affine_transform order=1, 1 thread, channel 0: ${wall.toFixed(2)} s (${
      cpu.toFixed(2)
    } CPU-s, load ${load()})`,
  );
  return { wall, cpu };
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
    `kernel vs scipy: max |difference| ${maxDiff}; ${over1} voxels differ by more than 1`,
  );
  Deno.removeSync(path.join(folder, "scipy.u16"));
}

/** CPU seconds (user + system) of this process so far, all its threads included. */
function cpuSeconds(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // CLK_TCK = 100 on Linux
}
