/** Affine block warping: agrees with scipy.ndimage.affine_transform and is block-invariant. */
import assert from "node:assert/strict";
import { chunkBox, chunkGridShape, chunkIndices, copyRegion } from "../../src/io/box.ts";
import { indexAffine, sourceBoxFor, warpAffineBlock } from "../../src/stages/warp_affine.ts";

const sourceShape = [9, 23, 31];
const targetShape = [13, 29, 27];

function seededSource(): Float32Array {
  const values = new Float32Array(sourceShape[0]! * sourceShape[1]! * sourceShape[2]!);
  let state = 12345;
  for (let i = 0; i < values.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    values[i] = (state >>> 8) / 65536;
  }
  return values;
}

/** A rotation about z by 17° plus anisotropic voxel sizes and shifts. */
const fm = { shape: sourceShape, scale: [0.13, 0.035, 0.035], translation: [0.1, -0.05, 0.02] };
const em = { shape: targetShape, scale: [0.06, 0.03, 0.04], translation: [0.2, 0.1, 0.05] };
const angle = (17 * Math.PI) / 180;
const emToFm = [
  [1, 0, 0, 0.05],
  [0, Math.cos(angle), -Math.sin(angle), 0.12],
  [0, Math.sin(angle), Math.cos(angle), -0.03],
  [0, 0, 0, 1],
];

function warpWhole(order: 0 | 1): Float32Array {
  const source = seededSource();
  const map = indexAffine(em, fm, emToFm);
  const out = new Float32Array(targetShape[0]! * targetShape[1]! * targetShape[2]!);
  const whole = { start: [0, 0, 0], stop: sourceShape };
  warpAffineBlock(source, whole, sourceShape, { start: [0, 0, 0], stop: targetShape }, map, out, {
    order,
  });
  return out;
}

Deno.test("warpAffineBlock() gives the same result block by block, reading only sourceBoxFor()", () => {
  const source = seededSource();
  const map = indexAffine(em, fm, emToFm);
  for (const order of [0, 1] as const) {
    const whole = warpWhole(order);
    const blocked = new Float32Array(whole.length);
    const chunks = [4, 7, 5];
    const targetWhole = { start: [0, 0, 0], stop: targetShape };
    for (const index of chunkIndices(chunkGridShape(targetShape, chunks))) {
      const box = chunkBox(index, chunks, targetShape);
      const blockLength = (box.stop[0]! - box.start[0]!) * (box.stop[1]! - box.start[1]!) *
        (box.stop[2]! - box.start[2]!);
      const out = new Float32Array(blockLength);
      const needed = sourceBoxFor(box, map, sourceShape);
      if (needed) {
        const part = new Float32Array(
          (needed.stop[0]! - needed.start[0]!) * (needed.stop[1]! - needed.start[1]!) *
            (needed.stop[2]! - needed.start[2]!),
        );
        copyRegion(source, { start: [0, 0, 0], stop: sourceShape }, part, needed, needed);
        warpAffineBlock(part, needed, sourceShape, box, map, out, { order });
      }
      copyRegion(out, box, blocked, targetWhole, box);
    }
    assert.deepEqual(blocked, whole, `order ${order}`);
  }
});

Deno.test({
  name: "warpAffineBlock() matches scipy.ndimage.affine_transform (order 1 and 0, mode constant)",
  ignore: (() => {
    try {
      return new Deno.Command("/usr/bin/python3", { args: ["-c", "import scipy"] }).outputSync()
        .code !== 0;
    } catch {
      return true;
    }
  })(),
  async fn() {
    const map = indexAffine(em, fm, emToFm);
    const matrix = map.map((row) => row.slice(0, 3));
    const offset = map.map((row) => row[3]);
    const source = seededSource();
    const script = `
import sys, json, numpy as np
from scipy import ndimage
a = np.frombuffer(sys.stdin.buffer.read(), dtype='<f4').reshape(${
      JSON.stringify(sourceShape)
    }).astype(np.float64)
m = np.array(${JSON.stringify(matrix)}); o = np.array(${JSON.stringify(offset)})
for order in (1, 0):
    r = ndimage.affine_transform(a, m, o, output_shape=${
      JSON.stringify(targetShape)
    }, order=order, mode='constant', cval=0.0)
    sys.stdout.buffer.write(r.astype('<f8').tobytes())
`;
    const child = new Deno.Command("/usr/bin/python3", {
      args: ["-c", script],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new Uint8Array(source.buffer));
    await writer.close();
    const { stdout } = await child.output();
    const reference = new Float64Array(stdout.buffer, stdout.byteOffset, stdout.byteLength / 8);
    const n = targetShape[0]! * targetShape[1]! * targetShape[2]!;
    for (const [k, order] of [[0, 1], [1, 0]] as const) {
      const ours = warpWhole(order);
      let mismatches = 0;
      let maxError = 0;
      for (let i = 0; i < n; i++) {
        const error = Math.abs(ours[i]! - reference[k * n + i]!);
        if (error > 1e-4) mismatches++;
        maxError = Math.max(maxError, error);
      }
      // Nearest-neighbour ties at exactly .5 and points within 1e-9 of the edge may round
      // differently; allow a handful, and require trilinear to agree everywhere.
      const allowed = order === 1 ? 0 : Math.ceil(n * 0.001);
      assert.ok(
        mismatches <= allowed,
        `order ${order}: ${mismatches} voxels differ (max ${maxError})`,
      );
    }
  },
});
