/**
 * TIFF import: ImageJ hyperstacks and plain multi-page TIFFs (uncompressed, deflate, LZW;
 * 8/16-bit integers, 32/64-bit floats) into one C-ordered volume, decoded page by page so
 * only the file's bytes and the output volume are held in memory.
 * @module
 */
import { decode as decodeTiff, type TiffIfd } from "tiff";
import { allocate } from "./dtype.ts";
import type { DataType, TypedArray } from "./types.ts";
import { type ImportedVolume, VolumeImportError } from "./import_error.ts";
import { ngffUnitName, parseImageJDescription } from "./tiff_imagej.ts";

/** Options of {@linkcode readTiffVolume}. */
export interface ReadTiffOptions {
  /** Time point to read from an ImageJ time series with both slices and frames (default 0). */
  frame?: number;
}

/**
 * Read a TIFF file as a volume `(z,y,x)`, or `(c,z,y,x)` for a multichannel ImageJ hyperstack.
 * The voxel size comes from the ImageJ description (`spacing=`, `unit=`) and the
 * XResolution/YResolution tags (pixels per unit), when the file is calibrated.
 *
 * @param path The TIFF file.
 * @param options See {@linkcode ReadTiffOptions}.
 * @returns The volume with its voxel size when declared.
 * @throws {VolumeImportError} When the file is missing, not a TIFF, or uses an unsupported layout.
 * @example
 * ```ts ignore
 * const volume = await readTiffVolume("stack.tif");
 * console.log(volume.shape, volume.dtype, volume.voxelSize, volume.unit);
 * ```
 */
export async function readTiffVolume(
  path: string,
  options: ReadTiffOptions = {},
): Promise<ImportedVolume> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw new VolumeImportError(path, `Cannot read ${path}: ${(error as Error).message}.`, {
      cause: error,
    });
  }
  let headers: TiffIfd[];
  try {
    headers = decodeTiff(bytes, { ignoreImageData: true });
  } catch (error) {
    throw new VolumeImportError(
      path,
      `Cannot read ${path} as a TIFF: ${(error as Error).message}.`,
      { cause: error },
    );
  }
  const first = headers[0];
  if (first === undefined) throw new VolumeImportError(path, `${path} holds no TIFF page.`);
  const width = first.width;
  const height = first.height;
  const dtype = pageDataType(path, first);
  for (const [index, header] of headers.entries()) {
    if (
      header.width !== width || header.height !== height || pageDataType(path, header) !== dtype
    ) {
      throw new VolumeImportError(
        path,
        `Cannot stack ${path}: page ${index} is ${header.width}×${header.height} ` +
          `${pageDataType(path, header)}, page 0 is ${width}×${height} ${dtype}.`,
      );
    }
  }
  const layout = pageLayout(path, first, headers.length, options.frame ?? 0);
  const pageVoxels = width * height;
  const data = allocate(dtype, layout.channels * layout.slices * pageVoxels);
  for (let c = 0; c < layout.channels; c++) {
    for (let z = 0; z < layout.slices; z++) {
      const pageIndex = layout.pageIndex(c, z);
      let page: TiffIfd | undefined;
      try {
        page = decodeTiff(bytes, { pages: [pageIndex] })[0];
      } catch (error) {
        throw new VolumeImportError(
          path,
          `Cannot decode page ${pageIndex} of ${path}: ${(error as Error).message}.`,
          { cause: error },
        );
      }
      if (page === undefined) {
        throw new VolumeImportError(path, `${path} has no page ${pageIndex}.`);
      }
      copyPage(page.data, data, (c * layout.slices + z) * pageVoxels);
    }
  }
  const shape = layout.channels > 1
    ? [layout.channels, layout.slices, height, width]
    : [layout.slices, height, width];
  return {
    data,
    shape,
    axes: layout.channels > 1 ? ["c", "z", "y", "x"] : ["z", "y", "x"],
    dtype,
    ...calibration(first, layout.spacing, layout.unit),
    notes: layout.notes,
  };
}

