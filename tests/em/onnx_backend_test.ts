import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { loadOnnxModel, segmentOnnxBlock } from "../../src/em/onnx_backend.ts";

const fixtures = new URL("../fixtures/em_onnx/", import.meta.url);
// onnxruntime-node is a native addon: these tests need `--allow-ffi`.
const noFfi = Deno.permissions.querySync({ name: "ffi" }).state !== "granted";
if (noFfi) console.warn("skipping ONNX backend tests: run deno test with --allow-ffi");

Deno.test(
  { name: "segmentOnnxBlock() matches numpy's reference across tile seams", ignore: noFfi },
  async () => {
    const model = await loadOnnxModel(new URL("config.json", fixtures).pathname);
    const config = JSON.parse(await Deno.readTextFile(new URL("config.json", fixtures))) as {
      fixtureShape: [number, number, number];
    };
    const shape = config.fixtureShape;
    const input = await Deno.readFile(new URL("input_u8.bin", fixtures));
    const expected = new Float32Array(
      (await Deno.readFile(new URL("expected_f32.bin", fixtures))).buffer,
    );
    assertEquals(input.length, shape[0] * shape[1] * shape[2]);
    const probabilities = await segmentOnnxBlock(input, shape, model);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(probabilities[i]! - expected[i]!));
    }
    // float32 convolution in two implementations: agreement to 1e-5 everywhere, seams included.
    assert(worst < 1e-5, `largest difference ${worst}`);
    await model.session.release();
  },
);

Deno.test(
  { name: "segmentOnnxBlock() handles slices smaller than a tile", ignore: noFfi },
  async () => {
    const model = await loadOnnxModel(new URL("config.json", fixtures).pathname);
    const input = new Uint8Array(2 * 10 * 12).map((_, i) => (i * 37) % 256);
    const probabilities = await segmentOnnxBlock(input, [2, 10, 12], model);
    assertEquals(probabilities.length, input.length);
    assert(probabilities.every((p) => p > 0 && p < 1));
    await model.session.release();
  },
);
