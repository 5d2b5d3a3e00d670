/**
 * OME-Zarr through S3: `writeImage`/`createImage`/`buildPyramid` write to s3:// exactly
 * what they write to a folder, and `openImage`/`openLevel` read it back.
 * @module
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { openImage, openLevel } from "../../src/io/image.ts";
import { configureS3, S3Store } from "../../src/io/s3_store.ts";
import { writeImage } from "../../src/io/writer.ts";
import { assertSameObjects, folderObjects, seededVolume, storeObjects } from "./compare.ts";
import { optionsFor, startS3Server } from "./server.ts";

const axes = [
  { name: "c", type: "channel" },
  ...["z", "y", "x"].map((name) => ({ name, type: "space", unit: "micrometer" })),
];

Deno.test("writeImage() to s3:// stores the same objects as a local write and reads back", async () => {
  const server = await startS3Server(["em"]);
  const local = await Deno.makeTempDir({ prefix: "clemreg_s3_local_" });
  try {
    configureS3(optionsFor(server));
    const shape = [2, 9, 70, 66];
    const data = seededVolume(shape.reduce((a, b) => a * b), 7);
    for (const version of ["0.5", "0.4"] as const) {
      const spec = {
        version,
        axes,
        shape,
        chunks: [1, 4, 32, 32],
        dtype: "uint16" as const,
        scale: [1, 0.05, 0.01, 0.01],
        channelNames: ["em", "lm"],
        levels: 3,
      };
      const location = `s3://em/runs/${version}/sample.zarr`;
      const localPath = path.join(local, `${version}.zarr`);
      await writeImage(location, data, spec);
      await writeImage(localPath, data, spec);
      const store = new S3Store(location, optionsFor(server));
      const objects = await storeObjects(store);
      assert.ok(objects.size > 30, `expected many chunks, got ${objects.size}`);
      assertSameObjects(objects, await folderObjects(localPath));

      const image = await openImage(location);
      assert.equal(image.version, version);
      assert.equal(image.levels.length, 3);
      assert.deepEqual(image.channelNames, ["em", "lm"]);
      const level0 = await openLevel(image, 0);
      assert.deepEqual(await level0.readRegion({ start: [0, 0, 0, 0], stop: shape }), data);
      const localImage = await openImage(localPath);
      for (let level = 1; level < 3; level++) {
        const remote = await openLevel(image, level);
        const mine = await openLevel(localImage, level);
        const box = { start: [0, 0, 0, 0], stop: [...mine.shape] };
        assert.deepEqual(await remote.readRegion(box), await mine.readRegion(box));
      }
    }
  } finally {
    configureS3({});
    await server.close();
    await Deno.remove(local, { recursive: true });
  }
});

Deno.test("openImage() on an empty s3:// prefix says it is not an image", async () => {
  const server = await startS3Server(["em"]);
  try {
    configureS3(optionsFor(server));
    await assert.rejects(
      () => openImage("s3://em/nothing.zarr"),
      /s3:\/\/em\/nothing\.zarr: not a Zarr group/,
    );
  } finally {
    configureS3({});
    await server.close();
  }
});
