import assert from "node:assert/strict";
import * as path from "node:path";
import { INCOMPLETE_MARKER, openImage } from "../../src/io/image.ts";
import { OmeZarrError } from "../../src/io/errors.ts";
import { createImage, markImageComplete, writeImage } from "../../src/io/writer.ts";
import { tempFolder } from "./helpers.ts";

const um = (name: string) => ({ name, type: "space", unit: "micrometer" });
const spec = {
  axes: [um("z"), um("y"), um("x")],
  shape: [2, 8, 8],
  chunks: [2, 8, 8],
  dtype: "uint8" as const,
  scale: [1, 1, 1],
  levels: 1,
};

Deno.test("an image created incomplete is refused until markImageComplete()", async () => {
  await using temp = await tempFolder();
  const location = path.join(temp.folder, "a.zarr");
  await createImage(location, { ...spec, incomplete: true });
  await assert.rejects(
    openImage(location),
    (error: unknown) =>
      error instanceof OmeZarrError && error.kind === "incomplete" &&
      error.message.startsWith(`${location}: is incomplete`),
  );
  assert.equal((await openImage(location, { allowIncomplete: true })).levels.length, 1);
  await markImageComplete(location);
  assert.equal((await openImage(location)).levels.length, 1);
  await assert.rejects(Deno.stat(path.join(location, INCOMPLETE_MARKER.slice(1))));
});

Deno.test("writeImage() leaves no marker; createImage() without `incomplete` writes none", async () => {
  await using temp = await tempFolder();
  const written = path.join(temp.folder, "w.zarr");
  await writeImage(written, new Uint8Array(128).fill(3), spec);
  assert.equal((await openImage(written)).levels.length, 1);
  const created = path.join(temp.folder, "c.zarr");
  await createImage(created, spec);
  assert.equal((await openImage(created)).levels.length, 1);
});
