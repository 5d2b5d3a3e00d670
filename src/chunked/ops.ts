/**
 * Builders for the three operation kinds and the op id that keys the resume journal.
 * @module
 */
import { createHash } from "node:crypto";
import type { ArrayLocation, Json, KernelRef, OpSpec } from "./types.ts";

/** Fields common to every op builder. */
export interface OpOptions {
  name: string;
  kernel: KernelRef;
  inputs: ArrayLocation[];
  params?: Json;
  memoryFactor?: number;
}

/**
 * Name an exported function of a module, resolving a relative specifier against `base`.
 * @param module module URL or path (absolute, or relative to `base`)
 * @param name export name
 * @param base URL to resolve against, usually `import.meta.url`
 * @returns the reference
 * @example
 * ```ts ignore
 * const kernel = kernelRef("./kernels.ts", "boxSum", import.meta.url);
 * ```
 */
export function kernelRef(module: string | URL, name: string, base?: string | URL): KernelRef {
  return { module: new URL(module, base).href, name };
}

/**
 * A map: each output chunk from the same box of the inputs (scaled by `scale`, if given).
 * @param options kernel, inputs, output, params
 * @returns the op
 */
export function map(options: OpOptions & { output: ArrayLocation; scale?: number[] }): OpSpec {
  return { kind: "map", params: null, ...options };
}

/**
 * A map with overlap: each output chunk from its box grown by `haloVoxels` (clipped at edges).
 * @param options kernel, inputs, output, halo per axis, params
 * @returns the op
 */
export function mapOverlap(
  options: OpOptions & {
    output: ArrayLocation;
    haloVoxels: number[];
    haloLowVoxels?: number[];
    scale?: number[];
  },
): OpSpec {
  // bands: neighbouring chunks, whose haloed boxes share input chunks, run on the same worker
  // (its decoded-chunk cache then serves them)
  return { kind: "mapOverlap", params: null, affinity: "preferBands", ...options };
}

/**
 * A reduction: `kernel` returns a partial per chunk of the first input (or of `grid`);
 * `merge(partials, params)` combines them, in chunk order, into the op's result.
 * @param options kernel, merge, inputs, optional halo and task grid
 * @returns the op
 */
export function reduce(
  options: OpOptions & {
    merge: KernelRef;
    haloVoxels?: number[];
    haloLowVoxels?: number[];
    grid?: number[];
    output?: ArrayLocation;
  },
): OpSpec {
  return { kind: "reduce", params: null, ...options };
}

/**
 * The identity of an op for the journal: a hash of its kind, kernel, params, inputs, output,
 * halo, scale and grid (and of the ids of ops that produced its inputs), so any change of
 * configuration starts a fresh journal instead of reusing stale chunks.
 * @param op the op (params already resolved)
 * @param upstreamIds ids of the ops that wrote this op's inputs in the same job
 * @returns a 24-hex-digit id
 */
export function opId(op: OpSpec, upstreamIds: readonly string[] = []): string {
  const identity = {
    v: 1,
    kind: op.kind,
    kernel: op.kernel,
    merge: op.merge ?? null,
    ...(op.fold ? { fold: op.fold } : {}),
    params: op.params,
    inputs: op.inputs.map(locationIdentity),
    output: op.output ? locationIdentity(op.output) : null,
    haloVoxels: op.haloVoxels ?? null,
    ...(op.haloLowVoxels ? { haloLowVoxels: op.haloLowVoxels } : {}),
    scale: op.scale ?? null,
    grid: op.grid ?? null,
    upstream: [...upstreamIds],
  };
  return createHash("sha256").update(stableStringify(identity)).digest("hex").slice(0, 24);
}

/** A location as JSON, shared buffers replaced by their id and layout. */
export function locationIdentity(location: ArrayLocation): Json {
  if (location.kind !== "shared") return location;
  const { id, shape, chunks, dtype } = location;
  return { kind: "shared", id, shape, chunks, dtype };
}

/** JSON with object keys sorted, so equal values hash equally. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
