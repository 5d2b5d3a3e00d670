/**
 * End-to-end `register()` on generated samples: wall time, peak RSS (sampled every 100 ms
 * by a worker thread of the same process, so a busy main thread cannot hide a peak) and TRE.
 * Each case runs in a fresh child process, so peaks do not carry over between cases.
 * Cases: small rigid, small affine, medium rigid, and the sample built from
 * `../shared/data/em-hela/em_mask.tif` (20 nm labels, 40 nm EM, axis tilt 5°; skipped with a
 * message when absent); `--quick` runs only the two small ones. About 4-5 minutes in all on
 * 2 busy cores.
 * Baselines, measured in the same child: time ratio = register seconds ÷ seconds to
 * generate that sample; RSS ratio = peak RSS ÷ bytes of the uncompressed inputs (EM, EM
 * labels, FM); TRE ratio = TRE after ÷ RMS test-point distance before registration.
 * Run: `deno run -A bench/register_bench.ts [--quick]`.
 * @module
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parseConfig } from "../src/config/load.ts";
import { openImage } from "../src/io/image.ts";
import { bytesPerElement } from "../src/io/dtype.ts";
import { register } from "../src/pipeline/register.ts";
import { generateSample, type SampleOptions } from "../src/sample/generate.ts";
import { type Figure, writeResults } from "./report.ts";

interface Case {
  sample: Omit<SampleOptions, "out">;
  method: "rigid" | "affine";
  /** The TRE target in nm. */
  targetNm: number;
}

const repoRoot = new URL("..", import.meta.url).pathname;
const emMask = path.join(
  Deno.env.get("CLEMREG_DATA") ?? path.join(repoRoot, "../shared/data"),
  "em-hela/em_mask.tif",
);
const CASES: Record<string, Case> = {
  "small rigid": {
    sample: { size: "small", transform: "rigid", seed: 3 },
    method: "rigid",
    targetNm: 50,
  },
  "small affine": {
    sample: { size: "small", transform: "affine", seed: 5 },
    method: "affine",
    targetNm: 70,
  },
  "medium rigid": {
    sample: { size: "medium", transform: "rigid", seed: 3 },
    method: "rigid",
    targetNm: 50,
  },
  "em_mask rigid": {
    sample: {
      transform: "rigid",
      seed: 1,
      fromLabels: emMask,
      labelVoxelSizeUm: [0.02, 0.02, 0.02],
      emVoxelSizeUm: [0.04, 0.04, 0.04],
      axisTiltDeg: 5,
    },
    method: "rigid",
    targetNm: 50,
  },
};

/** What one child reports. */
interface CaseResult {
  generateSeconds: number;
  registerSeconds: number;
  peakRssBytes: number;
  generatePeakRssBytes: number;
  inputBytes: number;
  emShape: number[];
  treNm: { mitochondria: number; lysosomes: number | null };
  initialTreNm: number;
  timings: Record<string, number>;
  load: string;
}

const load = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
const { values } = parseArgs({
  args: Deno.args,
  options: {
    case: { type: "string" },
    quick: { type: "boolean" },
  },
});
if (values.case) {
  const result = await runCase(CASES[values.case]!);
  console.log(`RESULT ${JSON.stringify(result)}`);
} else {
  await runAll();
}

