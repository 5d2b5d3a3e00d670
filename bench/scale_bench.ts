/**
 * Scale benchmark. (a) Touch only what is needed: a count over the ~160 nm level of a
 * logically 1 TiB procedural EM volume, with the bytes read per level (level 0 must stay 0),
 * time and peak RSS. (b) Scaling curve: a DoG + threshold job over procedural volumes of
 * growing size with a local pool of 1 and 2 workers and with 2 queue workers on Redis, each
 * point in fresh processes (peak RSS = the kernel's VmHWM), plus the measured per-chunk costs
 * (generate, read from disk, compute, encode + write) and the worked estimate for 1 TB and
 * 10 TB that README quotes. Run: `deno run -A bench/scale_bench.ts [--sizes 0.0625,0.25,1]
 * [--budget-s 780]`. Sizes in GiB; a point whose projected time exceeds the budget is skipped;
 * `--add 0.25:queue2[,costs,…]` runs skipped points (or the per-chunk costs) later and merges
 * them into the results. (c) `--curve pyramid [--sizes 0.25,1,4,16]`: the same three
 * configurations running a pyramid step (2× mean downsample, the pipeline's kernel) over uint8
 * volumes generated on disk, fast enough for 16 GiB; writes `bench/results/scale_curve.json`.
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeResults } from "./report.ts";
import type { Figure } from "./report.ts";
import { map, mapOverlap, reduce } from "../src/chunked/ops.ts";
import { runOp } from "../src/chunked/scheduler.ts";
import { createInlineExecutor } from "../src/chunked/pool.ts";
import { haloVoxels } from "../src/filters/sigma.ts";
import { createImage } from "../src/io/writer.ts";
import { nearestLevel, openImage, openLevel, spatialVoxelSizeUm } from "../src/io/image.ts";
import { proceduralBytesServed } from "../src/io/procedural_store.ts";
import { createQueueExecutor } from "../src/distributed/queue_executor.ts";
import { dogThresholdKernel, patternUint8Kernel } from "./scale_kernels.ts";
import { measureChunkCosts, workedEstimate } from "./scale_costs.ts";

const kernels = new URL("./scale_kernels.ts", import.meta.url).href;
const repoRoot = new URL("../", import.meta.url).pathname;
const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** Peak resident set of a process (VmHWM), in MiB. */
export function peakRssMiB(pid: number | "self"): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kib = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kib / 1024;
}

/** A procedural volume of `sizeGiB` (z = 256, square xy), 40 nm voxels, 64³ chunks. */
export function volumeOf(sizeGiB: number): string {
  const side = Math.round(Math.sqrt((sizeGiB * GiB) / 256));
  return `procedural://em?seed=7&shape=256,${side},${side}&voxelNm=40,40,40`;
}

/** The DoG + threshold op from a procedural volume to a uint8 mask image. */
export async function dogThresholdOp(location: string, outputPath: string) {
  const image = await openImage(location);
  const shape = image.levels[0]!.shape;
  await createImage(outputPath, {
    axes: ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "nanometer" })),
    shape,
    chunks: [64, 64, 64],
    dtype: "uint8",
    scale: [40, 40, 40],
    levels: 1,
  });
  return mapOverlap({
    name: "dog+threshold",
    kernel: { module: kernels, name: dogThresholdKernel.name },
    inputs: [{ kind: "zarr", location, level: 0 }],
    output: { kind: "zarr", location: outputPath, level: 0 },
    haloVoxels: haloVoxels([1.6, 1.6, 1.6], 4),
    params: { sigmaLow: 1, sigmaHigh: 1.6, threshold: 2 },
    memoryFactor: 3,
  });
}

/** Shape (z = 256, square xy) of a uint8 volume of `sizeGiB`. */
function shapeOf(sizeGiB: number): number[] {
  const side = Math.round(Math.sqrt((sizeGiB * GiB) / 256));
  return [256, side, side];
}

/**
 * Write a uint8 OME-Zarr of `sizeGiB` (raw 128³ chunks) under `dir` with a 2-worker pool, for
 * the `--job pyramid` curve; returns its path.
 */
export async function generateOnDisk(sizeGiB: number, dir: string): Promise<string> {
  const path = join(dir, "input.zarr");
  await createImage(path, {
    axes: ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "nanometer" })),
    shape: shapeOf(sizeGiB),
    chunks: [128, 128, 128],
    dtype: "uint8",
    scale: [40, 40, 40],
    codec: "raw",
    levels: 1,
  });
  await runOp(
    map({
      name: "generate",
      kernel: { module: kernels, name: patternUint8Kernel.name },
      inputs: [],
      output: { kind: "zarr", location: path, level: 0 },
      params: {},
    }),
    { workers: 2, quiet: true, journalDir: false },
  );
  return path;
}

