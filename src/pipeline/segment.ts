/**
 * The segmentation stages of the pipeline: FM mitochondria on the FM channel, and
 * the EM mitochondria labels (given, or predicted by the configured model).
 * @module
 */
import * as path from "node:path";
import type { RunOptions } from "../chunked/scheduler.ts";
import type { Config } from "../config/schema.ts";
import { type OmeImage, openImage, type SpatialGridUm, spatialGridUm } from "../io/image.ts";
import { fmChannelLocation } from "../stages/fm_channel_view.ts";
import { segmentFm } from "../stages/fm_segmentation.ts";
import { openEmBackend } from "../em/em_backend.ts";
import { segmentEmChunked } from "../stages/em_segmentation.ts";
import { InputError, type PipelineInputs } from "./inputs.ts";
import type { StageState } from "./stage_state.ts";

/** A labels image the pipeline produced or was given. */
export interface LabelsRef {
  image: OmeImage;
  /** The level the labels were made at (0 for FM). */
  level: number;
  grid: SpatialGridUm;
}

/**
 * Segment the FM registration channel into `work/fm_labels.zarr` (skipped when done).
 * @throws {InputError} when no mitochondria are found
 */
export async function fmLabelsStage(
  inputs: PipelineInputs,
  config: Config,
  work: string,
  state: StageState,
  run: RunOptions,
): Promise<LabelsRef> {
  const output = path.join(work, "fm_labels.zarr");
  const grid = spatialGridUm(inputs.fm, 0);
  const [summary] = await state.run(
    "fm-segmentation",
    { fm: config.fm, options: config.segmentation.fm, output },
    async () => {
      const { summary } = await segmentFm(
        {
          array: fmChannelLocation(inputs.fm, 0, inputs.fmChannel),
          voxelSizeUm: grid.scale,
          translationUm: grid.translation,
        },
        { ...config.segmentation.fm, ...run, output },
      );
      return summary;
    },
  );
  if (summary.count === 0) {
    throw new InputError(
      `no mitochondria found in FM channel ${inputs.fmChannel} ("${
        inputs.fm.channelNames[inputs.fmChannel]
      }") of ${config.fm.path}: check fm.channel, or lower segmentation.fm.thresholdFactor / thresholdFloor`,
    );
  }
  return { image: await openImage(output), level: 0, grid };
}

/**
 * The EM mitochondria labels: `em.labels` when given (segmentation skipped), else the
 * configured model's prediction at the EM level nearest the model's voxel size, written
 * to `work/em_labels.zarr`.
 * @throws {InputError} when the model cannot be loaded or finds nothing
 */
export async function emLabelsStage(
  inputs: PipelineInputs,
  config: Config,
  work: string,
  state: StageState,
  run: RunOptions,
): Promise<LabelsRef> {
  if (inputs.emLabels) {
    return { image: inputs.emLabels, level: 0, grid: spatialGridUm(inputs.emLabels, 0) };
  }
  const options = config.segmentation.em;
  const output = path.join(work, "em_labels.zarr");
  const [result] = await state.run(
    "em-segmentation",
    { em: config.em.path, options },
    async () => {
      try {
        await openEmBackend(options.model).then((backend) => backend.close());
      } catch (cause) {
        throw new InputError(
          `segmentation.em.model: cannot load "${options.model}": ${(cause as Error).message}`,
        );
      }
      return await segmentEmChunked(config.em.path, output, {
        ...run,
        model: options.model,
        minVoxels: options.minVoxels,
        minSlices: options.minSlices,
        ...(options.threshold !== null ? { threshold: options.threshold } : {}),
        workDir: path.join(work, "em-segmentation"),
      });
    },
  );
  if (result.objectCount === 0) {
    throw new InputError(
      `no mitochondria found in ${config.em.path} (level ${result.level}) by segmentation.em.model "${options.model}": give EM labels as em.labels, or another model`,
    );
  }
  const image = await openImage(output);
  return { image, level: 0, grid: spatialGridUm(image, 0) };
}
