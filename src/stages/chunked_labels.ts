/**
 * Connected components across chunks, as chunk ops: per-chunk labels (1..n, written by an
 * upstream map that reports n and each label's size and z span, see {@link chunkLabelsPartial})
 * get global offsets from the counts, touching labels across chunk faces/edges/corners are
 * merged in one union-find, object sizes follow from the per-chunk sizes and the union-find's
 * table (no pass over the voxels), and a relabel map writes the final (size-filtered,
 * consecutively numbered) labels.
 * Tables travel as files named by their content hash, not as JSON params.
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { cropBox } from "../chunked/box.ts";
import { chunkBox, chunkGrid, chunkLinearIndex } from "../chunked/grid.ts";
import { map, reduce } from "../chunked/ops.ts";
import { openArray } from "../chunked/open_array.ts";
import { runOp, type RunOptions } from "../chunked/scheduler.ts";
import type { ArrayLocation, KernelContext, KernelInput, KernelResult } from "../chunked/types.ts";
import { chunkEquivalences } from "../filters/chunk_equivalences.ts";
import type { Connectivity } from "../filters/label.ts";
import { UnionFind } from "../filters/union_find.ts";
import { releaseBuffers } from "../io/release.ts";
import type { Box } from "../io/types.ts";

/** What {@link finishChunkedLabels} returns. */
export interface ChunkedLabelsResult {
  /** Objects before the size filter. */
  components: number;
  /** Objects written (after the filter), numbered 1..count. */
  count: number;
  /** Size in voxels of every written object, indexed by its final label (`[0]` unused). */
  sizes: Float64Array;
  /** Id of the op that wrote the final labels (an upstream id for ops that read them). */
  opId: string;
}

/** What a chunk-labelling map returns as its partial (see {@link chunkLabelsPartial}). */
export interface ChunkLabels {
  /** Labels 1..count in the chunk. */
  count: number;
  /** Voxels of local label l at index l - 1. */
  sizes: Uint32Array;
  /** First and last z (volume voxels) holding local label l, at index l - 1. */
  zFirst: Uint32Array;
  zLast: Uint32Array;
}

/**
 * The partial of a chunk-labelling map kernel: how many labels, and each one's size and z span.
 * @param labels the chunk's labels 1..count (0 background), C order over `box`
 * @param count the number of labels
 * @param box the chunk's box in the volume (z first)
 * @returns the summary {@link finishChunkedLabels} takes
 */
export function chunkLabelsPartial(labels: Uint32Array, count: number, box: Box): ChunkLabels {
  const sizes = new Uint32Array(count);
  const zFirst = new Uint32Array(count).fill(0xffffffff);
  const zLast = new Uint32Array(count);
  let plane = 1;
  for (let axis = 1; axis < box.start.length; axis++) plane *= box.stop[axis]! - box.start[axis]!;
  for (let i = 0, z = box.start[0]!; i < labels.length; i += plane, z++) {
    for (let j = i, end = i + plane; j < end; j++) {
      const local = labels[j]!;
      if (local === 0) continue;
      sizes[local - 1]!++;
      if (zFirst[local - 1] === 0xffffffff) zFirst[local - 1] = z;
      zLast[local - 1] = z;
    }
  }
  return { count, sizes, zFirst, zLast };
}

/**
 * Turn per-chunk labels into global labels in `output`.
 * @param provisional uint32 array of per-chunk labels 1..n (0 background)
 * @param chunkLabels the labelling map's partial of every chunk, in linear chunk order
 * @param output uint32 array on the same grid, written chunk by chunk
 * @param options workDir for table files, connectivity, `keep(sizes)` choosing components by
 *   size (default all), and the run options (executor, journal, signal, ...)
 * @returns component count, final count and sizes
 */