/**
 * A pyramid step as a chunked job: level 0 of the on-disk volume, mean-downsampled 2× per
 * axis into a new zstd image (the real pipeline's pyramid kernel).
 */
export async function pyramidOp(inputPath: string, outputPath: string) {
  const shape = (await openImage(inputPath)).levels[0]!.shape;
  await createImage(outputPath, {
    axes: ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "nanometer" })),
    shape: shape.map((n) => Math.ceil(n / 2)),
    chunks: [64, 64, 64],
    dtype: "uint8",
    scale: [80, 80, 80],
    codec: "zstd",
    compressionLevel: 1,
    levels: 1,
  });
  return map({
    name: "pyramid level",
    kernel: {
      module: new URL("../src/stages/pyramid_op.ts", import.meta.url).href,
      name: "downsampleChunk",
    },
    inputs: [{ kind: "zarr", location: inputPath, level: 0 }],
    output: { kind: "zarr", location: outputPath, level: 0 },
    scale: [2, 2, 2],
    params: { factors: [2, 2, 2], method: "mean" },
  });
}

async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const child = new Deno.Command("/usr/bin/redis-server", {
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 200; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      child.kill("SIGKILL");
      await child.status;
    },
  };
}

/** One point of the curve, run in this (fresh) process; prints JSON. */
async function runPoint(
  sizeGiB: number,
  config: string,
  dir: string,
  input: string | undefined,
): Promise<void> {
  const op = input
    ? await pyramidOp(input, join(dir, "level1.zarr"))
    : await dogThresholdOp(volumeOf(sizeGiB), join(dir, "mask.zarr"));
  const started = performance.now();
  let workerPeakMiB = 0;
  if (config === "queue2") {
    const redis = await startRedis();
    const workers = [0, 1].map(() =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "tasks/worker.ts", "--queue", redis.url, "--quiet"],
        cwd: repoRoot,
        stdout: "null",
        stderr: "inherit",
      }).spawn()
    );
    const executor = createQueueExecutor({ url: redis.url, concurrency: 4 });
    try {
      await runOp(op, { executor, quiet: true, journalDir: false });
      workerPeakMiB = Math.max(...workers.map((w) => peakRssMiB(w.pid)));
    } finally {
      await executor.close();
      for (const worker of workers) {
        worker.kill("SIGTERM");
        await worker.status;
      }
      await redis.stop();
    }
  } else {
    await runOp(op, { workers: config === "pool2" ? 2 : 1, quiet: true, journalDir: false });
  }
  const seconds = (performance.now() - started) / 1000;
  const coordinatorPeakMiB = peakRssMiB("self");
  console.log(JSON.stringify({
    seconds,
    coordinatorPeakMiB,
    peakMiB: Math.max(coordinatorPeakMiB, workerPeakMiB),
  }));
}

/** (a) A count at ~160 nm over a 1 TiB procedural volume: bytes per level, time, RSS. */
async function touchOnlyWhatIsNeeded(): Promise<Figure[]> {
  const location = "procedural://em?seed=1&shape=4096,16384,16384&voxelNm=20,5,5";
  const image = await openImage(location);
  const level = nearestLevel(image, [0.12, 0.12, 0.12]);
  const voxelNm = spatialVoxelSizeUm(image, level).map((v) => v * 1000);
  const logicalBytes = image.levels[0]!.shape.reduce((a, b) => a * b, 1);
  let peak = Deno.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, Deno.memoryUsage().rss)), 50);
  const started = performance.now();
  const result = await runOp(
    reduce({
      name: "dark fraction",
      kernel: { module: kernels, name: "countDarkKernel" },
      merge: { module: kernels, name: "mergeDarkFraction" },
      inputs: [{ kind: "zarr", location, level }],
      params: { below: 110 },
    }),
    // In this thread, so the store's per-level counters see every read.
    { executor: createInlineExecutor({ concurrency: 2 }), quiet: true, journalDir: false },
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  const served = proceduralBytesServed(location);
  const levelBytes = (await openLevel(image, level)).shape.reduce((a, b) => a * b, 1);
  const { dark, voxels } = result.result as { dark: number; voxels: number };
  console.log(
    `(a) level ${level} (${voxelNm.map((v) => v.toFixed(0)).join("×")} nm) of a ` +
      `${(logicalBytes / 2 ** 40).toFixed(2)} TiB volume: dark fraction ${
        (dark / voxels).toFixed(4)
      }, ` +
      `bytes per level ${served.join(", ")}`,
  );
  const figures: Figure[] = served.map((bytes, l) => ({
    name: `(a) bytes read at level ${l}`,
    value: bytes / MiB,
    unit: "MiB",
    baseline: `level ${l} size`,
    baselineValue: image.levels[l]!.shape.reduce((a, b) => a * b, 1) / MiB,
    ratio: bytes / image.levels[l]!.shape.reduce((a, b) => a * b, 1),
  }));
  figures.push(
    {
      name: `(a) bytes read, all levels, count at level ${level}`,
      value: served.reduce((a, b) => a + b, 0) / MiB,
      unit: "MiB",
      baseline: "logical level-0 size",
      baselineValue: logicalBytes / MiB,
      ratio: served.reduce((a, b) => a + b, 0) / logicalBytes,
    },
    {
      name: `(a) time, count over level ${level} (${levelBytes / MiB} MiB)`,
      value: seconds,
      unit: "s",
      baseline: "s per GiB of that level",
      baselineValue: seconds / (levelBytes / GiB),
      ratio: 1,
    },
    {
      name: "(a) peak RSS (sampled)",
      value: peak / MiB,
      unit: "MiB",
      baseline: "level read, MiB",
      baselineValue: levelBytes / MiB,
      ratio: peak / levelBytes,
    },
  );
  return figures;
}

