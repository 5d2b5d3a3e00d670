import assert from "node:assert/strict";
import {
  applyTransform,
  cpd,
  formatPointsCsv,
  loadTransform,
  parsePointsText,
  sampleSurfaceCloud,
  transformToJson,
} from "../../src/cpd/mod.ts";

Deno.test("loadTransform() round-trips a non-rigid fit through JSON text", () => {
  const moving = sampleSurfaceCloud(300, 1, { noise: 0.01 });
  const fixed = sampleSurfaceCloud(320, 2, { noise: 0.01 }).map((v, i) =>
    i % 3 === 0 ? v + 0.05 * Math.sin(2 * v) : v
  );
  const result = cpd(moving, fixed, { method: "nonrigid", maxIterations: 30 });
  const json = JSON.parse(JSON.stringify(transformToJson(result)));
  assert.equal(json.matrix.length, 4);
  assert.ok(json.deformation.controlPoints.length > 0);
  const loaded = loadTransform(json);
  const direct = result.deformation!.evaluate(
    applyTransform({ method: "affine", matrix: result.matrix }, moving),
  );
  const viaJson = applyTransform(loaded, moving);
  for (let i = 0; i < moving.length; i++) assert.ok(Math.abs(direct[i]! - viaJson[i]!) <= 1e-12);
});

Deno.test("loadTransform() rejects a malformed matrix with a message naming it", () => {
  assert.throws(
    () => loadTransform({ matrix: [[1, 0, 0], [0, 1, 0]] }),
    (e: Error) => e instanceof TypeError && e.message.includes("matrix"),
  );
});

Deno.test("applyTransform() applies the 4×4 matrix to column vectors", () => {
  const t = loadTransform({ matrix: [[0, -1, 0, 1], [1, 0, 0, 2], [0, 0, 2, 3], [0, 0, 0, 1]] });
  assert.deepEqual(Array.from(applyTransform(t, Float64Array.of(1, 2, 3))), [-1, 3, 9]);
});

Deno.test("parsePointsText() reads CSV with a header, whitespace text and comments", () => {
  assert.deepEqual(Array.from(parsePointsText("x,y,z\n1,2,3\n4,5,6\n", "a.csv")), [
    1,
    2,
    3,
    4,
    5,
    6,
  ]);
  assert.deepEqual(
    Array.from(parsePointsText("# c\n1 2 3 7\n\n4\t5  6\n", "a.txt")),
    [1, 2, 3, 4, 5, 6],
  );
  const points = Float64Array.of(0.5, -1, 1e-7);
  assert.deepEqual(parsePointsText(formatPointsCsv(points), "b.csv"), points);
});

Deno.test("parsePointsText() names the file and line of a bad row", () => {
  assert.throws(
    () => parsePointsText("1,2,3\n4,five,6\n", "bad.csv"),
    (e: Error) =>
      e instanceof SyntaxError && e.message.includes("bad.csv") && e.message.includes("line 2"),
  );
  assert.throws(() => parsePointsText("x y z\n", "empty.txt"), /no points/);
});
