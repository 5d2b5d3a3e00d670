/**
 * Builds the sample's known FM→EM transform: a rotation about an oblique axis through the
 * volumes' centres plus a shift (rigid), times a few-% anisotropic scale and shear (affine),
 * plus a smooth Gaussian-RBF displacement field (non-rigid); and the FM grid that covers
 * the whole EM volume under it.
 * @module
 */
import type { Random } from "./random.ts";
import { type Grid, gridCentreUm } from "./grid.ts";
import {
  applyMatrix,
  type GaussianRbfField,
  invertAffine,
  type Matrix4,
  type PointUm,
  rbfDisplacement,
  type TruthTransform,
} from "./truth_transform.ts";

/** Options of {@linkcode makeTruthTransform}. */
export interface TransformOptions {
  method: "rigid" | "affine" | "nonrigid";
  /** Rotation angle in degrees (default 20). */
  angleDeg?: number;
  /** Tilt of the rotation axis from the z axis in degrees (default 30). */
  axisTiltDeg?: number;
  /** Largest shift per axis in µm (default 0.5). */
  shiftUm?: number;
  /** Largest anisotropic scale / shear deviation for affine (default 0.04). */
  affineStrength?: number;
  /** Non-rigid field: largest displacement in µm (default 0.3). */
  amplitudeUm?: number;
  /** Non-rigid field: Gaussian width in µm (default 1.5). */
  rbfSigmaUm?: number;
  /** Non-rigid field: number of Gaussian centres (default 6). */
  rbfCount?: number;
  /** FM voxel size (z, y, x) in µm. */
  fmVoxelUm: [number, number, number];
  /** Object-free FM margin around the mapped EM volume in µm (default 0.5). */
  fmMarginUm?: number;
  /** Extra object-free FM margin above and below in z, µm (default 0). */
  emptyMarginUm?: number;
}

/** The transform and FM grid made by {@linkcode makeTruthTransform}. */
export interface MadeTransform {
  truth: TruthTransform;
  fmGrid: Grid;
  /** Unit rotation axis (z, y, x). */
  rotationAxis: PointUm;
}

/**
 * Draw a truth transform and the FM grid for an EM grid.
 *
 * @param emGrid The EM grid.
 * @param options See {@linkcode TransformOptions}.
 * @param random The seeded generator.
 * @returns The transform (without test points) and the FM grid.
 */
export function makeTruthTransform(
  emGrid: Grid,
  options: TransformOptions,
  random: Random,
): MadeTransform {
  const tilt = ((options.axisTiltDeg ?? 30) * Math.PI) / 180;
  const azimuth = random.between(0, 2 * Math.PI);
  const axis: PointUm = [
    Math.cos(tilt),
    Math.sin(tilt) * Math.sin(azimuth),
    Math.sin(tilt) * Math.cos(azimuth),
  ];
  const rotation = rotationMatrix(axis, ((options.angleDeg ?? 20) * Math.PI) / 180);
  let linear = rotation;
  if (options.method !== "rigid") {
    const strength = options.affineStrength ?? 0.04;
    const stretch = [0, 1, 2].map((row) =>
      [0, 1, 2].map((column) =>
        row === column
          ? 1 + random.between(-strength, strength)
          : column > row
          ? random.between(-0.75 * strength, 0.75 * strength)
          : 0
      )
    );
    linear = multiply3(rotation, stretch);
  }
  const shiftUm = options.shiftUm ?? 0.5;
  const shift = [0, 1, 2].map(() => random.between(-shiftUm, shiftUm));
  const emCentre = gridCentreUm(emGrid);
  const field = options.method === "nonrigid" ? makeField(emGrid, options, random) : null;

  // FM coordinates relative to the FM centre of the EM box corners: u = L⁻¹ (corner − c_em − s).
  const inverseLinear = invertAffine(linear.map((row) => [...row, 0]).concat([[0, 0, 0, 1]]));
  const halfExtent = [0, 0, 0];
  for (let corner = 0; corner < 8; corner++) {
    const point = [0, 1, 2].map((a) => {
      const half = (emGrid.shape[a]! * emGrid.voxelUm[a]!) / 2;
      return ((corner >> a) & 1 ? half : -half) - shift[a]!;
    });
    const u = applyMatrix(inverseLinear, point);
    for (let a = 0; a < 3; a++) halfExtent[a] = Math.max(halfExtent[a]!, Math.abs(u[a]!));
  }
  const marginUm = (options.fmMarginUm ?? 0.5) + (field === null ? 0 : 1.2 * field.amplitudeUm);
  const fmShape = [0, 1, 2].map((a) => {
    const half = halfExtent[a]! + marginUm + (a === 0 ? options.emptyMarginUm ?? 0 : 0);
    return Math.ceil((2 * half) / options.fmVoxelUm[a]!) + 1;
  }) as [number, number, number];
  const fmGrid: Grid = { shape: fmShape, voxelUm: options.fmVoxelUm, translationUm: [0, 0, 0] };
  const fmCentre = gridCentreUm(fmGrid);
  const matrix: Matrix4 = linear.map((row, r) => [
    ...row,
    emCentre[r]! + shift[r]! -
    (row[0]! * fmCentre[0] + row[1]! * fmCentre[1] + row[2]! * fmCentre[2]),
  ]);
  matrix.push([0, 0, 0, 1]);
  return {
    truth: {
      units: "micrometer",
      axes: ["z", "y", "x"],
      fmToEm: { matrix },
      emToFm: { matrix: invertAffine(matrix) },
      nonrigid: field,
      method: options.method,
    },
    fmGrid,
    rotationAxis: axis,
  };
}

