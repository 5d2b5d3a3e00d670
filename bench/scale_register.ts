/**
 * Register a logically 1 TB procedural EM: `deno run -A bench/scale_register.ts [--side 10240]
 * [--voxel-nm 5] [--keep DIR]`. The EM is `procedural://em?…` (side³ uint8 voxels, generated on
 * demand), its mitochondria mask `procedural://em-labels?…` is given as `em.labels`, and a
 * synthetic FM with a known rigid transform is simulated from that mask rendered at 160 nm.
 * The whole pipeline (`register`) runs with chunk tasks in this thread, so the procedural
 * stores' counters see every read: the figures are the bytes read per level of the EM and of
 * its labels, the wall time, the peak RSS and the TRE. Writes `bench/results/scale_register.json`.
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Figure, writeResults } from "./report.ts";
import { createInlineExecutor } from "../src/chunked/pool.ts";
import { parseConfig } from "../src/config/load.ts";
import { openImage } from "../src/io/image.ts";
import { proceduralBytesServed, resetProceduralCounters } from "../src/io/procedural_store.ts";
import { register } from "../src/pipeline/register.ts";
import { labelsFromProcedural } from "../src/sample/from_procedural.ts";
import { generateSample } from "../src/sample/generate.ts";

const MiB = 2 ** 20;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    side: { type: "string", default: "10240" },
    "voxel-nm": { type: "string", default: "5" },
    keep: { type: "string" },
  },
});
const side = Number(values.side), voxelNm = Number(values["voxel-nm"]);
const query = `seed=3&shape=${side},${side},${side}&voxelNm=${voxelNm},${voxelNm},${voxelNm}`;
const emLocation = `procedural://em?${query}`;
const labelsLocation = `procedural://em-labels?${query}`;
const dir = values.keep ?? await Deno.makeTempDir({ prefix: "clemreg-scale-register-" });
const logicalBytes = side ** 3;
console.log(
  `EM ${side}³ uint8 at ${voxelNm} nm (${(logicalBytes / 1e12).toFixed(2)} TB, ${
    (side * voxelNm / 1000).toFixed(1)
  } µm a side)`,
);

let t0 = performance.now();
const rendered = labelsFromProcedural(labelsLocation, [0.16, 0.16, 0.16]);
const sample = await generateSample({
  out: join(dir, "sample"),
  seed: 3,
  transform: "rigid",
  labels: { ...rendered, source: labelsLocation },
  fmVoxelSizeUm: [0.3, 0.15, 0.15],
  lysosomes: 200,
});
const sampleSeconds = (performance.now() - t0) / 1000;
console.log(
  `sample: ${rendered.count} mitochondria at 160 nm, FM ${sample.fmGrid.shape.join("×")} in ${
    sampleSeconds.toFixed(1)
  } s`,
);

const config = parseConfig({
  fm: { path: "sample/fm.zarr", channel: "mitochondria" },
  em: { path: emLocation, labels: labelsLocation },
  registration: { method: "rigid" },
  output: { path: "out" },
}, { file: join(dir, "config.yaml"), baseDir: dir });
resetProceduralCounters();
let peak = Deno.memoryUsage().rss;
const timer = setInterval(() => (peak = Math.max(peak, Deno.memoryUsage().rss)), 100);
t0 = performance.now();
const result = await register(config, {
  truth: join(dir, "sample", "truth.json"),
  // chunk tasks in this thread: the procedural stores' byte counters see every read
  executor: createInlineExecutor({ concurrency: 2 }),
  quiet: true,
});
const seconds = (performance.now() - t0) / 1000;
clearInterval(timer);
peak = Math.max(peak, Deno.memoryUsage().rss);

const figures: Figure[] = [];
for (const [name, location] of [["EM", emLocation], ["EM labels", labelsLocation]] as const) {
  const image = await openImage(location);
  const served = proceduralBytesServed(location);
  served.forEach((bytes, level) => {
    const levelBytes = image.levels[level]!.shape.reduce((a, b) => a * b, 1);
    if (bytes === 0 && level > 0 && level < served.length - 1 && served[level - 1] === 0) return;
    const size = image.levels[level]!.shape.join("×");
    figures.push({
      name: `${name}: bytes read at level ${level} (${size})`,
      value: bytes / MiB,
      unit: "MiB",
      baseline: "level size",
      baselineValue: levelBytes / MiB,
      ratio: bytes / levelBytes,
    });
  });
  const total = served.reduce((a, b) => a + b, 0);
  figures.push({
    name: `${name}: bytes read, all levels`,
    value: total / MiB,
    unit: "MiB",
    baseline: "logical level-0 size",
    baselineValue: logicalBytes / MiB,
    ratio: total / logicalBytes,
  });
}
const tre = result.metrics.treNm as { mitochondria: number; lysosomes: number | null } | undefined;
figures.push(
  {
    name: "register wall time (chunk tasks on 1 thread)",
    value: seconds,
    unit: "s",
    baseline: "simulating the FM sample",
    baselineValue: sampleSeconds,
    ratio: seconds / sampleSeconds,
  },
  {
    name: "register peak RSS (sampled)",
    value: peak / MiB,
    unit: "MiB",
    baseline: "logical EM size",
    baselineValue: logicalBytes / MiB,
    ratio: peak / logicalBytes,
  },
  {
    name: "TRE, mitochondria centroids",
    value: tre?.mitochondria ?? NaN,
    unit: "nm",
    baseline: "FM lateral voxel",
    baselineValue: 150,
    ratio: (tre?.mitochondria ?? NaN) / 150,
  },
);
// the steps behind the TRE: the first CPD pass, and the multi-start search it started from
const bySteps = result.metrics.treNmBySteps as Record<string, { mitochondria: number }> | undefined;
const firstPass = (result.metrics.cpd as {
  firstPass?: { rigid?: { multiStart?: { sampleSize: number } } };
} | undefined)?.firstPass;
figures.push(
  {
    name: "TRE after the first CPD pass (before the FM-frame pass)",
    value: bySteps?.["pass 1"]?.mitochondria ?? NaN,
    unit: "nm",
    baseline: "final TRE",
    baselineValue: tre?.mitochondria ?? NaN,
    ratio: (bySteps?.["pass 1"]?.mitochondria ?? NaN) / (tre?.mitochondria ?? NaN),
  },
  {
    name: "points per cloud of the multi-start search that decided",
    value: firstPass?.rigid?.multiStart?.sampleSize ?? NaN,
    unit: "points",
    baseline: "screening sample",
    baselineValue: 150,
    ratio: (firstPass?.rigid?.multiStart?.sampleSize ?? NaN) / 150,
  },
);
console.log(`register: ${seconds.toFixed(1)} s, peak ${(peak / MiB).toFixed(0)} MiB`);
await writeResults("scale_register", figures);
if (!values.keep) await Deno.remove(dir, { recursive: true });
