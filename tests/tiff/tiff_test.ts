/**
 * TIFF/PNG import and conversion, checked against values written by tifffile and PIL
 * (tests/tiff/make_fixtures.py) and, when ../shared/data is present, against tifffile/PIL
 * reading the real data.
 * @module
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { readVolume } from "../../src/io/tiff_folder.ts";
import { parseImageJDescription } from "../../src/io/tiff_imagej.ts";
import { convertToOmeZarr } from "../../src/io/tiff_convert.ts";
import { VolumeImportError } from "../../src/io/import_error.ts";
import { openImage, openLevel } from "../../src/io/image.ts";
import { sharedData } from "../io/helpers.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, "fixtures");
const expected = JSON.parse(Deno.readTextFileSync(path.join(fixtures, "expected.json"))) as Record<
  string,
  {
    shape: number[];
    dtype: string;
    voxelSize: number[] | null;
    unit: string | null;
    sum: number;
    probes: [number[], number][];
  }
>;

function flatIndex(shape: number[], index: number[]): number {
  return index.reduce((offset, i, axis) => offset * shape[axis]! + i, 0);
}

for (const [name, truth] of Object.entries(expected)) {
  Deno.test(`readVolume() reads ${name} as tifffile/PIL wrote it`, async () => {
    const volume = await readVolume(path.join(fixtures, name));
    assert.deepEqual(volume.shape, truth.shape);
    assert.deepEqual(volume.dtype, truth.dtype);
    assert.deepEqual(volume.unit ?? null, truth.unit);
    if (truth.voxelSize === null) assert.deepEqual(volume.voxelSize, undefined);
    else volume.voxelSize!.forEach((v, a) => assert(Math.abs(v - truth.voxelSize![a]!) < 1e-9));
    let sum = 0;
    for (let i = 0; i < volume.data.length; i++) sum += volume.data[i]!;
    assert(Math.abs(sum - truth.sum) <= 1e-4 * Math.max(1, Math.abs(truth.sum)), `sum ${sum}`);
    for (const [index, value] of truth.probes) {
      const got = volume.data[flatIndex(volume.shape, index)]!;
      assert(Math.abs(got - value) < 1e-6, `${index}: ${got} vs ${value}`);
    }
  });
}

Deno.test("parseImageJDescription() reads hyperstack layout, spacing and unit", () => {
  const d = parseImageJDescription(
    "ImageJ=1.53t\nimages=12\nchannels=2\nslices=3\nframes=2\nhyperstack=true\nunit=\\u00B5m\nspacing=0.25\n",
  );
  assert.deepEqual(d, { images: 12, channels: 2, slices: 3, frames: 2, spacing: 0.25, unit: "µm" });
  assert.deepEqual(parseImageJDescription('{"shape": [106, 1750, 1484]}'), undefined);
  assert.deepEqual(parseImageJDescription("ImageJ=1.51n\nimages=44\nslices=44")?.slices, 44);
});

Deno.test("convertToOmeZarr() keeps an ImageJ hyperstack's channels, calibration and values", async () => {
  const out = await Deno.makeTempDir({ prefix: "clemreg_convert_" });
  try {
    const input = path.join(fixtures, "hyperstack_zcyx_u16.tif");
    const result = await convertToOmeZarr(input, path.join(out, "h.zarr"), { version: "0.4" });
    assert.deepEqual(result.voxelSizeSource, "file");
    const image = await openImage(path.join(out, "h.zarr"));
    assert.deepEqual(image.axes.map((a) => a.name), ["c", "z", "y", "x"]);
    assert.deepEqual(image.axes[1]!.unit, "micrometer");
    const level = image.levels[0]!;
    assert.deepEqual(level.shape, [2, 3, 16, 20]);
    level.scale.forEach((v, a) => assert(Math.abs(v - [1, 0.2, 0.05, 0.05][a]!) < 1e-9));
    const data = await (await openLevel(image, 0)).readRegion({
      start: [0, 0, 0, 0],
      stop: level.shape,
    });
    const source = await readVolume(input);
    assert.deepEqual(Array.from(data), Array.from(source.data));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("convertToOmeZarr() rejects a file without voxel size, naming the file", async () => {
  const input = path.join(fixtures, "multipage_deflate_u8.tif");
  const error = await convertToOmeZarr(input, "/nonexistent/x.zarr").then(
    () => undefined,
    (e) => e,
  );
  assert(error instanceof VolumeImportError, `expected VolumeImportError, got ${error}`);
  assert(error.message.includes(input) && error.message.includes("--voxel-size"));
});

Deno.test("convert task exits 2 with one sentence for a missing input", async () => {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      path.join(here, "../../tasks/convert.ts"),
      "/no/such.tif",
      "/tmp/x.zarr",
    ],
  }).output();
  const message = new TextDecoder().decode(stderr).trim();
  assert.deepEqual(code, 2);
  assert(message.includes("/no/such.tif") && !message.includes("\n    at "), message);
});

/** Page sums and a few probes of a TIFF or slice folder as /usr/bin/python3 (tifffile, PIL) reads it. */
async function pythonReference(
  target: string,
): Promise<{ shape: number[]; sums: number[]; probes: number[] } | undefined> {
  const script = `
import sys, os, json, numpy as np
p = sys.argv[1]
if os.path.isdir(p):
    from PIL import Image
    names = sorted(os.listdir(p))
    a = np.stack([np.array(Image.open(os.path.join(p, n)).convert("L") if n.endswith(".png") else Image.open(os.path.join(p, n))) for n in names])
else:
    import tifffile
    a = tifffile.imread(p)
idx = [tuple(int(s * f) for s in a.shape) for f in (0.1, 0.5, 0.77)]
print(json.dumps({"shape": list(a.shape), "sums": [int(x) for x in a.reshape(a.shape[0], -1).astype(np.int64).sum(1)], "probes": [int(a[i]) for i in idx]}))
`;
  try {
    const { code, stdout } = await new Deno.Command("/usr/bin/python3", {
      args: ["-c", script, target],
    }).output();
    return code === 0 ? JSON.parse(new TextDecoder().decode(stdout)) : undefined;
  } catch {
    return undefined;
  }
}

