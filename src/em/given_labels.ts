/**
 * The "given labels" EM backend: the user already has a mitochondria label volume (e.g.
 * MitoNet's output) as OME-Zarr, so segmentation is skipped and the labels are read as is.
 * @module
 */
import { type OmeImage, openImage, openLevel, spatialVoxelSizeUm } from "../io/image.ts";
import type { ChunkedArray } from "../io/types.ts";

/** An opened label volume, ready for the point-cloud stage. */
export interface GivenLabels {
  image: OmeImage;
  level: number;
  /** The level's array (chunked; read chunk by chunk). */
  labels: ChunkedArray;
  /** Voxel size `[z, y, x]` in micrometres. */
  voxelSizeUm: [number, number, number];
  /** Translation `[z, y, x]` in the axes' units, as stored. */
  translation: number[];
}

/**
 * Open a given label image (OME-Zarr, axes z, y, x, integer dtype).
 * @param location path or URL of the label image
 * @param options `level` to read (default 0)
 * @returns the labels and their physical placement
 * @throws {TypeError} when the image is not z, y, x or not an integer type
 */
export async function openGivenLabels(
  location: string,
  options: { level?: number } = {},
): Promise<GivenLabels> {
  const image = await openImage(location);
  const axisNames = image.axes.map((axis) => axis.name.toLowerCase()).join(",");
  if (axisNames !== "z,y,x") {
    throw new TypeError(`Cannot use ${location} as labels: axes are ${axisNames}, expected z,y,x`);
  }
  const level = options.level ?? 0;
  const labels = await openLevel(image, level);
  if (labels.dtype === "float32" || labels.dtype === "float64") {
    throw new TypeError(`Cannot use ${location} as labels: dtype is ${labels.dtype}`);
  }
  return {
    image,
    level,
    labels,
    voxelSizeUm: spatialVoxelSizeUm(image, level),
    translation: image.levels[level]!.translation,
  };
}
