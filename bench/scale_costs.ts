/**
 * Per-chunk costs of the DoG + threshold job, measured on this machine (generate a 64³ uint8
 * chunk with its halo, read the same box from a zstd OME-Zarr on disk, compute, encode and
 * write the mask chunk), and the worked estimate for 1 TB and 10 TB on N workers that the
 * README tabulates, with its object-store assumptions stated in the figure names.
 * @module
 */
import { join } from "node:path";
import type { Figure } from "./report.ts";
import { dogThresholdKernel } from "./scale_kernels.ts";
import { haloVoxels } from "../src/filters/sigma.ts";
import { openImage, openLevel } from "../src/io/image.ts";
import { createImage, writeImage } from "../src/io/writer.ts";
import type { Box } from "../src/io/types.ts";

/** Measured per-chunk costs (seconds, bytes). */
export interface ChunkCosts {
  generateSeconds: number;
  /** Generating the haloed input box of one task (27 chunks: the halo reaches the neighbours). */
  generateHaloedSeconds: number;
  readSeconds: number;
  computeSeconds: number;
  writeSeconds: number;
  /** Mean zstd size of an input chunk and of a mask chunk. */
  inputChunkBytes: number;
  outputChunkBytes: number;
  /** Chunk GETs per task (the halo touches the 26 neighbours) plus one PUT. */
  requestsPerTask: number;
  figures: Figure[];
}

async function median(repeats: number, run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    await run();
    times.push((performance.now() - started) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(repeats / 2)]!;
}

async function folderBytes(dir: string, pattern: RegExp): Promise<number[]> {
  const sizes: number[] = [];
  const walk = async (path: string) => {
    for await (const entry of Deno.readDir(path)) {
      const full = join(path, entry.name);
      if (entry.isDirectory) await walk(full);
      else if (pattern.test(full)) sizes.push((await Deno.stat(full)).size);
    }
  };
  await walk(dir);
  return sizes;
}

/**
 * Measure the per-chunk costs on a 3×3×3-chunk block of a procedural volume.
 * @returns costs and their figures
 */
