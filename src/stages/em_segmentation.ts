/**
 * EM mitochondria segmentation on the chunked core: each chunk of the EM level nearest
 * the model's voxel size is read with the model's halo, predicted, cropped, thresholded
 * and labelled locally (one worker per chunk, the model loaded once per worker); the
 * labels are then joined across chunks and small objects dropped. Memory is bounded by
 * the chunks in flight, whatever the EM size.
 * @module
 */
import * as path from "node:path";
import { kernelRef, mapOverlap } from "../chunked/ops.ts";
import { runOp, type RunOptions } from "../chunked/scheduler.ts";
import type { KernelContext, KernelInput, KernelResult } from "../chunked/types.ts";
import { type EmBackend, openEmBackend } from "../em/em_backend.ts";
import { nearestInPlaneLevel, sampledStats } from "../em/segment_volume.ts";
import type { VolumeStats } from "../em/em_backend.ts";
import { labelComponents } from "../filters/label.ts";
import { openImage, openLevel, spatialVoxelSizeUm } from "../io/image.ts";
import { createImage, markImageComplete } from "../io/writer.ts";
import { buildPyramidChunked } from "./pyramid_op.ts";
import { type ChunkLabels, chunkLabelsPartial, finishChunkedLabels } from "./chunked_labels.ts";

const backends = new Map<string, Promise<EmBackend>>();

/** Chunk kernel: probabilities on chunk + halo → cropped mask → local labels (count as partial). */
export async function emChunkLabelsKernel(
  inputs: KernelInput[],
  params: { model: string; stats: VolumeStats; threshold: number },
  context: KernelContext,
): Promise<KernelResult> {
  let backend = backends.get(params.model);
  if (!backend) {
    backend = openEmBackend(params.model);
    backends.set(params.model, backend);
  }
  const input = inputs[0]!;
  const shape = input.box.stop.map((s, a) => s - input.box.start[a]!) as [number, number, number];
  const values = input.data instanceof Uint8Array || input.data instanceof Uint16Array ||
      input.data instanceof Float32Array
    ? input.data
    : Float32Array.from(input.data);
  const probabilities = await (await backend).predict(values, shape, params.stats);
  const out = context.outputBox;
  const outShape = out.stop.map((s, a) => s - out.start[a]!);
  const mask = new Uint8Array(outShape[0]! * outShape[1]! * outShape[2]!);
  let o = 0;
  for (let z = out.start[0]!; z < out.stop[0]!; z++) {
    for (let y = out.start[1]!; y < out.stop[1]!; y++) {
      const row = ((z - input.box.start[0]!) * shape[1] + (y - input.box.start[1]!)) * shape[2] -
        input.box.start[2]!;
      for (let x = out.start[2]!; x < out.stop[2]!; x++) {
        mask[o++] = probabilities[row + x]! >= params.threshold ? 1 : 0;
      }
    }
  }
  const { labels, count } = labelComponents(mask, outShape, { connectivity: 6 });
  return { output: labels, partial: chunkLabelsPartial(labels, count, out) };
}

/** What {@link segmentEmChunked} did. */
export interface EmSegmentationResult {
  level: number;
  voxelSizeUm: [number, number, number];
  objectCount: number;
  foregroundVoxels: number;
}

/**
 * Segment EM mitochondria chunk by chunk into a labels OME-Zarr at the model's level.
 * Objects under `minVoxels` voxels or spanning fewer than `minSlices` z planes are dropped
 * (CLEM-Reg: 500 and 4).
 * @param emLocation the EM image
 * @param output where the labels image goes
 * @param options model (`builtin` or an ONNX config path), threshold, minVoxels, level, work folder
 */
export async function segmentEmChunked(
  emLocation: string,
  output: string,
  options: RunOptions & {
    model: string;
    threshold?: number;
    minVoxels?: number;
    minSlices?: number;
    level?: number;
    workDir: string;
  },
): Promise<EmSegmentationResult> {
  const backend = await openEmBackend(options.model);
  const image = await openImage(emLocation);
  const level = options.level ?? nearestInPlaneLevel(image, backend.voxelSizeNm);
  const info = image.levels[level]!;
  const array = await openLevel(image, level);
  const stats = await sampledStats(array, 32);
  await backend.close();
  const { model: _m, threshold: _t, minVoxels: _v, minSlices: _s, level: _l, workDir, ...run } =
    options;
  const axes = image.axes.map((a) => ({ ...a }));
  const provisional = path.join(workDir, "em_provisional.zarr");
  await createImage(provisional, {
    axes,
    shape: info.shape,
    chunks: info.chunks,
    dtype: "uint32",
    scale: info.scale,
    translation: info.translation,
    levels: 1,
  });
  const labelled = await runOp(
    mapOverlap({
      name: "EM segmentation",
      kernel: kernelRef(import.meta.url, "emChunkLabelsKernel"),
      inputs: [{ kind: "zarr", location: emLocation, level }],
      output: { kind: "zarr", location: provisional, level: 0 },
      haloVoxels: [...backend.halo],
      params: {
        model: options.model,
        stats: { ...stats },
        threshold: options.threshold ?? backend.threshold,
      },
      memoryFactor: 40, // features: ~30 float32 planes per voxel of the haloed block
    }),
    run,
  );
  const labels = await createImage(output, {
    axes,
    shape: info.shape,
    chunks: info.chunks,
    dtype: "uint32",
    scale: info.scale,
    translation: info.translation,
    labels: true,
    name: "em_mitochondria",
    extraAttributes: { clemreg: { emSegmentation: { model: options.model, sourceLevel: level } } },
    incomplete: true, // until its pyramid is written
  });
  const minVoxels = options.minVoxels ?? 500;
  const minSlices = options.minSlices ?? 4;
  const finished = await finishChunkedLabels(
    { kind: "zarr", location: provisional, level: 0 },
    labelled.result as ChunkLabels[],
    { kind: "zarr", location: output, level: 0 },
    {
      ...run,
      upstreamIds: [labelled.opId],
      workDir,
      connectivity: 6,
      keep: (sizes, zSpans) => {
        const keep = new Uint8Array(sizes.length);
        for (let label = 1; label < sizes.length; label++) {
          keep[label] = sizes[label]! >= minVoxels && zSpans[label]! >= minSlices ? 1 : 0;
        }
        return keep;
      },
      name: "EM labels",
    },
  );
  await buildPyramidChunked(labels, run);
  await markImageComplete(output);
  let foregroundVoxels = 0;
  for (let i = 1; i < finished.sizes.length; i++) foregroundVoxels += finished.sizes[i]!;
  return {
    level,
    voxelSizeUm: spatialVoxelSizeUm(image, level),
    objectCount: finished.count,
    foregroundVoxels,
  };
}
