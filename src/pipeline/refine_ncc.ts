/**
 * The last, optional refinement of the FM → EM affine (`registration.refine: "ncc"`):
 * maximise the normalised cross-correlation between the FM registration channel and the
 * EM mitochondria mask resampled into the FM frame through the transform and blurred with
 * the FM PSF, coarse to fine over the FM pyramid (4×, 2×, 1× laterally). Each level runs
 * Levenberg-Marquardt on the 12 affine parameters plus a gain and an offset (least squares
 * with a free gain and offset is NCC maximisation); a step is kept only when the NCC
 * measured at the new transform went up. Memory is bounded by one block per pass (see
 * `ncc_pass.ts`); nothing the size of a volume is held.
 * @module
 */
import { type OmeImage, spatialGridUm } from "../io/image.ts";
import type { Matrix4 } from "../sample/truth_transform.ts";
import { openChannelView } from "../stages/fm_channel_view.ts";
import { nearestLateralLevel } from "./inputs.ts";
import { type NccInputs, nccOf, nccPass, type NccSums, PARAMS } from "./ncc_pass.ts";

/** Arguments of {@link refineNcc}. */
export interface RefineNccArgs {
  fm: OmeImage;
  fmChannel: number;
  /** EM mitochondria labels (any level set; the level nearest each FM level is used). */
  labels: OmeImage;
  fmToEm: Matrix4;
  /** FM PSF σ in nm (z, y, x). */
  psfSigmaNm: number[];
  /** Lateral downsampling factors, coarse to fine (default 4, 2, 1). */
  factors?: number[];
  /** LM iterations per level (default 6, 4, 3); a level also stops after 2 rejected steps in a row. */
  iterations?: number[];
  log?: (line: string) => void;
}

/** How one pyramid level went. */
export interface NccLevelReport {
  fmLevel: number;
  labelsLevel: number;
  voxels: number;
  nccStart: number;
  nccEnd: number;
  accepted: number;
  rejected: number;
}

/** The refined transform and the NCC at the finest level before and after. */
export interface RefineNccResult {
  fmToEm: Matrix4;
  nccBefore: number;
  nccAfter: number;
  levels: NccLevelReport[];
}

/**
 * Refine `fmToEm` by NCC maximisation, coarse to fine.
 * @returns the refined transform (never worse in NCC at the finest level than the input)
 */
export async function refineNcc(args: RefineNccArgs): Promise<RefineNccResult> {
  const factors = args.factors ?? [4, 2, 1];
  const iterations = args.iterations ?? [6, 4, 3];
  const fm0 = spatialGridUm(args.fm, 0);
  const centreUm = fm0.shape.map((n, a) => fm0.translation[a]! + ((n - 1) / 2) * fm0.scale[a]!);
  const lengthUm = Math.max(...fm0.shape.map((n, a) => (n * fm0.scale[a]!) / 2));
  const setups = new Map<number, NccInputs>();
  const setup = async (fmLevel: number): Promise<NccInputs> => {
    const cached = setups.get(fmLevel);
    if (cached) return cached;
    const fmGrid = spatialGridUm(args.fm, fmLevel);
    const labelsLevel = nearestLateralLevel(args.labels, fmGrid.scale[2]);
    const inputs: NccInputs = {
      fm: await openChannelView({
        location: args.fm.location,
        level: fmLevel,
        channel: args.fmChannel,
      }),
      fmGrid,
      labels: await openChannelView({
        location: args.labels.location,
        level: labelsLevel,
        channel: 0,
      }),
      labelsGrid: spatialGridUm(args.labels, labelsLevel),
      sigmaVoxels: args.psfSigmaNm.map((s, a) => s / 1000 / fmGrid.scale[a]!),
      centreUm,
      lengthUm,
      block: [32, 128, 128],
      marginUm: 2 * Math.max(...args.psfSigmaNm) / 1000,
    };
    setups.set(fmLevel, inputs);
    return inputs;
  };
  const fine = await setup(0);
  const nccBefore = nccOf(await nccPass(fine, args.fmToEm));
  let transform = args.fmToEm;
  const levels: NccLevelReport[] = [];
  const seen = new Set<number>();
  let finalSums: NccSums | undefined;
  for (let k = 0; k < factors.length; k++) {
    const fmLevel = nearestLateralLevel(args.fm, fm0.scale[2] * factors[k]!);
    if (seen.has(fmLevel)) continue;
    seen.add(fmLevel);
    const inputs = await setup(fmLevel);
    let sums = await nccPass(inputs, transform);
    let ncc = nccOf(sums);
    const report: NccLevelReport = {
      fmLevel,
      labelsLevel: nearestLateralLevel(args.labels, inputs.fmGrid.scale[2]!),
      voxels: sums.count,
      nccStart: ncc,
      nccEnd: ncc,
      accepted: 0,
      rejected: 0,
    };
    let lambda = 1e-3;
    let rejectedInARow = 0;
    for (let it = 0; it < (iterations[k] ?? 4) && sums.count > PARAMS; it++) {
      const step = lmStep(sums, lambda, centreUm, lengthUm);
      if (!step) break;
      const candidate = multiply(transform, step.matrix);
      const candidateSums = await nccPass(inputs, candidate);
      const candidateNcc = nccOf(candidateSums);
      if (candidateNcc > ncc) {
        transform = candidate;
        sums = candidateSums;
        ncc = candidateNcc;
        lambda = Math.max(1e-6, lambda / 3);
        report.accepted++;
        rejectedInARow = 0;
        if (step.maxShiftUm < 5e-4) break;
      } else {
        report.rejected++;
        lambda *= 10;
        if (++rejectedInARow >= 2) break;
      }
    }
    report.nccEnd = ncc;
    if (fmLevel === 0) finalSums = sums;
    levels.push(report);
    args.log?.(
      `[clemreg] NCC level ${fmLevel}: ${report.nccStart.toFixed(4)} → ${
        ncc.toFixed(4)
      } (${report.accepted} steps kept, ${report.rejected} rejected, ${sums.count} voxels)`,
    );
  }
  let nccAfter = nccOf(finalSums ?? await nccPass(fine, transform));
  if (nccAfter < nccBefore) {
    // Coarse levels may disagree with the finest; never return something worse there.
    transform = args.fmToEm;
    nccAfter = nccBefore;
  }
  return { fmToEm: transform, nccBefore, nccAfter, levels };
}