const data = sharedData();
for (
  const relative of [
    "fm-yeast/BuddingYeastGlucose01.tif",
    "em-vnc/stack1/raw",
    "em-hela/em_mask.tif",
  ]
) {
  Deno.test({
    name: `readVolume() reads ${relative} as tifffile/PIL do`,
    ignore: data === undefined,
    async fn() {
      const target = path.join(data!, relative);
      const reference = await pythonReference(target);
      if (reference === undefined) {
        console.warn("skipped: /usr/bin/python3 with tifffile, PIL and numpy is not available");
        return;
      }
      const volume = await readVolume(target);
      assert.deepEqual(volume.shape, reference.shape);
      const pageVoxels = volume.shape[1]! * volume.shape[2]!;
      const sums = Array.from({ length: volume.shape[0]! }, (_, z) => {
        let sum = 0;
        for (let i = z * pageVoxels; i < (z + 1) * pageVoxels; i++) sum += volume.data[i]!;
        return sum;
      });
      assert.deepEqual(sums, reference.sums);
      const probes = [0.1, 0.5, 0.77].map((f) =>
        volume.data[flatIndex(volume.shape, volume.shape.map((s) => Math.floor(s * f)))]!
      );
      assert.deepEqual(probes, reference.probes);
    },
  });
}
if (data === undefined) {
  console.warn("skipped real-data TIFF tests: ../shared/data (or CLEMREG_DATA) is absent");
}

Deno.test({
  name: "convertToOmeZarr() writes fm-yeast with the given 200 × 56 × 56 nm voxel size",
  ignore: data === undefined,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "clemreg_convert_" });
    try {
      await convertToOmeZarr(
        path.join(data!, "fm-yeast/BuddingYeastGlucose02.tif"),
        path.join(out, "y.zarr"),
        {
          voxelSize: [200, 56, 56],
          unit: "nm",
        },
      );
      const image = await openImage(path.join(out, "y.zarr"));
      assert.deepEqual(image.levels[0]!.shape, [44, 200, 200]);
      assert.deepEqual(image.levels[0]!.dtype, "uint16");
      assert.deepEqual(image.levels[0]!.scale, [200, 56, 56]);
      assert.deepEqual(image.axes[2]!.unit, "nanometer");
      assert(image.levels.length >= 2, "a pyramid is written");
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
