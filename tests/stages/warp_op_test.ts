/**
 * The warp op on the chunked core: every output chunk equals the whole-volume warp,
 * FM chunks are decoded about once (read amplification), and the chunked pyramid equals
 * the sequential one.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { runOp } from "../../src/chunked/scheduler.ts";
import { openImage, openLevel, spatialGridUm } from "../../src/io/image.ts";
import { createImage, writeImage } from "../../src/io/writer.ts";
import { buildPyramidChunked, pyramidOps } from "../../src/stages/pyramid_op.ts";
import { warpOp } from "../../src/stages/warp.ts";
import { indexAffine, warpAffineBlock } from "../../src/stages/warp_affine.ts";
import { tempFolder } from "../io/helpers.ts";

const um = (name: string) => ({ name, type: "space", unit: "micrometer" });
const fmShape = [2, 12, 60, 64];

function fmValues(): Uint16Array {
  const values = new Uint16Array(fmShape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = (i * 7919 + (i >> 7) * 31) % 4000;
  return values;
}

Deno.test("warpOp() writes every channel chunk equal to the whole-volume warp, reading FM about once", async () => {
  await using temp = await tempFolder();
  const fmLocation = path.join(temp.folder, "fm.zarr");
  const fm = await writeImage(fmLocation, fmValues(), {
    axes: [{ name: "c", type: "channel" }, um("z"), um("y"), um("x")],
    shape: fmShape,
    chunks: [1, 6, 16, 16],
    dtype: "uint16",
    scale: [1, 0.13, 0.035, 0.035],
    translation: [0, 0.05, 0, 0],
    channelNames: ["mito", "lyso"],
    levels: 1,
  });
  const outLocation = path.join(temp.folder, "out.zarr");
  const outShape = [2, 30, 50, 47];
  const outSpec = {
    axes: [{ name: "c", type: "channel" }, um("z"), um("y"), um("x")],
    shape: outShape,
    chunks: [1, 7, 16, 13],
    dtype: "uint16" as const,
    scale: [1, 0.04, 0.04, 0.04],
    translation: [0, 0.1, 0.2, 0.1],
    channelNames: ["mito", "lyso"],
    levels: 1,
  };
  const out = await createImage(outLocation, outSpec);
  const a = (12 * Math.PI) / 180;
  const emToFm = [
    [Math.cos(a), 0, Math.sin(a), 0.1],
    [0, 1, 0, 0.05],
    [-Math.sin(a), 0, Math.cos(a), 0.2],
    [0, 0, 0, 1],
  ];
  const map = indexAffine(spatialGridUm(out, 0), spatialGridUm(fm, 0), emToFm);
  const params = {
    fm: { location: fmLocation, level: 0 },
    channelAxis: 0,
    channels: [0, 1],
    map,
    order: 1 as const,
    cacheBytes: 64 * 2 ** 20,
  };
  const result = await runOp(warpOp(params, { location: outLocation, level: 0 }), {
    workers: 1,
    quiet: true,
  });
  const stats = result.result as { bytesRead: number; bytesNeeded: number };
  const written = await (await openLevel(await openImage(outLocation), 0)).readRegion({
    start: [0, 0, 0, 0],
    stop: outShape,
  });
  const source = fmValues();
  const spatialFm = fmShape.slice(1);
  const fmVoxels = spatialFm.reduce((x, y) => x * y, 1);
  const outVoxels = outShape.slice(1).reduce((x, y) => x * y, 1);
  for (let c = 0; c < 2; c++) {
    const expected = new Uint16Array(outVoxels);
    warpAffineBlock(
      source.subarray(c * fmVoxels, (c + 1) * fmVoxels),
      { start: [0, 0, 0], stop: spatialFm },
      spatialFm,
      { start: [0, 0, 0], stop: outShape.slice(1) },
      map,
      expected,
    );
    assert.deepEqual(
      written.subarray(c * outVoxels, (c + 1) * outVoxels),
      expected,
      `channel ${c}`,
    );
    assert.ok(expected.some((v) => v > 0), "the warp overlaps the FM volume");
  }
  // Each FM chunk is decoded at most once with one worker and a big enough cache.
  const fmBytes = source.byteLength;
  assert.ok(stats.bytesRead <= fmBytes, `decoded ${stats.bytesRead} of ${fmBytes} FM bytes`);
  assert.ok(stats.bytesRead > 0 && stats.bytesNeeded > 0);
  // With two workers, "bands" affinity keeps each worker on its own part of the output, so
  // FM chunks are not decoded twice (without it this op decoded ~2× here).
  await createImage(path.join(temp.folder, "out2.zarr"), { ...outSpec });
  const two = await runOp(
    warpOp(params, { location: path.join(temp.folder, "out2.zarr"), level: 0 }),
    { workers: 2, quiet: true },
  );
  const twoStats = two.result as { bytesRead: number };
  assert.ok(
    twoStats.bytesRead <= stats.bytesRead * 1.25,
    `2 workers decoded ${twoStats.bytesRead} bytes, 1 worker ${stats.bytesRead}`,
  );
  const written2 = await (await openLevel(await openImage(path.join(temp.folder, "out2.zarr")), 0))
    .readRegion({ start: [0, 0, 0, 0], stop: outShape });
  assert.deepEqual(written2, written);
});

Deno.test("buildPyramidChunked() equals the sequential buildPyramid()", async () => {
  await using temp = await tempFolder();
  const values = new Uint32Array(9 * 70 * 66).map((_, i) => ((i >> 5) % 7) * ((i % 3) + 1));
  const spec = {
    axes: [um("z"), um("y"), um("x")],
    shape: [9, 70, 66],
    chunks: [4, 16, 16],
    dtype: "uint32" as const,
    scale: [0.02, 0.02, 0.02],
    levels: 3,
  };
  for (const labels of [false, true]) {
    const a = await writeImage(path.join(temp.folder, `a${labels}.zarr`), values, {
      ...spec,
      labels,
    });
    const b = await createImage(path.join(temp.folder, `b${labels}.zarr`), { ...spec, labels });
    const level0 = await openLevel(b, 0);
    const whole = await (await openLevel(a, 0)).readRegion({ start: [0, 0, 0], stop: spec.shape });
    assert.deepEqual(whole, values);
    // copy level 0, then build the pyramid on the chunked core
    for (let z = 0; z < 3; z++) {
      for (let y = 0; y < 5; y++) {
        for (let x = 0; x < 5; x++) {
          const box = {
            start: [z * 4, y * 16, x * 16],
            stop: [Math.min(9, z * 4 + 4), Math.min(70, y * 16 + 16), Math.min(66, x * 16 + 16)],
          };
          await level0.writeChunk([z, y, x], await (await openLevel(a, 0)).readRegion(box));
        }
      }
    }
    // each output chunk is built in pieces that read one chunk of the level above
    assert.deepEqual(pyramidOps(b).map((op) => op.pieces), [[2, 8, 8], [2, 8, 8]]);
    await buildPyramidChunked(b, { workers: 2, quiet: true });
    for (let level = 1; level < 3; level++) {
      const shape = a.levels[level]!.shape;
      const box = { start: [0, 0, 0], stop: shape };
      assert.deepEqual(
        await (await openLevel(b, level)).readRegion(box),
        await (await openLevel(a, level)).readRegion(box),
        `labels=${labels} level ${level}`,
      );
    }
  }
});
