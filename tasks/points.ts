/**
 * `deno task points LABELS.zarr OUT.csv [--target-points N] [--preset default|clemreg]`:
 * sample the object boundaries of a labels image as a point cloud in micrometres (z, y, x),
 * written as CSV and, beside it, PLY. Options match the config's `points`.
 * @module
 */
import { parseArgs } from "node:util";
import { openImage, spatialVoxelSizeUm } from "../src/io/image.ts";
import { fmChannelLocation } from "../src/stages/fm_channel_view.ts";
import { pointsFromLabels } from "../src/stages/points.ts";
import { writePointsCsv, writePointsPly } from "../src/stages/points_io.ts";
import { runCli, UsageError } from "./cli.ts";

const USAGE = "usage: deno task points LABELS.zarr OUT.csv [--target-points N] " +
  "[--preset default|clemreg] [--level L] [--workers N] [--quiet]";

if (import.meta.main) {
  await runCli(async () => {
    const { values, positionals } = parseArgs({
      args: Deno.args,
      allowPositionals: true,
      options: {
        "target-points": { type: "string", default: "10000" },
        preset: { type: "string", default: "default" },
        level: { type: "string", default: "0" },
        workers: { type: "string" },
        quiet: { type: "boolean", default: false },
      },
    });
    const [input, output, ...rest] = positionals;
    if (!input || !output || rest.length > 0 || !output.endsWith(".csv")) {
      throw new UsageError(USAGE);
    }
    const preset = values.preset;
    if (preset !== "default" && preset !== "clemreg") {
      throw new UsageError(`--preset: "${preset}" is not one of default, clemreg`);
    }
    const targetPoints = Number(values["target-points"]);
    if (!Number.isInteger(targetPoints) || targetPoints < 100) {
      throw new UsageError(
        `--target-points: "${values["target-points"]}" is not an integer >= 100`,
      );
    }
    const level = Number(values.level);
    const image = await openImage(input);
    if (!Number.isInteger(level) || !image.levels[level]) {
      throw new UsageError(
        `--level: "${values.level}" is not a level of ${input} (0-${image.levels.length - 1})`,
      );
    }
    const info = image.levels[level]!;
    const voxelSizeUm = spatialVoxelSizeUm(image, level);
    const names = image.axes.map((a) => a.name.toLowerCase());
    const translationUm = ["z", "y", "x"].map((n, i) =>
      (info.translation[names.indexOf(n)] ?? 0) *
      (voxelSizeUm[i]! / (info.scale[names.indexOf(n)] ?? 1))
    );
    const workers = values.workers === undefined ? undefined : Number(values.workers);
    const started = performance.now();
    const cloud = await pointsFromLabels(
      { array: fmChannelLocation(image, level, 0), voxelSizeUm, translationUm },
      { preset, targetPoints, quiet: values.quiet, ...(workers ? { workers } : {}) },
    );
    if (cloud.points.length === 0) {
      throw new UsageError(`Cannot sample points: ${input} has no labelled objects`);
    }
    await writePointsCsv(output, cloud.points);
    await writePointsPly(output.replace(/\.csv$/, ".ply"), cloud.points);
    console.error(
      `${output}: ${cloud.points.length / 3} points from ${cloud.surfaceVoxels} surface voxels ` +
        `(cell ${
          (cloud.cellSizeUm * 1000).toFixed(0)
        } nm, ${cloud.removedOutliers} outliers removed) ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  });
}