async function point(sizeGiB: number, config: string, input?: string) {
  const dir = await Deno.makeTempDir({ prefix: "clemreg-scale-" });
  try {
    const args = ["run", "-A", new URL(import.meta.url).pathname, "--point", `${sizeGiB}`, config];
    const child = await new Deno.Command(Deno.execPath(), {
      args: [...args, dir, ...(input ? [input] : [])],
      cwd: repoRoot,
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!child.success) throw new Error(`point ${sizeGiB} GiB ${config} failed`);
    const out = JSON.parse(new TextDecoder().decode(child.stdout).trim().split("\n").at(-1)!);
    return out as { seconds: number; peakMiB: number; coordinatorPeakMiB: number };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

interface CurvePoint {
  size: number;
  seconds: number;
  peakMiB: number;
}

/** Figures of one point: time against the previous size (linear), RSS against the first. */
function curveFigures(
  config: string,
  point: CurvePoint,
  before: CurvePoint | undefined,
  base: CurvePoint | undefined,
): Figure[] {
  const { size, seconds, peakMiB } = point;
  const linear = before ? before.seconds * (size / before.size) : seconds;
  return [{
    name: `(b) ${config} ${size} GiB time`,
    value: seconds,
    unit: "s",
    baseline: before ? `${config} ${before.size} GiB × size ratio (linear)` : "itself",
    baselineValue: linear,
    ratio: seconds / linear,
  }, {
    name: `(b) ${config} ${size} GiB peak RSS`,
    value: peakMiB,
    unit: "MiB",
    baseline: base ? `${config} ${base.size} GiB` : "itself",
    baselineValue: base ? base.peakMiB : peakMiB,
    ratio: base ? peakMiB / base.peakMiB : 1,
  }];
}

/**
 * Run more curve points (`SIZE:CONFIG`) and merge them into `bench/results/scale.json`,
 * against the points of the same config already there.
 */
async function addPoints(points: string[]): Promise<Figure[]> {
  const path = new URL("./results/scale.json", import.meta.url);
  const figures = JSON.parse(await Deno.readTextFile(path)) as Figure[];
  const known = (config: string): CurvePoint[] =>
    figures.flatMap((f) => {
      const match = new RegExp(`^\\(b\\) ${config} ([\\d.]+) GiB time$`).exec(f.name);
      if (!match) return [];
      const size = Number(match[1]);
      const rss = figures.find((g) => g.name === `(b) ${config} ${size} GiB peak RSS`);
      return [{ size, seconds: f.value, peakMiB: rss?.value ?? NaN }];
    }).sort((a, b) => a.size - b.size);
  for (const item of points) {
    if (item === "costs") {
      const costs = await measureChunkCosts();
      const fresh = [...costs.figures, ...workedEstimate(costs)];
      const stale = (f: Figure) => f.name.startsWith("per ") || f.name.startsWith("estimate:");
      const at = figures.findIndex(stale);
      const kept = figures.filter((f) => !stale(f));
      kept.splice(at < 0 ? kept.length : at, 0, ...fresh);
      figures.splice(0, figures.length, ...kept);
      continue;
    }
    const [sizeText, config] = item.split(":");
    const size = Number(sizeText);
    const result = await point(size, config!);
    console.log(
      `(b) ${size} GiB ${config}: ${result.seconds.toFixed(1)} s, peak ${
        result.peakMiB.toFixed(0)
      } MiB`,
    );
    const others = known(config!).filter((p) => p.size !== size);
    const before = others.filter((p) => p.size < size).at(-1);
    const base = others[0] && others[0].size < size ? others[0] : undefined;
    const added = curveFigures(config!, { size, ...result }, before, base);
    for (const figure of added) {
      const at = figures.findIndex((f) => f.name === figure.name);
      if (at >= 0) figures[at] = figure;
      else {
        const last = figures.findLastIndex((f) => f.name.startsWith("(b) "));
        figures.splice(last + 1, 0, figure);
      }
    }
  }
  return figures;
}

/** (b) The scaling curve. */
async function scalingCurve(sizes: number[], budgetSeconds: number): Promise<Figure[]> {
  const figures: Figure[] = [];
  const started = performance.now();
  const configs = ["pool1", "pool2", "queue2"];
  const first = new Map<string, { size: number; seconds: number; peakMiB: number }>();
  const previous = new Map<string, { size: number; seconds: number; peakMiB: number }>();
  for (const size of sizes) {
    for (const config of configs) {
      const spent = (performance.now() - started) / 1000;
      const last = previous.get(config);
      const projected = last ? last.seconds * (size / last.size) : 0;
      if (spent + projected > budgetSeconds) {
        console.log(
          `(b) skipped ${size} GiB ${config}: projected ${projected.toFixed(0)} s, budget left ${
            (budgetSeconds - spent).toFixed(0)
          } s`,
        );
        continue;
      }
      const result = await point(size, config);
      console.log(
        `(b) ${size} GiB ${config}: ${result.seconds.toFixed(1)} s, peak ${
          result.peakMiB.toFixed(0)
        } MiB`,
      );
      const base = first.get(config);
      if (!base) first.set(config, { size, ...result });
      const before = previous.get(config);
      previous.set(config, { size, ...result });
      figures.push(...curveFigures(config, { size, ...result }, before, base));
    }
  }
  return figures;
}

/**
 * (c) The scaling curve of a pyramid step over uint8 volumes written to disk (raw 128³ chunks),
 * one volume per size shared by the three configurations, deleted afterwards.
 */
async function pyramidCurve(sizes: number[]): Promise<Figure[]> {
  const figures: Figure[] = [];
  const first = new Map<string, CurvePoint>();
  const previous = new Map<string, CurvePoint>();
  for (const size of sizes) {
    const dir = await Deno.makeTempDir({ prefix: "clemreg-curve-" });
    try {
      const t0 = performance.now();
      const input = await generateOnDisk(size, dir);
      const generateS = (performance.now() - t0) / 1000;
      console.log(`(c) generated ${size} GiB on disk in ${generateS.toFixed(1)} s`);
      for (const config of ["pool1", "pool2", "queue2"]) {
        const result = await point(size, config, input);
        console.log(
          `(c) ${size} GiB ${config}: ${result.seconds.toFixed(1)} s, peak ${
            result.peakMiB.toFixed(0)
          } MiB`,
        );
        const here = { size, ...result };
        const curve = curveFigures(
          `pyramid ${config}`,
          here,
          previous.get(config),
          first.get(config),
        )
          .map((f) => ({ ...f, name: f.name.replace("(b)", "(c)") }));
        figures.push(...curve);
        if (!first.has(config)) first.set(config, here);
        previous.set(config, here);
      }
      const one = previous.get("pool1")!, two = previous.get("pool2")!;
      figures.push({
        name: `(c) pyramid ${size} GiB, 2 workers vs 1`,
        value: size * 1024 / two.seconds,
        unit: "MiB/s",
        baseline: "1 worker",
        baselineValue: size * 1024 / one.seconds,
        ratio: one.seconds / two.seconds,
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  return figures;
}

if (import.meta.main) {
  if (Deno.args[0] === "--point") {
    await runPoint(Number(Deno.args[1]), Deno.args[2]!, Deno.args[3]!, Deno.args[4]);
  } else {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        sizes: { type: "string" },
        "budget-s": { type: "string" },
        add: { type: "string" },
        curve: { type: "string" },
      },
    });
    if (values.curve === "pyramid") {
      const sizes = (values.sizes ?? "0.25,1,4,16").split(",").map(Number);
      await writeResults("scale_curve", await pyramidCurve(sizes));
      Deno.exit(0);
    }
    if (values.add) {
      await writeResults("scale", await addPoints(values.add.split(",")));
      Deno.exit(0);
    }
    const sizes = (values.sizes ?? "0.0625,0.25,1").split(",").map(Number);
    const budget = Number(values["budget-s"] ?? 780);
    const figures = await touchOnlyWhatIsNeeded();
    const costs = await measureChunkCosts();
    figures.push(...costs.figures);
    figures.push(...await scalingCurve(sizes, budget));
    figures.push(...workedEstimate(costs));
    await writeResults("scale", figures);
  }
}
