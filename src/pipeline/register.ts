/**
 * The end-to-end job behind `deno task register`: segment mitochondria in FM and EM,
 * sample point clouds, fit CPD (multi-start rigid → affine → non-rigid), save the
 * transform, warp every FM channel onto the EM grid chunk by chunk, and write the
 * multiscale output and the QC report. Each stage is skipped on a rerun when it
 * already finished with the same inputs.
 * @module
 */
import * as path from "node:path";
import { createWorkerPool } from "../chunked/pool.ts";
import type { RunOptions } from "../chunked/scheduler.ts";
import type { TaskExecutor } from "../chunked/types.ts";
import type { Config } from "../config/schema.ts";
import { spatialGridUm } from "../io/image.ts";
import { writePointsCsv } from "../stages/points_io.ts";
import { fitTransform } from "./fit.ts";
import { InputError, openInputs, outputLevel } from "./inputs.ts";
import { overlapOf } from "../io/paths_apart.ts";
import { emPointCloud, emPointCloudInFmFrame, fmPointCloud } from "./clouds.ts";
import { emLabelsStage, fmLabelsStage } from "./segment.ts";
import { StageState } from "./stage_state.ts";
import { writeOutput } from "./output.ts";
import { writeReport } from "./report.ts";
import { type TransformFile, transformFile } from "./transform_file.ts";
import { type TreNm, treNm } from "./tre.ts";
import { refineNcc } from "./refine_ncc.ts";

/** Options of {@link register} beyond the config. */
export interface RegisterOptions {
  /** A sample's `truth.json`, for TRE in the report. */
  truth?: string;
  quiet?: boolean;
  signal?: AbortSignal;
  /** Run chunk tasks here instead of a local worker pool (e.g. a Redis queue). */
  executor?: TaskExecutor;
  /** Progress lines (default: stderr unless quiet). */
  log?: (line: string) => void;
}

/** Where the results went and the headline numbers. */
export interface RegisterResult {
  outputPath: string;
  transformPath: string;
  reportPath: string;
  metrics: Record<string, unknown>;
}

/**
 * Run the whole registration.
 * @param config a validated config (paths resolved)
 * @param options truth file, quiet, signal, executor
 * @returns the output locations and metrics
 * @throws {InputError} for unusable inputs (one sentence naming file and problem)
 */
