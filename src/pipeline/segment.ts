/**
 * The segmentation stages of the pipeline: FM mitochondria on the FM channel, and
 * the EM mitochondria labels (given, or predicted by the configured model).
 * @module
 */
import * as path from "node:path";
import type { RunOptions } from "../chunked/scheduler.ts";
import type { Config } from "../config/schema.ts";
import { type OmeImage, openImage, type SpatialGridUm, spatialGridUm } from "../io/image.ts";
import { segmentFm } from "../stages/fm_segmentation.ts";
import { channelLocation } from "./channel_view.ts";
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
          array: channelLocation(inputs.fm.location, 0, inputs.fmChannel, inputs.fmChannelAxis),
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
 * The EM mitochondria labels: `em.labels` when given (segmentation skipped), else
 * the configured model's prediction.
 * @throws {InputError} when no model is available for the EM image
 */
export function emLabelsStage(
  inputs: PipelineInputs,
  config: Config,
  _work: string,
  _state: StageState,
  _run: RunOptions,
): Promise<LabelsRef> {
  if (inputs.emLabels) {
    return Promise.resolve({
      image: inputs.emLabels,
      level: 0,
      grid: spatialGridUm(inputs.emLabels, 0),
    });
  }
  return Promise.reject(
    new InputError(
      `em.labels is not set and EM segmentation (segmentation.em.model: ${
        JSON.stringify(config.segmentation.em.model)
      }) is not available in this build; give EM mitochondria labels as em.labels`,
    ),
  );
}
