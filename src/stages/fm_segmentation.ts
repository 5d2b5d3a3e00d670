/**
 * FM mitochondria segmentation on the chunked core: global min/max → rescale to [0, 1] and
 * difference of Gaussians (mapOverlap, with per-slice statistics and a DoG histogram as the
 * same pass's reduction) → per-slice thresholds (CLEM-Reg's rule, floored in the `default`
 * preset) → per-chunk labels → cross-chunk components → size filter → uint32 labels image.
 * Every op is journalled in the work folder, so an interrupted run resumes.
 * @module
 */
import { join } from "node:path";
import { map, mapOverlap, reduce } from "../chunked/ops.ts";
import { openArray } from "../chunked/open_array.ts";
import { createWorkerPool } from "../chunked/pool.ts";
import { runOp, type RunOptions } from "../chunked/scheduler.ts";
import type { ArrayLocation } from "../chunked/types.ts";
import { haloVoxels } from "../filters/sigma.ts";
import type { OmeImage } from "../io/image.ts";
import type { DataType } from "../io/types.ts";
import { createImage, markImageComplete } from "../io/writer.ts";
import { type ChunkLabels, finishChunkedLabels, writeTable } from "./chunked_labels.ts";
import { buildPyramidChunked } from "./pyramid_op.ts";
import type { FmSegmentationSummary } from "./fm_segmentation_volume.ts";
import {
  type FmSegmentationOptions,
  objectsToKeep,
  resolveFmSegmentation,
  type SliceStatistics,
  sliceThresholds,
} from "./fm_thresholds.ts";

/** An FM channel to segment: a 3-D (z, y, x) array and where its voxels sit in space. */
export interface FmVolumeInput {
  /** The channel as a 3-D array (see `fmChannelLocation` for a channel of an OME-Zarr image). */
  array: ArrayLocation;
  /** Voxel size z, y, x in micrometres. */
  voxelSizeUm: readonly number[];
  /** Physical position of voxel (0, 0, 0) in micrometres; default zeros. */
  translationUm?: readonly number[];
}

/** Options of {@link segmentFm}. */
export interface SegmentFmOptions
  extends FmSegmentationOptions, Omit<RunOptions, "journalDir" | "upstreamIds"> {
  /** Where the labels image (OME-Zarr) is written. */
  output: string;
  /** Scratch arrays, tables and journals; default `<output>.work`. */
  workDir?: string;
  /** Keep the work folder after success (default: removed). */
  keepWorkDir?: boolean;
  /** NGFF version of the output; default "0.5". */
  version?: "0.5" | "0.4";
  /** Chunk shape of the output and scratch arrays; default the input's chunks. */
  chunks?: number[];
}

/**
 * Segment FM mitochondria chunk by chunk into an OME-Zarr labels image (same grid as the input).
 * @param input the FM channel, voxel size and translation
 * @param options config's `segmentation.fm` plus output, work folder and run options
 * @returns the labels image and a summary (object count, thresholds, …)
 * @throws {RangeError} for a non-3-D input or bad options; chunk errors from the core
 * @example
 * ```ts ignore
 * const { summary } = await segmentFm(
 *   { array: fmChannelLocation(image, 0, 0), voxelSizeUm: [0.2, 0.056, 0.056] },
 *   { output: "fm_labels.zarr" },
 * );
 * ```
 */
