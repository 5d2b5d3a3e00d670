/**
 * CPD benchmark: the streamed E-step and whole registrations against a naive dense CPD
 * (textbook E-step with `Math.exp`, no truncation, no coarse stages, no multi-start) measured
 * in the same run. `deno run -A bench/cpd_bench.ts [--quick]`.
 *
 * Naive figures marked "est." are a measured time per iteration (N = 5,000: two real
 * iterations; larger N: the measured ns/pair × N·M) × the naive iteration count measured at
 * N = 1,000: running them would take minutes to hours.
 * @module
 */
import { type Figure, writeResults } from "./report.ts";
import {
  cpd,
  cpdParallel,
  createEStepBuffers,
  eStepDense,
  EStepPool,
  type EStepRequest,
  type EStepTotals,
  sampleSurfaceCloud,
  transformPointsAffine,
} from "../src/cpd/mod.ts";
import { AffineModel } from "../src/cpd/affine.ts";
import { type EmSteps, emSteps } from "../src/cpd/em.ts";
import { fitNonrigid } from "../src/cpd/nonrigid.ts";
import { normalizePoints } from "../src/cpd/normalize.ts";
import { RigidModel } from "../src/cpd/rigid.ts";
import { rotationMatrix } from "../src/cpd/synthetic.ts";

const quick = Deno.args.includes("--quick");
/** Naive dense E-step cost, measured in section 1, used for the estimates. */
let naiveNsPerPair = 0;
const figures: Figure[] = [];
function add(name: string, value: number, unit: string, baseline: string, baselineValue: number) {
  // times: ratio > 1 means faster than the baseline
  figures.push({ name, value, unit, baseline, baselineValue, ratio: baselineValue / value });
  console.log(
    `${name}: ${value.toPrecision(4)} ${unit} | ${baseline}: ${baselineValue.toPrecision(4)}`,
  );
}

/** Textbook E-step: Math.exp on every pair, explicit two passes. */
function naiveEStep({ buffers, sigma2, w }: EStepRequest): EStepTotals {
  const { fixed, fixedCount: n, moving, movingCount: m, p1, pt1, px, rowWeight } = buffers;
  const c = Math.pow(2 * Math.PI * sigma2, 1.5) * (w / (1 - w)) * (m / n);
  let np = 0, logSum = 0;
  for (let i = 0; i < n; i++) {
    let den = 0;
    for (let j = 0; j < m; j++) {
      const dx = fixed[i]! - moving[j]!, dy = fixed[i + n]! - moving[j + m]!;
      const dz = fixed[i + 2 * n]! - moving[j + 2 * m]!;
      const k = Math.exp(-(dx * dx + dy * dy + dz * dz) / (2 * sigma2));
      rowWeight[j] = k;
      den += k;
    }
    logSum += Math.log(Math.max(den + c, 1e-300));
    pt1[i] = den / (den + c);
    np += pt1[i]!;
    for (let j = 0; j < m; j++) {
      const p = rowWeight[j]! / (den + c);
      p1[j]! += p;
      px[j]! += p * fixed[i]!;
      px[j + m]! += p * fixed[i + n]!;
      px[j + 2 * m]! += p * fixed[i + 2 * n]!;
    }
  }
  const offset = n * Math.log((1 - w) / (m * Math.pow(2 * Math.PI * sigma2, 1.5)));
  return { np, logLikelihood: logSum + offset, pairs: n * m, truncationError: 0 };
}

function driveNaive<T>(steps: EmSteps<T>): T {
  let next = steps.next();
  while (!next.done) next = steps.next(naiveEStep(next.value));
  return next.value;
}

const emOptions = {
  w: 0.1,
  maxIterations: 150,
  tolerance: 1e-5,
  sigma2Floor: 1e-10,
  truncation: "never" as const,
  truncationTolerance: 1e-6,
};

/**
 * Naive CPD from the identity (the bench case is a 30° rotation, within its basin), capped at
 * `maxIterations`; returns the time per iteration too.
 */
function naiveLinear(
  moving: Float64Array,
  fixed: Float64Array,
  method: "rigid" | "affine",
  maxIterations = emOptions.maxIterations,
) {
  const m = normalizePoints(moving), f = normalizePoints(fixed);
  const model = method === "rigid" ? new RigidModel(m.planar, null) : new AffineModel(m.planar);
  const t0 = performance.now();
  const run = driveNaive(emSteps(f.planar, model, { ...emOptions, maxIterations }));
  const ms = performance.now() - t0;
  return { ms, iterations: run.iterations, msPerIteration: ms / Math.max(run.iterations, 1) };
}

