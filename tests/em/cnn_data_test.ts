/** The committed built-in CNN on real data (skips without `../shared/data`). */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { openImage, openLevel } from "../../src/io/image.ts";
import { openEmBackend } from "../../src/em/em_backend.ts";
import { loadCnnModel } from "../../src/em/cnn_model.ts";
import { overlapScores } from "../../src/em/mask_metrics.ts";
import { segmentEmImage } from "../../src/em/segment_volume.ts";
import { findDataDir, loadVncSlice } from "../../src/em/training_data.ts";
import { writeVncValidationZarr } from "./helpers.ts";

const dataDir = findDataDir();

Deno.test({
  name: "segmentEmImage() with the built-in CNN reaches its validation Dice on em-vnc 12-14",
  ignore: !dataDir,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      // Full-resolution slices (4.6 nm) written with a pyramid: the task must pick level 2.
      await writeVncValidationZarr(dataDir!, `${dir}/vnc.zarr`);
      const model = await loadCnnModel();
      const backend = await openEmBackend("builtin");
      assertEquals(backend.name, "builtin-cnn");
      const result = await segmentEmImage(`${dir}/vnc.zarr`, `${dir}/labels.zarr`, backend, {
        minVoxels: model.file.clean.minObjectPx,
        minSlices: 1,
      });
      assertEquals(result.level, 2);
      const labels = await (await openLevel(await openImage(`${dir}/labels.zarr`), 0)).readRegion({
        start: [0, 0, 0],
        stop: [3, 256, 256],
      });
      const truth = new Uint8Array(3 * 256 * 256);
      for (let z = 0; z < 3; z++) {
        truth.set((await loadVncSlice(`${dataDir}/em-vnc/stack1`, 12 + z, 4)).mask, z * 256 * 256);
      }
      const { dice, iou } = overlapScores(labels, truth);
      console.log(
        `em-vnc 12-14 via segmentEmImage (CNN): Dice ${dice.toFixed(4)}, IoU ${iou.toFixed(4)}`,
      );
      const recorded = Number(model.file.training["validationDice"]);
      // The task uses sampled volume statistics and a 3-D size filter instead of the 2-D
      // clean-up of validation: allow 0.03 below the recorded validation Dice.
      assert(dice >= recorded - 0.03, `Dice ${dice} vs recorded ${recorded}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
