/**
 * Peak memory of a whole FM segmentation job (DoG + per-slice threshold + labels across
 * chunks + size filter, `segmentFm`) over generated float32 volumes of growing size: the
 * peak RSS must stay flat while the volume grows, and time should grow linearly. Each size
 * runs in a fresh process (with the V8 flags of the tasks); the baseline is the smallest size
 * in the same run. With `--repeat N` each size runs N times and the medians are reported (the
 * peak of one run varies by ±10 % on a busy host).
 * Run: `MALLOC_ARENA_MAX=2 deno task bench memory [--sizes 0.25,1,4] [--repeat 3]` (GiB of
 * float32 input).
 * @module
 */
import { join } from "node:path";
import { map } from "../src/chunked/ops.ts";
import { createWorkerPool } from "../src/chunked/pool.ts";
import { runOp } from "../src/chunked/scheduler.ts";
import type { KernelContext, KernelResult, TaskExecutor } from "../src/chunked/types.ts";
import { createImage } from "../src/io/writer.ts";
import { segmentFm } from "../src/stages/fm_segmentation.ts";
import { type Figure, writeResults } from "./report.ts";

const lateral = 512;
const chunks = [64, 128, 128];

/** Chunk kernel: FM-like blobs (bright spheres on a lattice) plus a smooth background. */
export function fmPattern(
  _inputs: unknown[],
  _params: unknown,
  context: KernelContext,
): KernelResult {
  const { start, stop } = context.outputBox;
  const [z0, y0, x0] = start as [number, number, number];
  const [z1, y1, x1] = stop as [number, number, number];
  const out = new Float32Array((z1 - z0) * (y1 - y0) * (x1 - x0));
  let i = 0;
  for (let z = z0; z < z1; z++) {
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const dz = (z % 24) - 12, dy = (y % 40) - 20, dx = (x % 40) - 20;
        const blob = Math.exp(-(dz * dz / 18 + dy * dy / 30 + dx * dx / 30));
        out[i++] = 100 + 900 * blob + 20 * Math.sin(x * 0.013 + y * 0.007);
      }
    }
  }
  return { output: out };
}

/**
 * Write the benchmark's FM volume (depth × 512 × 512 float32, raw 64 × 128 × 128 chunks) to
 * `dir/fm.zarr` with the given pool; also used by `memory_trace.ts`.
 * @returns the volume's level-0 array location
 */
export async function writeFmVolume(depth: number, dir: string, executor: TaskExecutor) {
  const location = join(dir, "fm.zarr");
  await createImage(location, {
    axes: ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "micrometer" })),
    shape: [depth, lateral, lateral],
    chunks,
    dtype: "float32",
    scale: [0.13, 0.035, 0.035],
    levels: 1,
    codec: "raw",
  });
  const array = { kind: "zarr" as const, location, level: 0 };
  await runOp(
    map({
      name: "generate",
      kernel: { module: import.meta.url, name: "fmPattern" },
      inputs: [],
      output: array,
    }),
    { executor, quiet: true, journalDir: false },
  );
  return array;
}

/**
 * The V8 flags the long-running tasks run with (read from the `segment-fm` task in `deno.json`),
 * so that the job measured here runs as users run it.
 */
export function taskV8Flags(): string[] {
  const config = JSON.parse(
    Deno.readTextFileSync(new URL("../deno.json", import.meta.url)),
  ) as { tasks: Record<string, string> };
  return config.tasks["segment-fm"]!.split(/\s+/).filter((arg) => arg.startsWith("--v8-flags="));
}

async function child(depth: number, dir: string): Promise<void> {
  const pool = createWorkerPool({ size: 2 });
  const array = await writeFmVolume(depth, dir, pool);
  let peak = Deno.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, Deno.memoryUsage().rss)), 100);
  const started = performance.now();
  const { summary } = await segmentFm(
    { array, voxelSizeUm: [0.13, 0.035, 0.035] },
    { output: join(dir, "labels.zarr"), executor: pool, quiet: true, memoryBytes: 512 * 2 ** 20 },
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  await pool.close();
  console.log(
    JSON.stringify({
      peak: Math.max(peak, Deno.memoryUsage().rss),
      seconds,
      objects: summary.count,
    }),
  );
}

if (import.meta.main) {
  if (Deno.args[0] === "--child") {
    await child(Number(Deno.args[1]), Deno.args[2]!);
  } else {
    const sizesFlag = Deno.args.indexOf("--sizes");
    const sizes = (sizesFlag >= 0 ? Deno.args[sizesFlag + 1]! : "0.25,1,4").split(",").map(Number);
    const repeatFlag = Deno.args.indexOf("--repeat");
    const repeat = Math.max(1, repeatFlag >= 0 ? Number(Deno.args[repeatFlag + 1]) : 1);
    const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1]!;
    const runs: { gib: number; peak: number; seconds: number; objects: number }[] = [];
    for (const gib of sizes) {
      const depth = Math.round((gib * 2 ** 30) / (4 * lateral * lateral));
      const tries: { peak: number; seconds: number; objects: number }[] = [];
      for (let attempt = 0; attempt < repeat; attempt++) {
        const dir = await Deno.makeTempDir({ prefix: "clemreg-memory-" });
        try {
          const result = await new Deno.Command(Deno.execPath(), {
            args: [
              "run",
              "-A",
              ...taskV8Flags(),
              new URL(import.meta.url).pathname,
              "--child",
              String(depth),
              dir,
            ],
            stderr: "inherit",
          }).output();
          if (!result.success) throw new Error(`memory bench child for ${gib} GiB failed`);
          const run = JSON.parse(new TextDecoder().decode(result.stdout));
          console.log(
            `${gib} GiB: peak RSS ${(run.peak / 2 ** 20).toFixed(0)} MiB, ${
              run.seconds.toFixed(1)
            } s, ${run.objects} objects`,
          );
          tries.push(run);
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      }
      runs.push({
        gib,
        peak: median(tries.map((t) => t.peak)),
        seconds: median(tries.map((t) => t.seconds)),
        objects: tries[0]!.objects,
      });
    }
    const first = runs[0]!;
    const figures: Figure[] = runs.slice(1).flatMap((run) => [
      {
        name: `FM segmentation job peak RSS, ${run.gib} GiB volume${
          repeat > 1 ? ` (median of ${repeat})` : ""
        }`,
        value: run.peak / 2 ** 20,
        unit: "MiB",
        baseline: `${first.gib} GiB volume`,
        baselineValue: first.peak / 2 ** 20,
        ratio: run.peak / first.peak,
      },
      {
        name: `FM segmentation job time per GiB, ${run.gib} GiB volume`,
        value: run.seconds / run.gib,
        unit: "s/GiB",
        baseline: `${first.gib} GiB volume`,
        baselineValue: first.seconds / first.gib,
        ratio: (run.seconds / run.gib) / (first.seconds / first.gib),
      },
    ]);
    await writeResults("memory", figures);
  }
}
