/**
 * Connected components of a 512³ mask (issue: "chunked vs whole"): the chunked recipe on the
 * worker pool (chunk labels with offsets, face equivalences and one union-find as a reduction,
 * sizes from the chunk labels' partials, relabel; `finishChunkedLabels`) with 1 and 2 workers, against `labelComponents` on
 * the whole volume in one thread and scipy's `ndimage.label` on the same mask in the same run.
 * The chunked partition is checked to be identical to the whole-volume one; each pass prints its
 * time on stderr.
 * Run: `deno run -A bench/labels_bench.ts [--side 512]`.
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Figure, writeResults } from "./report.ts";
import { map } from "../src/chunked/ops.ts";
import { openArray } from "../src/chunked/open_array.ts";
import { createWorkerPool } from "../src/chunked/pool.ts";
import { runOp } from "../src/chunked/scheduler.ts";
import type { KernelContext, KernelInput, KernelResult } from "../src/chunked/types.ts";
import { labelComponents } from "../src/filters/label.ts";
import { createImage } from "../src/io/writer.ts";
import {
  type ChunkLabels,
  chunkLabelsPartial,
  finishChunkedLabels,
} from "../src/stages/chunked_labels.ts";

/** Mask voxel: a lattice of blobs joined by long tubes along x (objects span many chunks). */
function inside(z: number, y: number, x: number): boolean {
  const blob = Math.sin(x * 0.05) + Math.sin(y * 0.07) + Math.sin(z * 0.09) > 1.6;
  const tube = (y % 48 - 24) ** 2 + (z % 40 - 20) ** 2 < 9;
  return blob || tube;
}

/** Chunk kernel: the mask of the output box. */
export function maskKernel(_i: KernelInput[], _p: unknown, context: KernelContext): KernelResult {
  const { start, stop } = context.outputBox;
  const out = new Uint8Array(
    (stop[0]! - start[0]!) * (stop[1]! - start[1]!) * (stop[2]! - start[2]!),
  );
  let i = 0;
  for (let z = start[0]!; z < stop[0]!; z++) {
    for (let y = start[1]!; y < stop[1]!; y++) {
      for (let x = start[2]!; x < stop[2]!; x++) out[i++] = inside(z, y, x) ? 1 : 0;
    }
  }
  return { output: out };
}

/** Chunk kernel: 26-connected labels of one chunk, numbered 1..count; partial: their sizes and z spans. */
export function chunkLabelsKernel(inputs: KernelInput[], _p: unknown, context: KernelContext) {
  const shape = context.outputBox.stop.map((s, a) => s - context.outputBox.start[a]!);
  const { labels, count } = labelComponents(inputs[0]!.data as Uint8Array, shape, {
    connectivity: 26,
  });
  return { output: labels, partial: chunkLabelsPartial(labels, count, context.outputBox) };
}

function scipyMvoxPerSecond(side: number): number | undefined {
  const script = `
import time, numpy as np
from scipy import ndimage
z, y, x = np.ogrid[0:${side}, 0:${side}, 0:${side}]
mask = ((np.sin(x * 0.05) + np.sin(y * 0.07) + np.sin(z * 0.09) > 1.6)
        | ((y % 48 - 24) ** 2 + (z % 40 - 20) ** 2 < 9)).astype(np.uint8)
s26 = np.ones((3, 3, 3))
best = min(
    (lambda t: (ndimage.label(mask, structure=s26), time.perf_counter() - t)[1])(time.perf_counter())
    for _ in range(2))
print(${side} ** 3 / 1e6 / best)`;
  try {
    const result = new Deno.Command("/usr/bin/python3", { args: ["-c", script] }).outputSync();
    return result.success ? Number(new TextDecoder().decode(result.stdout).trim()) : undefined;
  } catch {
    return undefined;
  }
}

