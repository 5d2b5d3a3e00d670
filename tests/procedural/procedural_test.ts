import { assert_, assertEquals, assertThrows } from "../chunked/assert.ts";
import { openImage, openLevel, spatialVoxelSizeUm } from "../../src/io/image.ts";
import {
  proceduralBytesServed,
  ProceduralStore,
  resetProceduralCounters,
} from "../../src/io/procedural_store.ts";
import { openStore } from "../../src/io/store.ts";
import type { Box } from "../../src/io/types.ts";

/** 4096 × 16384 × 16384 uint8 = 1 TiB at level 0. */
const terabyte = "procedural://em?seed=1&shape=4096,16384,16384&voxelNm=20,5,5";

Deno.test("ProceduralStore opens as an NGFF 0.5 pyramid of a 1 TiB volume", async () => {
  const image = await openImage(terabyte);
  assertEquals(image.version, "0.5");
  assertEquals(image.axes.map((a) => a.name), ["z", "y", "x"]);
  assertEquals(image.levels[0]!.shape.reduce((a, b) => a * b, 1), 2 ** 40);
  assertEquals(image.levels[0]!.dtype, "uint8");
  // xy halves first until isotropic at 20 nm, then all axes.
  const sizesNm = image.levels.map((_, l) => spatialVoxelSizeUm(image, l).map((v) => v * 1000));
  assertEquals(sizesNm.slice(0, 5).map((s) => s.map(Math.round)), [
    [20, 5, 5],
    [20, 10, 10],
    [20, 20, 20],
    [40, 40, 40],
    [80, 80, 80],
  ]);
  assertEquals(image.levels.at(-1)!.shape, [64, 64, 64]);
  assertEquals(image.levels[3]!.translation, [10, 17.5, 17.5]);
  assert_(!image.store.writable);
});

Deno.test("ProceduralStore chunks are deterministic per seed and match readRegion", async () => {
  const a = new ProceduralStore(terabyte);
  const b = openStore(terabyte);
  const key = "/0/c/40/200/100" as const;
  const first = await a.get(key);
  assertEquals(first?.length, 64 ** 3);
  assertEquals(await b.get(key), first);
  const other = await new ProceduralStore(terabyte.replace("seed=1", "seed=2")).get(key);
  assert_(other !== undefined && other.some((v, i) => v !== first![i]));
  assertEquals(await a.get("/0/c/64/0/0"), undefined, "outside the grid");
  assertEquals(await a.get("/99/c/0/0/0"), undefined, "no such level");

  const level = await openLevel(await openImage(terabyte), 0);
  const box: Box = { start: [40 * 64, 200 * 64, 100 * 64], stop: [41 * 64, 201 * 64, 101 * 64] };
  assertEquals(await level.readRegion(box), first);
});

/** Mean of 2×2×2 (or 1×2×2) blocks of `fine` (shape `fineShape`) over the coarse grid. */
function blockMean(fine: ArrayLike<number>, fineShape: number[], factors: number[]): Float64Array {
  const coarseShape = fineShape.map((n, a) => n / factors[a]!);
  const out = new Float64Array(coarseShape.reduce((p, n) => p * n, 1));
  const weight = 1 / (factors[0]! * factors[1]! * factors[2]!);
  let i = 0;
  for (let z = 0; z < fineShape[0]!; z++) {
    for (let y = 0; y < fineShape[1]!; y++) {
      for (let x = 0; x < fineShape[2]!; x++) {
        const c = (Math.floor(z / factors[0]!) * coarseShape[1]! + Math.floor(y / factors[1]!)) *
            coarseShape[2]! + Math.floor(x / factors[2]!);
        out[c]! += fine[i++]! * weight;
      }
    }
  }
  return out;
}

Deno.test("ProceduralStore coarse levels equal the mean of the finer level (statistically)", async () => {
  const image = await openImage(terabyte);
  // Level 0 → 1 halves y and x only; level 2 → 3 halves all axes.
  for (const [fineLevel, factors] of [[0, [1, 2, 2]], [2, [2, 2, 2]]] as const) {
    const fine = await openLevel(image, fineLevel);
    const coarse = await openLevel(image, fineLevel + 1);
    const origin = [7, 11, 5].map((c) => c * 64);
    const fineShape = [32, 256, 256];
    const fineData = await fine.readRegion({
      start: origin,
      stop: origin.map((o, a) => o + fineShape[a]!),
    });
    const coarseStart = origin.map((o, a) => o / factors[a]!);
    const coarseData = await coarse.readRegion({
      start: coarseStart,
      stop: coarseStart.map((s, a) => s + fineShape[a]! / factors[a]!),
    });
    const coarseShape = fineShape.map((n, a) => n / factors[a]!);
    // Noise is independent per level: compare 4³ blocks of coarse voxels, where it averages out.
    const expected = blockMean(blockMean(fineData, fineShape, [...factors]), coarseShape, [
      4,
      4,
      4,
    ]);
    const actual = blockMean(coarseData, coarseShape, [4, 4, 4]);
    let meanFine = 0, meanCoarse = 0;
    for (let i = 0; i < expected.length; i++) {
      meanFine += expected[i]!;
      meanCoarse += actual[i]!;
    }
    meanFine /= expected.length;
    meanCoarse /= expected.length;
    let sxy = 0, sxx = 0, syy = 0, absolute = 0;
    for (let i = 0; i < expected.length; i++) {
      const a = expected[i]! - meanFine, b = actual[i]! - meanCoarse;
      sxy += a * b;
      sxx += a * a;
      syy += b * b;
      absolute += Math.abs(expected[i]! - actual[i]!);
    }
    const correlation = sxy / Math.sqrt(sxx * syy);
    const label = `level ${fineLevel} → ${fineLevel + 1}`;
    // Tolerances: means within 0.5 grey level; over 4³ blocks correlation > 0.9, mean |Δ| < 2.
    assert_(Math.abs(meanFine - meanCoarse) < 0.5, `${label}: means ${meanFine} vs ${meanCoarse}`);
    assert_(correlation > 0.9, `${label}: correlation ${correlation}`);
    assert_(absolute / expected.length < 2, `${label}: mean |Δ| ${absolute / expected.length}`);
  }
});

