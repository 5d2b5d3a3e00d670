/**
 * The synthetic CLEM sample: EM-like volume and mitochondria labels, a two-channel FM volume
 * (mitochondria, lysosome-like puncta) placed by a known FM→EM transform, and `truth.json`
 * with the transform and test points. Seeded and deterministic.
 * @module
 */
import { join } from "node:path";
import { writeImage } from "../io/writer.ts";
import type { Axis } from "../io/image.ts";
import { createRandom } from "./random.ts";
import { type Grid, gridVoxels } from "./grid.ts";
import { placeMitochondria, rasterizeCapsules } from "./mito_geometry.ts";
import { labelsFromFile } from "./from_labels.ts";
import { labelStats } from "./label_stats.ts";
import { placeLysosomes } from "./lysosomes.ts";
import { makeTruthTransform } from "./make_transform.ts";
import { renderEm } from "./em_render.ts";
import { renderFm } from "./fm_render.ts";
import { emToFmPoints, type PointUm, type TruthTransform } from "./truth_transform.ts";

/** Options of {@linkcode generateSample}; sizes in micrometers. */
export interface SampleOptions {
  /** Output folder (created). */
  out: string;
  seed?: number;
  /** small: EM 3.2 × 9.6 × 9.6 µm at 40 nm; medium: EM 4 × 12 × 12 µm at 20 nm. Default small. */
  size?: "small" | "medium";
  transform?: "rigid" | "affine" | "nonrigid";
  /** Rotation angle in degrees (default 20). */
  angleDeg?: number;
  /** Tilt of the rotation axis from z in degrees (default 30; smaller keeps thin slabs thin in FM). */
  axisTiltDeg?: number;
  /** Non-rigid field amplitude in µm (default 0.3). */
  amplitudeUm?: number;
  /** A label or mask volume whose non-zero components become the mitochondria. */
  fromLabels?: string;
  /** Voxel size (z, y, x) of `fromLabels` in µm (required with it). */
  labelVoxelSizeUm?: [number, number, number];
  /**
   * Labels already in memory on their grid (e.g. `labelsFromProcedural`), with a name for
   * `truth.json`; they replace the generated geometry.
   */
  labels?: { grid: Grid; labels: Uint16Array | Uint32Array; source: string };
  /** EM voxel size (z, y, x) in µm (default: the preset's, or the label file's). */
  emVoxelSizeUm?: [number, number, number];
  /** FM voxel size (z, y, x) in µm (default 0.13, 0.035, 0.035). */
  fmVoxelSizeUm?: [number, number, number];
  /** PSF σ (z, y, x) in µm (default 0.25, 0.1, 0.1). */
  psfSigmaUm?: [number, number, number];
  /** Object-free FM margin added above and below in z (default 0). */
  emptyMarginUm?: number;
  /** Number of lysosome-like puncta (default: 0.05 per µm³ of EM volume, at least 8). */
  lysosomes?: number;
  version?: "0.4" | "0.5";
  codec?: "zstd" | "gzip" | "raw";
}

/** What {@linkcode generateSample} made. */
export interface SampleSummary {
  out: string;
  emGrid: Grid;
  fmGrid: Grid;
  emLabelDtype: "uint16" | "uint32";
  mitochondria: number;
  testMitochondria: number;
  lysosomes: number;
  volumeFraction: number;
  truth: TruthTransform;
  rotationAxis: PointUm;
  secondsByStage: Record<string, number>;
}

const PRESETS = {
  small: { extentUm: [3.2, 9.6, 9.6], voxelUm: [0.04, 0.04, 0.04] },
  medium: { extentUm: [4, 12, 12], voxelUm: [0.02, 0.02, 0.02] },
} as const;

/** Smallest mitochondrion (µm³) used as a test point: smaller ones are specks in FM. */
const MIN_TEST_VOLUME_UM3 = 0.01;

/**
 * Generate a synthetic CLEM sample into `options.out`.
 *
 * @param options See {@linkcode SampleOptions}.
 * @returns A summary of what was written.
 * @throws {RangeError} For inconsistent options.
 * @example
 * ```ts ignore
 * const summary = await generateSample({ out: "tmp/sample", seed: 1, transform: "rigid" });
 * ```
 */
