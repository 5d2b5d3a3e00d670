/** `deno task info`: one JSON document for good input, one sentence and exit 2 for bad input. */
import assert from "node:assert/strict";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { writeImage } from "../../src/io/writer.ts";
import { sharedData, tempFolder } from "./helpers.ts";

const infoTask = fileURLToPath(new URL("../../tasks/info.ts", import.meta.url));

async function runInfo(location: string) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-net", infoTask, location],
  }).output();
  return {
    code,
    stdout: new TextDecoder().decode(stdout),
    stderr: new TextDecoder().decode(stderr),
  };
}

Deno.test("info task prints levels with voxel sizes and units for clemreg's own output", async () => {
  await using temp = await tempFolder();
  const location = path.join(temp.folder, "em.zarr");
  await writeImage(location, new Uint8Array(4 * 64 * 64), {
    axes: ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "nanometer" })),
    shape: [4, 64, 64],
    chunks: [4, 32, 32],
    dtype: "uint8",
    scale: [20, 20, 20],
  });
  const { code, stdout } = await runInfo(location);
  assert.equal(code, 0);
  const info = JSON.parse(stdout);
  assert.equal(info.ngffVersion, "0.5");
  assert.deepEqual(info.levels[1].shape, [2, 32, 32]);
  assert.deepEqual(info.levels[1].voxelSize.x, { value: 40, unit: "nanometer" });
  assert.deepEqual(info.levels[1].translation.z, { value: 10, unit: "nanometer" });
});

Deno.test({
  name: "info task rejects invalid images with one sentence and exit 2",
  ignore: !sharedData(),
  async fn() {
    const invalid = path.join(
      sharedData()!,
      "ome-zarr/ome-zarr-examples/data/invalid/image-02.zarr",
    );
    for (const location of [invalid, "/nonexistent/clemreg.zarr"]) {
      const { code, stdout, stderr } = await runInfo(location);
      assert.equal(code, 2);
      assert.equal(stdout, "");
      const lines = stderr.trim().split("\n");
      assert.equal(lines.length, 1, stderr);
      assert.match(
        lines[0]!,
        new RegExp(`^error: ${location.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `),
      );
      assert.doesNotMatch(stderr, /\bat \S+:\d+:\d+/, "no stack trace");
    }
  },
});