/** Rodrigues' rotation matrix for a unit axis (z, y, x) and an angle in radians. */
function rotationMatrix(axis: readonly number[], angle: number): number[][] {
  const [a, b, c] = axis as [number, number, number];
  const cos = Math.cos(angle), sin = Math.sin(angle), t = 1 - cos;
  return [
    [cos + a * a * t, a * b * t - c * sin, a * c * t + b * sin],
    [b * a * t + c * sin, cos + b * b * t, b * c * t - a * sin],
    [c * a * t - b * sin, c * b * t + a * sin, cos + c * c * t],
  ];
}

function multiply3(left: number[][], right: number[][]): number[][] {
  return [0, 1, 2].map((r) =>
    [0, 1, 2].map((c) =>
      left[r]![0]! * right[0]![c]! + left[r]![1]! * right[1]![c]! + left[r]![2]! * right[2]![c]!
    )
  );
}

/** Random RBF centres inside the EM box, directions scaled so the field's maximum equals the amplitude. */
function makeField(emGrid: Grid, options: TransformOptions, random: Random): GaussianRbfField {
  const extent = [0, 1, 2].map((a) => (emGrid.shape[a]! - 1) * emGrid.voxelUm[a]!);
  const count = options.rbfCount ?? 6;
  const centersUm: PointUm[] = [];
  const directions: PointUm[] = [];
  for (let k = 0; k < count; k++) {
    centersUm.push(
      [0, 1, 2].map((a) => emGrid.translationUm[a]! + random.uniform() * extent[a]!) as PointUm,
    );
    directions.push(random.unitVector());
  }
  const field: GaussianRbfField = {
    kind: "gaussian-rbf-displacement",
    space: "em",
    sigmaUm: options.rbfSigmaUm ?? 1.5,
    amplitudeUm: options.amplitudeUm ?? 0.3,
    centersUm,
    displacementsUm: directions,
  };
  // The maximum of |d| over the box, sampled on a 24³ grid plus the centres.
  const samples: number[][] = [...centersUm];
  const steps = 24;
  for (let i = 0; i <= steps; i++) {
    for (let j = 0; j <= steps; j++) {
      for (let k = 0; k <= steps; k++) {
        samples.push([i, j, k].map((s, a) => emGrid.translationUm[a]! + (s / steps) * extent[a]!));
      }
    }
  }
  let largest = 0;
  const displacement = [0, 0, 0];
  for (const sample of samples) {
    rbfDisplacement(field, sample, displacement);
    largest = Math.max(largest, Math.hypot(displacement[0]!, displacement[1]!, displacement[2]!));
  }
  const scale = largest > 0 ? field.amplitudeUm / largest : 0;
  field.displacementsUm = directions.map((d) => d.map((value) => value * scale) as PointUm);
  return field;
}
