/**
 * Loading the labelled em-vnc slices for training and validation: raw TIFF slices and
 * mitochondria PNG masks, block-averaged to the model's voxel size.
 * @module
 */
import { decode as decodeTiff } from "tiff";
import { decode as decodePng } from "fast-png";

/** One slice at the model's voxel size: intensities 0-255 and a 0/1 mask. */
export interface LabelledSlice {
  height: number;
  width: number;
  intensity: Float32Array;
  mask: Uint8Array;
}

/**
 * Average `factor × factor` blocks of a slice (trailing partial blocks dropped).
 * @param values the full-resolution slice, C order
 * @param height its height
 * @param width its width
 * @param factor the integer block size
 * @returns the block means and the new height and width
 */
export function blockMean2d(
  values: ArrayLike<number>,
  height: number,
  width: number,
  factor: number,
): { values: Float32Array; height: number; width: number } {
  const outHeight = Math.floor(height / factor);
  const outWidth = Math.floor(width / factor);
  const out = new Float32Array(outHeight * outWidth);
  const scale = 1 / (factor * factor);
  for (let y = 0; y < outHeight * factor; y++) {
    const outRow = Math.floor(y / factor) * outWidth;
    for (let x = 0; x < outWidth * factor; x++) {
      const o = outRow + Math.floor(x / factor);
      out[o] = out[o]! + values[y * width + x]! * scale;
    }
  }
  return { values: out, height: outHeight, width: outWidth };
}

/** The parts of a decoded PNG (fast-png) that {@linkcode pngForeground} reads. */
export interface DecodedPng {
  width: number;
  height: number;
  channels: number;
  /** Bits per sample: 1, 2, 4, 8 or 16. */
  depth: number;
  /** Samples; for depths below 8, rows packed MSB first, each row padded to whole bytes. */
  data: ArrayLike<number>;
}

/**
 * Foreground (first channel at least half of full scale) of a decoded greyscale PNG mask,
 * whatever its bit depth. em-vnc masks 01 and 07 are 1-bit PNGs: reading their packed
 * bytes as 8-bit pixels gave nonsense masks for two of the twelve training slices.
 * @param png the decoded image
 * @returns 0/1 per pixel, C order
 * @throws {TypeError} when the bit depth is not 1, 2, 4, 8 or 16
 */
export function pngForeground(png: DecodedPng): Uint8Array {
  const { width, height, channels, depth, data } = png;
  if (![1, 2, 4, 8, 16].includes(depth)) {
    throw new TypeError(`Cannot read the PNG mask: bit depth ${depth}`);
  }
  const binary = new Uint8Array(width * height);
  const half = 2 ** (depth - 1);
  if (depth >= 8) {
    for (let p = 0; p < binary.length; p++) binary[p] = data[p * channels]! >= half ? 1 : 0;
    return binary;
  }
  const rowBytes = Math.ceil((width * channels * depth) / 8);
  const maxSample = 2 ** depth - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * channels * depth;
      const byte = data[y * rowBytes + (bit >> 3)]!;
      const sample = (byte >> (8 - depth - (bit & 7))) & maxSample;
      binary[y * width + x] = sample >= half ? 1 : 0;
    }
  }
  return binary;
}

/**
 * Read em-vnc stack1 slice `index` (raw TIFF + mitochondria PNG) and downsample it.
 * The mask is the block mean of (PNG ≥ 128), thresholded at 0.5.
 * @param stackDir the `em-vnc/stack1` folder
 * @param index slice number 0-14
 * @param factor block size (4 turns 4.6 nm pixels into 18.4 nm)
 * @returns the downsampled slice and mask
 */
export async function loadVncSlice(
  stackDir: string,
  index: number,
  factor: number,
): Promise<LabelledSlice> {
  const name = String(index).padStart(2, "0");
  const [ifd] = decodeTiff(await Deno.readFile(`${stackDir}/raw/${name}.tif`));
  if (!ifd) throw new TypeError(`Cannot read ${stackDir}/raw/${name}.tif: no image in it`);
  const png = decodePng(await Deno.readFile(`${stackDir}/mitochondria/${name}.png`));
  const binary = pngForeground(png);
  const intensity = blockMean2d(ifd.data as ArrayLike<number>, ifd.height, ifd.width, factor);
  const maskMean = blockMean2d(binary, png.height, png.width, factor);
  const mask = new Uint8Array(maskMean.values.length);
  for (let p = 0; p < mask.length; p++) mask[p] = maskMean.values[p]! >= 0.5 ? 1 : 0;
  return { height: intensity.height, width: intensity.width, intensity: intensity.values, mask };
}

/**
 * Where the shared data folder is: env `CLEMREG_DATA`, else `../shared/data` from the repo root.
 * @returns the path, or undefined when it does not exist
 */
export function findDataDir(): string | undefined {
  const fromEnv = Deno.env.get("CLEMREG_DATA");
  const candidate = fromEnv ?? new URL("../../../shared/data", import.meta.url).pathname;
  try {
    return Deno.statSync(candidate).isDirectory ? candidate : undefined;
  } catch {
    return undefined;
  }
}
