/**
 * The error TIFF/PNG import throws for input it cannot turn into a volume; CLIs catch it
 * and print its message (one sentence naming the file) with exit status 2.
 * @module
 */

/** A file or folder that cannot be imported as a volume. */
export class VolumeImportError extends Error {
  /** The file or folder that failed. */
  readonly path: string;

  /**
   * @param path The file or folder that failed.
   * @param message One sentence naming the path and the problem.
   * @param options `cause`: the original error, if any.
   */
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "VolumeImportError";
    this.path = path;
  }
}

/** A volume read from TIFF or PNG files, C-ordered, axes `(z,y,x)` or `(c,z,y,x)`. */
export interface ImportedVolume {
  data: import("./types.ts").TypedArray;
  shape: number[];
  /** Axis names, `["z","y","x"]` or `["c","z","y","x"]`. */
  axes: string[];
  dtype: import("./types.ts").DataType;
  /** Voxel size (z, y, x) in `unit`, when the file declares it. */
  voxelSize: [number, number, number] | undefined;
  /** NGFF unit name of `voxelSize` (e.g. "micrometer"), when the file declares it. */
  unit: string | undefined;
  /** Remarks on how the file was interpreted (e.g. a frame picked from a time series). */
  notes: string[];
}
