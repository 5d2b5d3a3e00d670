/**
 * Creating OME-Zarr images (NGFF 0.5 by default, 0.4 on request): the group and
 * array metadata of every pyramid level, then chunk-wise writes through
 * `openLevel(image, level).writeChunk`.
 * @module
 */
import { chunkBox, chunkGridShape, chunkIndices, copyRegion, voxelCount } from "./box.ts";
import { arrayMetadata, type ChunkLayout, type WriteCodec } from "./chunk_codec.ts";
import { allocate, dataTypeOf, isDataType } from "./dtype.ts";
import { OmeZarrError } from "./errors.ts";
import { type Axis, INCOMPLETE_MARKER, type OmeImage, openImage, openLevel } from "./image.ts";
import { ngffFormat } from "./ngff_format.ts";
import { buildPyramid, pyramidFactors } from "./pyramid.ts";
import { joinKey, openStore } from "./store.ts";
import type { DataType, TypedArray } from "./types.ts";

/** What an image to be created looks like. */
export interface ImageSpec {
  /** NGFF version; default "0.5". */
  version?: "0.5" | "0.4";
  axes: Axis[];
  /** Level-0 shape, one entry per axis. */
  shape: number[];
  chunks: number[];
  dtype: DataType;
  /** Level-0 voxel size per axis, in the axes' units. */
  scale: number[];
  /** Level-0 translation per axis; default zeros. */
  translation?: number[];
  channelNames?: string[];
  /** Compressor; default "zstd". */
  codec?: WriteCodec;
  /** Compression level; default 3 for zstd, 5 for gzip. */
  compressionLevel?: number;
  /** Levels including level 0; default: halve until y or x would drop below 32 voxels (at most 8). */
  levels?: number;
  /** A label image: pyramid by mode, `image-label` metadata. */
  labels?: boolean;
  name?: string;
  /** More OME attributes (e.g. clemreg's transform record). */
  extraAttributes?: Record<string, unknown>;
  /**
   * Mark the image incomplete until {@linkcode markImageComplete}: `openImage` refuses it, so an
   * interrupted run's output is never read as a finished one.
   */
  incomplete?: boolean;
}

/**
 * Create an image: write the group and every level's array metadata (no chunks).
 * @param location a local path
 * @param spec the image's shape, axes, voxel size and encoding
 * @returns the created image, ready for chunk writes
 * @throws {RangeError} for an inconsistent spec
 * @example
 * ```ts ignore
 * const image = await createImage("/tmp/a.zarr", {
 *   axes: [{ name: "z", type: "space", unit: "micrometer" }, { name: "y", type: "space", unit: "micrometer" }, { name: "x", type: "space", unit: "micrometer" }],
 *   shape: [8, 64, 64], chunks: [8, 32, 32], dtype: "uint8", scale: [0.02, 0.02, 0.02],
 * });
 * ```
 */
export async function createImage(location: string, spec: ImageSpec): Promise<OmeImage> {
  validateSpec(location, spec);
  const version = spec.version ?? "0.5";
  const format = ngffFormat(version);
  const store = openStore(location);
  if (!store.set) {
    throw new OmeZarrError("unsupported", location, "cannot write: the store is read-only");
  }
  if (spec.incomplete) {
    // first, so that a crash at any later point leaves the image marked
    const note = { note: "clemreg is writing this image, or a run writing it did not finish" };
    await store.set(INCOMPLETE_MARKER, encodeJson(note));
  }
  const rank = spec.shape.length;
  const codec = spec.codec ?? "zstd";
  const factorsPerLevel = pyramidFactors(spec);
  const datasets: Record<string, unknown>[] = [];
  let shape = spec.shape.slice();
  let scale = spec.scale.slice();
  let translation = spec.translation?.slice() ?? new Array<number>(rank).fill(0);
  for (let level = 0; level < factorsPerLevel.length + 1; level++) {
    if (level > 0) {
      const factors = factorsPerLevel[level - 1]!;
      translation = translation.map((t, a) => t + ((factors[a]! - 1) / 2) * scale[a]!);
      scale = scale.map((s, a) => s * factors[a]!);
      shape = shape.map((n, a) => Math.ceil(n / factors[a]!));
    }
    const layout: ChunkLayout = {
      zarrFormat: format.zarrFormat,
      shape,
      chunks: spec.chunks.map((c, a) => Math.min(c, shape[a]!)),
      dtype: spec.dtype,
      codec,
      level: spec.compressionLevel ?? (codec === "zstd" ? 3 : 5),
      fillValue: 0,
    };
    const { file, document } = arrayMetadata(layout, spec.axes.map((a) => a.name));
    if (format.zarrFormat === 2) delete document.dimension_names;
    await store.set(joinKey(String(level), file), encodeJson(document));
    datasets.push({
      path: String(level),
      coordinateTransformations: [
        { type: "scale", scale },
        { type: "translation", translation },
      ],
    });
  }
  const ome: Record<string, unknown> = {
    multiscales: [{
      axes: spec.axes,
      datasets,
      ...(spec.name ? { name: spec.name } : {}),
      type: spec.labels ? "mode" : "mean",
    }],
    ...(spec.extraAttributes ?? {}),
  };
  if (spec.labels) ome["image-label"] = { version };
  else if (spec.channelNames) {
    ome.omero = { channels: spec.channelNames.map((label) => ({ label, active: true })) };
  }
  for (const { file, document } of format.groupFiles(ome)) {
    await store.set(joinKey(file), encodeJson(document));
  }
  return await openImage(location, { allowIncomplete: true });
}

