/**
 * `deno task info PATH`: one JSON document describing an OME-Zarr image — NGFF
 * version, axes, channel names, and each level's shape, chunks, dtype, voxel size
 * and translation with units.
 * @module
 */
import { openImage } from "../src/io/image.ts";
import { describeImage } from "../src/io/describe.ts";
import { runCli, UsageError } from "./cli.ts";

if (import.meta.main) {
  await runCli(async () => {
    const [location, ...rest] = Deno.args;
    if (!location || rest.length > 0 || location.startsWith("-")) {
      throw new UsageError("usage: deno task info PATH (one OME-Zarr image path or URL)");
    }
    const image = await openImage(location);
    console.log(JSON.stringify(describeImage(image), null, 2));
  });
}