// Workers import this module for its kernels: only the main program runs the benchmark.
if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { side: { type: "string" } } });
  const side = Number(values.side ?? 512);
  const shape = [side, side, side];
  const voxels = side ** 3;
  const dir = await Deno.makeTempDir({ prefix: "clemreg-labels-" });
  try {
    const space = ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "micrometer" }));
    const common = { axes: space, shape, chunks: [128, 128, 128], scale: [1, 1, 1], levels: 1 };
    const maskPath = join(dir, "mask.zarr");
    await createImage(maskPath, { ...common, dtype: "uint8", codec: "raw" });
    const maskArray = { kind: "zarr" as const, location: maskPath, level: 0 };
    const setup = createWorkerPool({ size: 2 });
    await runOp(
      map({
        name: "mask",
        kernel: { module: import.meta.url, name: "maskKernel" },
        inputs: [],
        output: maskArray,
      }),
      { executor: setup, quiet: true, journalDir: false },
    );
    await setup.close();
    const mask = await (await openArray(maskArray)).readRegion({ start: [0, 0, 0], stop: shape });

    let started = performance.now();
    const whole = labelComponents(mask as Uint8Array, shape, { connectivity: 26 });
    const wholeSeconds = (performance.now() - started) / 1000;
    console.log(`whole volume: ${whole.count} objects in ${wholeSeconds.toFixed(2)} s`);

    const chunked: Record<number, number> = {};
    for (const workers of [1, 2]) {
      const run = join(dir, `run${workers}`);
      const provisional = {
        kind: "zarr" as const,
        location: join(run, "provisional.zarr"),
        level: 0,
      };
      const output = { kind: "zarr" as const, location: join(run, "labels.zarr"), level: 0 };
      await createImage(provisional.location, { ...common, dtype: "uint32", codec: "raw" });
      await createImage(output.location, {
        ...common,
        dtype: "uint32",
        codec: "raw",
        labels: true,
      });
      const pool = createWorkerPool({ size: workers });
      // one "done in N s" line per pass on stderr: where the chunked time goes
      const options = {
        executor: pool,
        progress: { tty: false, intervalSeconds: 3600 },
        journalDir: false as const,
      };
      started = performance.now();
      const counts = await runOp(
        map({
          name: "chunk labels",
          kernel: { module: import.meta.url, name: "chunkLabelsKernel" },
          inputs: [maskArray],
          output: provisional,
        }),
        options,
      );
      const result = await finishChunkedLabels(
        provisional,
        counts.result as ChunkLabels[],
        output,
        {
          ...options,
          workDir: join(run, "work"),
          connectivity: 26,
        },
      );
      chunked[workers] = (performance.now() - started) / 1000;
      await pool.close();
      // identical partition: the map whole label → chunked label is a bijection
      const labels = await (await openArray(output)).readRegion({ start: [0, 0, 0], stop: shape });
      if (result.count !== whole.count) {
        throw new Error(`chunked found ${result.count} objects, whole volume ${whole.count}`);
      }
      const forward = new Uint32Array(whole.count + 1), backward = new Uint32Array(whole.count + 1);
      for (let i = 0; i < voxels; i++) {
        const a = whole.labels[i]!, b = labels[i]!;
        if ((a === 0) !== (b === 0)) throw new Error(`voxel ${i}: background differs`);
        if (a === 0) continue;
        if (forward[a] === 0 && backward[b] === 0) {
          forward[a] = b;
          backward[b] = a;
        } else if (forward[a] !== b || backward[b] !== a) {
          throw new Error(`voxel ${i}: chunked partition differs from the whole-volume one`);
        }
      }
      console.log(
        `chunked, ${workers} worker(s): ${chunked[workers]!.toFixed(2)} s, same partition`,
      );
    }
    const scipy = scipyMvoxPerSecond(side);
    const mvox = (seconds: number) => voxels / 1e6 / seconds;
    const figures: Figure[] = [1, 2].map((workers) => ({
      name: `labels 26-conn ${side}³, chunked 128³, ${workers} worker(s)`,
      value: mvox(chunked[workers]!),
      unit: "Mvox/s",
      baseline: "whole volume, 1 thread",
      baselineValue: mvox(wholeSeconds),
      ratio: wholeSeconds / chunked[workers]!,
    }));
    figures.push({
      name: `labels 26-conn ${side}³, whole volume, 1 thread`,
      value: mvox(wholeSeconds),
      unit: "Mvox/s",
      baseline: scipy ? "scipy ndimage.label, 1 thread" : "scipy not available",
      baselineValue: scipy ?? NaN,
      ratio: scipy ? mvox(wholeSeconds) / scipy : NaN,
    });
    await writeResults("labels", figures);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
