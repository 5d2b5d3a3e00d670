/**
 * Opening OME-Zarr images: the NGFF version, axes, every multiscale level with its
 * scale and translation, channel names; physical voxel sizes and level choice.
 * @module
 */
import * as zarr from "zarrita";
import { writableLayout } from "./chunk_codec.ts";
import { isDataType } from "./dtype.ts";
import { OmeZarrError } from "./errors.ts";
import { type GroupDocuments, ngffFormats, readGroupDocuments } from "./ngff_format.ts";
import { parseMultiscale } from "./multiscale.ts";
import { joinKey, openStore, type Store } from "./store.ts";
import type { DataType } from "./types.ts";
import { micrometersPerUnit } from "./units.ts";
import { ZarrArray } from "./zarr_array.ts";

/** An NGFF axis. */
export interface Axis {
  name: string;
  type?: string;
  unit?: string;
}

/** One multiscale level. `scale` and `translation` have one entry per axis, in axis units. */
export interface LevelInfo {
  path: string;
  shape: number[];
  chunks: number[];
  /** The data type values are read as (64-bit integers are read as float64). */
  dtype: DataType;
  /** The data type as stored. */
  storedDtype: string;
  scale: number[];
  translation: number[];
}

/** An opened OME-Zarr image. */
export interface OmeImage {
  /** The path or URL of the image group. */
  location: string;
  version: "0.4" | "0.5";
  axes: Axis[];
  levels: LevelInfo[];
  channelNames: string[];
  name: string | undefined;
  /** The OME attributes as stored (`multiscales`, `omero`, ...). */
  attributes: Record<string, unknown>;
  /** The store holding the image. */
  store: Store;
}

const arraysByImage = new WeakMap<OmeImage, Map<number, Promise<ZarrArray>>>();

/**
 * Key of the marker an image carries from its creation by clemreg until its last chunk and
 * pyramid level are written (see `createImage` and `markImageComplete`).
 */
export const INCOMPLETE_MARKER = "/.clemreg-incomplete";

/** Options of {@linkcode openImage}. */
export interface OpenImageOptions {
  /** Open an image that carries the incomplete marker (its writer's own reads and resumes). */
  allowIncomplete?: boolean;
}

/**
 * Open an OME-Zarr image (NGFF 0.4 or 0.5) at a path or URL.
 * A bioformats2raw container opens its first series. An image clemreg is still writing (or
 * whose writing was cut short) is refused unless `allowIncomplete`.
 * @param location a local path or `http(s)://` URL
 * @param options `allowIncomplete` for the writer's own use (chunk tasks, resumes)
 * @returns the image's metadata; pixels are read with {@linkcode openLevel}
 * @throws {OmeZarrError} naming the location and the problem
 * @example
 * ```ts ignore
 * const image = await openImage("sample/em.zarr");
 * console.log(image.version, image.levels.length);
 * ```
 */
export async function openImage(
  location: string,
  options: OpenImageOptions = {},
): Promise<OmeImage> {
  let store: Store;
  try {
    store = openStore(location);
  } catch (cause) {
    throw new OmeZarrError("unsupported", location, (cause as Error).message, { cause });
  }
  if (!options.allowIncomplete && await store.get(INCOMPLETE_MARKER) !== undefined) {
    throw new OmeZarrError(
      "incomplete",
      location,
      "is incomplete: the run that writes it was interrupted or failed; rerun that command to " +
        "finish it",
    );
  }
  let documents: GroupDocuments;
  try {
    documents = await readGroupDocuments(store, "");
  } catch (cause) {
    const detail = cause instanceof SyntaxError ? "its metadata is not valid JSON" : String(cause);
    throw new OmeZarrError("invalid-metadata", location, detail, { cause });
  }
  if (!documents.zarrJson && !documents.zattrs && !documents.zgroup) {
    const exists = await pathExists(location);
    throw exists === false
      ? new OmeZarrError("not-found", location, "no such file or folder")
      : new OmeZarrError("not-an-image", location, "not a Zarr group (no zarr.json or .zattrs)");
  }
  const format = ngffFormats.find((f) => f.matches(documents));
  if (!format) throw describeMismatch(location, documents);
  const ome = format.omeAttributes(documents);
  if ("plate" in ome) {
    throw new OmeZarrError(
      "not-an-image",
      location,
      "is an HCS plate, not an image: open one of its field images (e.g. ROW/COLUMN/0)",
    );
  }
  if (!("multiscales" in ome) && "bioformats2raw.layout" in ome) {
    return await openImage(location.replace(/\/+$/, "") + "/0", options);
  }
  const multiscale = parseMultiscale(location, ome);
  const levels: LevelInfo[] = [];
  const arrays = new Map<number, Promise<ZarrArray>>();
  for (const [index, dataset] of multiscale.datasets.entries()) {
    const array = await openArray(store, location, dataset.path, format.zarrFormat);
    if (array.shape.length !== multiscale.axes.length) {
      throw new OmeZarrError(
        "invalid-metadata",
        location,
        `level "${dataset.path}" has ${array.shape.length} dimensions but multiscales declares ${multiscale.axes.length} axes`,
      );
    }
    arrays.set(index, Promise.resolve(array));
    levels.push({
      path: dataset.path,
      shape: [...array.shape],
      chunks: [...array.chunks],
      dtype: array.dtype,
      storedDtype: array.storedDtype,
      scale: dataset.scale,
      translation: dataset.translation,
    });
  }
  const image: OmeImage = {
    location,
    version: format.version,
    axes: multiscale.axes,
    levels,
    channelNames: channelNamesOf(ome, multiscale.axes, levels[0]!.shape),
    name: multiscale.name,
    attributes: ome,
    store,
  };
  arraysByImage.set(image, arrays);
  return image;
}