/** Parent: run each case in a child process, then print and save the figures. */
async function runAll(): Promise<void> {
  const names = ["small rigid", "small affine"];
  if (!values.quick) {
    names.push("medium rigid");
    const present = await Deno.stat(emMask).then(() => true, () => false);
    if (present) names.push("em_mask rigid");
    else console.log(`skipping the em_mask sample: ${emMask} not found (set CLEMREG_DATA)`);
  }
  const figures: Figure[] = [];
  const rows: string[] = [];
  for (const name of names) {
    console.log(`[register bench] ${name}… (load ${load()})`);
    const child = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL(import.meta.url).pathname, "--case", name],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    const line = new TextDecoder().decode(child.stdout).split("\n").find((l) =>
      l.startsWith("RESULT ")
    );
    if (child.code !== 0 || !line) {
      console.log(`case ${name} failed (exit ${child.code})`);
      continue;
    }
    const r = JSON.parse(line.slice(7)) as CaseResult;
    const mib = (bytes: number) => bytes / 2 ** 20;
    const em = r.emShape.join("×");
    figures.push({
      name: `${name} (EM ${em}): register time`,
      value: r.registerSeconds,
      unit: "s",
      baseline: "generate the sample",
      baselineValue: r.generateSeconds,
      ratio: r.registerSeconds / r.generateSeconds,
    });
    figures.push({
      name: `${name}: peak RSS during register`,
      value: mib(r.peakRssBytes),
      unit: "MiB",
      baseline: "uncompressed inputs (MiB)",
      baselineValue: mib(r.inputBytes),
      ratio: r.peakRssBytes / r.inputBytes,
    });
    figures.push({
      name: `${name}: TRE mitochondria (target ${CASES[name]!.targetNm} nm)`,
      value: r.treNm.mitochondria,
      unit: "nm",
      baseline: "RMS before registration",
      baselineValue: r.initialTreNm,
      ratio: r.treNm.mitochondria / r.initialTreNm,
    });
    const stages = Object.entries(r.timings).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ");
    rows.push(
      `| ${name} | ${em} | ${r.registerSeconds.toFixed(1)} s | ${
        r.generateSeconds.toFixed(1)
      } s | ` +
        `${mib(r.peakRssBytes).toFixed(0)} MiB | ${mib(r.inputBytes).toFixed(0)} MiB | ` +
        `${r.treNm.mitochondria.toFixed(1)} nm | ${
          r.treNm.lysosomes?.toFixed(1) ?? "—"
        } nm | ${r.load} |`,
    );
    console.log(`  stages (s): ${stages}`);
  }
  console.log(
    "\n| case | EM shape | register | generate | peak RSS | inputs | TRE mito | TRE lyso | load |\n" +
      "|---|---|---|---|---|---|---|---|---|\n" + rows.join("\n") + "\n",
  );
  await writeResults("register", figures);
}

/** Child: generate the sample, register it, measure. */
async function runCase(c: Case): Promise<CaseResult> {
  const sampler = startRssSampler();
  const folder = await Deno.makeTempDir({ prefix: "clemreg-register-bench-" });
  try {
    const sampleDir = path.join(folder, "sample");
    let started = performance.now();
    await generateSample({ out: sampleDir, ...c.sample });
    const generateSeconds = (performance.now() - started) / 1000;
    const generatePeakRssBytes = await sampler.peak(true);
    const config = parseConfig({
      fm: { path: "sample/fm.zarr", channel: "mitochondria" },
      em: { path: "sample/em.zarr", labels: "sample/em_labels.zarr" },
      registration: { method: c.method },
      output: { path: "out" },
      resources: { workers: 2 },
    }, { baseDir: folder });
    started = performance.now();
    const truth = path.join(sampleDir, "truth.json");
    const result = await register(config, { truth, quiet: true });
    const registerSeconds = (performance.now() - started) / 1000;
    const peakRssBytes = await sampler.peak(false);
    let inputBytes = 0;
    let emShape: number[] = [];
    for (const name of ["em.zarr", "em_labels.zarr", "fm.zarr"]) {
      const level = (await openImage(path.join(sampleDir, name))).levels[0]!;
      inputBytes += level.shape.reduce((a, b) => a * b, 1) * bytesPerElement(level.dtype);
      if (name === "em.zarr") emShape = level.shape;
    }
    const points = JSON.parse(await Deno.readTextFile(truth)).testPoints as {
      fm: number[][];
      em: number[][];
    };
    const squares = points.fm.map((p, i) =>
      p.reduce((s, v, a) => s + (v - points.em[i]![a]!) ** 2, 0)
    );
    const initialTreNm = Math.sqrt(squares.reduce((a, b) => a + b, 0) / squares.length) * 1000;
    return {
      generateSeconds,
      registerSeconds,
      peakRssBytes,
      generatePeakRssBytes,
      inputBytes,
      emShape,
      treNm: result.metrics.treNm as CaseResult["treNm"],
      initialTreNm,
      timings: result.metrics.timingsSeconds as Record<string, number>,
      load: load(),
    };
  } finally {
    sampler.stop();
    await Deno.remove(folder, { recursive: true });
  }
}

/** A worker thread that samples the process's RSS every 100 ms and keeps the peak. */
function startRssSampler(): { peak(reset: boolean): Promise<number>; stop(): void } {
  const code = `let peak = 0;
const tick = () => { const rss = Deno.memoryUsage().rss; if (rss > peak) peak = rss; };
tick();
setInterval(tick, 100);
self.onmessage = (event) => { tick(); self.postMessage(peak); if (event.data === "reset") peak = 0; };`;
  const url = URL.createObjectURL(new Blob([code], { type: "application/javascript" }));
  const worker = new Worker(url, { type: "module" });
  return {
    peak: (reset) =>
      new Promise((resolve) => {
        worker.onmessage = (event: MessageEvent<number>) => resolve(event.data);
        worker.postMessage(reset ? "reset" : "peek");
      }),
    stop: () => worker.terminate(),
  };
}
