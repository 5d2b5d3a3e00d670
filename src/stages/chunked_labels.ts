/**
 * Connected components across chunks, as chunk ops: per-chunk labels (1..n, written by an
 * upstream map that reports n) get global offsets from the counts, touching labels across
 * chunk faces/edges/corners are merged in one union-find, object sizes are a reduction,
 * and a relabel map writes the final (size-filtered, consecutively numbered) labels.
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
import { chunkEquivalences, forwardNeighbourOffsets } from "../filters/chunk_equivalences.ts";
import type { Connectivity } from "../filters/label.ts";
import { UnionFind } from "../filters/union_find.ts";
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

/**
 * Turn per-chunk labels into global labels in `output`.
 * @param provisional uint32 array of per-chunk labels 1..n (0 background)
 * @param chunkCounts n of every chunk, in linear chunk order
 * @param output uint32 array on the same grid, written chunk by chunk
 * @param options workDir for table files, connectivity, `keep(sizes)` choosing components by
 *   size (default all), and the run options (executor, journal, signal, ...)
 * @returns component count, final count and sizes
 */
export async function finishChunkedLabels(
  provisional: ArrayLocation,
  chunkCounts: readonly number[],
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
  const offsets = new Float64Array(chunkCounts.length + 1);
  for (let i = 0; i < chunkCounts.length; i++) offsets[i + 1] = offsets[i]! + chunkCounts[i]!;
  const total = offsets[chunkCounts.length]!;
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
      haloVoxels: [1, 1, 1],
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
  const tablePath = await writeTable(options.workDir, "components", table);
  const sized = await runOp(
    reduce({
      name: `${name}: sizes`,
      kernel: { module: import.meta.url, name: "labelSizesKernel" },
      merge: { module: import.meta.url, name: "labelSizesMerge" },
      inputs: [provisional],
      params: { offsetsPath, tablePath, components },
    }),
    run,
  );
  const { sizes: componentSizes, zSpans } = sized.result as {
    sizes: Float64Array;
    zSpans: Float64Array;
  };
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

/** Reduce kernel: global label pairs touching across this chunk's forward faces. */
export async function labelEquivalencesKernel(
  inputs: KernelInput[],
  params: EquivalenceParams,
  context: KernelContext,
): Promise<KernelResult> {
  const input = inputs[0]!;
  const offsets = await readTable(params.offsetsPath);
  const labels = input.data as Uint32Array;
  const grid = chunkGrid(input.arrayShape, params.chunks);
  const own = offsetLabels(labels, input.box, context.outputBox, offsets[context.chunkLinear]!);
  const found: Uint32Array[] = [];
  let length = 0;
  for (const step of forwardNeighbourOffsets(params.connectivity)) {
    const there = context.chunkIndex.map((c, axis) => c + step[axis]!);
    if (there.some((c, axis) => c < 0 || c >= grid.gridShape[axis]!)) continue;
    const box = intersect(chunkBox(grid, there), input.box);
    if (!box) continue;
    const offset = offsets[chunkLinearIndex(grid, there)]!;
    const theirs = offsetLabels(labels, input.box, box, offset);
    const pairs = chunkEquivalences(own, context.outputBox, theirs, box, {
      connectivity: params.connectivity,
    });
    found.push(pairs);
    length += pairs.length;
  }
  const partial = new Uint32Array(length);
  let at = 0;
  for (const pairs of found) {
    partial.set(pairs, at);
    at += pairs.length;
  }
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

/** Reduce kernel: voxels per component in this chunk, sparse `{ ids, sizes }`. */
export async function labelSizesKernel(
  inputs: KernelInput[],
  params: { offsetsPath: string; tablePath: string },
  context: KernelContext,
): Promise<KernelResult> {
  const offsets = await readTable(params.offsetsPath);
  const table = await readTable(params.tablePath);
  const labels = inputs[0]!.data as Uint32Array;
  const offset = offsets[context.chunkLinear]!;
  const counts = new Map<number, number>();
  // z extent of each local label: the chunk's first and last plane holding it.
  const zFirst = new Map<number, number>();
  const zLast = new Map<number, number>();
  const box = inputs[0]!.box;
  const plane = (box.stop[1]! - box.start[1]!) * (box.stop[2]! - box.start[2]!);
  let last = 0, lastCount = 0;
  for (let i = 0; i < labels.length; i++) {
    const local = labels[i]!;
    if (local === 0) continue;
    if (local === last) {
      lastCount++;
      continue;
    }
    if (last !== 0) counts.set(last, (counts.get(last) ?? 0) + lastCount);
    last = local;
    lastCount = 1;
    const z = box.start[0]! + Math.floor(i / plane);
    if (!zFirst.has(local)) zFirst.set(local, z);
    zLast.set(local, z);
  }
  if (last !== 0) counts.set(last, (counts.get(last) ?? 0) + lastCount);
  const perComponent = new Map<number, [number, number, number]>();
  for (const [local, count] of counts) {
    const component = table[offset + local]!;
    const entry = perComponent.get(component);
    const [z0, z1] = [zFirst.get(local)!, zLast.get(local)!];
    if (entry) {
      entry[0] += count;
      entry[1] = Math.min(entry[1], z0);
      entry[2] = Math.max(entry[2], z1);
    } else perComponent.set(component, [count, z0, z1]);
  }
  const ids = Uint32Array.from(perComponent.keys());
  const values = [...perComponent.values()];
  const sizes = Float64Array.from(values, (v) => v[0]);
  const zMin = Float64Array.from(values, (v) => v[1]);
  const zMax = Float64Array.from(values, (v) => v[2]);
  return { partial: { ids, sizes, zMin, zMax } };
}

/** Merge: dense sizes and z spans (number of planes from first to last) indexed by component. */
export function labelSizesMerge(
  partials: unknown[],
  params: { components: number },
): { sizes: Float64Array; zSpans: Float64Array } {
  const sizes = new Float64Array(params.components + 1);
  const zMin = new Float64Array(params.components + 1).fill(Infinity);
  const zMax = new Float64Array(params.components + 1).fill(-Infinity);
  for (const partial of partials) {
    if (!partial) continue;
    const part = partial as {
      ids: Uint32Array;
      sizes: Float64Array;
      zMin: Float64Array;
      zMax: Float64Array;
    };
    for (let i = 0; i < part.ids.length; i++) {
      const id = part.ids[i]!;
      sizes[id] = sizes[id]! + part.sizes[i]!;
      zMin[id] = Math.min(zMin[id]!, part.zMin[i]!);
      zMax[id] = Math.max(zMax[id]!, part.zMax[i]!);
    }
  }
  const zSpans = new Float64Array(params.components + 1);
  for (let c = 1; c <= params.components; c++) {
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