interface PageLayout {
  channels: number;
  slices: number;
  spacing: number | undefined;
  unit: string | undefined;
  notes: string[];
  pageIndex(channel: number, slice: number): number;
}

/** ImageJ hyperstacks store pages in czt order (channel fastest). */
function pageLayout(path: string, first: TiffIfd, pageCount: number, frame: number): PageLayout {
  const description = typeof first.imageDescription === "string" ? first.imageDescription : "";
  const imagej = parseImageJDescription(description);
  if (imagej === undefined) {
    return {
      channels: 1,
      slices: pageCount,
      spacing: undefined,
      unit: undefined,
      notes: [],
      pageIndex: (_c, z) => z,
    };
  }
  const notes: string[] = [];
  let { channels, slices, frames } = imagej;
  if (slices === 1 && frames > 1) {
    notes.push(`ImageJ frames (${frames}) read as z slices`);
    [slices, frames] = [frames, 1];
  }
  if (frames > 1) notes.push(`time series of ${frames} frames: frame ${frame} read`);
  if (frame < 0 || frame >= frames) {
    throw new VolumeImportError(
      path,
      `${path} has ${frames} frame(s); frame ${frame} is out of range.`,
    );
  }
  if (channels * slices * frames > pageCount) {
    throw new VolumeImportError(
      path,
      `${path} declares ${channels} channels × ${slices} slices × ${frames} frames ` +
        `but holds only ${pageCount} pages.`,
    );
  }
  return {
    channels,
    slices,
    spacing: imagej.spacing ?? (imagej.unit !== undefined ? 1 : undefined),
    unit: imagej.unit,
    notes,
    pageIndex: (c, z) => (frame * slices + z) * channels + c,
  };
}

function calibration(
  first: TiffIfd,
  spacing: number | undefined,
  unit: string | undefined,
): Pick<ImportedVolume, "voxelSize" | "unit"> {
  const ngffUnit = unit === undefined ? undefined : ngffUnitName(unit);
  const xResolution = Number(first.xResolution);
  const yResolution = Number(first.yResolution);
  if (
    ngffUnit === undefined || spacing === undefined || !(xResolution > 0) || !(yResolution > 0)
  ) {
    return { voxelSize: undefined, unit: undefined };
  }
  return { voxelSize: [spacing, 1 / yResolution, 1 / xResolution], unit: ngffUnit };
}

function pageDataType(path: string, page: TiffIfd): DataType {
  if (page.samplesPerPixel !== 1) {
    throw new VolumeImportError(
      path,
      `Cannot import ${path}: pages have ${page.samplesPerPixel} samples per pixel; only single-channel (grey) pages are supported.`,
    );
  }
  const bits = page.bitsPerSample;
  const format = page.sampleFormat;
  if (format === 3 && bits === 32) return "float32";
  if (format === 3 && bits === 64) return "float64";
  if (bits === 8) return format === 2 ? "int8" : "uint8";
  if (bits === 16) return format === 2 ? "int16" : "uint16";
  throw new VolumeImportError(
    path,
    `Cannot import ${path}: ${bits}-bit samples of format ${format} are not supported (8/16-bit integers, 32/64-bit floats are).`,
  );
}

/** Copy a decoded page's samples; the decoder returns signed data as unsigned bits, reinterpreted here. */
function copyPage(
  page: ArrayLike<number> & ArrayBufferView,
  out: TypedArray,
  offset: number,
): void {
  if (out instanceof Int8Array || out instanceof Int16Array) {
    const bytes = new Uint8Array(page.buffer, page.byteOffset, page.byteLength);
    new Uint8Array(out.buffer, out.byteOffset + offset * out.BYTES_PER_ELEMENT, page.byteLength)
      .set(bytes);
    return;
  }
  (out as Float64Array).set(page as Float64Array, offset);
}
