/**
 * The synthetic CLEM sample: determinism, truth consistency (matrices, test points, the
 * non-rigid inverse), FM channels bright where the objects are, and files the reader opens.
 * Uses a coarse EM grid (80 nm) so the whole file runs in seconds.
 * @module
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import {
  generateSample,
  type SampleOptions,
  type SampleSummary,
} from "../../src/sample/generate.ts";
import {
  emToFmPoints,
  fmToEmPoints,
  type PointUm,
  readTruth,
  type TruthTransform,
} from "../../src/sample/truth_transform.ts";
import { openImage, openLevel } from "../../src/io/image.ts";

const coarse: Partial<SampleOptions> = {
  emVoxelSizeUm: [0.08, 0.08, 0.08],
  fmVoxelSizeUm: [0.13, 0.07, 0.07],
};

async function withSample<T>(
  options: Partial<SampleOptions>,
  use: (s: SampleSummary) => Promise<T>,
): Promise<T> {
  const out = await Deno.makeTempDir({ prefix: "clemreg_sample_" });
  try {
    return await use(await generateSample({ out, seed: 3, ...coarse, ...options }));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

async function filesUnder(folder: string, prefix = ""): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for await (const entry of Deno.readDir(path.join(folder, prefix))) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory) {
      for (const [k, v] of await filesUnder(folder, relative)) files.set(k, v);
    } else files.set(relative, await Deno.readFile(path.join(folder, relative)));
  }
  return files;
}

Deno.test("generateSample() writes identical bytes for the same seed and different ones for another", async () => {
  const first = await withSample({ transform: "nonrigid" }, (s) => filesUnder(s.out));
  const second = await withSample({ transform: "nonrigid" }, (s) => filesUnder(s.out));
  const other = await withSample({ transform: "nonrigid", seed: 4 }, (s) => filesUnder(s.out));
  assert.deepEqual([...first.keys()].sort(), [...second.keys()].sort());
  assert(first.size > 10, "zarr chunks and metadata were written");
  for (const [name, bytes] of first) assert.deepEqual(second.get(name), bytes, name);
  assert.notDeepEqual(other.get("truth.json"), first.get("truth.json"));
});

function maxDistance(a: PointUm[], b: PointUm[]): number {
  assert.equal(a.length, b.length);
  return Math.max(
    ...a.map((p, i) => Math.hypot(p[0] - b[i]![0], p[1] - b[i]![1], p[2] - b[i]![2])),
  );
}

function checkTruth(truth: TruthTransform): void {
  const m = truth.fmToEm.matrix, n = truth.emToFm.matrix;
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      const product = [0, 1, 2, 3].reduce((sum, k) => sum + m[r]![k]! * n[k]![c]!, 0);
      assert(
        Math.abs(product - (r === c ? 1 : 0)) < 1e-12,
        `fmToEm·emToFm [${r}][${c}] = ${product}`,
      );
    }
  }
  const points = truth.testPoints!;
  assert(points.em.length >= 5 && points.lysosomes.em.length >= 5, "enough test points");
  assert(maxDistance(fmToEmPoints(truth, points.fm), points.em) < 1e-9);
  assert(maxDistance(emToFmPoints(truth, points.em), points.fm) < 1e-9);
  assert(maxDistance(fmToEmPoints(truth, points.lysosomes.fm), points.lysosomes.em) < 1e-9);
}

for (const transform of ["rigid", "affine", "nonrigid"] as const) {
  Deno.test(`generateSample() writes a consistent ${transform} truth.json`, async () => {
    await withSample({ transform, angleDeg: transform === "rigid" ? 120 : 20 }, async (s) => {
      const truth = await readTruth(path.join(s.out, "truth.json"));
      assert.equal(truth.method, transform);
      assert.deepEqual(truth.axes, ["z", "y", "x"]);
      checkTruth(truth);
      const linear = truth.fmToEm.matrix.slice(0, 3).map((row) => row.slice(0, 3));
      const det =
        linear[0]![0]! * (linear[1]![1]! * linear[2]![2]! - linear[1]![2]! * linear[2]![1]!) -
        linear[0]![1]! * (linear[1]![0]! * linear[2]![2]! - linear[1]![2]! * linear[2]![0]!) +
        linear[0]![2]! * (linear[1]![0]! * linear[2]![1]! - linear[1]![1]! * linear[2]![0]!);
      if (transform !== "rigid") assert(Math.abs(det - 1) > 1e-4, "affine (and non-rigid) scale");
      else assert(Math.abs(det - 1) < 1e-12, "rotation has determinant 1");
      if (transform === "nonrigid") {
        assert.equal(truth.nonrigid!.amplitudeUm, 0.3);
        // The field moves points by up to its amplitude, no further.
        const affineOnly = { ...truth, nonrigid: null };
        const moved = maxDistance(
          fmToEmPoints(truth, truth.testPoints!.fm),
          fmToEmPoints(affineOnly, truth.testPoints!.fm),
        );
        assert(moved > 0.01 && moved <= 0.3 + 1e-9, `moved ${moved}`);
      } else assert.equal(truth.nonrigid, null);
    });
  });
}

Deno.test("generateSample() makes FM channels bright where their objects are, through the truth", async () => {
  await withSample({ transform: "nonrigid" }, async (s) => {
    const fm = await openImage(path.join(s.out, "fm.zarr"));
    const labelsImage = await openImage(path.join(s.out, "em_labels.zarr"));
    assert.deepEqual(fm.channelNames, ["mitochondria", "lysosomes"]);
    const shape = fm.levels[0]!.shape;
    const values = await (await openLevel(fm, 0)).readRegion({ start: [0, 0, 0, 0], stop: shape });
    const labels = await (await openLevel(labelsImage, 0)).readRegion({
      start: [0, 0, 0],
      stop: labelsImage.levels[0]!.shape,
    });
    const truth = await readTruth(path.join(s.out, "truth.json"));
    const [, nz, ny, nx] = shape as [number, number, number, number];
    const [ez, ey, ex] = s.emGrid.shape;
    const sums = { inside: 0, insideCount: 0, outside: 0, outsideCount: 0 };
    const scale = fm.levels[0]!.scale;
    for (let z = 0; z < nz; z += 2) {
      for (let y = 0; y < ny; y += 3) {
        for (let x = 0; x < nx; x += 3) {
          const [q] = fmToEmPoints(truth, [[z * scale[1]!, y * scale[2]!, x * scale[3]!]]);
          const i = q!.map((v, a) => Math.round(v / s.emGrid.voxelUm[a]!));
          if (i[0]! < 0 || i[0]! >= ez || i[1]! < 0 || i[1]! >= ey || i[2]! < 0 || i[2]! >= ex) {
            continue;
          }
          const value = values[(z * ny + y) * nx + x]!;
          if (labels[(i[0]! * ey + i[1]!) * ex + i[2]!]! > 0) {
            sums.inside += value;
            sums.insideCount++;
          } else {
            sums.outside += value;
            sums.outsideCount++;
          }
        }
      }
    }
    const ratio = (sums.inside / sums.insideCount) / (sums.outside / sums.outsideCount);
    assert(ratio > 3, `mean inside / mean outside = ${ratio}`);
    // Lysosome channel: brightest at its test points, dim at the mitochondria's.
    const at = (channel: number, p: PointUm) =>
      values[
        ((channel * nz + Math.round(p[0] / scale[1]!)) * ny + Math.round(p[1] / scale[2]!)) * nx +
        Math.round(p[2] / scale[3]!)
      ]!;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const lysoAtLyso = mean(truth.testPoints!.lysosomes.fm.map((p) => at(1, p)));
    const lysoAtMito = mean(truth.testPoints!.fm.map((p) => at(1, p)));
    assert(lysoAtLyso > 3 * lysoAtMito, `${lysoAtLyso} vs ${lysoAtMito}`);
  });
});

Deno.test("generateSample() writes images the reader opens with the stated grids", async () => {
  await withSample({ emptyMarginUm: 1 }, async (s) => {
    const em = await openImage(path.join(s.out, "em.zarr"));
    const labels = await openImage(path.join(s.out, "em_labels.zarr"));
    const fm = await openImage(path.join(s.out, "fm.zarr"));
    assert.deepEqual(em.levels[0]!.shape, s.emGrid.shape);
    assert.equal(em.levels[0]!.dtype, "uint8");
    assert(em.levels.length >= 2, "EM has pyramid levels");
    assert.deepEqual(em.levels[0]!.scale, s.emGrid.voxelUm);
    assert.equal(em.axes[0]!.unit, "micrometer");
    assert.match(labels.levels[0]!.dtype, /^uint(16|32)$/);
    assert.deepEqual(fm.levels[0]!.shape, [2, ...s.fmGrid.shape]);
    assert.deepEqual(fm.levels[0]!.scale, [1, 0.13, 0.07, 0.07]);
    // The empty margin: the first and last 1 µm of FM z slices hold no mitochondria.
    const values = await (await openLevel(fm, 0)).readRegion({
      start: [0, 0, 0, 0],
      stop: [1, ...s.fmGrid.shape],
    });
    const plane = s.fmGrid.shape[1] * s.fmGrid.shape[2];
    const planeMax = (z: number) =>
      Math.max(...Array.from(values.subarray(z * plane, (z + 1) * plane)));
    const margin = Math.floor(1 / 0.13) - 2;
    const centre = planeMax(Math.floor(s.fmGrid.shape[0] / 2));
    assert(planeMax(0) < 0.5 * centre && planeMax(s.fmGrid.shape[0] - 1) < 0.5 * centre);
    assert(planeMax(margin - 1) < 0.5 * centre);
  });
});