Deno.test("ProceduralStore looks like EM: grey cytoplasm with dark organelles", async () => {
  const level = await openLevel(await openImage(terabyte), 4);
  // eight 5 × 10 × 10 µm boxes spread over the 82 µm volume
  const fractions: number[] = [];
  let dark = 0, mean = 0, count = 0;
  for (
    const corner of [0, 1, 2, 3, 4, 5, 6, 7].map((
      k,
    ) => [(k * 29) % 192, (k * 357) % 896, (k * 611) % 896])
  ) {
    const data = await level.readRegion({
      start: corner,
      stop: corner.map((c, a) => c + [64, 128, 128][a]!),
    });
    let boxDark = 0;
    for (const value of data) {
      mean += value;
      if (value < 110) boxDark++;
    }
    dark += boxDark;
    count += data.length;
    fractions.push(boxDark / data.length);
  }
  mean /= count;
  const darkFraction = dark / count;
  assert_(mean > 120 && mean < 170, `mean ${mean}`);
  assert_(darkFraction > 0.01 && darkFraction < 0.3, `dark fraction ${darkFraction}`);
  // mitochondria density varies over tens of µm (cytoplasm vs sparse regions)
  assert_(
    Math.min(...fractions) < Math.max(...fractions) / 2,
    `dark fractions per box ${fractions.map((f) => f.toFixed(3)).join(", ")}`,
  );
});

Deno.test("proceduralBytesServed() counts chunk bytes per level", async () => {
  resetProceduralCounters();
  const location = "procedural://em?seed=3&shape=256,1024,1024&voxelNm=20,5,5";
  const image = await openImage(location);
  const level = await openLevel(image, 3);
  await level.readChunk([0, 0, 0]);
  await level.readChunk([0, 0, 1]);
  const counts = proceduralBytesServed(location);
  assertEquals(counts.length, image.levels.length);
  assertEquals(counts[3], 2 * 64 ** 3);
  assertEquals(counts.reduce((a, b) => a + b, 0), 2 * 64 ** 3);
});

Deno.test("ProceduralStore rejects malformed locations", () => {
  assertThrows(() => new ProceduralStore("procedural://em?shape=1,2&voxelNm=1,1,1"), TypeError);
  assertThrows(() => new ProceduralStore("procedural://lm?shape=1,2,3&voxelNm=1,1,1"), TypeError);
  assertThrows(() => new ProceduralStore("procedural://em?shape=4,4,4&voxelNm=1,0,1"), TypeError);
});

Deno.test("procedural://em-labels serves the mask of the EM's dark mitochondria", async () => {
  const labelsLocation = terabyte.replace("procedural://em?", "procedural://em-labels?");
  const em = await openImage(terabyte), labels = await openImage(labelsLocation);
  assert_(labels.attributes["image-label"] !== undefined, "labels carry image-label metadata");
  assertEquals(labels.levels.map((l) => l.shape), em.levels.map((l) => l.shape));
  assertEquals(labels.levels[3]!.translation, em.levels[3]!.translation);
  const box: Box = { start: [500, 1000, 1000], stop: [564, 1128, 1128] };
  const [emVoxels, maskVoxels] = await Promise.all([
    openLevel(em, 3).then((level) => level.readRegion(box)),
    openLevel(labels, 3).then((level) => level.readRegion(box)),
  ]);
  let inside = 0, insideSum = 0, outsideSum = 0;
  for (let i = 0; i < maskVoxels.length; i++) {
    assert_(maskVoxels[i] === 0 || maskVoxels[i] === 1, "a binary mask");
    if (maskVoxels[i]) {
      inside++;
      insideSum += emVoxels[i]!;
    } else outsideSum += emVoxels[i]!;
  }
  const fraction = inside / maskVoxels.length;
  assert_(fraction > 0.01 && fraction < 0.3, `mitochondria fraction ${fraction}`);
  const contrast = outsideSum / (maskVoxels.length - inside) - insideSum / inside;
  assert_(contrast > 45, `EM is darker inside the mask by ${contrast} grey levels`);
});