/**
 * Remove the incomplete marker once every chunk and level of an image is written.
 * @param location the image's path or URL
 */
export async function markImageComplete(location: string): Promise<void> {
  const store = openStore(location);
  if (!store.delete) {
    throw new OmeZarrError("unsupported", location, "cannot write: the store is read-only");
  }
  await store.delete(INCOMPLETE_MARKER);
}

/**
 * Write an in-memory volume as an image: create it, write level 0 chunk by chunk,
 * then build the pyramid.
 * @param location a local path
 * @param data C-ordered values of the level-0 shape
 * @param spec as for {@linkcode createImage}; `dtype` must match `data`
 * @returns the written image
 */
export async function writeImage(
  location: string,
  data: TypedArray,
  spec: ImageSpec,
): Promise<OmeImage> {
  if (dataTypeOf(data) !== spec.dtype) {
    throw new TypeError(
      `Cannot write ${location}: data are ${dataTypeOf(data)} but the spec says ${spec.dtype}`,
    );
  }
  if (data.length !== voxelCount(spec.shape)) {
    throw new RangeError(
      `Cannot write ${location}: ${data.length} values do not fill shape [${spec.shape}]`,
    );
  }
  const image = await createImage(location, { ...spec, incomplete: true });
  const array = await openLevel(image, 0);
  const whole = { start: spec.shape.map(() => 0), stop: spec.shape.slice() };
  for (const index of chunkIndices(chunkGridShape(spec.shape, array.chunks))) {
    const box = chunkBox(index, array.chunks, spec.shape);
    const chunk = allocate(spec.dtype, voxelCount(box.stop.map((s, a) => s - box.start[a]!)));
    copyRegion(data, whole, chunk, box, box);
    await array.writeChunk(index, chunk);
  }
  await buildPyramid(image);
  if (!spec.incomplete) await markImageComplete(location);
  return image;
}

function encodeJson(document: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(document, null, 2) + "\n");
}

function validateSpec(location: string, spec: ImageSpec): void {
  const rank = spec.axes.length;
  const bad = (message: string) => new RangeError(`Cannot create ${location}: ${message}`);
  if (rank < 2 || rank > 5) throw bad(`expected 2 to 5 axes, got ${rank}`);
  if (!isDataType(spec.dtype)) throw bad(`data type "${spec.dtype}" is not supported`);
  for (
    const [key, value] of Object.entries({
      shape: spec.shape,
      chunks: spec.chunks,
      scale: spec.scale,
      translation: spec.translation ?? new Array<number>(rank).fill(0),
    })
  ) {
    if (!Array.isArray(value) || value.length !== rank) {
      throw bad(`"${key}" must have ${rank} entries, one per axis; got ${JSON.stringify(value)}`);
    }
    if (!value.every((v) => Number.isFinite(v))) throw bad(`"${key}" must be finite numbers`);
  }
  if (!spec.shape.every((n) => Number.isInteger(n) && n > 0)) {
    throw bad("shape must be positive integers");
  }
  if (!spec.chunks.every((n) => Number.isInteger(n) && n > 0)) {
    throw bad("chunks must be positive integers");
  }
  if (!spec.scale.every((s) => s > 0)) throw bad("scale must be positive");
  const channelAxis = spec.axes.findIndex((a) => a.type === "channel");
  if (
    spec.channelNames && channelAxis >= 0 && spec.channelNames.length !== spec.shape[channelAxis]
  ) {
    throw bad(`${spec.channelNames.length} channel names for ${spec.shape[channelAxis]} channels`);
  }
}
