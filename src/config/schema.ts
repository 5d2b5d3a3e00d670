/**
 * The register config: one zod schema, from which the TypeScript type and every
 * default are derived. Defaults follow CLEM-Reg's published ones where it has one.
 * @module
 */
import { z } from "zod";

const positive = z.number().positive();
const triple = z.tuple([positive, positive, positive]);
/** A voxel-size-like value: one number for every axis, or z, y, x. */
const perAxisNm = z.union([positive, triple], {
  error: "expected a positive number or a list [z, y, x] of positive numbers",
});

const s3Options = z.strictObject({
  endpoint: z.string().optional(),
  region: z.string().optional(),
  pathStyle: z.boolean().optional(),
  maxConcurrency: z.int().positive().optional(),
  attempts: z.int().positive().optional(),
  timeoutMs: z.int().positive().optional(),
});

const fmSegmentation = z.strictObject({
  /** `clemreg`: CLEM-Reg's own method (σ = 3 voxels); `default`: σ in nm and a global floor. */
  preset: z.enum(["default", "clemreg"]).default("default"),
  /** DoG inner σ in nanometres (z, y, x); the outer σ is `sigmaRatio` × this. */
  sigmaNm: perAxisNm.default(105),
  sigmaRatio: positive.default(1.6),
  /** Per-slice threshold = factor × slice mean (after rescaling the slice to 0-255). */
  thresholdFactor: positive.default(1.2),
  /** The per-slice threshold never drops below this fraction of the volume's 99.9th DoG percentile. */
  thresholdFloor: z.number().min(0).max(1).default(0.25),
  /**
   * Keep objects whose size is between these percentiles of object size; null keeps all
   * (CLEM-Reg used [5, 95], which always drops the largest object: on yeast networks, all).
   */
  sizePercentiles: z.tuple([z.number().min(0).max(100), z.number().min(0).max(100)]).nullable()
    .default(null),
  minVoxels: z.int().nonnegative().default(8),
});

const emSegmentation = z.strictObject({
  /**
   * `builtin` (the committed pixel classifier), or the path of an ONNX model's JSON config
   * (input/output names, mean, std, tile size, overlap, voxel size, threshold) or of the
   * `.onnx` file with `NAME.onnx.json` beside it.
   */
  model: z.string().min(1).default("builtin"),
  /** Probability threshold; null uses the model's own. */
  threshold: z.number().min(0).max(1).nullable().default(null),
  /** CLEM-Reg drops objects under 500 voxels or spanning fewer than 4 slices. */
  minVoxels: z.int().nonnegative().default(500),
  minSlices: z.int().nonnegative().default(4),
});

const points = z.strictObject({
  /** `default`: boundary voxels + voxel-grid downsample; `clemreg`: per-slice Canny, every 33rd point. */
  preset: z.enum(["default", "clemreg"]).default("default"),
  targetPoints: z.int().min(100).default(10000),
  outlierNeighbours: z.int().positive().default(5),
  outlierStd: positive.default(1),
  /** Build the EM cloud from the EM mask blurred with the FM PSF and segmented like FM. */
  matchModality: z.boolean().default(true),
  /** The FM point-spread function as Gaussian σ in nanometres (z, y, x). */
  psfSigmaNm: perAxisNm.default([250, 100, 100]),
});

const registration = z.strictObject({
  method: z.enum(["rigid", "affine", "nonrigid"]).default("rigid"),
  /** CPD's uniform outlier weight. */
  w: z.number().min(0).lt(1).default(0.1),
  scale: z.boolean().default(true),
  maxIterations: z.int().positive().default(100),
  tolerance: positive.default(1e-6),
  beta: positive.default(2),
  lambda: positive.default(2),
  /** Try the 24 cube rotations and PCA alignments before refining. */
  multiStart: z.boolean().default(true),
  /**
   * A last refinement of the affine: `ncc` maximises the normalised cross-correlation of the
   * FM channel with the PSF-blurred EM mask, coarse to fine; `none` keeps the CPD result.
   * Ignored for `method: nonrigid`.
   */
  refine: z.enum(["none", "ncc"]).default("none"),
});

const output = z.strictObject({
  path: z.string().default("out"),
  /** The EM level to warp onto; `auto`: the one nearest half the FM lateral voxel size. */
  level: z.union([z.literal("auto"), z.int().nonnegative()], {
    error: 'expected "auto" or a level index (0, 1, ...)',
  }).default("auto"),
  version: z.enum(["0.5", "0.4"]).default("0.5"),
  codec: z.enum(["zstd", "gzip", "raw"]).default("zstd"),
});

const resources = z.strictObject({
  /** Worker count; `auto` = all cores. */
  workers: z.union([z.literal("auto"), z.int().positive()], {
    error: 'expected "auto" or a positive worker count',
  }).default("auto"),
  memoryBytes: z.int().positive().default(4 * 2 ** 30),
  attempts: z.int().positive().default(3),
});

/** The whole config file. */
export const configSchema = z.strictObject({
  fm: z.strictObject({
    path: z.string().min(1),
    /** Channel index or name (the `omero` label). */
    channel: z.union([z.int().nonnegative(), z.string().min(1)], {
      error: "expected a channel index (0, 1, ...) or a channel name",
    }).default(0),
    s3: s3Options.optional(),
  }),
  em: z.strictObject({
    path: z.string().min(1),
    /** Given EM mitochondria labels (OME-Zarr); EM segmentation is then skipped. */
    labels: z.string().min(1).optional(),
    s3: s3Options.optional(),
  }),
  segmentation: z.strictObject({
    fm: fmSegmentation.prefault({}),
    em: emSegmentation.prefault({}),
  }).prefault({}),
  points: points.prefault({}),
  registration: registration.prefault({}),
  output: output.prefault({}),
  resources: resources.prefault({}),
});

/** A validated config with every default filled in. */
export type Config = z.infer<typeof configSchema>;
/** A config as written by a user (defaults may be left out). */
export type ConfigInput = z.input<typeof configSchema>;
