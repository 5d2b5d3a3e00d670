/**
 * `deno task segment-fm IN.zarr OUT.zarr [--channel C] [--preset default|clemreg] [--quiet]`:
 * segment mitochondria in one FM channel into a uint32 labels OME-Zarr on the same grid.
 * Options match the config's `segmentation.fm`; progress goes to stderr.
 * @module
 */
import { parseArgs } from "node:util";
import { openImage, spatialVoxelSizeUm } from "../src/io/image.ts";
import { fmChannelLocation } from "../src/stages/fm_channel_view.ts";
import { defaultFmWorkDir, segmentFm } from "../src/stages/fm_segmentation.ts";
import { abortOnInterrupt } from "../src/chunked/interrupt.ts";
import { overlapOf } from "../src/io/paths_apart.ts";
import { runCli, UsageError } from "./cli.ts";

const USAGE =
  "usage: deno task segment-fm IN.zarr OUT.zarr [--channel C] [--preset default|clemreg] " +
  "[--sigma-nm S] [--threshold-floor F] [--no-size-filter] [--workers N] [--quiet]";

if (import.meta.main) {
  await runCli(async () => {
    const { values, positionals } = parseArgs({
      args: Deno.args,
      allowPositionals: true,
      options: {
        channel: { type: "string", default: "0" },
        preset: { type: "string", default: "default" },
        "sigma-nm": { type: "string" },
        "threshold-floor": { type: "string" },
        "no-size-filter": { type: "boolean", default: false },
        workers: { type: "string" },
        quiet: { type: "boolean", default: false },
      },
    });
    const [input, output, ...rest] = positionals;
    if (!input || !output || rest.length > 0) throw new UsageError(USAGE);
    const overlap = overlapOf(
      [{ label: "OUT.zarr", path: output }, {
        label: "its work folder",
        path: defaultFmWorkDir(output),
      }],
      [{ label: "IN.zarr", path: input }],
    );
    if (overlap) throw new UsageError(overlap);
    const preset = values.preset;
    if (preset !== "default" && preset !== "clemreg") {
      throw new UsageError(`--preset: "${preset}" is not one of default, clemreg`);
    }
    const number = (flag: string, text: string | undefined) => {
      if (text === undefined) return undefined;
      const value = Number(text);
      if (!(value >= 0)) throw new UsageError(`--${flag}: "${text}" is not a non-negative number`);
      return value;
    };
    const image = await openImage(input);
    const channel = /^\d+$/.test(values.channel) ? Number(values.channel) : values.channel;
    const level = image.levels[0]!;
    const voxelSizeUm = spatialVoxelSizeUm(image, 0);
    const names = image.axes.map((a) => a.name.toLowerCase());
    const translationUm = ["z", "y", "x"].map((n, i) =>
      (level.translation[names.indexOf(n)] ?? 0) *
      (voxelSizeUm[i]! / (level.scale[names.indexOf(n)] ?? 1))
    );
    const sigmaNm = number("sigma-nm", values["sigma-nm"]);
    const floor = number("threshold-floor", values["threshold-floor"]);
    const workers = number("workers", values.workers);
    const started = performance.now();
    // Ctrl-C: the chunks in flight finish and are journalled; a rerun resumes from there.
    const interrupt = abortOnInterrupt();
    const { summary } = await segmentFm(
      { array: fmChannelLocation(image, 0, channel), voxelSizeUm, translationUm },
      {
        output,
        preset,
        quiet: values.quiet,
        signal: interrupt.signal,
        ...(sigmaNm !== undefined ? { sigmaNm } : {}),
        ...(floor !== undefined ? { thresholdFloor: floor } : {}),
        ...(values["no-size-filter"] ? { sizePercentiles: null } : {}),
        ...(workers ? { workers } : {}),
      },
    ).finally(() => interrupt.dispose());
    const fraction = summary.foregroundVoxels / level.shape.slice(-3).reduce((a, b) => a * b, 1);
    console.error(
      `${output}: ${summary.count} objects (${summary.components} before the size filter), ` +
        `${(100 * fraction).toFixed(2)} % of voxels, in ${
          ((performance.now() - started) / 1000).toFixed(1)
        } s`,
    );
    if (summary.count === 0) {
      console.error(`warning: no mitochondria found in FM channel ${channel} of ${input}`);
    }
  });
}
