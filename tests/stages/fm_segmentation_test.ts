import assert from "node:assert/strict";
import { createWorkerPool } from "../../src/chunked/pool.ts";
import { createSharedArray, sharedArrayData } from "../../src/chunked/shared_array.ts";
import { openImage, openLevel } from "../../src/io/image.ts";
import { OmeZarrError } from "../../src/io/errors.ts";
import { segmentFm } from "../../src/stages/fm_segmentation.ts";
import { segmentFmVolume } from "../../src/stages/fm_segmentation_volume.ts";
import { dice, fmPhantom } from "./fm_phantom.ts";

const SHAPE = [48, 96, 96];
const VOXEL_NM = [130, 35, 35];
const MARGIN = 15; // ≈ 2 µm of object-free z at each end
const phantom = fmPhantom({
  shape: SHAPE,
  voxelSizeNm: VOXEL_NM,
  objects: 8,
  emptyMarginSlices: MARGIN,
  seed: 7,
});

/** Both labelings induce the same partition: a bijection between their non-zero labels. */
function assertSamePartition(a: Uint32Array, b: Uint32Array) {
  const ab = new Map<number, number>(), ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    assert.equal(x === 0, y === 0, `voxel ${i}: foreground differs (${x} vs ${y})`);
    if (x === 0) continue;
    if ((ab.get(x) ?? y) !== y || (ba.get(y) ?? x) !== x) assert.fail(`voxel ${i}: labels split`);
    ab.set(x, y);
    ba.set(y, x);
  }
}

/** Foreground voxels in the object-free z margins. */
function marginForeground(labels: Uint32Array): number {
  const plane = SHAPE[1]! * SHAPE[2]!;
  let count = 0;
  for (let z = 0; z < SHAPE[0]!; z++) {
    if (z >= MARGIN - 3 && z < SHAPE[0]! - MARGIN + 3) continue; // 3 slices of PSF spill
    for (let i = z * plane; i < (z + 1) * plane; i++) if (labels[i] !== 0) count++;
  }
  return count;
}

Deno.test("segmentFm() chunked with odd chunks equals segmentFmVolume() (same partition)", async () => {
  const input = createSharedArray("fm-phantom", {
    shape: SHAPE,
    chunks: [7, 19, 23],
    dtype: "uint16",
  });
  sharedArrayData(input).set(phantom.fm);
  const dir = await Deno.makeTempDir({ prefix: "fmseg-" });
  const pool = createWorkerPool({ size: 2 });
  try {
    for (const preset of ["default", "clemreg"] as const) {
      const output = `${dir}/${preset}.zarr`;
      const { image, summary } = await segmentFm(
        { array: input, voxelSizeUm: VOXEL_NM.map((v) => v / 1000) },
        { output, preset, executor: pool, quiet: true },
      );
      const chunked = await (await openLevel(image, 0)).readRegion({
        start: [0, 0, 0],
        stop: SHAPE,
      }) as Uint32Array;
      const whole = segmentFmVolume(phantom.fm, SHAPE, VOXEL_NM, { preset });
      assert.equal(summary.count, whole.summary.count, `${preset}: object count`);
      assert.equal(summary.components, whole.summary.components, `${preset}: components`);
      assert.ok(summary.count > 0, `${preset}: found objects`);
      assertSamePartition(chunked, whole.labels);
      assert.deepEqual(image.levels[0]!.scale, [0.13, 0.035, 0.035]);
      assert.ok("image-label" in image.attributes, "written as a label image");
    }
  } finally {
    await pool.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("segmentFm() output cut short is refused as incomplete until a rerun finishes it", async () => {
  const input = createSharedArray("fm-phantom-cut", {
    shape: SHAPE,
    chunks: [16, 48, 48],
    dtype: "uint16",
  });
  sharedArrayData(input).set(phantom.fm);
  const dir = await Deno.makeTempDir({ prefix: "fmseg-cut-" });
  const pool = createWorkerPool({ size: 1 });
  const output = `${dir}/labels.zarr`;
  const source = { array: input, voxelSizeUm: VOXEL_NM.map((v) => v / 1000) };
  try {
    // Stop in the relabel pass: the output image exists, some of its chunks do not.
    const controller = new AbortController();
    const progress = {
      tty: false,
      intervalSeconds: 0,
      write: (text: string) => void (text.includes("relabel") && controller.abort()),
    };
    await assert.rejects(
      segmentFm(source, { output, executor: pool, progress, signal: controller.signal }),
      (error: unknown) => error instanceof DOMException && error.name === "AbortError",
    );
    await assert.rejects(
      openImage(output),
      (error: unknown) =>
        error instanceof OmeZarrError && error.kind === "incomplete" &&
        /labels\.zarr: is incomplete: the run that writes it was interrupted/.test(error.message),
    );
    const { summary } = await segmentFm(source, { output, executor: pool, quiet: true });
    const image = await openImage(output);
    const labels = await (await openLevel(image, 0)).readRegion({ start: [0, 0, 0], stop: SHAPE });
    const whole = segmentFmVolume(phantom.fm, SHAPE, VOXEL_NM);
    assert.equal(summary.count, whole.summary.count);
    assertSamePartition(labels as Uint32Array, whole.labels);
  } finally {
    await pool.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("segmentFmVolume() recovers the phantom's objects with Dice >= 0.8", () => {
  // thresholdFloor 0.25 (the config default 0.1 gives Dice ≈ 0.72 here; see the report).
  const { labels, summary } = segmentFmVolume(phantom.fm, SHAPE, VOXEL_NM, {
    thresholdFloor: 0.25,
    sizePercentiles: null,
  });
  const score = dice(labels, phantom.truth);
  assert.ok(score >= 0.8, `Dice ${score.toFixed(3)} < 0.8`);
  assert.ok(summary.count >= 3 && summary.count <= 12, `object count ${summary.count}`);
});

Deno.test("segmentFmVolume() default keeps object-free noisy slices empty, clemreg speckles them", () => {
  const robust = segmentFmVolume(phantom.fm, SHAPE, VOXEL_NM, { sizePercentiles: null });
  const clemreg = segmentFmVolume(phantom.fm, SHAPE, VOXEL_NM, {
    preset: "clemreg",
    sizePercentiles: null,
  });
  const marginVoxels = (2 * (MARGIN - 3)) * SHAPE[1]! * SHAPE[2]!;
  const robustSpeckle = marginForeground(robust.labels);
  const clemregSpeckle = marginForeground(clemreg.labels);
  assert.ok(robustSpeckle <= 0.0005 * marginVoxels, `default: ${robustSpeckle} margin voxels`);
  assert.ok(clemregSpeckle >= 0.05 * marginVoxels, `clemreg: only ${clemregSpeckle} margin voxels`);
  assert.ok(clemreg.summary.components > 5 * robust.summary.components, "clemreg speckle objects");
});
