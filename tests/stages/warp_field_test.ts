/**
 * The non-rigid warp: a zero field reproduces the affine warp exactly, the field
 * inversion is exact at the nodes, and interpolating nodes every 8 voxels stays
 * within 0.1 FM voxel (3.5 nm) of the exact per-voxel map for a 300 nm displacement
 * field. The error is ≈ h²/8 · max|v''|: here h = 8 × 50 nm along EM z dominates.
 */
import assert from "node:assert/strict";
import { GaussianDeformation } from "../../src/cpd/deformation.ts";
import { fieldNodes, fieldSourceBox, warpFieldBlock } from "../../src/stages/warp_field.ts";
import { indexAffine, warpAffineBlock } from "../../src/stages/warp_affine.ts";

const fm = { shape: [20, 60, 60], scale: [0.13, 0.035, 0.035], translation: [0, 0, 0] };
const em = { shape: [40, 90, 90], scale: [0.05, 0.02, 0.02], translation: [0.2, 0.1, 0.1] };
const emToFm = [[1, 0, 0, 0.1], [0, 0.96, -0.28, 0.5], [0, 0.28, 0.96, -0.2], [0, 0, 0, 1]];
const target = { start: [3, 5, 7], stop: [36, 80, 85] };

function deformation(amplitudeUm: number) {
  // Two Gaussian bumps of width β = 1.5 µm (normalisation scale 1 µm, centred at 1 µm).
  return new GaussianDeformation(
    1.5,
    { centroid: [1, 1, 1], scale: 1 },
    Float64Array.of(0, 0.5, 0.3, -0.4, 0.2, 0.6),
    Float64Array.of(
      amplitudeUm,
      -amplitudeUm,
      0.5 * amplitudeUm,
      0.3 * amplitudeUm,
      amplitudeUm,
      -amplitudeUm,
    ),
  ).toJSON();
}

function source(): Float32Array {
  return new Float32Array(20 * 60 * 60).map((_, i) => Math.sin(i * 0.37) * 100 + (i % 60));
}

Deno.test("warpFieldBlock() with a zero field equals warpAffineBlock()", () => {
  const nodes = fieldNodes(target, em, fm, emToFm, deformation(0), 8);
  const box = fieldSourceBox(nodes.coordinates, fm.shape)!;
  const whole = { start: [0, 0, 0], stop: fm.shape };
  const n = 33 * 75 * 78;
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  warpFieldBlock(source(), whole, fm.shape, target, nodes, a);
  warpAffineBlock(source(), whole, fm.shape, target, indexAffine(em, fm, emToFm), b);
  let maxError = 0;
  for (let i = 0; i < n; i++) maxError = Math.max(maxError, Math.abs(a[i]! - b[i]!));
  assert.ok(maxError < 1e-3, `max difference ${maxError}`);
  assert.ok(box.stop.every((s, axis) => s <= fm.shape[axis]!));
});

Deno.test("fieldNodes() inverts the displacement and interpolation error stays under 0.1 voxel", () => {
  const field = deformation(0.3);
  const coarse = fieldNodes(target, em, fm, emToFm, field, 8);
  const exact = fieldNodes(target, em, fm, emToFm, field, 1);
  // Inversion: mapping the FM point back (affine then field) lands on the EM node.
  const fmToEm = [[1, 0, 0, -0.1], [0, 0.96, 0.28, -0.424], [0, -0.28, 0.96, 0.332], [0, 0, 0, 1]];
  const [z0, y0, x0] = [coarse.axes[0][1]!, coarse.axes[1][1]!, coarse.axes[2][1]!];
  const index = (1 * coarse.axes[1].length + 1) * coarse.axes[2].length + 1;
  const p = [0, 1, 2].map((r) =>
    coarse.coordinates[3 * index + r]! * fm.scale[r]! + fm.translation[r]!
  );
  const affine = fmToEm.slice(0, 3).map((m) =>
    m[0]! * p[0]! + m[1]! * p[1]! + m[2]! * p[2]! + m[3]!
  );
  const displaced = GaussianDeformation.fromJSON(field).evaluate(Float64Array.from(affine));
  const expected = [z0, y0, x0].map((v, r) => em.translation[r]! + v * em.scale[r]!);
  for (let r = 0; r < 3; r++) assert.ok(Math.abs(displaced[r]! - expected[r]!) < 1e-3, `axis ${r}`);
  // Interpolation: trilinear between nodes 8 voxels apart vs the exact map at every voxel.
  const ex = exact.axes;
  let maxError = 0;
  for (let zi = 0; zi < ex[0].length; zi++) {
    for (let yi = 0; yi < ex[1].length; yi += 3) {
      for (let xi = 0; xi < ex[2].length; xi += 3) {
        const z = ex[0][zi]!, y = ex[1][yi]!, x = ex[2][xi]!;
        const interpolated = interpolateNodes(coarse, z, y, x);
        const e = 3 * ((zi * ex[1].length + yi) * ex[2].length + xi);
        for (let r = 0; r < 3; r++) {
          maxError = Math.max(maxError, Math.abs(interpolated[r]! - exact.coordinates[e + r]!));
        }
      }
    }
  }
  assert.ok(maxError < 0.1, `max interpolation error ${maxError} voxel`);
});

function interpolateNodes(
  nodes: ReturnType<typeof fieldNodes>,
  z: number,
  y: number,
  x: number,
): number[] {
  const locate = (axis: number[], v: number) => {
    let k = 0;
    while (k < axis.length - 2 && axis[k + 1]! <= v) k++;
    return [k, (v - axis[k]!) / (axis[k + 1]! - axis[k]!)] as const;
  };
  const [kz, tz] = locate(nodes.axes[0], z);
  const [ky, ty] = locate(nodes.axes[1], y);
  const [kx, tx] = locate(nodes.axes[2], x);
  const [ny, nx] = [nodes.axes[1].length, nodes.axes[2].length];
  const at = (a: number, b: number, c: number, r: number) =>
    nodes.coordinates[3 * ((a * ny + b) * nx + c) + r]!;
  return [0, 1, 2].map((r) => {
    let value = 0;
    for (const [dz, wz] of [[0, 1 - tz], [1, tz]] as const) {
      for (const [dy, wy] of [[0, 1 - ty], [1, ty]] as const) {
        for (const [dx, wx] of [[0, 1 - tx], [1, tx]] as const) {
          value += wz * wy * wx * at(kz + dz, ky + dy, kx + dx, r);
        }
      }
    }
    return value;
  });
}
