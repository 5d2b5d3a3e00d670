/**
 * OME-Zarr I/O: stores, the reader (NGFF 0.4 and 0.5), the writer and the pyramid builder.
 * @module
 */
export type { Box, ChunkedArray, DataType, TypedArray } from "./types.ts";
export { openStore, type Store } from "./store.ts";
export { FileStore } from "./file_store.ts";
export { OmeZarrError, type OmeZarrErrorKind } from "./errors.ts";
export {
  type Axis,
  type LevelInfo,
  nearestLevel,
  type OmeImage,
  openImage,
  openLevel,
  type SpatialGridUm,
  spatialGridUm,
  spatialVoxelSizeUm,
} from "./image.ts";
export { ZarrArray } from "./zarr_array.ts";
export { createImage, type ImageSpec, writeImage } from "./writer.ts";
export { buildPyramid, pyramidFactors } from "./pyramid.ts";
export { downsampleBlock, type DownsampleMethod } from "./downsample.ts";
export { micrometersPerUnit } from "./units.ts";
export { allocate, dataTypeOf, typedArrayFor } from "./dtype.ts";
export { configureS3, type S3Options, S3RequestError, S3Store } from "./s3_store.ts";
export { readVolume } from "./tiff_folder.ts";
export { readTiffVolume } from "./tiff.ts";
export { convertToOmeZarr } from "./tiff_convert.ts";