/**
 * The pixels of one level, as a chunked array.
 * @param image an opened image
 * @param level the level index (0 = full resolution)
 * @returns the level's array
 * @throws {RangeError} when the level does not exist
 */
export function openLevel(image: OmeImage, level: number): Promise<ZarrArray> {
  const info = image.levels[level];
  if (!info) {
    throw new RangeError(
      `Cannot open level ${level} of ${image.location}: it has levels 0-${image.levels.length - 1}`,
    );
  }
  let arrays = arraysByImage.get(image);
  if (!arrays) {
    arrays = new Map();
    arraysByImage.set(image, arrays);
  }
  let array = arrays.get(level);
  if (!array) {
    const zarrFormat = image.version === "0.5" ? 3 : 2;
    array = openArray(image.store, image.location, info.path, zarrFormat);
    arrays.set(level, array);
  }
  return array;
}

/**
 * The voxel size of a level along z, y and x, in micrometers.
 * An image without a z axis gets a z size of 1 (one plane).
 * @throws {OmeZarrError} when y or x is missing, a unit is unknown or a scale is not positive
 */
export function spatialVoxelSizeUm(image: OmeImage, level: number): [number, number, number] {
  const info = image.levels[level];
  if (!info) throw new RangeError(`Cannot read level ${level} of ${image.location}`);
  const size = (name: string, fallback?: number) => {
    const axis = image.axes.findIndex((a) => a.name.toLowerCase() === name);
    if (axis < 0) {
      if (fallback !== undefined) return fallback;
      throw new OmeZarrError("invalid-metadata", image.location, `has no spatial axis "${name}"`);
    }
    const unit = image.axes[axis]!.unit;
    const factor = unit === undefined ? 1 : micrometersPerUnit(unit);
    if (factor === undefined) {
      throw new OmeZarrError(
        "unsupported",
        image.location,
        `axis "${name}" has unit "${unit}", which is not an NGFF space unit`,
      );
    }
    const value = (info.scale[axis] ?? 0) * factor;
    if (!(value > 0)) {
      throw new OmeZarrError(
        "invalid-metadata",
        image.location,
        `level "${info.path}" has voxel size ${
          info.scale[axis]
        } along "${name}"; expected a positive number`,
      );
    }
    return value;
  };
  return [size("z", 1), size("y"), size("x")];
}

/** A level's spatial grid in micrometers: index (z, y, x) ↦ scale · index + translation. */
export interface SpatialGridUm {
  /** Shape along z, y, x (1 along z for 2-D images). */
  shape: [number, number, number];
  scale: [number, number, number];
  translation: [number, number, number];
}

/**
 * The spatial grid of a level in micrometers (z, y, x), from its scale and translation.
 * @throws {OmeZarrError} as for {@linkcode spatialVoxelSizeUm}
 */
