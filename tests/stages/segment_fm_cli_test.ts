/** `deno task segment-fm` refuses to write over its input: one sentence, exit 2, input untouched. */
import assert from "node:assert/strict";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { writeImage } from "../../src/io/writer.ts";
import { tempFolder } from "../io/helpers.ts";

const task = fileURLToPath(new URL("../../tasks/segment_fm.ts", import.meta.url));

Deno.test("segment-fm task refuses an output that is or lies inside its input", async () => {
  await using temp = await tempFolder();
  const fm = path.join(temp.folder, "fm.zarr");
  const um = (name: string) => ({ name, type: "space", unit: "micrometer" });
  await writeImage(fm, new Uint16Array(4 * 16 * 16).fill(7), {
    axes: [um("z"), um("y"), um("x")],
    shape: [4, 16, 16],
    chunks: [4, 16, 16],
    dtype: "uint16",
    scale: [0.13, 0.035, 0.035],
  });
  const metadata = await Deno.readTextFile(path.join(fm, "zarr.json"));
  for (
    const [output, pattern] of [
      [fm, /OUT\.zarr .*fm\.zarr is IN\.zarr: writing it would overwrite the input/],
      [path.join(fm, "0", "seg.zarr"), /OUT\.zarr .*seg\.zarr lies inside IN\.zarr .*fm\.zarr/],
    ] as const
  ) {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", task, fm, output, "--quiet"],
    }).output();
    const text = new TextDecoder().decode(stderr);
    assert.equal(code, 2, text);
    assert.equal(text.trim().split("\n").length, 1, text);
    assert.match(text, pattern);
  }
  assert.equal(await Deno.readTextFile(path.join(fm, "zarr.json")), metadata);
});