export async function finishChunkedLabels(
  provisional: ArrayLocation,
  chunkLabels: readonly ChunkLabels[],
  output: ArrayLocation,
  options: RunOptions & {
    workDir: string;
    connectivity?: Connectivity;
    /** Which components to keep (1) by size and by z span (planes from first to last). */
    keep?: (sizes: Float64Array, zSpans: Float64Array) => Uint8Array;
    name?: string;
  },
): Promise<ChunkedLabelsResult> {
  const name = options.name ?? "labels";
  chunkLabels.forEach((chunk, i) => {
    if (typeof chunk?.count !== "number" || chunk.sizes?.length !== chunk.count) {
      throw new TypeError(
        `Cannot finish ${name}: the partial of chunk ${i} is not a chunk label ` +
          "summary (chunkLabelsPartial); a work folder from an older clemreg must be deleted",
      );
    }
  });
  const offsets = new Float64Array(chunkLabels.length + 1);
  for (let i = 0; i < chunkLabels.length; i++) {
    offsets[i + 1] = offsets[i]! + chunkLabels[i]!.count;
  }
  const total = offsets[chunkLabels.length]!;
  if (total >= 0xffffffff) {
    throw new RangeError(`Cannot label: ${total} provisional objects exceed uint32`);
  }
  const offsetsPath = await writeTable(options.workDir, "offsets", offsets);
  const { workDir: _w, connectivity: _c, keep: _k, name: _n, ...run } = options;
  const connectivity = options.connectivity ?? 26;
  const merged = await runOp(
    reduce({
      name: `${name}: equivalences`,
      kernel: { module: import.meta.url, name: "labelEquivalencesKernel" },
      merge: { module: import.meta.url, name: "labelEquivalencesMerge" },
      inputs: [provisional],
      // one voxel past the high faces only: see labelEquivalencesKernel
      haloVoxels: [1, 1, 1],
      haloLowVoxels: [0, 0, 0],
      params: {
        offsetsPath,
        connectivity,
        total,
        chunks: [...(await openArray(provisional)).chunks],
      },
    }),
    run,
  );
  const { table, count: components } = merged.result as { table: Uint32Array; count: number };
  const { sizes: componentSizes, zSpans } = componentSizesOf(
    chunkLabels,
    offsets,
    table,
    components,
  );
  const keep = options.keep?.(componentSizes, zSpans);
  const renumber = new Uint32Array(components + 1);
  const kept: number[] = [0];
  for (let c = 1; c <= components; c++) {
    if (keep && keep[c] !== 1) continue;
    renumber[c] = kept.length;
    kept.push(componentSizes[c]!);
  }
  const final = new Uint32Array(table.length);
  for (let i = 1; i < table.length; i++) final[i] = renumber[table[i]!]!;
  const finalPath = await writeTable(options.workDir, "final", final);
  const relabelled = await runOp(
    map({
      name: `${name}: relabel`,
      kernel: { module: import.meta.url, name: "relabelChunkKernel" },
      inputs: [provisional],
      output,
      params: { offsetsPath, tablePath: finalPath },
    }),
    run,
  );
  return {
    components,
    count: kept.length - 1,
    sizes: Float64Array.from(kept),
    opId: relabelled.opId,
  };
}

/** Write a typed array to `<dir>/<stem>-<hash>.bin` (content-addressed) and return the path. */
export async function writeTable(
  dir: string,
  stem: string,
  table: Float64Array | Uint32Array,
): Promise<string> {
  const bytes = new Uint8Array(table.buffer, table.byteOffset, table.byteLength);
  const hash = createHash("sha256").update(bytes).digest("hex").slice(0, 16);
  const kind = table instanceof Float64Array ? "f64" : "u32";
  const path = join(dir, `${stem}-${hash}.${kind}`);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(path, bytes);
  return path;
}

const tables = new Map<string, Promise<Float64Array | Uint32Array>>();

/** Read a table written by {@link writeTable} (cached per path in this thread). */
export function readTable(path: string): Promise<Float64Array | Uint32Array> {
  let found = tables.get(path);
  if (!found) {
    found = Deno.readFile(path).then((bytes) =>
      path.endsWith(".f64") ? new Float64Array(bytes.buffer) : new Uint32Array(bytes.buffer)
    );
    tables.set(path, found);
    if (tables.size > 16) tables.delete(tables.keys().next().value!);
  }
  return found;
}

interface EquivalenceParams {
  offsetsPath: string;
  chunks: number[];
  connectivity: Connectivity;
  total: number;
}

/**
 * Reduce kernel: global label pairs touching across chunk boundaries, from this chunk's box grown
 * by one voxel on the high side of each axis only. The box holds up to eight chunks' parts (this
 * chunk and the first plane, row or voxel of the seven after it), and every pair of parts is
 * compared. That finds every touching pair in the volume: the componentwise minimum of two
 * neighbouring voxels lies in some chunk, and both voxels then lie in that chunk's grown box.
 * (A pair across a chunk before this one, such as this chunk's neighbours at dy = 1, dx = -1,
 * is found by the chunk holding that minimum.) The low faces are never read.
 */