export async function measureChunkCosts(): Promise<ChunkCosts> {
  const location = "procedural://em?seed=7&shape=256,512,512&voxelNm=40,40,40";
  const source = await openLevel(await openImage(location), 0);
  const dir = await Deno.makeTempDir({ prefix: "clemreg-costs-" });
  try {
    const block: Box = { start: [0, 0, 0], stop: [192, 192, 192] };
    const spec = {
      axes: ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "nanometer" })),
      shape: [192, 192, 192],
      chunks: [64, 64, 64],
      dtype: "uint8" as const,
      scale: [40, 40, 40],
      levels: 1,
    };
    await writeImage(join(dir, "in.zarr"), await source.readRegion(block), spec);
    const disk = await openLevel(await openImage(join(dir, "in.zarr")), 0);
    await createImage(join(dir, "out.zarr"), spec);
    const output = await openLevel(await openImage(join(dir, "out.zarr")), 0);
    const halo = haloVoxels([1.6, 1.6, 1.6], 4);
    const box: Box = { start: halo.map((h) => 64 - h), stop: halo.map((h) => 128 + h) };
    const outputBox: Box = { start: [64, 64, 64], stop: [128, 128, 128] };
    const generateSeconds = await median(5, () => source.readChunk([1, 1, 1]));
    const generateHaloedSeconds = await median(5, () => source.readRegion(box));
    const readSeconds = await median(5, () => disk.readRegion(box));
    const data = await disk.readRegion(box);
    const input = { data, box, arrayShape: disk.shape, dtype: disk.dtype };
    const params = { sigmaLow: 1, sigmaHigh: 1.6, threshold: 2 };
    const context = { outputBox, chunkIndex: [1, 1, 1], chunkLinear: 13, attempt: 1 };
    const computeSeconds = await median(
      5,
      () => Promise.resolve(dogThresholdKernel([input], params, context)),
    );
    const centre = dogThresholdKernel([input], params, context).output!;
    const writeSeconds = await median(5, () => output.writeChunk([1, 1, 1], centre));
    // The other 26 mask chunks, so the mean compressed mask size covers edges and interior.
    const haloed = (chunk: Box): Box => ({
      start: chunk.start.map((s, a) => Math.max(0, s - halo[a]!)),
      stop: chunk.stop.map((s, a) => Math.min(192, s + halo[a]!)),
    });
    for (let linear = 0; linear < 27; linear++) {
      const index = [Math.floor(linear / 9), Math.floor(linear / 3) % 3, linear % 3];
      if (linear === 13) continue;
      const chunk: Box = { start: index.map((c) => c * 64), stop: index.map((c) => c * 64 + 64) };
      const near = { data: await disk.readRegion(haloed(chunk)), box: haloed(chunk) };
      const mask = dogThresholdKernel(
        [{ ...near, arrayShape: disk.shape, dtype: disk.dtype }],
        params,
        { ...context, outputBox: chunk, chunkIndex: index, chunkLinear: linear },
      ).output!;
      await output.writeChunk(index, mask);
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const inputChunkBytes = mean(await folderBytes(join(dir, "in.zarr"), /\/c\//));
    const outputChunkBytes = mean(await folderBytes(join(dir, "out.zarr"), /\/c\//));
    const costs = {
      generateSeconds,
      generateHaloedSeconds,
      readSeconds,
      computeSeconds,
      writeSeconds,
      inputChunkBytes,
      outputChunkBytes,
      requestsPerTask: 28,
    };
    console.log("per-chunk costs", costs);
    const chunkMiB = 64 ** 3 / 2 ** 20;
    const figure = (name: string, seconds: number): Figure => ({
      name: `per 64³ uint8 chunk: ${name}`,
      value: seconds * 1000,
      unit: "ms",
      baseline: "MiB/s of level-0 data",
      baselineValue: chunkMiB / seconds,
      ratio: seconds / computeSeconds,
    });
    return {
      ...costs,
      figures: [
        figure("generate one chunk (procedural store)", generateSeconds),
        figure("generate the haloed input box (27 chunks)", generateHaloedSeconds),
        figure("read haloed box from zstd OME-Zarr on disk (27 chunks)", readSeconds),
        figure("compute DoG σ 1/1.6 + threshold", computeSeconds),
        figure("encode (zstd) + atomic write of the mask chunk", writeSeconds),
        {
          name: "per chunk: zstd bytes of an EM input chunk",
          value: inputChunkBytes / 1024,
          unit: "KiB",
          baseline: "raw chunk KiB",
          baselineValue: 256,
          ratio: inputChunkBytes / 262144,
        },
        {
          name: "per chunk: zstd bytes of a mask chunk",
          value: outputChunkBytes / 1024,
          unit: "KiB",
          baseline: "raw chunk KiB",
          baselineValue: 256,
          ratio: outputChunkBytes / 262144,
        },
      ],
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Worked estimate from measured costs. Per task on one worker core, no overlap of I/O and
 * compute (conservative): network = max(bytes / (streams × 60 MB/s), requests × latency /
 * streams) with 8 streams (the reader's concurrency), plus decode, compute and encode.
 * @param costs measured per-chunk costs
 * @returns figures: seconds per task, wall time and worker-hours for 1 TB and 10 TB
 */
export function workedEstimate(costs: ChunkCosts): Figure[] {
  const streams = 8;
  const perStreamBytesPerSecond = 60e6;
  const figures: Figure[] = [];
  const taskSeconds = (latency: number) => {
    const bytes = 27 * costs.inputChunkBytes + costs.outputChunkBytes;
    const network = Math.max(
      bytes / (streams * perStreamBytesPerSecond),
      (costs.requestsPerTask * latency) / streams,
    );
    return network + costs.readSeconds + costs.computeSeconds + costs.writeSeconds;
  };
  for (const latency of [0.02, 0.05]) {
    figures.push({
      name: `estimate: s per chunk task on object store (latency ${
        latency * 1000
      } ms, 60 MB/s per stream, ${streams} streams)`,
      value: taskSeconds(latency),
      unit: "s",
      baseline: "compute only",
      baselineValue: costs.computeSeconds,
      ratio: taskSeconds(latency) / costs.computeSeconds,
    });
  }
  const perTask = taskSeconds(0.035);
  for (const terabytes of [1, 10]) {
    const tasks = (terabytes * 1e12) / 64 ** 3;
    const workerHours = (tasks * perTask) / 3600;
    for (const workers of [16, 64, 256]) {
      figures.push({
        name: `estimate: ${terabytes} TB DoG+threshold on ${workers} workers (35 ms latency)`,
        value: workerHours / workers,
        unit: "h wall",
        baseline: "worker-hours",
        baselineValue: workerHours,
        ratio: 1 / workers,
      });
    }
  }
  return figures;
}