export async function segmentFm(
  input: FmVolumeInput,
  options: SegmentFmOptions,
): Promise<{ image: OmeImage; summary: FmSegmentationSummary }> {
  const source = await openArray(input.array);
  if (source.shape.length !== 3) {
    throw new RangeError(
      `Cannot segment FM: expected a 3-D (z, y, x) channel, got shape [${source.shape}]`,
    );
  }
  const shape = [...source.shape];
  const chunks = (options.chunks ?? [...source.chunks]).map((c, axis) => Math.min(c, shape[axis]!));
  const resolved = resolveFmSegmentation(options, input.voxelSizeUm.map((s) => s * 1000));
  const workDir = options.workDir ?? defaultFmWorkDir(options.output);
  const executor = options.executor ?? createWorkerPool(
    options.workers !== undefined ? { size: options.workers } : {},
  );
  const run: RunOptions = {
    ...(options.memoryBytes !== undefined ? { memoryBytes: options.memoryBytes } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.quiet !== undefined ? { quiet: options.quiet } : {}),
    ...(options.progress ? { progress: options.progress } : {}),
    executor,
    journalDir: join(workDir, "journal"),
  };
  try {
    const scratch = async (name: string, dtype: DataType): Promise<ArrayLocation> => {
      const location = join(workDir, `${name}.zarr`);
      await createImage(location, {
        axes: ["z", "y", "x"].map((n) => ({ name: n, type: "space", unit: "micrometer" })),
        shape,
        chunks,
        dtype,
        scale: [...input.voxelSizeUm],
        levels: 1,
        // uncompressed: scratch arrays are read several times (raw chunks are read into
        // reused buffers, see io/raw_chunk_reader.ts) and deleted at the end
        codec: "raw",
      });
      return { kind: "zarr", location, level: 0 };
    };
    const range = await runOp(
      reduce({
        name: "FM min/max",
        kernel: kernelOf("minMaxKernel"),
        merge: kernelOf("minMaxMerge"),
        inputs: [input.array],
      }),
      run,
    );
    const { min, max } = range.result as { min: number; max: number };
    const dogLocation = await scratch("dog", "float32");
    const halo = haloVoxels(resolved.sigmaHighVoxels).map((h, axis) =>
      Math.max(h, haloVoxels(resolved.sigmaLowVoxels)[axis]!)
    );
    const dog = await runOp(
      {
        ...mapOverlap({
          name: "FM difference of Gaussians",
          kernel: kernelOf("dogKernel"),
          inputs: [input.array],
          output: dogLocation,
          haloVoxels: halo,
          params: {
            min,
            max,
            sigmaLow: resolved.sigmaLowVoxels,
            sigmaHigh: resolved.sigmaHighVoxels,
            depth: shape[0]!,
          },
          memoryFactor: 4,
        }),
        fold: kernelOf("dogFold"),
      },
      { ...run, upstreamIds: [range.opId] },
    );
    const { stats, histogram } = dog.result as {
      stats: SliceStatistics;
      histogram: Float64Array;
    };
    const { thresholds, floor } = sliceThresholds(stats, histogram, resolved);
    const provisional = await scratch("provisional", "uint32");
    const labelled = await runOp(
      map({
        name: "FM threshold + chunk labels",
        kernel: kernelOf("thresholdLabelKernel"),
        inputs: [dogLocation],
        output: provisional,
        // a table file, not a JSON param: one threshold per slice would be cloned into every
        // task's message (32 KiB per task at 4,096 slices)
        params: {
          thresholdsPath: await writeTable(workDir, "thresholds", Float64Array.from(thresholds)),
        },
      }),
      { ...run, upstreamIds: [dog.opId] },
    );
    // The DoG is no longer needed (a resumed run finds both ops journalled): free its disk space.
    if (!options.keepWorkDir) await Deno.remove(join(workDir, "dog.zarr"), { recursive: true });
    const image = await createImage(options.output, {
      version: options.version ?? "0.5",
      axes: ["z", "y", "x"].map((n) => ({ name: n, type: "space", unit: "micrometer" })),
      shape,
      chunks,
      dtype: "uint32",
      scale: [...input.voxelSizeUm],
      translation: [...(input.translationUm ?? [0, 0, 0])],
      labels: true,
      name: "fm_mitochondria",
      incomplete: true, // until its pyramid is written
    });
    const finished = await finishChunkedLabels(
      provisional,
      labelled.result as ChunkLabels[],
      { kind: "zarr", location: options.output, level: 0 },
      {
        ...run,
        upstreamIds: [labelled.opId],
        workDir,
        connectivity: resolved.connectivity,
        keep: (sizes) => objectsToKeep(sizes, resolved),
        name: "FM labels",
      },
    );
    // on the pool, under the memory budget (a main-thread build held ~150 MiB more at the peak)
    await buildPyramidChunked(image, { ...run, upstreamIds: [finished.opId] });
    await markImageComplete(options.output);
    let foregroundVoxels = 0;
    for (let i = 1; i < finished.sizes.length; i++) foregroundVoxels += finished.sizes[i]!;
    const summary: FmSegmentationSummary = {
      count: finished.count,
      components: finished.components,
      foregroundVoxels,
      thresholds,
      floor,
      sigmaLowVoxels: resolved.sigmaLowVoxels,
    };
    if (!options.keepWorkDir) await Deno.remove(workDir, { recursive: true });
    return { image, summary };
  } finally {
    if (!options.executor) await executor.close();
  }
}

/**
 * Where `segmentFm` keeps its scratch arrays, tables and journals unless told: `<output>.work`.
 * @param output the labels image's path
 * @returns the work folder's path
 */
export function defaultFmWorkDir(output: string): string {
  return `${output.replace(/\/+$/, "")}.work`;
}

function kernelOf(name: string) {
  return { module: new URL("./fm_segmentation_kernels.ts", import.meta.url).href, name };
}
