/**
 * TIFF/PNG → OME-Zarr conversion: reads a volume (see `readVolume`), settles its voxel size
 * (the caller's, else the file's ImageJ calibration, else an error) and writes it with a
 * pyramid through the OME-Zarr writer.
 * @module
 */
import { basename } from "node:path";
import type { Axis, OmeImage } from "./image.ts";
import { type ImportedVolume, VolumeImportError } from "./import_error.ts";
import { readVolume } from "./tiff_folder.ts";
import { ngffUnitName } from "./tiff_imagej.ts";
import { writeImage } from "./writer.ts";

/** Options of {@linkcode convertToOmeZarr}. */
export interface ConvertOptions {
  /** Voxel size (z, y, x) in `unit`; overrides the file's calibration when given. */
  voxelSize?: [number, number, number];
  /** Unit of `voxelSize` ("nanometer", "micrometer", "nm", "µm", ...). Default "nanometer". */
  unit?: string;
  /** Spatial chunk shape (z, y, x); default 64 × 256 × 256 clipped to the volume. */
  chunks?: [number, number, number];
  /** NGFF version to write (default "0.5"). */
  version?: "0.4" | "0.5";
  /** Chunk codec (default "zstd"). */
  codec?: "zstd" | "gzip" | "raw";
}

/** What {@linkcode convertToOmeZarr} wrote. */
export interface ConvertResult {
  image: OmeImage;
  volume: Omit<ImportedVolume, "data">;
  /** Voxel size (z, y, x) written, in `unit`. */
  voxelSize: [number, number, number];
  unit: string;
  /** Where the voxel size came from. */
  voxelSizeSource: "file" | "option";
}

/**
 * Convert a TIFF file (ImageJ hyperstack or multi-page) or a folder of TIFF/PNG slices
 * into an OME-Zarr image with a pyramid.
 *
 * @param input A TIFF file or a folder of slices.
 * @param output The OME-Zarr image to create.
 * @param options See {@linkcode ConvertOptions}.
 * @returns What was written.
 * @throws {VolumeImportError} When the input cannot be read or no voxel size is known.
 * @example
 * ```ts ignore
 * await convertToOmeZarr("em_mask.tif", "em_mask.zarr", { voxelSize: [20, 20, 20], unit: "nanometer" });
 * ```
 */
export async function convertToOmeZarr(
  input: string,
  output: string,
  options: ConvertOptions = {},
): Promise<ConvertResult> {
  const volume = await readVolume(input);
  const optionUnit = options.unit ?? "nanometer";
  const unitName = ngffUnitName(optionUnit);
  if (unitName === undefined) {
    throw new RangeError(
      `Cannot use unit "${optionUnit}": expected nanometer, micrometer or millimeter`,
    );
  }
  let voxelSize: [number, number, number];
  let unit: string;
  let voxelSizeSource: ConvertResult["voxelSizeSource"];
  if (options.voxelSize !== undefined) {
    [voxelSize, unit, voxelSizeSource] = [options.voxelSize, unitName, "option"];
  } else if (volume.voxelSize !== undefined && volume.unit !== undefined) {
    [voxelSize, unit, voxelSizeSource] = [volume.voxelSize, volume.unit, "file"];
  } else {
    throw new VolumeImportError(
      input,
      `${input} does not declare its voxel size: give it with --voxel-size z,y,x (and --unit).`,
    );
  }
  if (!voxelSize.every((size) => Number.isFinite(size) && size > 0)) {
    throw new RangeError(`Cannot use voxel size ${voxelSize.join(",")}: sizes must be positive`);
  }
  const spatialShape = volume.shape.slice(-3);
  const requested = options.chunks ?? [64, 256, 256];
  const spatialChunks = spatialShape.map((size, axis) =>
    Math.max(1, Math.min(size, requested[axis]!))
  );
  const channels = volume.axes[0] === "c" ? volume.shape[0]! : 0;
  const spaceAxes: Axis[] = ["z", "y", "x"].map((name) => ({ name, type: "space", unit }));
  const { data, ...described } = volume;
  const image = await writeImage(output, data, {
    version: options.version ?? "0.5",
    axes: channels > 0 ? [{ name: "c", type: "channel" }, ...spaceAxes] : spaceAxes,
    shape: volume.shape,
    chunks: channels > 0 ? [1, ...spatialChunks] : spatialChunks,
    dtype: volume.dtype,
    scale: channels > 0 ? [1, ...voxelSize] : [...voxelSize],
    translation: channels > 0 ? [0, 0, 0, 0] : [0, 0, 0],
    ...(channels > 0
      ? { channelNames: Array.from({ length: channels }, (_, c) => `channel ${c}`) }
      : {}),
    codec: options.codec ?? "zstd",
    name: basename(input).replace(/\.(ome\.)?tiff?$/i, ""),
  });
  return { image, volume: described, voxelSize, unit, voxelSizeSource };
}
