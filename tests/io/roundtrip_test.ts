/**
 * What clemreg writes reads back identically: through its own reader (NGFF 0.5 and
 * 0.4, every codec and dtype) and through zarr-python (NGFF 0.4); pyramids follow
 * the 2× rule with half-voxel translations; writes leave no temporary files.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { chunkGridShape, chunkIndices } from "../../src/io/box.ts";
import { typedArrayFor } from "../../src/io/dtype.ts";
import { openImage, openLevel } from "../../src/io/image.ts";
import type { DataType, TypedArray } from "../../src/io/types.ts";
import { createImage, writeImage } from "../../src/io/writer.ts";
import { seededRandom } from "../../src/random.ts";
import { digestOf, hasPythonZarr, pythonDigests, tempFolder } from "./helpers.ts";

const zyx = ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "nanometer" }));

/** A seeded pseudo-random volume (mulberry32), values fitting the dtype. */
function seededVolume(dtype: DataType, length: number, seed: number): TypedArray {
  const values = new (typedArrayFor(dtype))(length);
  const random = seededRandom(seed);
  for (let i = 0; i < length; i++) {
    const u = random();
    values[i] = dtype.startsWith("float") ? u * 1000 - 500 : Math.floor(u * 250);
  }
  return values;
}

Deno.test("writeImage() round-trips every dtype and codec through openImage()", async () => {
  await using temp = await tempFolder();
  const shape = [7, 33, 29];
  let n = 0;
  for (const version of ["0.5", "0.4"] as const) {
    for (const codec of ["zstd", "gzip", "raw"] as const) {
      for (const dtype of ["uint8", "uint16", "int16", "uint32", "float32", "float64"] as const) {
        const data = seededVolume(dtype, 7 * 33 * 29, ++n);
        const location = path.join(temp.folder, `${version}-${codec}-${dtype}.zarr`);
        await writeImage(location, data, {
          version,
          codec,
          axes: zyx,
          shape,
          chunks: [3, 16, 10],
          dtype,
          scale: [50, 20, 20],
        });
        const image = await openImage(location);
        assert.equal(image.version, version);
        const level = await openLevel(image, 0);
        assert.equal(level.dtype, dtype);
        const back = await level.readRegion({ start: [0, 0, 0], stop: shape });
        assert.deepEqual(back, data, `${version} ${codec} ${dtype}`);
        const part = await level.readRegion({ start: [1, 5, 3], stop: [6, 30, 20] });
        assert.equal(part[0], data[1 * 33 * 29 + 5 * 29 + 3]);
        assert.equal(part[part.length - 1], data[5 * 33 * 29 + 29 * 29 + 19]);
      }
    }
  }
});

Deno.test({
  name: "writeImage() NGFF 0.4 output reads identically in zarr-python",
  ignore: !hasPythonZarr(),
  async fn() {
    await using temp = await tempFolder();
    const arrays: { path: string; data: TypedArray }[] = [];
    for (const codec of ["zstd", "gzip", "raw"] as const) {
      for (const dtype of ["uint8", "uint16", "float32"] as const) {
        const data = seededVolume(dtype, 5 * 40 * 36, arrays.length + 7);
        const location = path.join(temp.folder, `${codec}-${dtype}.zarr`);
        const image = await writeImage(location, data, {
          version: "0.4",
          codec,
          axes: zyx,
          shape: [5, 40, 36],
          chunks: [2, 17, 36],
          dtype,
          scale: [20, 20, 20],
          levels: 2,
        });
        arrays.push({ path: path.join(location, "0"), data });
        const level1 = await openLevel(image, 1);
        const pyramid = await level1.readRegion({ start: [0, 0, 0], stop: [...level1.shape] });
        arrays.push({ path: path.join(location, "1"), data: pyramid });
      }
    }
    const reference = await pythonDigests(arrays.map((a) => a.path));
    for (const { path: arrayPath, data } of arrays) {
      assert.equal(reference.get(arrayPath)!.sha256, digestOf(data), arrayPath);
    }
  },
});