export async function generateSample(options: SampleOptions): Promise<SampleSummary> {
  const seconds: Record<string, number> = {};
  let clock = performance.now();
  const lap = (stage: string) => {
    const now = performance.now();
    seconds[stage] = Math.round(now - clock) / 1000;
    clock = now;
  };
  const random = createRandom(options.seed ?? 1);
  const method = options.transform ?? "rigid";
  let emGrid: Grid;
  let labels: Uint16Array | Uint32Array;
  if (options.labels !== undefined) {
    [emGrid, labels] = [options.labels.grid, options.labels.labels];
  } else if (options.fromLabels !== undefined) {
    if (options.labelVoxelSizeUm === undefined) {
      throw new RangeError("Cannot use --from-labels without --voxel-size z,y,x of the label file");
    }
    const read = await labelsFromFile(
      options.fromLabels,
      options.labelVoxelSizeUm,
      options.emVoxelSizeUm ?? options.labelVoxelSizeUm,
    );
    [emGrid, labels] = [read.grid, read.labels];
  } else {
    const preset = PRESETS[options.size ?? "small"];
    const voxelUm = options.emVoxelSizeUm ?? [...preset.voxelUm] as [number, number, number];
    emGrid = {
      shape: preset.extentUm.map((e, a) => Math.round(e / voxelUm[a]!)) as [number, number, number],
      voxelUm,
      translationUm: [0, 0, 0],
    };
    const capsules = placeMitochondria(emGrid, random);
    labels = capsules.length < 65536
      ? new Uint16Array(gridVoxels(emGrid))
      : new Uint32Array(gridVoxels(emGrid));
    rasterizeCapsules(capsules, emGrid, labels);
  }
  lap("geometry");
  const stats = labelStats(labels, emGrid);
  const emVolumeUm3 = gridVoxels(emGrid) * emGrid.voxelUm[0] * emGrid.voxelUm[1] *
    emGrid.voxelUm[2];
  const lysosomeCount = options.lysosomes ?? Math.max(8, Math.round(0.05 * emVolumeUm3));
  const spheres = placeLysosomes(lysosomeCount, labels, emGrid, random);
  const made = makeTruthTransform(emGrid, {
    method,
    angleDeg: options.angleDeg ?? 20,
    ...(options.axisTiltDeg !== undefined ? { axisTiltDeg: options.axisTiltDeg } : {}),
    ...(options.amplitudeUm !== undefined ? { amplitudeUm: options.amplitudeUm } : {}),
    fmVoxelUm: options.fmVoxelSizeUm ?? [0.13, 0.035, 0.035],
    emptyMarginUm: options.emptyMarginUm ?? 0,
  }, random);
  lap("layout");
  const em = renderEm(labels, stats, emGrid, random);
  lap("em");
  const maxLabel = stats.reduce((m, s) => Math.max(m, s.label), 0);
  const brightness = new Float32Array(maxLabel + 1);
  for (const s of stats) brightness[s.label] = random.between(0.8, 1.2);
  const fm = renderFm(
    labels,
    brightness,
    spheres,
    made.truth,
    { em: emGrid, fm: made.fmGrid },
    random,
    {
      ...(options.psfSigmaUm ? { psfSigmaUm: options.psfSigmaUm } : {}),
    },
  );
  lap("fm");

  const testStats = stats.filter((s) => s.volumeUm3 >= MIN_TEST_VOLUME_UM3);
  const mitoEm = testStats.map((s) => s.centroidUm);
  const lysoEm = spheres.map((s) => s.centreUm);
  const truth: TruthTransform = {
    ...made.truth,
    testPoints: {
      fm: emToFmPoints(made.truth, mitoEm),
      em: mitoEm,
      lysosomes: { fm: emToFmPoints(made.truth, lysoEm), em: lysoEm },
    },
    sample: {
      seed: options.seed ?? 1,
      size: options.fromLabels === undefined && options.labels === undefined
        ? options.size ?? "small"
        : null,
      fromLabels: options.fromLabels ?? options.labels?.source ?? null,
      angleDeg: options.angleDeg ?? 20,
      rotationAxis: made.rotationAxis,
      psfSigmaUm: options.psfSigmaUm ?? [0.25, 0.1, 0.1],
      em: emGrid,
      fm: made.fmGrid,
      testPointLabels: testStats.map((s) => s.label),
      lysosomeRadiiUm: spheres.map((s) => s.radiusUm),
    },
  };
  await Deno.mkdir(options.out, { recursive: true });
  const common = { version: options.version ?? "0.5", codec: options.codec ?? "zstd" } as const;
  const space = (): Axis[] =>
    ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "micrometer" }));
  const chunks = (grid: Grid) => grid.shape.map((n, a) => Math.min(n, a === 0 ? 64 : 128));
  const levels = (grid: Grid) => {
    let count = 1;
    while (count < 6 && Math.min(grid.shape[1], grid.shape[2]) / 2 ** count >= 32) count++;
    return count;
  };
  const emSpec = {
    ...common,
    axes: space(),
    shape: [...emGrid.shape],
    chunks: chunks(emGrid),
    scale: [...emGrid.voxelUm],
    translation: [...emGrid.translationUm],
    levels: levels(emGrid),
  };
  await writeImage(join(options.out, "em.zarr"), em, { ...emSpec, dtype: "uint8", name: "em" });
  await writeImage(join(options.out, "em_labels.zarr"), labels, {
    ...emSpec,
    dtype: labels instanceof Uint16Array ? "uint16" : "uint32",
    labels: true,
    name: "em_labels",
  });
  await writeImage(join(options.out, "fm.zarr"), fm, {
    ...common,
    axes: [{ name: "c", type: "channel" }, ...space()],
    shape: [2, ...made.fmGrid.shape],
    chunks: [1, ...chunks(made.fmGrid)],
    dtype: "uint16",
    scale: [1, ...made.fmGrid.voxelUm],
    translation: [0, ...made.fmGrid.translationUm],
    channelNames: ["mitochondria", "lysosomes"],
    levels: levels(made.fmGrid),
    name: "fm",
  });
  await Deno.writeTextFile(join(options.out, "truth.json"), JSON.stringify(truth, null, 2) + "\n");
  lap("write");
  let labelled = 0;
  for (const s of stats) labelled += s.voxels;
  return {
    out: options.out,
    emGrid,
    fmGrid: made.fmGrid,
    emLabelDtype: labels instanceof Uint16Array ? "uint16" : "uint32",
    mitochondria: stats.length,
    testMitochondria: testStats.length,
    lysosomes: spheres.length,
    volumeFraction: labelled / gridVoxels(emGrid),
    truth,
    rotationAxis: made.rotationAxis,
    secondsByStage: seconds,
  };
}
