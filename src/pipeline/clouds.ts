/**
 * The two point clouds CPD aligns. FM: boundaries of the FM labels. EM: by default
 * modality-matched — the EM mask blurred with the FM PSF and segmented with the FM
 * method, so both clouds carry the same blur-induced thickening — or the boundaries
 * of the EM labels themselves (`points.matchModality: false`).
 * @module
 */
import * as path from "node:path";
import { runOp } from "../chunked/scheduler.ts";
import type { RunOptions } from "../chunked/scheduler.ts";
import type { Config } from "../config/schema.ts";
import { spatialGridUm, spatialVoxelSizeUm } from "../io/image.ts";
import { createImage } from "../io/writer.ts";
import { warpOp } from "../stages/warp.ts";
import { indexAffine } from "../stages/warp_affine.ts";
import { applyMatrix, type Matrix4 } from "../sample/truth_transform.ts";
import { segmentFm } from "../stages/fm_segmentation.ts";
import { pointsFromLabels } from "../stages/points.ts";
import { InputError, nearestLateralLevel, type PipelineInputs } from "./inputs.ts";
import type { LabelsRef } from "./segment.ts";
import { blurredMaskOp } from "./simulate_fm.ts";
import type { StageState } from "./stage_state.ts";

function pointOptions(config: Config, run: RunOptions) {
  return {
    preset: config.points.preset,
    targetPoints: config.points.targetPoints,
    outlierNeighbours: config.points.outlierNeighbours,
    outlierStd: config.points.outlierStd,
    ...run,
  };
}

/** The FM cloud (z, y, x µm, flat). */
export async function fmPointCloud(
  fmLabels: LabelsRef,
  config: Config,
  state: StageState,
  run: RunOptions,
): Promise<Float64Array> {
  const [points] = await state.run(
    "fm-points",
    { labels: fmLabels.image.location, points: config.points, seg: config.segmentation.fm },
    async () => {
      const cloud = await pointsFromLabels(
        {
          array: { kind: "zarr", location: fmLabels.image.location, level: fmLabels.level },
          voxelSizeUm: fmLabels.grid.scale,
          translationUm: fmLabels.grid.translation,
        },
        pointOptions(config, run),
      );
      return Array.from(cloud.points);
    },
  );
  return Float64Array.from(points);
}

/** The EM cloud (z, y, x µm, flat), from the labels level nearest the FM voxel size. */
export async function emPointCloud(
  inputs: PipelineInputs,
  emLabels: LabelsRef,
  config: Config,
  work: string,
  state: StageState,
  run: RunOptions,
): Promise<Float64Array> {
  const fmLateral = spatialVoxelSizeUm(inputs.fm, 0)[2];
  const level = nearestLateralLevel(emLabels.image, fmLateral);
  const grid = spatialGridUm(emLabels.image, level);
  const [points] = await state.run(
    "em-points",
    {
      labels: emLabels.image.location,
      level,
      points: config.points,
      seg: config.segmentation.fm,
    },
    async () => {
      let labels = { location: emLabels.image.location, level };
      if (config.points.matchModality) {
        labels = await simulatedFmLabels(labels, grid, config, work, run);
      }
      const cloud = await pointsFromLabels(
        {
          array: { kind: "zarr", ...labels },
          voxelSizeUm: grid.scale,
          translationUm: grid.translation,
        },
        pointOptions(config, run),
      );
      return Array.from(cloud.points);
    },
  );
  return Float64Array.from(points);
}

async function simulatedFmLabels(
  labels: { location: string; level: number },
  grid: ReturnType<typeof spatialGridUm>,
  config: Config,
  work: string,
  run: RunOptions,
): Promise<{ location: string; level: number }> {
  await Deno.mkdir(work, { recursive: true });
  const simulated = path.join(work, "em_simulated_fm.zarr");
  const psf = config.points.psfSigmaNm;
  const psfNm = typeof psf === "number" ? [psf, psf, psf] : psf;
  const sigmaVoxels = psfNm.map((s, axis) => s / 1000 / grid.scale[axis]!);
  await createImage(simulated, {
    axes: ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "micrometer" })),
    shape: grid.shape,
    chunks: grid.shape.map((n) => Math.min(n, 128)),
    dtype: "float32",
    scale: grid.scale,
    translation: grid.translation,
    levels: 1,
    codec: "raw",
  });
  await runOp(blurredMaskOp(labels, { location: simulated }, sigmaVoxels), run);
  const output = path.join(work, "em_simulated_labels.zarr");
  const { summary } = await segmentFm(
    {
      array: { kind: "zarr", location: simulated, level: 0 },
      voxelSizeUm: grid.scale,
      translationUm: grid.translation,
    },
    { ...config.segmentation.fm, ...run, output },
  );
  if (summary.count === 0) {
    throw new InputError(
      `no mitochondria found in the EM labels ${labels.location} (level ${labels.level}) after PSF blurring; check em.labels`,
    );
  }
  return { location: output, level: 0 };
}

/**
 * The modality-matched EM cloud, simulated in the FM frame: the EM mask resampled onto
 * the FM grid through the current FM → EM estimate, blurred with the (axis-aligned) FM
 * PSF, segmented with the FM method, and its boundary points mapped back into EM space.
 * Unlike the first pass, the PSF's long axis lies along FM's z whatever the rotation.
 * @param fmToEm the current FM → EM affine estimate (µm, z y x)
 */
export async function emPointCloudInFmFrame(
  inputs: PipelineInputs,
  emLabels: LabelsRef,
  fmToEm: Matrix4,
  config: Config,
  work: string,
  state: StageState,
  run: RunOptions,
): Promise<Float64Array> {
  const fmGrid = spatialGridUm(inputs.fm, 0);
  const level = nearestLateralLevel(emLabels.image, fmGrid.scale[2]);
  const emGrid = spatialGridUm(emLabels.image, level);
  const [points] = await state.run(
    "em-points-fm-frame",
    {
      labels: emLabels.image.location,
      level,
      fmToEm,
      points: config.points,
      seg: config.segmentation.fm,
    },
    async () => {
      const axes = ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "micrometer" }));
      const chunks = fmGrid.shape.map((n) => Math.min(n, 128));
      const resampled = path.join(work, "em_labels_on_fm_grid.zarr");
      await createImage(resampled, {
        axes,
        shape: fmGrid.shape,
        chunks,
        dtype: emLabels.image.levels[level]!.dtype,
        scale: fmGrid.scale,
        translation: fmGrid.translation,
        levels: 1,
        labels: true,
      });
      await runOp(
        warpOp(
          {
            fm: { location: emLabels.image.location, level },
            channelAxis: -1,
            channels: [0],
            map: indexAffine(fmGrid, emGrid, fmToEm),
            order: 0,
            cacheBytes: 256 * 2 ** 20,
          },
          { location: resampled, level: 0 },
          "EM labels onto the FM grid",
        ),
        run,
      );
      const simulated = await simulatedFmLabels(
        { location: resampled, level: 0 },
        fmGrid,
        config,
        path.join(work, "fm-frame"),
        run,
      );
      const cloud = await pointsFromLabels(
        {
          array: { kind: "zarr", ...simulated },
          voxelSizeUm: fmGrid.scale,
          translationUm: fmGrid.translation,
        },
        pointOptions(config, run),
      );
      const mapped: number[] = [];
      for (let i = 0; i < cloud.points.length; i += 3) {
        mapped.push(
          ...applyMatrix(fmToEm, [cloud.points[i]!, cloud.points[i + 1]!, cloud.points[i + 2]!]),
        );
      }
      return mapped;
    },
  );
  return Float64Array.from(points);
}
