/**
 * The statistics side of FM mitochondria segmentation, shared by the chunked run and the
 * whole-volume reference so both derive the very same thresholds: option presets, the DoG
 * histogram and its percentile, and the per-slice thresholds (CLEM-Reg's rule plus the
 * global floor of the `default` preset).
 * @module
 */

/** FM segmentation options (the config's `segmentation.fm`); every field has a default. */
export interface FmSegmentationOptions {
  /** `clemreg`: σ = 3 voxels on every axis, no floor; `default`: σ in nm and a global floor. */
  preset?: "default" | "clemreg";
  /** DoG inner σ in nanometres (one number or z, y, x); `default` preset only. */
  sigmaNm?: number | readonly number[];
  /** Outer σ ÷ inner σ (1.6). */
  sigmaRatio?: number;
  /** Slice threshold = min + factor × (mean − min) of the DoG slice (CLEM-Reg: 1.2 × mean on 0-255). */
  thresholdFactor?: number;
  /** Slice thresholds never drop below this × the volume's 99.9th DoG percentile (`default` only). */
  thresholdFloor?: number;
  /** Keep objects whose size lies between these percentiles of object size; null keeps all. */
  sizePercentiles?: readonly [number, number] | null;
  /** Smallest object kept, in voxels. */
  minVoxels?: number;
}

/** Options resolved for one voxel size: σ in voxels and every number filled in. */
export interface ResolvedFmSegmentation {
  preset: "default" | "clemreg";
  sigmaLowVoxels: number[];
  sigmaHighVoxels: number[];
  thresholdFactor: number;
  /** 0 disables the floor. */
  thresholdFloor: number;
  floorPercentile: number;
  sizePercentiles: [number, number] | null;
  minVoxels: number;
  /** 26 as skimage.measure.label on a 3-D mask. */
  connectivity: 26;
}

/** Bins of the DoG histogram over [-1, 1] (the DoG of an image rescaled to [0, 1] lies there). */
export const DOG_HISTOGRAM_BINS = 65536;

/**
 * Fill in defaults and convert σ to voxels.
 * @param options the config's `segmentation.fm` (partial)
 * @param voxelSizeNm FM voxel size z, y, x in nanometres
 * @returns the resolved options
 * @throws {RangeError} on a non-positive voxel size or σ
 * @example
 * ```ts
 * resolveFmSegmentation({}, [130, 35, 35]).sigmaLowVoxels; // [0.807…, 3, 3]
 * ```
 */
export function resolveFmSegmentation(
  options: FmSegmentationOptions,
  voxelSizeNm: readonly number[],
): ResolvedFmSegmentation {
  const preset = options.preset ?? "default";
  const ratio = options.sigmaRatio ?? 1.6;
  const sigmaNm = options.sigmaNm ?? 105;
  const low = preset === "clemreg" ? [3, 3, 3] : [0, 1, 2].map((axis) => {
    const sigma = typeof sigmaNm === "number" ? sigmaNm : sigmaNm[axis];
    const size = voxelSizeNm[axis];
    if (!(sigma! > 0) || !(size! > 0)) {
      throw new RangeError(
        `Cannot segment FM: need sigmaNm > 0 and a voxel size > 0 on axis ${axis}, got ${sigma} and ${size}`,
      );
    }
    return sigma! / size!;
  });
  const percentiles = options.sizePercentiles === undefined
    ? [5, 95] as [number, number]
    : options.sizePercentiles === null
    ? null
    : [options.sizePercentiles[0], options.sizePercentiles[1]] as [number, number];
  return {
    preset,
    sigmaLowVoxels: low,
    sigmaHighVoxels: low.map((s) => s * ratio),
    thresholdFactor: options.thresholdFactor ?? 1.2,
    thresholdFloor: preset === "clemreg" ? 0 : options.thresholdFloor ?? 0.1,
    floorPercentile: 99.9,
    sizePercentiles: percentiles,
    minVoxels: options.minVoxels ?? 8,
    connectivity: 26,
  };
}

/** Histogram bin of a DoG value (clamped to [-1, 1]). */
export function dogBin(value: number): number {
  const bin = Math.floor((value + 1) * (DOG_HISTOGRAM_BINS / 2));
  return bin < 0 ? 0 : bin >= DOG_HISTOGRAM_BINS ? DOG_HISTOGRAM_BINS - 1 : bin;
}