export function spatialGridUm(image: OmeImage, level: number): SpatialGridUm {
  const scale = spatialVoxelSizeUm(image, level);
  const info = image.levels[level]!;
  const pick = (name: string, values: number[], fallback: number) => {
    const axis = image.axes.findIndex((a) => a.name.toLowerCase() === name);
    return axis < 0 ? fallback : values[axis]!;
  };
  const unitFactor = (name: string) => {
    const axis = image.axes.findIndex((a) => a.name.toLowerCase() === name);
    const unit = axis < 0 ? undefined : image.axes[axis]!.unit;
    return unit === undefined ? 1 : micrometersPerUnit(unit) ?? 1;
  };
  const names = ["z", "y", "x"] as const;
  return {
    shape: names.map((n) => pick(n, info.shape, 1)) as [number, number, number],
    scale,
    translation: names.map((n) => pick(n, info.translation, 0) * unitFactor(n)) as [
      number,
      number,
      number,
    ],
  };
}

/**
 * The level whose voxel size is nearest a requested one (log-distance over z, y, x).
 * @param image an opened image
 * @param voxelSizeUm wanted z, y, x voxel size in micrometers
 * @returns a level index
 */
export function nearestLevel(image: OmeImage, voxelSizeUm: readonly number[]): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let level = 0; level < image.levels.length; level++) {
    const size = spatialVoxelSizeUm(image, level);
    let distance = 0;
    for (let axis = 0; axis < 3; axis++) {
      distance += Math.log((size[axis] ?? 1) / (voxelSizeUm[axis] ?? 1)) ** 2;
    }
    if (distance < bestDistance - 1e-12) {
      best = level;
      bestDistance = distance;
    }
  }
  return best;
}

async function openArray(
  store: Store,
  location: string,
  path: string,
  zarrFormat: 2 | 3,
): Promise<ZarrArray> {
  const where = `${location.replace(/\/+$/, "")}/${path}`;
  let array: zarr.Array<zarr.DataType, Store>;
  try {
    const node = zarr.root(store).resolve(path);
    array = zarrFormat === 3
      ? await zarr.open.v3(node, { kind: "array" })
      : await zarr.open.v2(node, { kind: "array" });
  } catch (cause) {
    if (zarr.isZarritaError(cause, "NotFoundError")) {
      throw new OmeZarrError(
        "invalid-metadata",
        location,
        `level "${path}" listed in multiscales is not a Zarr v${zarrFormat} array`,
        { cause },
      );
    }
    throw new OmeZarrError(
      "unsupported",
      location,
      `cannot open level "${path}": ${(cause as Error).message}`,
      { cause },
    );
  }
  const widened = array.dtype === "int64" || array.dtype === "uint64";
  if (!isDataType(array.dtype) && !widened) {
    throw new OmeZarrError(
      "unsupported",
      location,
      `level "${path}" has data type ${array.dtype}; clemreg reads (u)int8/16/32/64 and float32/64`,
    );
  }
  const metaKey = joinKey(path, zarrFormat === 3 ? "zarr.json" : ".zarray");
  const metaBytes = await store.get(metaKey);
  const layout = metaBytes
    ? writableLayout(JSON.parse(new TextDecoder().decode(metaBytes)))
    : undefined;
  return new ZarrArray(array, store, path, where, layout);
}

function channelNamesOf(ome: Record<string, unknown>, axes: Axis[], shape: number[]): string[] {
  const channelAxis = axes.findIndex((a) => a.type === "channel" || a.name === "c");
  const count = channelAxis >= 0 ? shape[channelAxis] ?? 1 : 1;
  const omero = ome.omero as { channels?: { label?: unknown }[] } | undefined;
  return Array.from({ length: count }, (_, c) => {
    const label = omero?.channels?.[c]?.label;
    return label === undefined || label === null ? String(c) : String(label);
  });
}

function describeMismatch(location: string, documents: GroupDocuments): OmeZarrError {
  if (documents.zarrJson) {
    return new OmeZarrError(
      "not-an-image",
      location,
      "is a Zarr v3 node without OME attributes (expected zarr.json attributes.ome.multiscales)",
    );
  }
  const multiscales = documents.zattrs?.multiscales;
  if (Array.isArray(multiscales) && multiscales.length > 0) {
    const version = (multiscales[0] as Record<string, unknown>).version;
    return new OmeZarrError(
      "unsupported",
      location,
      `has NGFF version ${JSON.stringify(version)}; clemreg reads 0.4 and 0.5`,
    );
  }
  return new OmeZarrError(
    "not-an-image",
    location,
    'has no OME-NGFF multiscales metadata (.zattrs without "multiscales")',
  );
}

async function pathExists(location: string): Promise<boolean | undefined> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) && !/^file:\/\//i.test(location)) {
    return undefined;
  }
  try {
    await Deno.stat(location.startsWith("file://") ? new URL(location) : location);
    return true;
  } catch {
    return false;
  }
}