Deno.test("createImage() builds levels by the 2× rule with half-voxel translations", async () => {
  await using temp = await tempFolder();
  const fm = await createImage(path.join(temp.folder, "fm.zarr"), {
    axes: [{ name: "c", type: "channel" }, ...zyx],
    shape: [2, 40, 300, 260],
    chunks: [1, 16, 64, 64],
    dtype: "uint16",
    scale: [1, 130, 35, 35],
    translation: [0, 10, 0, 0],
    channelNames: ["mito", "lyso"],
  });
  assert.deepEqual(fm.channelNames, ["mito", "lyso"]);
  assert.deepEqual(fm.levels.map((l) => l.shape), [
    [2, 40, 300, 260],
    [2, 40, 150, 130],
    [2, 40, 75, 65],
    [2, 20, 38, 33],
  ]);
  assert.deepEqual(fm.levels.map((l) => l.scale), [
    [1, 130, 35, 35],
    [1, 130, 70, 70],
    [1, 130, 140, 140],
    [1, 260, 280, 280],
  ]);
  assert.deepEqual(fm.levels[1]!.translation, [0, 10, 17.5, 17.5]);
  assert.deepEqual(fm.levels[2]!.translation, [0, 10, 52.5, 52.5]);
  assert.deepEqual(fm.levels[3]!.translation, [0, 75, 122.5, 122.5]);
});

Deno.test("buildPyramid() averages intensities and takes the mode of labels", async () => {
  await using temp = await tempFolder();
  const intensity = new Float32Array(2 * 64 * 65).map((_, i) => i % 65);
  const image = await writeImage(path.join(temp.folder, "i.zarr"), intensity, {
    axes: zyx,
    shape: [2, 64, 65],
    chunks: [2, 32, 32],
    dtype: "float32",
    scale: [10, 10, 10],
    levels: 2,
  });
  const level1 = await openLevel(image, 1);
  assert.deepEqual([...level1.shape], [1, 32, 33]);
  const mean = await level1.readRegion({ start: [0, 0, 0], stop: [1, 32, 33] });
  assert.equal(mean[0], 0.5, "mean of x = 0 and 1");
  assert.equal(mean[32], 64, "edge block averages what exists (x = 64 only)");
  const labels = new Uint32Array(4 * 64 * 64);
  for (let i = 0; i < labels.length; i++) labels[i] = (i % 64) < 3 ? 7 : (i % 64) < 40 ? 2 : 0;
  const labelImage = await writeImage(path.join(temp.folder, "l.zarr"), labels, {
    axes: zyx,
    shape: [4, 64, 64],
    chunks: [4, 32, 32],
    dtype: "uint32",
    scale: [10, 10, 10],
    levels: 2,
    labels: true,
  });
  assert.ok(labelImage.attributes["image-label"], "image-label metadata written");
  const modes = await (await openLevel(labelImage, 1)).readRegion({
    start: [0, 0, 0],
    stop: [2, 32, 32],
  });
  assert.deepEqual([...modes.slice(0, 3)], [7, 2, 2], "mode, ties to the smaller label");
  assert.equal(modes[31], 0);
});

Deno.test("writeChunk() leaves only whole chunks and no temporary files", async () => {
  await using temp = await tempFolder();
  const location = path.join(temp.folder, "a.zarr");
  const image = await createImage(location, {
    axes: zyx,
    shape: [5, 20, 20],
    chunks: [2, 8, 8],
    dtype: "uint8",
    scale: [1, 1, 1],
    levels: 1,
  });
  const array = await openLevel(image, 0);
  const grid = chunkGridShape(array.shape, array.chunks);
  for (const index of chunkIndices(grid)) {
    const box = index.map((i, a) =>
      Math.min(array.chunks[a]!, array.shape[a]! - i * array.chunks[a]!)
    );
    await array.writeChunk(index, new Uint8Array(box[0]! * box[1]! * box[2]!).fill(index[0]! + 1));
    assert.ok(await array.hasChunk(index));
  }
  const leftovers: string[] = [];
  for await (const entry of walk(location)) if (entry.endsWith(".tmp")) leftovers.push(entry);
  assert.deepEqual(leftovers, []);
  const values = await array.readRegion({ start: [4, 19, 19], stop: [5, 20, 20] });
  assert.equal(values[0], 3);
  await assert.rejects(array.writeChunk([0, 0, 0], new Uint8Array(3)), /expected 128 uint8 values/);
});

async function* walk(folder: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(folder)) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory) yield* walk(full);
    else yield full;
  }
}