export async function register(
  config: Config,
  options: RegisterOptions = {},
): Promise<RegisterResult> {
  const started = performance.now();
  const log = options.log ?? ((line: string) => {
    if (!options.quiet) console.error(line);
  });
  const out = config.output.path;
  const work = path.join(out, "work");
  const overlap = overlapOf(
    [ // what register creates in output.path (other files there are left alone)
      { label: "the output image", path: path.join(out, "registered.zarr") },
      { label: "the work folder", path: work },
      { label: "the report folder", path: path.join(out, "report") },
    ],
    [
      { label: "fm.path", path: config.fm.path },
      { label: "em.path", path: config.em.path },
      ...(config.em.labels ? [{ label: "em.labels", path: config.em.labels }] : []),
    ],
  );
  if (overlap) throw new InputError(overlap);
  await Deno.mkdir(work, { recursive: true });
  const state = await StageState.open(path.join(work, "state.json"));
  const inputs = await openInputs(config);
  const workers = config.resources.workers === "auto" ? undefined : config.resources.workers;
  const executor = options.executor ??
    createWorkerPool(workers !== undefined ? { size: workers } : {});
  const run: RunOptions = {
    executor,
    memoryBytes: config.resources.memoryBytes,
    maxAttempts: config.resources.attempts,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.quiet !== undefined ? { quiet: options.quiet } : {}),
  };
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, body: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    log(`[clemreg] ${name}…`);
    const value = await body();
    timings[name] = (performance.now() - t0) / 1000;
    log(`[clemreg] ${name} done in ${timings[name]!.toFixed(1)} s`);
    return value;
  };
  try {
    const fmLabels = await timed(
      "FM segmentation",
      () => fmLabelsStage(inputs, config, work, state, run),
    );
    const emLabels = await timed(
      "EM segmentation",
      () => emLabelsStage(inputs, config, work, state, run),
    );
    const fmCloud = await timed("FM point cloud", () => fmPointCloud(fmLabels, config, state, run));
    const emCloud = await timed(
      "EM point cloud",
      () => emPointCloud(inputs, emLabels, config, work, state, run),
    );
    for (const [name, cloud] of [["FM", fmCloud], ["EM", emCloud]] as const) {
      if (cloud.length / 3 < 50) {
        throw new InputError(
          `${name} point cloud has only ${
            cloud.length / 3
          } points; registration needs at least 50 (check the ${name} segmentation in ${work})`,
        );
      }
    }
    await writePointsCsv(path.join(out, "fm_points.csv"), fmCloud);
    await writePointsCsv(path.join(out, "em_points.csv"), emCloud);
    let transform: TransformFile = await timed(
      "CPD registration",
      () => fitTransform(fmCloud, emCloud, config, state, log, options.signal),
    );
    const treNmBySteps: Record<string, TreNm> = {};
    const recordTre = async (step: string) => {
      const tre = options.truth ? await treNm(transform, options.truth) : undefined;
      if (tre) treNmBySteps[step] = tre;
    };
    await recordTre("pass 1");
    if (config.points.matchModality) {
      // Second pass: simulate FM from the EM mask in the FM frame of the first estimate,
      // so the PSF's orientation matches FM's whatever the rotation, and refine.
      const first = transform;
      const emCloudFmFrame = await timed(
        "EM point cloud in the FM frame",
        () =>
          emPointCloudInFmFrame(inputs, emLabels, first.fmToEm.matrix, config, work, state, run),
      );
      transform = await timed(
        "CPD refinement",
        () =>
          fitTransform(fmCloud, emCloudFmFrame, config, state, log, options.signal, {
            stage: "cpd-refined",
            initial: first.fmToEm.matrix.flat(),
          }),
      );
      transform.diagnostics.firstPass = first.diagnostics;
      await writePointsCsv(path.join(out, "em_points_fm_frame.csv"), emCloudFmFrame);
      await recordTre("FM-frame refinement");
    }
    if (config.registration.refine === "ncc" && !transform.nonrigid) {
      const before = transform;
      const [refined] = await timed(
        "NCC refinement",
        () =>
          state.run(
            "ncc",
            { fmToEm: before.fmToEm.matrix, registration: config.registration },
            () =>
              refineNcc({
                fm: inputs.fm,
                fmChannel: inputs.fmChannel,
                labels: emLabels.image,
                fmToEm: before.fmToEm.matrix,
                psfSigmaNm: psfNm(config.points.psfSigmaNm),
                log,
              }),
          ),
      );
      transform = transformFile(refined.fmToEm.flat(), before.method, {
        ...before.diagnostics,
        ncc: { before: refined.nccBefore, after: refined.nccAfter, levels: refined.levels },
      });
      await recordTre("NCC");
    }
    const transformPath = path.join(out, "transform.json");
    await Deno.writeTextFile(transformPath, JSON.stringify(transform, null, 2) + "\n");
    const level = outputLevel(inputs, config.output.level);
    const outputPath = await timed(
      "warp FM onto EM",
      () => writeOutput(inputs, fmLabels, transform, level, config, state, run),
    );
    const reportPath = await timed("report", () =>
      writeReport({
        inputs,
        emLabels,
        fmCloud,
        emCloud,
        transform,
        outputPath,
        outputGrid: spatialGridUm(inputs.em, level),
        config,
        timings,
        ...(options.truth ? { truth: options.truth } : {}),
        startedMs: started,
        reusedStages: state.reused,
        ...(Object.keys(treNmBySteps).length ? { treNmBySteps } : {}),
      }));
    const metrics = JSON.parse(
      await Deno.readTextFile(path.join(path.dirname(reportPath), "metrics.json")),
    );
    return { outputPath, transformPath, reportPath, metrics };
  } finally {
    if (!options.executor) await executor.close();
  }
}

function psfNm(psf: number | number[]): number[] {
  return typeof psf === "number" ? [psf, psf, psf] : psf;
}
