import assert from "node:assert/strict";
import { cubeRotations } from "../../src/cpd/mod.ts";

Deno.test("cubeRotations() gives the 24 distinct proper rotations of the cube", () => {
  const rotations = cubeRotations();
  assert.equal(rotations.length, 24);
  assert.equal(new Set(rotations.map((r) => r.join(","))).size, 24);
  for (const r of rotations) {
    const det = r[0]! * (r[4]! * r[8]! - r[5]! * r[7]!) - r[1]! * (r[3]! * r[8]! - r[5]! * r[6]!) +
      r[2]! * (r[3]! * r[7]! - r[4]! * r[6]!);
    assert.equal(det, 1);
  }
});
