/**
 * Import of a folder of single-page images (TIFF or PNG, one per z, sorted by name in
 * natural order so 2 comes before 10) into one `(z,y,x)` volume, and the dispatcher that
 * opens a file or a folder alike.
 * @module
 */
import { decode as decodePng } from "fast-png";
import { join } from "node:path";
import type { DataType, TypedArray } from "./types.ts";
import { type ImportedVolume, VolumeImportError } from "./import_error.ts";
import { readTiffVolume } from "./tiff.ts";

const SLICE_PATTERN = /\.(tiff?|png)$/i;

/**
 * Read a volume from a TIFF file or from a folder of single-page TIFF/PNG slices.
 *
 * @param path A `.tif`/`.tiff` file or a folder of slices.
 * @returns The volume; a folder's voxel size is never declared (`voxelSize` undefined).
 * @throws {VolumeImportError} When the input is missing, empty or inconsistent.
 * @example
 * ```ts ignore
 * const volume = await readVolume("em-vnc/stack1/raw");
 * console.log(volume.shape); // [15, 1024, 1024]
 * ```
 */
export async function readVolume(path: string): Promise<ImportedVolume> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    throw new VolumeImportError(path, `Cannot read ${path}: ${(error as Error).message}.`, {
      cause: error,
    });
  }
  return info.isDirectory ? await readSliceFolder(path) : await readTiffVolume(path);
}

/**
 * Read a folder of single-page TIFF or PNG slices (one per z) as a `(z,y,x)` volume.
 *
 * @param folder The folder; files not ending in .tif, .tiff or .png are ignored.
 * @returns The stacked volume.
 * @throws {VolumeImportError} When the folder holds no slice or the slices differ in size or type.
 */
export async function readSliceFolder(folder: string): Promise<ImportedVolume> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(folder)) {
    if (entry.isFile && SLICE_PATTERN.test(entry.name)) names.push(entry.name);
  }
  names.sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  if (names.length === 0) {
    throw new VolumeImportError(folder, `${folder} holds no .tif, .tiff or .png slice.`);
  }
  let data: TypedArray | undefined;
  let sliceShape: number[] = [];
  let dtype: DataType = "uint8";
  for (const [z, name] of names.entries()) {
    const file = join(folder, name);
    const slice = /\.png$/i.test(name) ? await readPngSlice(file) : await readTiffSlice(file);
    if (data === undefined) {
      sliceShape = [slice.height, slice.width];
      dtype = slice.dtype;
      data = slice.dtype === "uint8"
        ? new Uint8Array(names.length * slice.width * slice.height)
        : slice.dtype === "uint16"
        ? new Uint16Array(names.length * slice.width * slice.height)
        : new Float32Array(names.length * slice.width * slice.height);
    } else if (
      slice.height !== sliceShape[0] || slice.width !== sliceShape[1] || slice.dtype !== dtype
    ) {
      throw new VolumeImportError(
        file,
        `Cannot stack ${file}: it is ${slice.width}×${slice.height} ${slice.dtype}, ` +
          `the first slice is ${sliceShape[1]}×${sliceShape[0]} ${dtype}.`,
      );
    }
    (data as Float32Array).set(slice.data as Float32Array, z * slice.width * slice.height);
  }
  return {
    data: data as TypedArray,
    shape: [names.length, ...sliceShape],
    axes: ["z", "y", "x"],
    dtype,
    voxelSize: undefined,
    unit: undefined,
    notes: [`${names.length} slices from ${names[0]} to ${names[names.length - 1]}`],
  };
}

interface Slice {
  data: TypedArray;
  width: number;
  height: number;
  dtype: DataType;
}

async function readTiffSlice(file: string): Promise<Slice> {
  const volume = await readTiffVolume(file);
  if (volume.shape.length !== 3 || volume.shape[0] !== 1) {
    throw new VolumeImportError(
      file,
      `Cannot use ${file} as one slice: it holds a ${volume.shape.join("×")} volume.`,
    );
  }
  if (volume.dtype !== "uint8" && volume.dtype !== "uint16" && volume.dtype !== "float32") {
    throw new VolumeImportError(
      file,
      `Cannot stack ${file}: ${volume.dtype} slices are not supported.`,
    );
  }
  return {
    data: volume.data,
    width: volume.shape[2]!,
    height: volume.shape[1]!,
    dtype: volume.dtype,
  };
}

async function readPngSlice(file: string): Promise<Slice> {
  let png: ReturnType<typeof decodePng>;
  try {
    png = decodePng(await Deno.readFile(file));
  } catch (error) {
    throw new VolumeImportError(
      file,
      `Cannot read ${file} as a PNG: ${(error as Error).message}.`,
      {
        cause: error,
      },
    );
  }
  if (png.channels !== 1 || png.palette !== undefined) {
    throw new VolumeImportError(
      file,
      `Cannot stack ${file}: it has ${png.channels} channels${
        png.palette ? " and a palette" : ""
      }; only greyscale PNGs are supported.`,
    );
  }
  if (png.depth === 16) {
    return { data: png.data as Uint16Array, width: png.width, height: png.height, dtype: "uint16" };
  }
  const data = png.depth === 8
    ? png.data as Uint8Array
    : unpackLowDepth(png.data as Uint8Array, png.width, png.height, png.depth);
  return { data, width: png.width, height: png.height, dtype: "uint8" };
}

/**
 * Expand 1/2/4-bit greyscale rows (packed MSB first, each row padded to a byte) to 8 bits,
 * scaling as the PNG spec does (1-bit 1 → 255), so 1-bit masks read like 8-bit 0/255 ones.
 */
function unpackLowDepth(
  packed: Uint8Array,
  width: number,
  height: number,
  depth: number,
): Uint8Array {
  const rowBytes = Math.ceil((width * depth) / 8);
  const maxSample = (1 << depth) - 1;
  const scale = 255 / maxSample;
  const out = new Uint8Array(width * height);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const bit = col * depth;
      const byte = packed[row * rowBytes + (bit >> 3)]!;
      const sample = (byte >> (8 - depth - (bit & 7))) & maxSample;
      out[row * width + col] = Math.round(sample * scale);
    }
  }
  return out;
}