function makeCase(count: number) {
  const r = rotationMatrix([1, 2, 3], 30);
  const matrix = Float64Array.of(
    ...[0, 1, 2].flatMap((i) => [r[3 * i]! * 1.2, r[3 * i + 1]! * 1.2, r[3 * i + 2]! * 1.2, i]),
    0,
    0,
    0,
    1,
  );
  const cloud = { noise: 0.01, outlierFraction: 0.1 };
  return {
    moving: transformPointsAffine(matrix, sampleSurfaceCloud(count, 22, cloud)),
    fixed: sampleSurfaceCloud(count, 11, cloud),
  };
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

// 1. E-step ns per pair, dense (σ² large: every pair evaluated).
const eN = quick ? 2000 : 5000;
{
  const { moving, fixed } = makeCase(eN);
  const x = normalizePoints(fixed).planar, y = normalizePoints(moving).planar;
  const buffers = createEStepBuffers(x, y);
  const request: EStepRequest = { buffers, sigma2: 0.5, w: 0.1, radius: null };
  let ours = Infinity, naive = Infinity, pooled = Infinity;
  eStepDense(buffers, 0.5, 0.1); // warm-up: V8 compiles WebAssembly in tiers
  for (let rep = 0; rep < 5; rep++) {
    buffers.p1.fill(0);
    buffers.px.fill(0);
    ours = Math.min(ours, time(() => eStepDense(buffers, 0.5, 0.1)).ms);
    buffers.p1.fill(0);
    buffers.px.fill(0);
    naive = Math.min(naive, time(() => naiveEStep(request)).ms);
  }
  const pool = new EStepPool(2);
  for (let rep = 0; rep < 4; rep++) {
    buffers.p1.fill(0);
    buffers.px.fill(0);
    const t0 = performance.now();
    await pool.run(request);
    if (rep > 0) pooled = Math.min(pooled, performance.now() - t0);
  }
  pool.close();
  const pairs = eN * eN;
  add(
    `E-step dense, 1 thread, N=M=${eN}`,
    (ours * 1e6) / pairs,
    "ns/pair",
    "naive Math.exp loop",
    (naive * 1e6) / pairs,
  );
  add(
    `E-step dense, 2 workers, N=M=${eN}`,
    (pooled * 1e6) / pairs,
    "ns/pair",
    "ours, 1 thread",
    (ours * 1e6) / pairs,
  );
  naiveNsPerPair = (naive * 1e6) / pairs;
}

// 2. Rigid and affine time to converge.
const naiveIterations: Record<string, number> = {};
for (const method of ["rigid", "affine"] as const) {
  for (const count of quick ? [1000, 5000] : [1000, 5000, 20000]) {
    const { moving, fixed } = makeCase(count);
    const ours = time(() => cpd(moving, fixed, { method }));
    const parallel = await (async () => {
      const t0 = performance.now();
      await cpdParallel(moving, fixed, { method, workers: 2 });
      return performance.now() - t0;
    })();
    let naiveMs: number, label: string;
    if (count <= 1000) {
      const naive = naiveLinear(moving, fixed, method);
      naiveMs = naive.ms;
      naiveIterations[method] = naive.iterations;
      label = `naive dense (${naive.iterations} it)`;
    } else {
      // measured time per iteration × the iteration count the naive run needed at N = 1,000
      const it = naiveIterations[method] ?? 50;
      const perIteration = count <= 5000
        ? naiveLinear(moving, fixed, method, 2).msPerIteration
        : (naiveNsPerPair * count * count) / 1e6;
      naiveMs = perIteration * it;
      label = `naive dense, est. ${it} it`;
    }
    add(
      `${method} N=M=${count}, 1 thread (incl. multi-start)`,
      ours.ms / 1000,
      "s",
      label,
      naiveMs / 1000,
    );
    add(`${method} N=M=${count}, 2 workers`, parallel / 1000, "s", label, naiveMs / 1000);
  }
}

// 3. Rigid at 100,000 (ours only; naive estimated).
if (!quick) {
  const count = 100000;
  const { moving, fixed } = makeCase(count);
  const t0 = performance.now();
  const result = await cpdParallel(moving, fixed, { method: "rigid", workers: 2 });
  const ms = performance.now() - t0;
  const it = naiveIterations.rigid ?? 50;
  add(
    `rigid N=M=100000, 2 workers (${result.iterations} it)`,
    ms / 1000,
    "s",
    `naive dense, est. ${it} it`,
    (naiveNsPerPair * count * count * it) / 1e9,
  );
}

// 4. Non-rigid: ours end to end vs the non-rigid stage alone with the naive E-step.
for (const count of quick ? [2000] : [2000, 20000]) {
  const { moving, fixed: base } = makeCase(count);
  const fixed = base.map((v, i) => (i % 3 === 0 ? v + 0.1 * Math.sin(2.5 * base[i + 1]!) : v));
  const ours = time(() => cpd(moving, fixed, { method: "nonrigid" }));
  const aligned = transformPointsAffine(ours.value.matrix, moving);
  const f = normalizePoints(fixed);
  const options = { ...emOptions, maxIterations: 100, beta: 2, lambda: 2, seed: 1 };
  let naiveMs: number, label: string;
  if (count <= 2000) {
    const naive = time(() => driveNaive(fitNonrigid(aligned, f.planar, f.normalization, options)));
    naiveMs = naive.ms;
    label = `naive dense E-step, non-rigid stage only (${naive.value.run.iterations} it)`;
  } else {
    naiveMs = (naiveNsPerPair * count * count * 100) / 1e6;
    label = "naive dense E-step, est. 100 it";
  }
  add(
    `non-rigid N=M=${count}, 1 thread (${ours.value.iterations} it, incl. affine)`,
    ours.ms / 1000,
    "s",
    label,
    naiveMs / 1000,
  );
}

// 5. E-step working memory at N = M = 20,000: streamed buffers vs an M×N posterior matrix.
{
  const n = 20000, m = 20000;
  const streamed = 8 * (m + n + 3 * m + m) + 4 * m + 8 * 3 * (m + n);
  add(
    "E-step memory, N=M=20000",
    streamed / 2 ** 20,
    "MiB",
    "dense M×N P matrix",
    (8 * m * n) / 2 ** 20,
  );
  add(
    "process RSS after the runs",
    Deno.memoryUsage().rss / 2 ** 20,
    "MiB",
    "dense M×N P matrix at 20,000",
    (8 * m * n) / 2 ** 20,
  );
}

await writeResults("cpd", figures);