export async function labelEquivalencesKernel(
  inputs: KernelInput[],
  params: EquivalenceParams,
  context: KernelContext,
): Promise<KernelResult> {
  const input = inputs[0]!;
  const offsets = await readTable(params.offsetsPath);
  const labels = input.data as Uint32Array;
  const grid = chunkGrid(input.arrayShape, params.chunks);
  const parts: { labels: Uint32Array; box: Box }[] = [];
  for (const step of [0, 1].flatMap((dz) => [0, 1].flatMap((dy) => [[dz, dy, 0], [dz, dy, 1]]))) {
    const there = context.chunkIndex.map((c, axis) => c + step[axis]!);
    if (there.some((c, axis) => c >= grid.gridShape[axis]!)) continue;
    const box = intersect(chunkBox(grid, there), input.box);
    if (!box) continue;
    const offset = offsets[chunkLinearIndex(grid, there)]!;
    parts.push({ labels: offsetLabels(labels, input.box, box, offset), box });
  }
  const found: Uint32Array[] = [];
  let length = 0;
  for (let a = 0; a < parts.length; a++) {
    for (let b = a + 1; b < parts.length; b++) {
      const pairs = chunkEquivalences(
        parts[a]!.labels,
        parts[a]!.box,
        parts[b]!.labels,
        parts[b]!.box,
        {
          connectivity: params.connectivity,
        },
      );
      if (pairs.length === 0) continue;
      found.push(pairs);
      length += pairs.length;
    }
  }
  const partial = new Uint32Array(length);
  let at = 0;
  for (const pairs of found) {
    partial.set(pairs, at);
    at += pairs.length;
  }
  releaseBuffers([...parts.map((part) => part.labels), ...found]); // scratch: freed now
  return { partial };
}

/** Merge: one union-find over all provisional labels → lookup table and component count. */
export function labelEquivalencesMerge(
  partials: unknown[],
  params: EquivalenceParams,
): { table: Uint32Array; count: number } {
  const sets = new UnionFind(params.total + 1);
  for (const pairs of partials) if (pairs) sets.unionPairs(pairs as Uint32Array);
  return sets.lookupTable();
}

/** Sizes and z spans (planes from first to last) of the components, indexed by component. */
function componentSizesOf(
  chunkLabels: readonly ChunkLabels[],
  offsets: Float64Array,
  table: Uint32Array,
  components: number,
): { sizes: Float64Array; zSpans: Float64Array } {
  const sizes = new Float64Array(components + 1);
  const zMin = new Float64Array(components + 1).fill(Infinity);
  const zMax = new Float64Array(components + 1).fill(-Infinity);
  chunkLabels.forEach((chunk, c) => {
    const offset = offsets[c]!;
    for (let l = 0; l < chunk.count; l++) {
      if (chunk.sizes[l] === 0) continue;
      const id = table[offset + l + 1]!;
      sizes[id] = sizes[id]! + chunk.sizes[l]!;
      zMin[id] = Math.min(zMin[id]!, chunk.zFirst[l]!);
      zMax[id] = Math.max(zMax[id]!, chunk.zLast[l]!);
    }
  });
  const zSpans = new Float64Array(components + 1);
  for (let c = 1; c <= components; c++) {
    zSpans[c] = sizes[c]! > 0 ? zMax[c]! - zMin[c]! + 1 : 0;
  }
  return { sizes, zSpans };
}

/** Map kernel: provisional chunk labels → final labels through the table. */
export async function relabelChunkKernel(
  inputs: KernelInput[],
  params: { offsetsPath: string; tablePath: string },
  context: KernelContext,
): Promise<KernelResult> {
  const offsets = await readTable(params.offsetsPath);
  const table = await readTable(params.tablePath);
  const labels = inputs[0]!.data as Uint32Array;
  const offset = offsets[context.chunkLinear]!;
  const output = new Uint32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const local = labels[i]!;
    if (local !== 0) output[i] = table[offset + local]!;
  }
  return { output };
}

/** Labels of `box` (inside the input box) with `offset` added to every non-zero label. */
function offsetLabels(labels: Uint32Array, inputBox: Box, box: Box, offset: number): Uint32Array {
  const out = cropBox(labels, inputBox, box);
  for (let i = 0; i < out.length; i++) if (out[i] !== 0) out[i] = out[i]! + offset;
  return out;
}

function intersect(a: Box, b: Box): Box | undefined {
  const start = a.start.map((s, axis) => Math.max(s, b.start[axis]!));
  const stop = a.stop.map((s, axis) => Math.min(s, b.stop[axis]!));
  return start.every((s, axis) => s < stop[axis]!) ? { start, stop } : undefined;
}
