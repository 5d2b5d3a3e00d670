/**
 * Compatibility with OME-Zarr written by other tools (bioformats2raw, SpatialData,
 * ome-zarr-examples): every image opens and decodes to the values zarr-python reads;
 * every `invalid/` example is rejected with a clear message.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { OmeZarrError } from "../../src/io/errors.ts";
import { openImage, openLevel, spatialVoxelSizeUm } from "../../src/io/image.ts";
import { digestOf, hasPythonZarr, pythonDigests, sharedData } from "./helpers.ts";

const data = sharedData();
const fixtures = data ? path.join(data, "ome-zarr") : "";
const images = [
  "ome-zarr-py/bf2raw/fake-series-2.zarr/0",
  "ome-zarr-py/bf2raw/fake-series-2.zarr/1",
  "ome-zarr-examples/data/valid/plate-01.zarr/A/1/0",
  "ome-zarr-examples/data/valid/plate-01.zarr/A/2/0",
  "ome-zarr-examples/data/valid/plate-01.zarr/B/1/0",
  "ome-zarr-examples/data/valid/plate-01.zarr/B/2/0",
  "ome-zarr-py/bf2raw/plate-rows-2.zarr/A/1/0",
  "ome-zarr-py/bf2raw/plate-rows-2.zarr/B/1/0",
  "viv/fixtures/blobs_image_v04.ome.zarr",
  "viv/fixtures/blobs_image_v05.ome.zarr",
  "ome-zarr-examples/data/valid/image-01.zarr",
  "ome-zarr-examples/data/valid/image-02.zarr",
  "ome-zarr-examples/data/valid/image-03.zarr",
  "ome-zarr-examples/data/valid/image-04.zarr",
  "ome-zarr-examples/data/warning/image-01.zarr",
];

Deno.test({
  name: "openImage() reads other tools' images to zarr-python's values",
  ignore: !data || !hasPythonZarr(),
  async fn() {
    const arrays: { image: string; level: number; arrayPath: string }[] = [];
    const opened = new Map<string, Awaited<ReturnType<typeof openImage>>>();
    for (const relative of images) {
      const image = await openImage(path.join(fixtures, relative));
      opened.set(relative, image);
      image.levels.forEach((level, index) =>
        arrays.push({
          image: relative,
          level: index,
          arrayPath: path.join(image.location, level.path),
        })
      );
    }
    const reference = await pythonDigests(arrays.map((a) => a.arrayPath));
    for (const { image, level, arrayPath } of arrays) {
      const array = await openLevel(opened.get(image)!, level);
      const values = await array.readRegion({
        start: array.shape.map(() => 0),
        stop: [...array.shape],
      });
      const expected = reference.get(arrayPath)!;
      assert.deepEqual([...array.shape], expected.shape, arrayPath);
      assert.equal(digestOf(values), expected.sha256, `values of ${arrayPath}`);
    }
  },
});

Deno.test({
  name: "openImage() parses versions, axes, scales and channel names of other tools' images",
  ignore: !data,
  async fn() {
    const bf2raw = await openImage(path.join(fixtures, "ome-zarr-py/bf2raw/fake-series-2.zarr"));
    assert.equal(bf2raw.version, "0.4");
    assert.deepEqual(bf2raw.axes.map((a) => a.name), ["t", "c", "z", "y", "x"]);
    assert.deepEqual(bf2raw.levels.map((l) => l.shape), [[1, 1, 1, 512, 512], [1, 1, 1, 256, 256]]);
    assert.deepEqual(bf2raw.levels[1]!.scale, [1, 1, 1, 2, 2]);
    const v05 = await openImage(path.join(fixtures, "viv/fixtures/blobs_image_v05.ome.zarr"));
    assert.equal(v05.version, "0.5");
    assert.deepEqual(v05.channelNames, ["0", "1", "2"]);
    assert.deepEqual(v05.axes.map((a) => a.type), ["channel", "space", "space"]);
    const v04 = await openImage(path.join(fixtures, "viv/fixtures/blobs_image_v04.ome.zarr"));
    const [a, b] = await Promise.all([openLevel(v04, 0), openLevel(v05, 0)]);
    const whole = { start: [0, 0, 0], stop: [3, 12, 12] };
    assert.deepEqual(
      await a.readRegion(whole),
      await b.readRegion(whole),
      "v0.4 and v0.5 blobs agree",
    );
    const example = await openImage(
      path.join(fixtures, "ome-zarr-examples/data/valid/image-04.zarr"),
    );
    assert.deepEqual(spatialVoxelSizeUm(example, 1), [1, 2, 2]);
  },
});

Deno.test({
  name: "openImage() rejects every invalid example with a message naming the problem",
  ignore: !data,
  async fn() {
    const expectations: [string, RegExp][] = [
      ["image-01.zarr", /no OME-NGFF multiscales metadata/],
      ["image-02.zarr", /"multiscales" is empty/],
      ["image-03.zarr", /level "0" listed in multiscales is not a Zarr v2 array/],
      ["image-04.zarr", /level "1" has 2 dimensions but multiscales declares 3 axes/],
    ];
    for (const [name, message] of expectations) {
      const location = path.join(fixtures, "ome-zarr-examples/data/invalid", name);
      await assert.rejects(openImage(location), (error: unknown) => {
        assert.ok(error instanceof OmeZarrError, `${name}: ${error}`);
        assert.match(error.message, message);
        assert.ok(error.message.startsWith(location), "message names the location");
        return true;
      });
    }
    await assert.rejects(
      openImage(path.join(fixtures, "ome-zarr-py/bf2raw/plate-rows-2.zarr")),
      /is an HCS plate, not an image/,
    );
  },
});

Deno.test("openImage() reports a missing path and a non-image folder", async () => {
  await assert.rejects(openImage("/nonexistent/clemreg/x.zarr"), /no such file or folder/);
  const folder = await Deno.makeTempDir();
  try {
    await assert.rejects(openImage(folder), /not a Zarr group/);
    await Deno.writeTextFile(path.join(folder, ".zattrs"), "{ not json");
    await assert.rejects(openImage(folder), /metadata is not valid JSON/);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
