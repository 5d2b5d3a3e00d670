/**
 * The optional NCC refinement (`registration.refine: "ncc"`) on a generated affine sample:
 * the TRE stays within the affine bound, the NCC at the finest level does not go down, and
 * the TRE after each step is recorded.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { tempFolder } from "../io/helpers.ts";
import { openImage } from "../../src/io/image.ts";
import { refineNcc } from "../../src/pipeline/refine_ncc.ts";
import { transformFile } from "../../src/pipeline/transform_file.ts";
import { treNm } from "../../src/pipeline/tre.ts";
import { generateSample } from "../../src/sample/generate.ts";
import { readTruth } from "../../src/sample/truth_transform.ts";
import { registerSample, treOf } from "./helpers.ts";

Deno.test("refineNcc() keeps an affine sample within 70 nm TRE and does not lower the NCC", async () => {
  await using temp = await tempFolder();
  const result = await registerSample(temp.folder, { transform: "affine", seed: 5 }, {
    registration: { method: "affine", refine: "ncc" },
  });
  const tre = treOf(result);
  const ncc = (result.metrics.cpd as { ncc: { before: number; after: number; levels: unknown[] } })
    .ncc;
  const steps = result.metrics.treNmBySteps as Record<string, { mitochondria: number }>;
  console.log(
    `affine + NCC: TRE mitochondria ${tre.mitochondria.toFixed(1)} nm, lysosomes ${
      tre.lysosomes.toFixed(1)
    } nm; NCC ${ncc.before.toFixed(5)} → ${ncc.after.toFixed(5)}; steps ${
      Object.entries(steps).map(([k, v]) => `${k} ${v.mitochondria.toFixed(1)}`).join(", ")
    }`,
  );
  assert.ok(tre.mitochondria <= 70, `mitochondria TRE ${tre.mitochondria.toFixed(1)} nm`);
  assert.ok(tre.lysosomes <= 70, `lysosome TRE ${tre.lysosomes.toFixed(1)} nm`);
  assert.ok(ncc.after >= ncc.before, `NCC went from ${ncc.before} to ${ncc.after}`);
  assert.ok(ncc.levels.length >= 2, "coarse to fine: at least two levels");
  assert.deepEqual(Object.keys(steps), ["pass 1", "FM-frame refinement", "NCC"]);
  assert.equal(steps.NCC!.mitochondria, tre.mitochondria);
});

Deno.test("refineNcc() pulls a transform perturbed by ~100 nm back towards the truth", async () => {
  await using temp = await tempFolder();
  const sample = path.join(temp.folder, "sample");
  await generateSample({ out: sample, size: "small", transform: "rigid", angleDeg: 20, seed: 3 });
  const truth = await readTruth(path.join(sample, "truth.json"));
  const shift = [0.12, -0.07, 0.06];
  const perturbed = truth.fmToEm.matrix.map((row, r) =>
    r < 3 ? row.map((v, c) => (c === 3 ? v + shift[r]! : v)) : [...row]
  );
  const fm = await openImage(path.join(sample, "fm.zarr"));
  const result = await refineNcc({
    fm,
    fmChannel: fm.channelNames.indexOf("mitochondria"),
    labels: await openImage(path.join(sample, "em_labels.zarr")),
    fmToEm: perturbed,
    psfSigmaNm: [250, 100, 100],
  });
  const tre = async (m: number[][]) =>
    (await treNm(transformFile(m.flat(), "affine", {}), path.join(sample, "truth.json")))!
      .mitochondria;
  const before = await tre(perturbed), after = await tre(result.fmToEm);
  console.log(
    `perturbed: TRE ${before.toFixed(1)} → ${after.toFixed(1)} nm, NCC ${
      result.nccBefore.toFixed(4)
    } → ${result.nccAfter.toFixed(4)}`,
  );
  assert.ok(before > 100, `perturbation TRE ${before.toFixed(1)} nm`);
  assert.ok(after <= 30, `TRE after NCC ${after.toFixed(1)} nm`);
  assert.ok(result.nccAfter > result.nccBefore);
});