/**
 * A percentile of the values a DoG histogram counts, interpolated linearly inside its bin.
 * @param histogram counts per bin (`DOG_HISTOGRAM_BINS` entries)
 * @param percentile in [0, 100]
 * @returns the value; 0 for an empty histogram
 */
export function histogramPercentile(histogram: Float64Array, percentile: number): number {
  let total = 0;
  for (let i = 0; i < histogram.length; i++) total += histogram[i]!;
  if (total === 0) return 0;
  const rank = (percentile / 100) * total;
  let below = 0;
  const width = 2 / DOG_HISTOGRAM_BINS;
  for (let bin = 0; bin < histogram.length; bin++) {
    const count = histogram[bin]!;
    if (count > 0 && below + count >= rank) {
      return -1 + (bin + (rank - below) / count) * width;
    }
    below += count;
  }
  return 1;
}

/** Per-z-slice DoG statistics (one entry per slice of the whole volume). */
export interface SliceStatistics {
  min: Float64Array;
  max: Float64Array;
  sum: Float64Array;
  count: Float64Array;
}

/**
 * Per-slice thresholds: CLEM-Reg rescales each DoG slice to 0-255 and keeps voxels above
 * factor × the rescaled mean, i.e. DoG > min + factor × (mean − min); a flat slice keeps
 * nothing. The `default` preset raises each threshold to at least floor × the 99.9th
 * percentile of the whole DoG, so object-free (noise-only) slices do not become speckle.
 * @param stats per-slice min, max, sum and count
 * @param histogram the DoG histogram of the whole volume
 * @param resolved resolved options
 * @returns the threshold of each slice and the floor used
 */
export function sliceThresholds(
  stats: SliceStatistics,
  histogram: Float64Array,
  resolved: ResolvedFmSegmentation,
): { thresholds: number[]; floor: number } {
  const floor = resolved.thresholdFloor > 0
    ? resolved.thresholdFloor * histogramPercentile(histogram, resolved.floorPercentile)
    : -Infinity;
  const thresholds: number[] = [];
  for (let z = 0; z < stats.min.length; z++) {
    const min = stats.min[z]!, max = stats.max[z]!;
    if (!(max > min) || stats.count[z] === 0) {
      thresholds.push(Number.MAX_VALUE);
      continue;
    }
    const mean = stats.sum[z]! / stats.count[z]!;
    thresholds.push(Math.max(min + resolved.thresholdFactor * (mean - min), floor));
  }
  return { thresholds, floor: Number.isFinite(floor) ? floor : 0 };
}

/**
 * Which objects the size filter keeps: at least `minVoxels`, and (when `sizePercentiles` is
 * set) between those percentiles of the sizes of the objects of at least `minVoxels` —
 * comparing sizes with sizes (CLEM-Reg compared label ids with sizes).
 * @param sizes voxels per label (`[0]` is ignored)
 * @param resolved resolved options
 * @returns 1 for each kept label
 */
export function objectsToKeep(sizes: Float64Array, resolved: ResolvedFmSegmentation): Uint8Array {
  const keep = new Uint8Array(sizes.length);
  const eligible: number[] = [];
  for (let label = 1; label < sizes.length; label++) {
    if (sizes[label]! >= resolved.minVoxels && sizes[label]! > 0) eligible.push(sizes[label]!);
  }
  let low = resolved.minVoxels, high = Infinity;
  if (resolved.sizePercentiles && eligible.length > 0) {
    const sorted = Float64Array.from(eligible).sort();
    low = Math.max(low, percentileOfSorted(sorted, resolved.sizePercentiles[0]));
    high = percentileOfSorted(sorted, resolved.sizePercentiles[1]);
  }
  for (let label = 1; label < sizes.length; label++) {
    const size = sizes[label]!;
    keep[label] = size > 0 && size >= low && size <= high ? 1 : 0;
  }
  return keep;
}

/** numpy.percentile (linear) of sorted values. */
function percentileOfSorted(sorted: Float64Array, q: number): number {
  const position = (q / 100) * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}