/** One damped Gauss-Newton step from the sums: an FM-space affine to apply before `fmToEm`. */
function lmStep(
  sums: NccSums,
  lambda: number,
  centreUm: number[],
  lengthUm: number,
): { matrix: Matrix4; maxShiftUm: number } | undefined {
  const n = sums.count, g = sums.gram;
  const at = (r: number, c: number) => (r <= c ? g[r * PARAMS + c]! : g[c * PARAMS + r]!);
  const sb = at(12, 13), sbb = at(12, 12), sf = sums.uf[13]!, sfb = sums.uf[12]!;
  const varB = sbb - (sb * sb) / n;
  if (!(varB > 0)) return undefined;
  const gain = (sfb - (sf * sb) / n) / varB;
  const offset = (sf - gain * sb) / n;
  const d = (r: number) => (r < 12 ? gain : 1);
  const system: number[][] = [];
  for (let r = 0; r < PARAMS; r++) {
    const row: number[] = [];
    for (let c = 0; c < PARAMS; c++) row.push(d(r) * at(r, c) * d(c));
    row[r] = row[r]! * (1 + lambda) + 1e-12;
    const rhs = d(r) * (sums.uf[r]! - at(r, 12) * gain - at(r, 13) * offset);
    row.push(rhs);
    system.push(row);
  }
  const x = solve(system);
  if (!x) return undefined;
  const matrix: Matrix4 = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
  let maxShiftUm = 0;
  for (let r = 0; r < 3; r++) {
    let shift = Math.abs(x[4 * r + 3]!);
    let translation = x[4 * r + 3]!;
    for (let c = 0; c < 3; c++) {
      const m = x[4 * r + c]! / lengthUm;
      matrix[r]![c] = matrix[r]![c]! + m;
      translation -= m * centreUm[c]!;
      shift += Math.abs(x[4 * r + c]!);
    }
    matrix[r]![3] = translation;
    maxShiftUm = Math.max(maxShiftUm, shift);
  }
  return { matrix, maxShiftUm };
}

/** Gaussian elimination with partial pivoting on an augmented n × (n + 1) system. */
function solve(a: number[][]): number[] | undefined {
  const n = a.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) {
      if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    }
    if (!(Math.abs(a[pivot]![col]!) > 0)) return undefined;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const p = a[col]!;
    for (let r = col + 1; r < n; r++) {
      const row = a[r]!;
      const f = row[col]! / p[col]!;
      for (let c = col; c <= n; c++) row[c] = row[c]! - f * p[c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r]![n]!;
    for (let c = r + 1; c < n; c++) s -= a[r]![c]! * x[c]!;
    x[r] = s / a[r]![r]!;
  }
  return x;
}

function multiply(a: Matrix4, b: Matrix4): Matrix4 {
  return a.map((row) => [0, 1, 2, 3].map((c) => row.reduce((s, v, k) => s + v * b[k]![c]!, 0)));
}
