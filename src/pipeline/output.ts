/**
 * The registered output: `registered.zarr` on the EM grid of the chosen level, one
 * channel per FM channel (trilinear), the warped FM mitochondria as a labels image
 * (nearest), each with its pyramid, and the transform recorded in the metadata.
 * @module
 */
import * as path from "node:path";
import { runOp } from "../chunked/scheduler.ts";
import type { RunOptions } from "../chunked/scheduler.ts";
import type { Config } from "../config/schema.ts";
import { openImage, spatialGridUm } from "../io/image.ts";
import { createImage, markImageComplete } from "../io/writer.ts";
import { openStore } from "../io/store.ts";
import { buildPyramidChunked } from "../stages/pyramid_op.ts";
import { warpOp } from "../stages/warp.ts";
import { indexAffine } from "../stages/warp_affine.ts";
import type { PipelineInputs } from "./inputs.ts";
import type { LabelsRef } from "./segment.ts";
import type { StageState } from "./stage_state.ts";
import type { TransformFile } from "./transform_file.ts";

const outputChunk = [64, 128, 128];
const cacheBytes = 256 * 2 ** 20;
/** Node spacing of the non-rigid map (see warp_field.ts and its error-bound test). */
const fieldStepVoxels = 8;

/**
 * Warp FM (all channels) and the FM labels onto EM level `level`.
 * @returns the path of `registered.zarr`
 */
export async function writeOutput(
  inputs: PipelineInputs,
  fmLabels: LabelsRef,
  transform: TransformFile,
  level: number,
  config: Config,
  state: StageState,
  run: RunOptions,
): Promise<string> {
  const outputPath = path.join(config.output.path, "registered.zarr");
  const grid = spatialGridUm(inputs.em, level);
  const fmGrid = spatialGridUm(inputs.fm, 0);
  const map = indexAffine(grid, fmGrid, transform.emToFm.matrix);
  const field = transform.nonrigid
    ? {
      field: {
        deformation: transform.nonrigid.deformation,
        emToFm: transform.emToFm.matrix,
        target: grid,
        source: fmGrid,
        stepVoxels: fieldStepVoxels,
      },
    }
    : {};
  const channels = inputs.fm.channelNames.length;
  const um = (name: string) => ({ name, type: "space", unit: "micrometer" });
  const record = {
    clemreg: {
      source: { fm: inputs.fm.location, em: inputs.em.location, emLevel: level },
      transform,
    },
  };
  await state.run(
    "warp",
    { transform, level, output: config.output, fm: config.fm.path },
    async () => {
      const image = await createImage(outputPath, {
        version: config.output.version,
        codec: config.output.codec,
        // zstd level 1: at level 3 the warp op spent ~45 % of its time compressing (bench/warp_bench.ts).
        compressionLevel: 1,
        axes: [{ name: "c", type: "channel" }, um("z"), um("y"), um("x")],
        shape: [channels, ...grid.shape],
        chunks: [1, ...outputChunk],
        dtype: inputs.fm.levels[0]!.dtype,
        scale: [1, ...grid.scale],
        translation: [0, ...grid.translation],
        channelNames: inputs.fm.channelNames,
        name: "FM registered onto EM",
        extraAttributes: record,
        incomplete: true, // until both warps and pyramids are written
      });
      await runOp(
        warpOp(
          {
            fm: { location: inputs.fm.location, level: 0 },
            channelAxis: inputs.fmChannelAxis,
            channels: Array.from({ length: channels }, (_, c) => c),
            map,
            order: 1,
            cacheBytes,
            ...field,
          },
          { location: outputPath, level: 0 },
          "warp FM channels",
        ),
        run,
      );
      await buildPyramidChunked(image, run);
      const labelsName = "fm_mitochondria";
      const labelsPath = path.join(outputPath, "labels", labelsName);
      const labels = await createImage(labelsPath, {
        version: config.output.version,
        codec: config.output.codec,
        axes: [um("z"), um("y"), um("x")],
        shape: grid.shape,
        chunks: outputChunk,
        dtype: fmLabels.image.levels[0]!.dtype,
        scale: grid.scale,
        translation: grid.translation,
        labels: true,
        name: labelsName,
        extraAttributes: record,
        incomplete: true,
      });
      await writeLabelsGroup(outputPath, config.output.version, [labelsName]);
      await runOp(
        warpOp(
          {
            fm: { location: fmLabels.image.location, level: 0 },
            channelAxis: -1,
            channels: [0],
            map,
            order: 0,
            cacheBytes,
            ...field,
          },
          { location: labelsPath, level: 0 },
          "warp FM labels",
        ),
        run,
      );
      await buildPyramidChunked(labels, run);
      await markImageComplete(labelsPath);
      await markImageComplete(outputPath);
      return true;
    },
  );
  await openImage(outputPath); // fails loudly if the output is not a readable image
  return outputPath;
}

async function writeLabelsGroup(
  imagePath: string,
  version: "0.4" | "0.5",
  names: string[],
): Promise<void> {
  const store = openStore(path.join(imagePath, "labels"));
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value, null, 2));
  if (version === "0.5") {
    await store.set!(
      "/zarr.json",
      encode({
        zarr_format: 3,
        node_type: "group",
        attributes: { ome: { version: "0.5", labels: names } },
      }),
    );
  } else {
    await store.set!("/.zgroup", encode({ zarr_format: 2 }));
    await store.set!("/.zattrs", encode({ labels: names }));
  }
}
