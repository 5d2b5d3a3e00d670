/**
 * `deno task sample --out DIR [--seed S] [--size small|medium] [--transform rigid|affine|nonrigid]
 * [--angle-deg A] [--axis-tilt-deg T] [--amplitude-nm N] [--from-labels PATH --voxel-size z,y,x] [--em-voxel-size z,y,x]
 * [--fm-voxel-size z,y,x] [--psf-sigma-nm z,y,x] [--empty-margin-um M] [--lysosomes N]
 * [--version 0.4|0.5] [--codec zstd|gzip|raw]`: writes a synthetic CLEM sample with ground
 * truth. Voxel sizes and σ are in nanometers. Bad options print one sentence and exit 2.
 * @module
 */
import { parseArgs } from "node:util";
import { generateSample, type SampleOptions } from "../src/sample/generate.ts";
import { formatSampleSummary } from "../src/sample/summary.ts";
import { VolumeImportError } from "../src/io/import_error.ts";

const USAGE = "usage: deno task sample --out DIR [--seed S] [--size small|medium] " +
  "[--transform rigid|affine|nonrigid] [--angle-deg A] [--axis-tilt-deg T] [--amplitude-nm N] " +
  "[--from-labels PATH --voxel-size z,y,x] [--em-voxel-size z,y,x] [--fm-voxel-size z,y,x] " +
  "[--psf-sigma-nm z,y,x] [--empty-margin-um M] [--lysosomes N] [--version 0.4|0.5] " +
  "[--codec zstd|gzip|raw]   (voxel sizes and σ in nanometers)";

function fail(message: string): never {
  console.error(message);
  Deno.exit(2);
}

function number(flag: string, text: string | undefined, minimum = -Infinity): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < minimum) {
    fail(`--${flag} "${text}" is not a number ≥ ${minimum}.`);
  }
  return value;
}

/** Three positive numbers in nanometers → micrometers. */
function tripleUm(flag: string, text: string | undefined): [number, number, number] | undefined {
  if (text === undefined) return undefined;
  const values = text.split(",").map(Number);
  if (values.length !== 3 || !values.every((v) => Number.isFinite(v) && v > 0)) {
    fail(`--${flag} "${text}" is not three positive numbers z,y,x in nanometers.`);
  }
  return values.map((v) => v / 1000) as [number, number, number];
}

function oneOf<T extends string>(
  flag: string,
  text: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (text === undefined) return undefined;
  if (!allowed.includes(text as T)) {
    fail(`--${flag} "${text}" is not one of ${allowed.join(", ")}.`);
  }
  return text as T;
}

async function main(args: string[]): Promise<void> {
  const strings = [
    "out",
    "seed",
    "size",
    "transform",
    "angle-deg",
    "axis-tilt-deg",
    "amplitude-nm",
    "from-labels",
    "voxel-size",
    "em-voxel-size",
    "fm-voxel-size",
    "psf-sigma-nm",
    "empty-margin-um",
    "lysosomes",
    "version",
    "codec",
  ];
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args,
      options: {
        ...Object.fromEntries(strings.map((name) => [name, { type: "string" as const }])),
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
  }
  const text = (name: string) => values[name] as string | undefined;
  if (values.help) return console.log(USAGE);
  const out = text("out");
  if (out === undefined) fail(`--out DIR is required.\n${USAGE}`);
  const fromLabels = text("from-labels");
  const labelVoxelSizeUm = tripleUm("voxel-size", text("voxel-size"));
  if (fromLabels !== undefined && labelVoxelSizeUm === undefined) {
    fail(`--from-labels ${fromLabels} needs --voxel-size z,y,x (nanometers) of that file.`);
  }
  const amplitudeNm = number("amplitude-nm", text("amplitude-nm"), 0);
  const options: SampleOptions = { out };
  const set = <K extends keyof SampleOptions>(key: K, value: SampleOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set("seed", number("seed", text("seed")));
  set("size", oneOf("size", text("size"), ["small", "medium"] as const));
  set("transform", oneOf("transform", text("transform"), ["rigid", "affine", "nonrigid"] as const));
  set("angleDeg", number("angle-deg", text("angle-deg")));
  set("axisTiltDeg", number("axis-tilt-deg", text("axis-tilt-deg")));
  set("amplitudeUm", amplitudeNm === undefined ? undefined : amplitudeNm / 1000);
  set("fromLabels", fromLabels);
  set("labelVoxelSizeUm", labelVoxelSizeUm);
  set("emVoxelSizeUm", tripleUm("em-voxel-size", text("em-voxel-size")));
  set("fmVoxelSizeUm", tripleUm("fm-voxel-size", text("fm-voxel-size")));
  set("psfSigmaUm", tripleUm("psf-sigma-nm", text("psf-sigma-nm")));
  set("emptyMarginUm", number("empty-margin-um", text("empty-margin-um"), 0));
  set("lysosomes", number("lysosomes", text("lysosomes"), 0));
  set("version", oneOf("version", text("version"), ["0.4", "0.5"] as const));
  set("codec", oneOf("codec", text("codec"), ["zstd", "gzip", "raw"] as const));
  try {
    console.log(formatSampleSummary(await generateSample(options)));
  } catch (error) {
    if (error instanceof VolumeImportError || error instanceof RangeError) fail(error.message);
    throw error;
  }
}

if (import.meta.main) await main(Deno.args);
