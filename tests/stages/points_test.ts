import assert from "node:assert/strict";
import { createWorkerPool } from "../../src/chunked/pool.ts";
import { createSharedArray, sharedArrayData } from "../../src/chunked/shared_array.ts";
import { pointsFromLabels } from "../../src/stages/points.ts";
import { canny2d } from "../../src/stages/points_canny.ts";
import { readPointsCsv, writePointsCsv, writePointsPly } from "../../src/stages/points_io.ts";
import { removeStatisticalOutliers } from "../../src/stages/points_outliers.ts";
import { seededRandom } from "../../src/random.ts";

const SHAPE = [30, 70, 66];
const VOXEL_UM = [0.05, 0.02, 0.02];
const TRANSLATION_UM = [1.5, -0.3, 0.25];

/** Touching labelled ellipsoids (labels 1..n), so boundaries between labels count too. */
function labelVolume(): Uint32Array {
  const random = seededRandom(3);
  const [nz, ny, nx] = SHAPE as [number, number, number];
  const labels = new Uint32Array(nz * ny * nx);
  for (let n = 1; n <= 9; n++) {
    const c = [random() * nz, random() * ny, random() * nx];
    const r = [3 + 5 * random(), 6 + 10 * random(), 6 + 10 * random()];
    for (let z = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++) {
          const d = ((z - c[0]!) / r[0]!) ** 2 + ((y - c[1]!) / r[1]!) ** 2 +
            ((x - c[2]!) / r[2]!) ** 2;
          if (d <= 1) labels[(z * ny + y) * nx + x] = n;
        }
      }
    }
  }
  return labels;
}

const LABELS = labelVolume();

function sharedLabels(chunks: number[]) {
  const location = createSharedArray(`labels-${chunks.join("x")}`, {
    shape: SHAPE,
    chunks,
    dtype: "uint32",
  });
  sharedArrayData(location).set(LABELS);
  return location;
}

/** Whole-volume boundary mask: a label voxel with a 6-neighbour of another value. */
function boundaryMask(): Uint8Array {
  const [nz, ny, nx] = SHAPE as [number, number, number];
  const mask = new Uint8Array(LABELS.length);
  const at = (z: number, y: number, x: number) => LABELS[(z * ny + y) * nx + x]!;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const v = at(z, y, x);
        if (v === 0) continue;
        const neighbours = [[z - 1, y, x], [z + 1, y, x], [z, y - 1, x], [z, y + 1, x], [
          z,
          y,
          x - 1,
        ], [z, y, x + 1]].filter(([a, b, c]) =>
          a! >= 0 && a! < nz && b! >= 0 && b! < ny && c! >= 0 && c! < nx
        );
        if (neighbours.some(([a, b, c]) => at(a!, b!, c!) !== v)) mask[(z * ny + y) * nx + x] = 1;
      }
    }
  }
  return mask;
}

/** Largest distance (voxels, Chebyshev) from a point to the nearest boundary voxel. */
function worstBoundaryDistance(points: Float64Array, mask: Uint8Array, reach = 3): number {
  const [nz, ny, nx] = SHAPE as [number, number, number];
  let worst = 0;
  for (let i = 0; i < points.length; i += 3) {
    const v = [0, 1, 2].map((a) => (points[i + a]! - TRANSLATION_UM[a]!) / VOXEL_UM[a]!);
    let best = Infinity;
    for (let dz = -reach; dz <= reach; dz++) {
      for (let dy = -reach; dy <= reach; dy++) {
        for (let dx = -reach; dx <= reach; dx++) {
          const z = Math.round(v[0]!) + dz, y = Math.round(v[1]!) + dy, x = Math.round(v[2]!) + dx;
          if (z < 0 || z >= nz || y < 0 || y >= ny || x < 0 || x >= nx) continue;
          if (!mask[(z * ny + y) * nx + x]) continue;
          best = Math.min(
            best,
            Math.max(Math.abs(z - v[0]!), Math.abs(y - v[1]!), Math.abs(x - v[2]!)),
          );
        }
      }
    }
    worst = Math.max(worst, best);
  }
  return worst;
}

