/**
 * Chunked EM segmentation (worker pool, halo, cross-chunk labels) gives the same objects as
 * the whole-level reference `segmentEmImage`, for the built-in model.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { openEmBackend } from "../../src/em/em_backend.ts";
import { segmentEmImage } from "../../src/em/segment_volume.ts";
import { openImage, openLevel } from "../../src/io/image.ts";
import { writeImage } from "../../src/io/writer.ts";
import { segmentEmChunked } from "../../src/stages/em_segmentation.ts";
import { emLikeVolume } from "../em/helpers.ts";
import { tempFolder } from "../io/helpers.ts";

const axes = ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "micrometer" }));

Deno.test("segmentEmChunked() equals the whole-level segmentation up to label numbering", async () => {
  await using temp = await tempFolder();
  const shape: [number, number, number] = [5, 150, 130];
  const { volume } = emLikeVolume(shape, 5);
  const em = path.join(temp.folder, "em.zarr");
  await writeImage(em, volume, {
    axes,
    shape,
    chunks: [2, 48, 56],
    dtype: "uint8",
    scale: [0.05, 0.0184, 0.0184],
    levels: 1,
  });
  const backend = await openEmBackend("builtin");
  // A low threshold so the built-in model (trained on real TEM) finds objects here.
  const whole = await segmentEmImage(em, path.join(temp.folder, "whole.zarr"), backend, {
    threshold: 0.3,
    minVoxels: 20,
    minSlices: 5,
  });
  await backend.close();
  const chunked = await segmentEmChunked(em, path.join(temp.folder, "chunked.zarr"), {
    model: "builtin",
    threshold: 0.3,
    minVoxels: 20,
    minSlices: 5,
    workDir: path.join(temp.folder, "work"),
    workers: 2,
    quiet: true,
  });
  assert.equal(chunked.level, whole.level);
  assert.ok(whole.objectCount > 0, "the reference finds objects");
  const noSliceRule = await segmentEmChunked(em, path.join(temp.folder, "any-span.zarr"), {
    model: "builtin",
    threshold: 0.3,
    minVoxels: 20,
    minSlices: 0,
    workDir: path.join(temp.folder, "work-any-span"),
    workers: 2,
    quiet: true,
  });
  assert.ok(
    noSliceRule.objectCount > whole.objectCount,
    `the minimum-slices rule drops objects (${noSliceRule.objectCount} without it, ${whole.objectCount} with it)`,
  );
  assert.equal(chunked.objectCount, whole.objectCount);
  const read = async (name: string) => {
    const array = await openLevel(await openImage(path.join(temp.folder, name)), 0);
    return await array.readRegion({ start: [0, 0, 0], stop: shape });
  };
  const [a, b] = [await read("whole.zarr"), await read("chunked.zarr")];
  const mapping = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    assert.equal(a[i]! > 0, b[i]! > 0, `foreground differs at ${i}`);
    if (a[i]! > 0) {
      const seen = mapping.get(a[i]!);
      if (seen === undefined) mapping.set(a[i]!, b[i]!);
      else assert.equal(seen, b[i]!, `object ${a[i]} split at ${i}`);
    }
  }
  assert.equal(new Set(mapping.values()).size, mapping.size, "objects merged");
});
