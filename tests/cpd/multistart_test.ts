import assert from "node:assert/strict";
import { cpd, cubeRotations, rotationMatrix, transformPointsAffine } from "../../src/cpd/mod.ts";
import { seededRandom } from "../../src/random.ts";

Deno.test("cubeRotations() gives the 24 distinct proper rotations of the cube", () => {
  const rotations = cubeRotations();
  assert.equal(rotations.length, 24);
  assert.equal(new Set(rotations.map((r) => r.join(","))).size, 24);
  for (const r of rotations) {
    const det = r[0]! * (r[4]! * r[8]! - r[5]! * r[7]!) - r[1]! * (r[3]! * r[8]! - r[5]! * r[6]!) +
      r[2]! * (r[3]! * r[7]! - r[4]! * r[6]!);
    assert.equal(det, 1);
  }
});

/** Points on small spheres ("mitochondria") filling a cube, each sphere sampled independently. */
function blobVolume(seed: number, count: number): Float64Array {
  const random = seededRandom(seed);
  const centres: number[][] = [];
  const cellsPerSide = 6;
  for (let z = 0; z < cellsPerSide; z++) {
    for (let y = 0; y < cellsPerSide; y++) {
      for (let x = 0; x < cellsPerSide; x++) {
        const jitter = seededRandom(1000 + (z * 36 + y * 6 + x));
        centres.push([z, y, x].map((c) => c + 0.2 + 0.6 * jitter()));
      }
    }
  }
  const points = new Float64Array(3 * count);
  for (let i = 0; i < count; i++) {
    const centre = centres[Math.floor(random() * centres.length)]!;
    const direction = [random() - 0.5, random() - 0.5, random() - 0.5];
    const norm = Math.hypot(...direction) || 1;
    for (let a = 0; a < 3; a++) points[3 * i + a] = centre[a]! + 0.15 * direction[a]! / norm;
  }
  return points;
}

Deno.test("cpd() rigid finds the rotation of a cube uniformly filled with blobs (escalated search)", () => {
  // The global shape fits equally well under all 24 cube rotations; only the blobs tell them
  // apart, and 150 points per cloud are too few to see them: the search must escalate.
  const rotation = rotationMatrix([1, 2, 3], 20);
  const matrix = Float64Array.of(
    ...[0, 1, 2].flatMap((
      i,
    ) => [rotation[3 * i]!, rotation[3 * i + 1]!, rotation[3 * i + 2]!, 0.5]),
    0,
    0,
    0,
    1,
  );
  const fixed = blobVolume(1, 3000);
  const moving = transformPointsAffine(matrix, blobVolume(2, 3000));
  const result = cpd(moving, fixed, { method: "rigid", scale: false });
  assert.equal(result.multiStart?.sampleSize, 1000, "the 150-point search was ambiguous");
  // the result maps moving → fixed: it should be the inverse rotation
  let trace = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) trace += result.matrix[4 * i + j]! * rotation[3 * j + i]!;
  }
  const errorDeg = Math.acos(Math.min(1, Math.max(-1, (trace - 1) / 2))) * 180 / Math.PI;
  assert.ok(
    errorDeg <= 1,
    `rotation error ${errorDeg.toFixed(2)}° (search on ${result.multiStart?.sampleSize} points)`,
  );
});
