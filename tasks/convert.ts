/**
 * `deno task convert IN OUT.zarr [--voxel-size z,y,x] [--unit nanometer] [--chunks z,y,x]
 * [--version 0.4|0.5] [--codec zstd|gzip|raw]`: TIFF file or slice folder → OME-Zarr.
 * Bad input prints one sentence and exits 2.
 * @module
 */
import { parseArgs } from "node:util";
import { type ConvertOptions, convertToOmeZarr } from "../src/io/tiff_convert.ts";
import { VolumeImportError } from "../src/io/import_error.ts";
import { overlapOf } from "../src/io/paths_apart.ts";

const USAGE = "usage: deno task convert IN.tif|IN_FOLDER OUT.zarr [--voxel-size z,y,x] " +
  "[--unit nanometer] [--chunks z,y,x] [--version 0.4|0.5] [--codec zstd|gzip|raw]";

function fail(message: string): never {
  console.error(message);
  Deno.exit(2);
}

function triple(flag: string, text: string | undefined): [number, number, number] | undefined {
  if (text === undefined) return undefined;
  const values = text.split(",").map(Number);
  if (values.length !== 3 || !values.every((v) => Number.isFinite(v) && v > 0)) {
    fail(`--${flag} "${text}" is not three positive numbers z,y,x.`);
  }
  return values as [number, number, number];
}

async function main(args: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        "voxel-size": { type: "string" },
        unit: { type: "string" },
        chunks: { type: "string" },
        version: { type: "string" },
        codec: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const [input, output] = positionals;
  if (input === undefined || output === undefined || positionals.length > 2) fail(USAGE);
  const overlap = overlapOf([{ label: "OUT.zarr", path: output }], [{
    label: "the input",
    path: input,
  }]);
  if (overlap) fail(overlap);
  if (values.version !== undefined && values.version !== "0.4" && values.version !== "0.5") {
    fail(`--version "${values.version}" is not one of 0.4, 0.5.`);
  }
  const codec = values.codec;
  if (codec !== undefined && codec !== "zstd" && codec !== "gzip" && codec !== "raw") {
    fail(`--codec "${codec}" is not one of zstd, gzip, raw.`);
  }
  const voxelSize = triple("voxel-size", values["voxel-size"]);
  const chunks = triple("chunks", values.chunks);
  const options: ConvertOptions = {
    ...(voxelSize ? { voxelSize } : {}),
    ...(values.unit ? { unit: values.unit } : {}),
    ...(chunks ? { chunks: chunks.map(Math.round) as [number, number, number] } : {}),
    ...(values.version ? { version: values.version as "0.4" | "0.5" } : {}),
    ...(codec ? { codec } : {}),
  };
  if (
    voxelSize && (options.unit ?? "nanometer").startsWith("nano") && voxelSize.some((v) => v < 0.5)
  ) {
    console.error(
      `note: voxel size ${voxelSize.join(",")} nm is tiny; did you mean --unit micrometer?`,
    );
  }
  const started = performance.now();
  try {
    const result = await convertToOmeZarr(input, output, options);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    for (const note of result.volume.notes) console.error(`note: ${note}`);
    console.log(
      `${input} → ${output}: ${result.volume.shape.join("×")} ${result.volume.dtype} ` +
        `(${result.volume.axes.join(",")}), voxel ${result.voxelSize.join(" × ")} ${result.unit} ` +
        `(from ${result.voxelSizeSource}), ${result.image.levels.length} levels, NGFF ` +
        `${result.image.version}, ${seconds} s`,
    );
  } catch (error) {
    if (error instanceof VolumeImportError || error instanceof RangeError) fail(error.message);
    const name = (error as Error).name;
    if (name === "OmeZarrError") fail((error as Error).message);
    throw error;
  }
}

if (import.meta.main) await main(Deno.args);
