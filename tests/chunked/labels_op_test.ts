/**
 * `finishChunkedLabels` on the worker pool: the partition, the object sizes and the z spans it
 * hands to the size filter equal those of whole-volume labelling.
 */
import { assert_, assertEquals } from "./assert.ts";
import { testKernel } from "./helpers.ts";
import { createSharedArray, sharedArrayData } from "../../src/chunked/shared_array.ts";
import { map } from "../../src/chunked/ops.ts";
import { runOp } from "../../src/chunked/scheduler.ts";
import { createInlineExecutor, createWorkerPool } from "../../src/chunked/pool.ts";
import { partitionDifference } from "../filters/volume_helpers.ts";
import { labelComponents } from "../../src/filters/label.ts";
import { type ChunkLabels, finishChunkedLabels } from "../../src/stages/chunked_labels.ts";
import { seededRandom } from "../../src/random.ts";

Deno.test("finishChunkedLabels() gives whole-volume sizes and z spans to keep()", async () => {
  const shape = [19, 23, 17], chunks = [5, 7, 4];
  const mask = createSharedArray("cc-mask", { shape, chunks, dtype: "uint8" });
  const random = seededRandom(5);
  const data = sharedArrayData(mask);
  for (let i = 0; i < data.length; i++) data[i] = random() < 0.3 ? 1 : 0;
  const provisional = createSharedArray("cc-prov", { shape, chunks, dtype: "uint32" });
  const output = createSharedArray("cc-out", { shape, chunks, dtype: "uint32" });
  const workDir = await Deno.makeTempDir({ prefix: "cc-op-" });
  const pool = createWorkerPool({ size: 2 });
  try {
    const run = { executor: pool, quiet: true, journalDir: false as const };
    const labelled = await runOp(
      map({
        name: "chunk labels",
        kernel: testKernel("chunkLabels26"),
        inputs: [mask],
        output: provisional,
      }),
      run,
    );
    let seen: { sizes: number[]; spans: number[] } | undefined;
    const result = await finishChunkedLabels(
      provisional,
      labelled.result as ChunkLabels[],
      output,
      {
        ...run,
        workDir,
        connectivity: 26,
        keep: (sizes, zSpans) => {
          seen = { sizes: [...sizes], spans: [...zSpans] };
          return Uint8Array.from(sizes, (s) => (s >= 3 ? 1 : 0)); // drop objects under 3 voxels
        },
      },
    );
    const whole = labelComponents(data as Uint8Array, shape, { connectivity: 26 });
    assertEquals(result.components, whole.count);
    // whole-volume sizes and z spans, matched to the chunked components through the labels
    const chunked = sharedArrayData(output) as Uint32Array;
    const plane = shape[1]! * shape[2]!;
    const size = new Float64Array(whole.count + 1);
    const zMin = new Float64Array(whole.count + 1).fill(Infinity);
    const zMax = new Float64Array(whole.count + 1).fill(-Infinity);
    for (let i = 0; i < whole.labels.length; i++) {
      const l = whole.labels[i]!;
      if (l === 0) continue;
      size[l]!++;
      zMin[l] = Math.min(zMin[l]!, Math.floor(i / plane));
      zMax[l] = Math.max(zMax[l]!, Math.floor(i / plane));
    }
    const expectedSizes = [...size].slice(1).sort((a, b) => a - b);
    assertEquals(seen!.sizes.slice(1).sort((a, b) => a - b), expectedSizes);
    const expectedSpans = [...zMax].slice(1).map((z, i) => z - zMin[i + 1]! + 1).sort((a, b) =>
      a - b
    );
    assertEquals(seen!.spans.slice(1).sort((a, b) => a - b), expectedSpans);
    // the filter dropped exactly the small objects, and kept voxels keep their size
    const small = expectedSizes.filter((s) => s < 3).length;
    assert_(small > 0, "the random mask has objects under 3 voxels");
    assertEquals(result.count, whole.count - small);
    for (let i = 0; i < chunked.length; i++) {
      const l = whole.labels[i]!;
      assertEquals(chunked[i] !== 0, l !== 0 && size[l]! >= 3, `voxel ${i}`);
    }
  } finally {
    await pool.close();
    await Deno.remove(workDir, { recursive: true });
  }
});

for (const connectivity of [6, 26] as const) {
  Deno.test(`finishChunkedLabels() equals whole-volume labelling with odd and 1-voxel chunks (${connectivity})`, async () => {
    const shape = [9, 11, 10];
    const random = seededRandom(connectivity);
    const values = Uint8Array.from({ length: 990 }, () => (random() < 0.3 ? 1 : 0));
    const whole = labelComponents(values, shape, { connectivity });
    const workDir = await Deno.makeTempDir({ prefix: "cc-op-" });
    const run = { executor: createInlineExecutor(), quiet: true, journalDir: false as const };
    try {
      for (const chunks of [[1, 1, 1], [2, 3, 1], [9, 1, 10], [4, 5, 3]]) {
        const name = `cc${connectivity}-${chunks.join("x")}`;
        const mask = createSharedArray(`${name}-mask`, { shape, chunks, dtype: "uint8" });
        sharedArrayData(mask).set(values);
        const provisional = createSharedArray(`${name}-prov`, { shape, chunks, dtype: "uint32" });
        const output = createSharedArray(`${name}-out`, { shape, chunks, dtype: "uint32" });
        const labelled = await runOp(
          map({
            name: "chunk labels",
            kernel: testKernel("chunkLabelsOf"),
            inputs: [mask],
            output: provisional,
            params: { connectivity },
          }),
          run,
        );
        const result = await finishChunkedLabels(
          provisional,
          labelled.result as ChunkLabels[],
          output,
          { ...run, workDir, connectivity },
        );
        assertEquals(result.count, whole.count, `chunks ${chunks}`);
        const chunked = sharedArrayData(output) as Uint32Array;
        assertEquals(partitionDifference(chunked, whole.labels), null, `chunks ${chunks}`);
      }
    } finally {
      await Deno.remove(workDir, { recursive: true });
    }
  });
}
