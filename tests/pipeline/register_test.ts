/**
 * End to end on generated samples with a known transform: target registration error
 * (RMS over the truth's test points) within the bounds, for mitochondria and for
 * the lysosome-like channel that registration never uses.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { sharedData, tempFolder } from "../io/helpers.ts";
import { parseConfig } from "../../src/config/load.ts";
import { register } from "../../src/pipeline/register.ts";
import { registerSample, treOf } from "./helpers.ts";

const cases = [
  {
    name: "rigid 20°",
    sample: { transform: "rigid", angleDeg: 20, seed: 3 },
    method: "rigid",
    boundNm: 50,
  },
  {
    name: "rigid 120°",
    sample: { transform: "rigid", angleDeg: 120, seed: 4 },
    method: "rigid",
    boundNm: 50,
  },
  { name: "affine", sample: { transform: "affine", seed: 5 }, method: "affine", boundNm: 70 },
] as const;

for (const c of cases) {
  Deno.test(`register() recovers a ${c.name} sample within ${c.boundNm} nm TRE`, async () => {
    await using temp = await tempFolder();
    const result = await registerSample(temp.folder, c.sample, {
      registration: { method: c.method },
    });
    const tre = treOf(result);
    console.log(
      `${c.name}: TRE mitochondria ${tre.mitochondria.toFixed(1)} nm, lysosomes ${
        tre.lysosomes.toFixed(1)
      } nm, Dice ${(result.metrics.diceCentralPlanes as number).toFixed(3)}`,
    );
    assert.ok(tre.mitochondria <= c.boundNm, `mitochondria TRE ${tre.mitochondria.toFixed(1)} nm`);
    assert.ok(tre.lysosomes <= c.boundNm, `lysosome TRE ${tre.lysosomes.toFixed(1)} nm`);
    const dice = result.metrics.diceCentralPlanes as number;
    assert.ok(dice >= 0.6, `warped FM mask vs EM mask Dice ${dice.toFixed(3)}`);
  });
}

Deno.test("register() recovers a non-rigid sample (300 nm field) within 100 nm TRE", async () => {
  await using temp = await tempFolder();
  const result = await registerSample(temp.folder, { transform: "nonrigid", seed: 6 }, {
    registration: { method: "nonrigid" },
  });
  const tre = treOf(result);
  console.log(
    `non-rigid: TRE mitochondria ${tre.mitochondria.toFixed(1)} nm, lysosomes ${
      tre.lysosomes.toFixed(1)
    } nm, Dice ${(result.metrics.diceCentralPlanes as number).toFixed(3)}`,
  );
  assert.ok(tre.mitochondria <= 100, `mitochondria TRE ${tre.mitochondria.toFixed(1)} nm`);
  assert.ok(tre.lysosomes <= 100, `lysosome TRE ${tre.lysosomes.toFixed(1)} nm`);
  assert.equal(result.metrics.method, "nonrigid");
  const dice = result.metrics.diceCentralPlanes as number;
  assert.ok(dice >= 0.6, `warped FM mask vs EM mask Dice ${dice.toFixed(3)}`);
});

Deno.test({
  name:
    "register() recovers a rigid sample built from the real HeLa mitochondria (em_mask.tif) within 50 nm",
  ignore: !sharedData(),
  async fn() {
    await using temp = await tempFolder();
    const result = await registerSample(temp.folder, {
      fromLabels: path.join(sharedData()!, "em-hela/em_mask.tif"),
      labelVoxelSizeUm: [0.02, 0.02, 0.02],
      emVoxelSizeUm: [0.04, 0.04, 0.04],
      axisTiltDeg: 5,
      transform: "rigid",
      seed: 7,
    }, { registration: { method: "rigid" } });
    const tre = treOf(result);
    console.log(
      `em_mask rigid: TRE mitochondria ${tre.mitochondria.toFixed(1)} nm, lysosomes ${
        tre.lysosomes.toFixed(1)
      } nm`,
    );
    assert.ok(tre.mitochondria <= 50, `mitochondria TRE ${tre.mitochondria.toFixed(1)} nm`);
    assert.ok(tre.lysosomes <= 50, `lysosome TRE ${tre.lysosomes.toFixed(1)} nm`);
  },
});

if (!sharedData()) {
  console.log(
    "skipping the em_mask.tif end-to-end test: ../shared/data not found (set CLEMREG_DATA)",
  );
}

Deno.test("register() rerun with the same config reuses every finished stage and gives the same transform", async () => {
  await using temp = await tempFolder();
  const first = await registerSample(temp.folder, { transform: "rigid", seed: 8 });
  const transform = await Deno.readTextFile(first.transformPath);
  const config = parseConfig(
    {
      fm: { path: "sample/fm.zarr", channel: "mitochondria" },
      em: { path: "sample/em.zarr", labels: "sample/em_labels.zarr" },
      output: { path: "out" },
      resources: { workers: 2 },
    },
    { baseDir: temp.folder },
  );
  const second = await register(config, { quiet: true });
  assert.deepEqual(
    (second.metrics.reusedStages as string[]).sort(),
    [
      "cpd",
      "cpd-refined",
      "em-points",
      "em-points-fm-frame",
      "fm-points",
      "fm-segmentation",
      "warp",
    ],
  );
  assert.equal(await Deno.readTextFile(second.transformPath), transform);
});
