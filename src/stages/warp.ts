/**
 * Warping FM channels onto an EM grid, chunk by chunk on the chunked core: each output
 * chunk maps its corners back into FM space and reads only the FM box it needs (plus
 * one voxel), through a per-worker cache of FM chunks, so every FM chunk is decoded
 * about once. Kernels here run inside workers; the builders run on the coordinator.
 * @module
 */
import type { Json, KernelContext, KernelResult, OpSpec } from "../chunked/types.ts";
import { kernelRef, map } from "../chunked/ops.ts";
import { openArray } from "../chunked/open_array.ts";
import { boxShape, voxelCount } from "../io/box.ts";
import { allocate, bytesPerElement } from "../io/dtype.ts";
import type { Box } from "../io/types.ts";
import { ChunkCache } from "./chunk_cache.ts";
import {
  type IndexAffine,
  type PhysicalGrid,
  sourceBoxFor,
  warpAffineBlock,
} from "./warp_affine.ts";
import type { GaussianDeformationJson } from "../cpd/deformation.ts";
import { fieldNodes, fieldSourceBox, warpFieldBlock } from "./warp_field.ts";

/** Parameters of one warp op (JSON, so remote workers can run it). */
export interface WarpParams {
  /** The FM image and level to read. */
  fm: { location: string; level: number };
  /** Index of the FM channel axis, or -1 when FM has none. */
  channelAxis: number;
  /** Output channel c reads FM channel `channels[c]`. */
  channels: number[];
  /** Output (z, y, x) index → FM (z, y, x) index. */
  map: IndexAffine;
  /** 1 = trilinear (intensities), 0 = nearest (labels). */
  order: 0 | 1;
  /** Bytes of decoded FM chunks each worker keeps. */
  cacheBytes: number;
  /**
   * Non-rigid: CPD's displacement after the affine FM → EM; `map` is then unused and the
   * EM → FM map is evaluated on nodes every `stepVoxels` and interpolated.
   */
  field?: {
    deformation: GaussianDeformationJson;
    emToFm: number[][];
    target: PhysicalGrid;
    source: PhysicalGrid;
    stepVoxels: number;
  };
}

const caches = new Map<string, ChunkCache>();

/**
 * Chunk kernel: resample one output chunk (c?, z, y, x) from the FM image.
 * The partial reports FM bytes decoded and bytes the chunk truly needed.
 */
export async function warpChunk(
  _inputs: unknown[],
  params: WarpParams,
  context: KernelContext,
): Promise<KernelResult> {
  const fmLocation = { kind: "zarr" as const, ...params.fm };
  const key = JSON.stringify(fmLocation);
  let cache = caches.get(key);
  if (!cache) {
    caches.clear(); // one source at a time: a worker must not hold caches of finished warps
    cache = new ChunkCache(await openArray(fmLocation), params.cacheBytes);
    caches.set(key, cache);
  }
  const box = context.outputBox;
  const hasChannel = box.start.length === 4;
  const spatial: Box = hasChannel ? { start: box.start.slice(1), stop: box.stop.slice(1) } : box;
  const channelsInChunk = hasChannel ? box.stop[0]! - box.start[0]! : 1;
  const spatialVoxels = voxelCount(boxShape(spatial));
  const out = allocate(context.outputDtype ?? cache.array.dtype, channelsInChunk * spatialVoxels);
  const fmShape = cache.array.shape;
  const fmSpatialShape = params.channelAxis >= 0
    ? fmShape.filter((_, axis) => axis !== params.channelAxis)
    : [...fmShape];
  const before = cache.bytesRead;
  let neededBytes = 0;
  const field = params.field;
  const nodes = field
    ? fieldNodes(
      spatial,
      field.target,
      field.source,
      field.emToFm,
      field.deformation,
      field.stepVoxels,
    )
    : undefined;
  const needed = nodes
    ? fieldSourceBox(nodes.coordinates, fmSpatialShape)
    : sourceBoxFor(spatial, params.map, fmSpatialShape);
  if (needed) {
    for (let c = 0; c < channelsInChunk; c++) {
      const fmChannel = params.channels[(hasChannel ? box.start[0]! : 0) + c]!;
      const fmBox = params.channelAxis >= 0
        ? withChannel(needed, params.channelAxis, fmChannel)
        : needed;
      const source = await cache.readRegion(fmBox);
      neededBytes += source.length * bytesPerElement(cache.array.dtype);
      const slice = out.subarray(c * spatialVoxels, (c + 1) * spatialVoxels);
      if (nodes) {
        warpFieldBlock(source, needed, fmSpatialShape, spatial, nodes, slice, {
          order: params.order,
        });
      } else {
        warpAffineBlock(source, needed, fmSpatialShape, spatial, params.map, slice, {
          order: params.order,
        });
      }
    }
  }
  return {
    output: out,
    partial: { bytesRead: cache.bytesRead - before, bytesNeeded: neededBytes },
  };
}

/** Merge: total FM bytes decoded and needed. */
export function sumWarpStats(
  partials: ({ bytesRead: number; bytesNeeded: number } | undefined)[],
): { bytesRead: number; bytesNeeded: number } {
  let bytesRead = 0;
  let bytesNeeded = 0;
  for (const p of partials) {
    bytesRead += p?.bytesRead ?? 0;
    bytesNeeded += p?.bytesNeeded ?? 0;
  }
  return { bytesRead, bytesNeeded };
}

/**
 * The warp op: writes every chunk of `output` (an image already created on the EM grid).
 * @param params FM location, channel mapping, index map, interpolation order, cache size
 * @param output the output image and level
 * @returns the op for `runOp` / `runGraph`
 */
export function warpOp(
  params: WarpParams,
  output: { location: string; level: number },
  name = "warp",
): OpSpec {
  const op = map({
    name,
    kernel: kernelRef(import.meta.url, "warpChunk"),
    inputs: [],
    output: { kind: "zarr", ...output },
    params: params as unknown as Json,
    memoryFactor: 3,
  });
  return { ...op, merge: kernelRef(import.meta.url, "sumWarpStats"), affinity: "bands" };
}

function withChannel(box: Box, channelAxis: number, channel: number): Box {
  const start = box.start.slice();
  const stop = box.stop.slice();
  start.splice(channelAxis, 0, channel);
  stop.splice(channelAxis, 0, channel + 1);
  return { start, stop };
}