Deno.test("pointsFromLabels() lies on object boundaries, near the target size, independent of chunks", async () => {
  const pool = createWorkerPool({ size: 2 });
  try {
    const mask = boundaryMask();
    let boundaryCount = 0;
    for (const m of mask) boundaryCount += m;
    const runs = [];
    for (const chunks of [[7, 13, 11], [30, 70, 66], [4, 31, 17]]) {
      runs.push(
        await pointsFromLabels(
          { array: sharedLabels(chunks), voxelSizeUm: VOXEL_UM, translationUm: TRANSLATION_UM },
          { targetPoints: 600, executor: pool, quiet: true },
        ),
      );
    }
    const [first] = runs;
    assert.equal(first!.surfaceVoxels, boundaryCount, "boundary voxel count");
    for (const run of runs) {
      assert.deepEqual(run.points, first!.points, "same points for any chunking");
    }
    assert.ok(
      first!.sampled >= 600 / 1.25 && first!.sampled <= 600 * 1.25,
      `sampled ${first!.sampled}`,
    );
    assert.ok(first!.removedOutliers < 0.25 * first!.sampled, `removed ${first!.removedOutliers}`);
    assert.ok(worstBoundaryDistance(first!.points, mask) < 1e-6, "points are boundary voxels");
  } finally {
    await pool.close();
  }
});

Deno.test("pointsFromLabels() clemreg preset samples Canny edges within a voxel grid cell of the boundary", async () => {
  const cloud = await pointsFromLabels(
    { array: sharedLabels([5, 70, 66]), voxelSizeUm: VOXEL_UM, translationUm: TRANSLATION_UM },
    { preset: "clemreg", workers: 1, quiet: true },
  );
  assert.ok(cloud.surfaceVoxels > 1000, `edge pixels ${cloud.surfaceVoxels}`);
  assert.ok(cloud.sampled > 5 && cloud.sampled <= Math.ceil(cloud.surfaceVoxels / 33));
  // Centroids of 15-voxel cells: near, not on, the boundary.
  assert.ok(worstBoundaryDistance(cloud.points, boundaryMask(), 9) <= 8);
});

Deno.test("removeStatisticalOutliers() drops planted far outliers and few others", () => {
  const random = seededRandom(11);
  const points: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t = 2 * Math.PI * random(), u = Math.acos(2 * random() - 1);
    points.push(Math.cos(u), Math.sin(u) * Math.sin(t), Math.sin(u) * Math.cos(t));
  }
  const planted = [[5, 5, 5], [-4, 0, 3], [0, 6, 0], [3, -3, -3], [0, 0, -7]];
  for (const p of planted) points.push(...p);
  const { points: kept, removed } = removeStatisticalOutliers(Float64Array.from(points), {
    neighbours: 5,
    stdRatio: 1,
  });
  for (let i = 0; i < kept.length; i += 3) {
    assert.ok(Math.hypot(kept[i]!, kept[i + 1]!, kept[i + 2]!) < 1.01, "an outlier survived");
  }
  assert.ok(removed >= 5 && removed < 0.25 * 2005, `removed ${removed}`);
});

Deno.test("canny2d() marks the outline of a square and nothing far from it", () => {
  const image = new Float32Array(32 * 32);
  for (let y = 8; y < 24; y++) for (let x = 8; x < 24; x++) image[y * 32 + x] = 1;
  const edges = canny2d(image, 32, 32, { sigma: 1 });
  let count = 0;
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      if (!edges[y * 32 + x]) continue;
      count++;
      const distance = Math.min(
        Math.abs(y - 7.5),
        Math.abs(y - 23.5),
        Math.abs(x - 7.5),
        Math.abs(x - 23.5),
      );
      assert.ok(distance <= 1, `edge at ${y},${x}`);
    }
  }
  assert.ok(count >= 4 * 14, `only ${count} edge pixels`);
});

Deno.test("writePointsCsv() and readPointsCsv() round-trip; writePointsPly() writes x y z", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const points = Float64Array.of(1.5, 2.25, -3, 0.000001, 4, 5);
    await writePointsCsv(`${dir}/p.csv`, points);
    assert.deepEqual(await readPointsCsv(`${dir}/p.csv`), points);
    await writePointsPly(`${dir}/p.ply`, points);
    const ply = (await Deno.readTextFile(`${dir}/p.ply`)).split("\n");
    assert.ok(ply.includes("element vertex 2"));
    assert.equal(ply[ply.indexOf("end_header") + 1], "-3 2.25 1.5");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
