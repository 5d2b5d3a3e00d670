/**
 * Mitochondria geometry from a real label or mask volume (e.g. em_mask.tif): read it,
 * threshold > 0, resample to the sample's EM grid by nearest neighbour, and split it into
 * 6-connected components.
 * @module
 */
import { readVolume } from "../io/tiff_folder.ts";
import { VolumeImportError } from "../io/import_error.ts";
import type { Grid } from "./grid.ts";
import { labelComponents } from "../filters/label.ts";

/**
 * Read a label/mask TIFF (or slice folder) as sample geometry on a new EM grid.
 *
 * @param path TIFF file or folder of slices; any non-zero voxel is an object.
 * @param inputVoxelUm The input's voxel size (z, y, x) in µm.
 * @param emVoxelUm The EM grid's voxel size (z, y, x) in µm (equal to the input's to keep it).
 * @returns The EM grid, its labels and the component count.
 * @throws {VolumeImportError} When the file cannot be read or is not a 3-D single-channel volume.
 */
export async function labelsFromFile(
  path: string,
  inputVoxelUm: [number, number, number],
  emVoxelUm: [number, number, number],
): Promise<{ grid: Grid; labels: Uint16Array | Uint32Array; count: number }> {
  const volume = await readVolume(path);
  if (volume.shape.length !== 3) {
    throw new VolumeImportError(
      path,
      `Cannot use ${path} as labels: it has ${volume.shape.length - 3} channel axis.`,
    );
  }
  const [iz, iy, ix] = volume.shape as [number, number, number];
  const shape = [0, 1, 2].map((a) =>
    Math.max(1, Math.round((volume.shape[a]! * inputVoxelUm[a]!) / emVoxelUm[a]!))
  ) as [number, number, number];
  const [nz, ny, nx] = shape;
  let mask: Uint8Array;
  const source = volume.data;
  if (nz === iz && ny === iy && nx === ix) {
    mask = source instanceof Uint8Array ? source : Uint8Array.from(source, (v) => (v > 0 ? 1 : 0));
  } else {
    // Nearest input voxel centre for each output voxel centre.
    const map = (n: number, a: number) =>
      Int32Array.from(
        { length: n },
        (_, i) =>
          Math.min(
            volume.shape[a]! - 1,
            Math.max(0, Math.round(((i + 0.5) * emVoxelUm[a]!) / inputVoxelUm[a]! - 0.5)),
          ),
      );
    const mz = map(nz, 0), my = map(ny, 1), mx = map(nx, 2);
    mask = new Uint8Array(nz * ny * nx);
    for (let z = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        const input = (mz[z]! * iy + my[y]!) * ix;
        const row = (z * ny + y) * nx;
        for (let x = 0; x < nx; x++) mask[row + x] = source[input + mx[x]!]! > 0 ? 1 : 0;
      }
    }
  }
  // 6-connected, numbered in raster order of each object's first voxel; uint16 when it fits.
  const components = labelComponents(mask, shape, { connectivity: 6 });
  const count = components.count;
  const labels = count < 65536 ? Uint16Array.from(components.labels) : components.labels;
  const grid: Grid = {
    shape,
    voxelUm: emVoxelUm,
    translationUm: [0, 0, 0],
  };
  return { grid, labels, count };
}
