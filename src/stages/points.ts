/**
 * Point clouds from label images, chunk by chunk: the boundary voxels of the objects in
 * physical coordinates (µm, z, y, x), voxel-grid downsampled to about `targetPoints` (a first
 * reduction estimates occupied cells over a ladder of cell sizes, a second one keeps one
 * boundary voxel per cell — the one nearest the cell centre), then statistical outlier removal.
 * The `clemreg` preset reproduces CLEM-Reg's sampling (per-slice Canny, every 33rd point,
 * 15-voxel cells) for comparison.
 * @module
 */
import { openArray } from "../chunked/open_array.ts";
import { reduce } from "../chunked/ops.ts";
import { createWorkerPool } from "../chunked/pool.ts";
import { runOp, type RunOptions } from "../chunked/scheduler.ts";
import type { ArrayLocation } from "../chunked/types.ts";
import { voxelDownsampleCentroids } from "./points_clemreg.ts";
import type { CellPartial, PhysicalGrid } from "./points_kernels.ts";
import { removeStatisticalOutliers } from "./points_outliers.ts";

/** A label image to sample: a 3-D (z, y, x) array and where its voxels sit in space. */
export interface LabelsInput {
  array: ArrayLocation;
  /** Voxel size z, y, x in micrometres. */
  voxelSizeUm: readonly number[];
  /** Physical position of voxel (0, 0, 0) in micrometres; default zeros. */
  translationUm?: readonly number[];
}

/** Options of {@link pointsFromLabels} (the config's `points`, plus run options). */
export interface PointsOptions extends Omit<RunOptions, "journalDir" | "upstreamIds"> {
  preset?: "default" | "clemreg";
  /** Wanted points after the voxel grid (default 10,000); `default` preset only. */
  targetPoints?: number;
  /** k of the outlier removal (default 5). */
  outlierNeighbours?: number;
  /** Standard deviations of the outlier cut (default 1). */
  outlierStd?: number;
}

/** A sampled point cloud and how it was made. */
export interface PointCloud {
  /** Flat (z, y, x) triples in micrometres. */
  points: Float64Array;
  /** Boundary voxels (default) or Canny edge pixels (clemreg) before sampling. */
  surfaceVoxels: number;
  /** Points after the voxel grid, before outlier removal. */
  sampled: number;
  removedOutliers: number;
  /** Voxel-grid cell edge in micrometres. */
  cellSizeUm: number;
}

/** Ladder: cell sizes 2 × the smallest voxel × √2^k, k = 0..15 (up to ≈ 360 voxels). */
const LADDER_STEPS = 16;

/**
 * Sample the object boundaries of a label image as a point cloud.
 * @param labels the label array (any integer dtype; 0 background) with voxel size and translation
 * @param options preset, target size, outlier removal, run options
 * @returns the cloud, deterministic for a given input and options
 * @throws {RangeError} for a non-3-D array or a non-positive voxel size
 * @example
 * ```ts ignore
 * const cloud = await pointsFromLabels({ array, voxelSizeUm: [0.02, 0.02, 0.02] }, { targetPoints: 5000 });
 * await writePointsCsv("em.csv", cloud.points);
 * ```
 */
export async function pointsFromLabels(
  labels: LabelsInput,
  options: PointsOptions = {},
): Promise<PointCloud> {
  const array = await openArray(labels.array);
  if (array.shape.length !== 3 || labels.voxelSizeUm.length !== 3) {
    throw new RangeError(
      `Cannot sample points: expected a 3-D (z, y, x) label array, got [${array.shape}]`,
    );
  }
  if (!labels.voxelSizeUm.every((v) => v > 0)) {
    throw new RangeError(`Cannot sample points: voxel size [${labels.voxelSizeUm}] must be > 0`);
  }
  const grid: PhysicalGrid = {
    voxelSizeUm: [...labels.voxelSizeUm],
    translationUm: [...(labels.translationUm ?? [0, 0, 0])],
    shape: [...array.shape],
  };
  const executor = options.executor ?? createWorkerPool(
    options.workers !== undefined ? { size: options.workers } : {},
  );
  const run: RunOptions = {
    ...(options.memoryBytes !== undefined ? { memoryBytes: options.memoryBytes } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.quiet !== undefined ? { quiet: options.quiet } : {}),
    ...(options.progress ? { progress: options.progress } : {}),
    executor,
    journalDir: false,
  };
  try {
    const sampled = options.preset === "clemreg"
      ? await sampleClemreg(labels.array, grid, run)
      : await sampleBoundary(labels.array, grid, options.targetPoints ?? 10000, run);
    const { points, removed } = removeStatisticalOutliers(sampled.points, {
      neighbours: options.outlierNeighbours ?? 5,
      stdRatio: options.outlierStd ?? 1,
    });
    return {
      points,
      surfaceVoxels: sampled.surfaceVoxels,
      sampled: sampled.points.length / 3,
      removedOutliers: removed,
      cellSizeUm: sampled.cellSizeUm,
    };
  } finally {
    if (!options.executor) await executor.close();
  }
}

type Sampled = { points: Float64Array; surfaceVoxels: number; cellSizeUm: number };

async function sampleBoundary(
  input: ArrayLocation,
  grid: PhysicalGrid,
  targetPoints: number,
  run: RunOptions,
): Promise<Sampled> {
  const smallest = Math.min(...grid.voxelSizeUm);
  const cellSizesUm = Array.from({ length: LADDER_STEPS }, (_, k) => 2 * smallest * 2 ** (k / 2));
  const ladder = await runOp(
    reduce({
      name: "points: boundary cells",
      kernel: kernelOf("cellLadderKernel"),
      merge: kernelOf("cellLadderMerge"),
      inputs: [input],
      haloVoxels: [1, 1, 1],
      params: { ...grid, cellSizesUm },
    }),
    run,
  );
  const { boundary, cells } = ladder.result as { boundary: number; cells: number[] };
  let cellUm = estimateCellSize(cellSizesUm, cells, targetPoints);
  let points = new Float64Array(0);
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await runOp(
      reduce({
        name: "points: voxel grid",
        kernel: kernelOf("voxelGridKernel"),
        merge: kernelOf("voxelGridMerge"),
        inputs: [input],
        haloVoxels: [1, 1, 1],
        params: { ...grid, cellUm },
      }),
      run,
    );
    const { voxels } = result.result as CellPartial;
    points = new Float64Array(voxels.length);
    for (let i = 0; i < voxels.length; i++) {
      points[i] = grid.translationUm[i % 3]! + voxels[i]! * grid.voxelSizeUm[i % 3]!;
    }
    const n = voxels.length / 3;
    // Surfaces: cells ∝ 1 / size², so one correction usually lands within a few percent.
    if (n === 0 || Math.abs(Math.log(n / targetPoints)) < Math.log(1.2) || cellUm <= smallest) {
      break;
    }
    cellUm = Math.max(smallest, cellUm * Math.sqrt(n / targetPoints));
  }
  return { points, surfaceVoxels: boundary, cellSizeUm: cellUm };
}

/** Cell size where the ladder's occupied-cell counts cross the target (log-log interpolation). */
function estimateCellSize(sizes: number[], cells: number[], target: number): number {
  if (!(cells[0]! > target)) return sizes[0]!;
  for (let k = 0; k + 1 < sizes.length; k++) {
    const a = cells[k]!, b = cells[k + 1]!;
    if (a >= target && b <= target) {
      if (a === b || b === 0) return sizes[k + 1]!;
      const t = Math.log(a / target) / Math.log(a / b);
      return sizes[k]! * (sizes[k + 1]! / sizes[k]!) ** t;
    }
  }
  return sizes[sizes.length - 1]!;
}

async function sampleClemreg(
  input: ArrayLocation,
  grid: PhysicalGrid,
  run: RunOptions,
): Promise<Sampled> {
  const result = await runOp(
    reduce({
      name: "points: Canny per slice",
      kernel: {
        module: new URL("./points_clemreg.ts", import.meta.url).href,
        name: "cannySliceKernel",
      },
      merge: {
        module: new URL("./points_clemreg.ts", import.meta.url).href,
        name: "cannySliceMerge",
      },
      inputs: [input],
      grid: [1, grid.shape[1]!, grid.shape[2]!],
      params: { sigma: 1, everyK: 33 },
    }),
    run,
  );
  const { edgePoints, sampled } = result.result as { edgePoints: number; sampled: Float64Array };
  const centroids = voxelDownsampleCentroids(sampled, 15);
  for (let i = 0; i < centroids.length; i++) {
    centroids[i] = grid.translationUm[i % 3]! + centroids[i]! * grid.voxelSizeUm[i % 3]!;
  }
  return {
    points: centroids,
    surfaceVoxels: edgePoints,
    cellSizeUm: 15 * Math.min(...grid.voxelSizeUm),
  };
}

function kernelOf(name: string) {
  return { module: new URL("./points_kernels.ts", import.meta.url).href, name };
}
