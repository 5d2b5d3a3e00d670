import { assert_, assertEquals } from "./assert.ts";
import { boxSumRegion } from "./kernels.ts";
import { randomVolume, testKernel } from "./helpers.ts";
import {
  createSharedArray,
  openSharedArray,
  sharedArrayData,
} from "../../src/chunked/shared_array.ts";
import { map, mapOverlap, reduce } from "../../src/chunked/ops.ts";
import { runOp } from "../../src/chunked/scheduler.ts";
import { runGraph } from "../../src/chunked/graph.ts";
import { createInlineExecutor, createWorkerPool } from "../../src/chunked/pool.ts";

const shape = [13, 11, 9];

/** Box sum of the whole volume, chunked with `chunks` and `radius` (in `pieces`), in 2 workers. */
async function chunkedBoxSum(chunks: number[], radius: number, pieces?: number[]) {
  const input = randomVolume("in", shape, chunks, 7);
  const output = createSharedArray(`out-${pieces ?? "whole"}`, { shape, chunks, dtype: "float64" });
  const op = mapOverlap({
    name: "box sum",
    kernel: testKernel("boxSum"),
    inputs: [input],
    output,
    params: { radius },
    haloVoxels: [radius, radius, radius],
  });
  const result = await runOp(pieces ? { ...op, pieces } : op, {
    workers: 2,
    quiet: true,
    journalDir: false,
  });
  const whole = { start: [0, 0, 0], stop: shape };
  const expected = boxSumRegion(sharedArrayData(input), whole, shape, radius, whole);
  return { result, actual: sharedArrayData(output), expected };
}

Deno.test("runOp() mapOverlap equals the whole-volume result with odd chunk sizes", async () => {
  const { result, actual, expected } = await chunkedBoxSum([4, 5, 3], 2);
  assertEquals(result.chunks, 4 * 3 * 3);
  assertEquals(result.executed, result.chunks);
  assertEquals([...actual], [...expected]);
});

Deno.test("runOp() mapOverlap handles a halo larger than a chunk", async () => {
  const { actual, expected } = await chunkedBoxSum([2, 3, 2], 4);
  assertEquals([...actual], [...expected]);
});

Deno.test("runOp() mapOverlap handles 1-voxel-thick chunks", async () => {
  const { result, actual, expected } = await chunkedBoxSum([1, 11, 1], 1);
  assertEquals(result.chunks, 13 * 9);
  assertEquals([...actual], [...expected]);
});

Deno.test("runOp() map with scale 2 writes an output chunked differently from its input", async () => {
  const input = randomVolume("in", shape, [5, 4, 3], 3);
  const outShape = shape.map((n) => Math.ceil(n / 2));
  const output = createSharedArray("half", {
    shape: outShape,
    chunks: [3, 2, 5],
    dtype: "float32",
  });
  const op = map({
    name: "downsample",
    kernel: testKernel("downsampleMean2"),
    inputs: [input],
    output,
    scale: [2, 2, 2],
  });
  const executor = createInlineExecutor();
  await runOp(op, { executor, quiet: true, journalDir: false });
  const data = sharedArrayData(input);
  const actual = sharedArrayData(output);
  // Independent check of a few voxels, including a clipped edge block.
  for (const [z, y, x] of [[0, 0, 0], [3, 2, 1], [6, 5, 4]] as const) {
    let sum = 0, count = 0;
    for (let k = 2 * z; k < Math.min(13, 2 * z + 2); k++) {
      for (let j = 2 * y; j < Math.min(11, 2 * y + 2); j++) {
        for (let i = 2 * x; i < Math.min(9, 2 * x + 2); i++) {
          sum += data[(k * 11 + j) * 9 + i]!;
          count++;
        }
      }
    }
    assertEquals(actual[(z * outShape[1]! + y) * outShape[2]! + x], Math.fround(sum / count));
  }
});

Deno.test("runGraph() feeds a reduce result into a later map's params", async () => {
  const input = randomVolume("in", shape, [4, 4, 4], 11);
  const output = createSharedArray("centred", { shape, chunks: [5, 5, 5], dtype: "float32" });
  const pool = createWorkerPool({ size: 2 });
  try {
    const results = await runGraph([
      {
        id: "stats",
        op: reduce({
          name: "stats",
          kernel: testKernel("sumPartial"),
          merge: testKernel("sumMerge"),
          inputs: [input],
        }),
      },
      {
        id: "centre",
        op: map({
          name: "centre",
          kernel: testKernel("subtract"),
          inputs: [input],
          output,
          params: { offset: { $ref: "stats", path: ["mean"] } },
        }),
      },
    ], { executor: pool, quiet: true, journalDir: false });
    const data = sharedArrayData(input);
    let total = 0;
    for (const v of data) total += v;
    const mean = total / data.length;
    const stats = results.get("stats")!.result as { mean: number; histogram: Float64Array };
    assert_(Math.abs(stats.mean - mean) < 1e-9, `mean ${stats.mean} vs ${mean}`);
    const bins = [0, 0, 0, 0];
    for (const v of data) bins[Math.min(3, Math.floor(v / 25))]!++;
    assertEquals([...stats.histogram], bins);
    const centred = sharedArrayData(output);
    for (let i = 0; i < data.length; i += 97) {
      assertEquals(centred[i], Math.fround(data[i]! - stats.mean));
    }
  } finally {
    await pool.close();
  }
});

/** A slow copy (×2 + 1) of a random volume in 4³ chunks: 1 ms per chunk. */
function slowCopyJob() {
  const input = randomVolume("in", shape, [4, 4, 4], 5);
  const output = createSharedArray("copy", { shape, chunks: [4, 4, 4], dtype: "float32" });
  const op = map({
    name: "copy",
    kernel: testKernel("slowCopy"),
    inputs: [input],
    output,
    params: { delayMs: 1 },
  });
  return { input, output, op };
}

Deno.test("runOp() bounds tasks in flight by the memory budget", async () => {
  const { op } = slowCopyJob();
  // One task holds 64 float32 in + 64 out = 512 B, ×2 memory factor = 1 KiB.
  const executor = createInlineExecutor({ concurrency: 8 });
  const small = await runOp(op, { executor, memoryBytes: 3000, quiet: true, journalDir: false });
  assertEquals(small.inFlight, 2);
  const large = await runOp(op, { executor, memoryBytes: 1e9, quiet: true, journalDir: false });
  assertEquals(large.inFlight, 8);
});

Deno.test("createWorkerPool() holds up to two batches of 8 per worker by default: 16 × its size in flight", async () => {
  const { input, output, op } = slowCopyJob();
  for (const [queued, expected] of [[undefined, 32], [0, 2], [2, 6]] as const) {
    const pool = createWorkerPool({ size: 2, ...(queued !== undefined ? { queued } : {}) });
    try {
      const result = await runOp(op, { executor: pool, quiet: true, journalDir: false });
      assertEquals(result.inFlight, expected);
      assertEquals([...sharedArrayData(output)], [...sharedArrayData(input)].map((v) => v * 2 + 1));
    } finally {
      await pool.close();
    }
  }
});

Deno.test("createWorkerPool() replaces a worker that dies; its tasks are retried and the job completes", async () => {
  const input = randomVolume("crash-in", [8, 8, 8], [4, 4, 4], 3);
  const output = createSharedArray("crash-out", {
    shape: [8, 8, 8],
    chunks: [4, 4, 4],
    dtype: "float32",
  });
  const pool = createWorkerPool({ size: 1, queued: 1 });
  try {
    const retried: string[] = [];
    const crash = (crashChunk: number) =>
      map({
        name: "crash",
        kernel: testKernel("crashingCopy"),
        inputs: [input],
        output,
        params: { crashChunk },
      });
    const result = await runOp(crash(2), {
      executor: pool,
      quiet: true,
      journalDir: false,
      retryDelayMs: 1,
      onRetry: (error) => retried.push((error as Error).message),
    });
    // The crashed task, and the one queued behind it if it was already handed over.
    assert_(result.retried >= 1 && result.retried <= 2, `retried ${result.retried}`);
    assert_(retried.every((m) => m.startsWith("Worker died")), retried.join("; "));
    assert_(retried.some((m) => m.includes("worker crash at chunk 2")), retried.join("; "));
    assertEquals([...sharedArrayData(output)], [...sharedArrayData(input)]);
    // The replacement worker keeps serving the pool.
    sharedArrayData(output).fill(0);
    const again = await runOp(crash(-1), { executor: pool, quiet: true, journalDir: false });
    assertEquals(again.executed, 8);
    assertEquals([...sharedArrayData(output)], [...sharedArrayData(input)]);
  } finally {
    await pool.close();
  }
});

Deno.test("runOp() with a fold gives the merge's totals without holding every partial", async () => {
  const input = randomVolume("fold-in", shape, [3, 4, 5], 12);
  const pool = createWorkerPool({ size: 2 });
  try {
    const merged = await runOp(
      reduce({
        name: "merged",
        kernel: testKernel("sumPartial"),
        merge: testKernel("sumMerge"),
        inputs: [input],
      }),
      { executor: pool, quiet: true, journalDir: false },
    );
    const folded = await runOp(
      (() => {
        const { merge: _merge, ...op } = reduce({
          name: "folded",
          kernel: testKernel("sumPartial"),
          merge: testKernel("sumMerge"),
          inputs: [input],
        });
        return { ...op, fold: testKernel("sumFold") };
      })(),
      { executor: pool, quiet: true, journalDir: false },
    );
    const a = merged.result as { mean: number; count: number; histogram: Float64Array };
    const b = folded.result as { sum: number; count: number; histogram: Float64Array };
    assertEquals(b.count, a.count);
    assertEquals([...b.histogram], [...a.histogram]);
    assert_(Math.abs(b.sum / b.count - a.mean) < 1e-9, "same mean");
  } finally {
    await pool.close();
  }
});

Deno.test("runOp() frees folded partials but not the buffers the fold keeps", async () => {
  const input = randomVolume("fold-free", shape, [3, 4, 5], 14);
  const seen: { histogram: Float64Array<ArrayBuffer> }[] = [];
  const inline = createInlineExecutor({ concurrency: 2 });
  // an executor that remembers every partial it hands back
  const executor = {
    ...inline,
    async execute(task: Parameters<typeof inline.execute>[0]) {
      const result = await inline.execute(task);
      seen.push(result.partial as { histogram: Float64Array<ArrayBuffer> });
      return result;
    },
  };
  const opOf = (fold: string) => {
    const { merge: _merge, ...op } = reduce({
      name: fold,
      kernel: testKernel("sumPartial"),
      merge: testKernel("sumMerge"),
      inputs: [input],
    });
    return { ...op, fold: testKernel(fold) };
  };
  const fresh = await runOp(opOf("sumFold"), { executor, quiet: true, journalDir: false });
  assert_(seen.length > 1, "several partials");
  assert_(seen.every((p) => p.histogram.buffer.detached), "every folded partial is freed");
  seen.length = 0;
  const inPlace = await runOp(opOf("sumFoldInPlace"), { executor, quiet: true, journalDir: false });
  const kept = inPlace.result as { histogram: Float64Array<ArrayBuffer>; count: number };
  assert_(!kept.histogram.buffer.detached, "the partial the fold kept survives");
  assertEquals(seen.filter((p) => !p.histogram.buffer.detached).length, 1);
  const expected = fresh.result as { histogram: Float64Array; count: number };
  assertEquals(kept.count, expected.count);
  assertEquals([...kept.histogram], [...expected.histogram]);
});

Deno.test("runOp() with pieces writes what whole chunks write, reading each piece's own box", async () => {
  const chunks = [4, 5, 3], pieces = [3, 2, 2], radius = 2;
  const { result, actual, expected } = await chunkedBoxSum(chunks, radius, pieces);
  assertEquals([...actual], [...expected]);
  // Bytes read = the haloed boxes of the pieces, not of the chunks. The pieces of all chunks
  // form a grid, so the voxels read are the product over axes of the haloed piece extents.
  let voxels = 1;
  for (let axis = 0; axis < 3; axis++) {
    let sum = 0;
    for (let start = 0; start < shape[axis]!; start += chunks[axis]!) {
      const stop = Math.min(shape[axis]!, start + chunks[axis]!);
      for (let s = start; s < stop; s += pieces[axis]!) {
        const e = Math.min(stop, s + pieces[axis]!);
        sum += Math.min(shape[axis]!, e + radius) - Math.max(0, s - radius);
      }
    }
    voxels *= sum;
  }
  assertEquals(result.bytesRead, voxels * 4); // float32 input
});

Deno.test("runOp() with pieces downsamples like whole chunks", async () => {
  const input = randomVolume("in", shape, [5, 4, 3], 3);
  const outShape = shape.map((n) => Math.ceil(n / 2));
  const run = async (pieces?: number[]) => {
    const output = createSharedArray(`half-${pieces ?? "whole"}`, {
      shape: outShape,
      chunks: [3, 2, 5],
      dtype: "float32",
    });
    const op = map({
      name: "downsample",
      kernel: testKernel("downsampleMean2"),
      inputs: [input],
      output,
      scale: [2, 2, 2],
    });
    await runOp(pieces ? { ...op, pieces } : op, {
      executor: createInlineExecutor(),
      quiet: true,
      journalDir: false,
    });
    return [...sharedArrayData(output)];
  };
  assertEquals(await run([1, 2, 2]), await run());
});

Deno.test("runOp() refuses pieces for an op with partials or a wrong piece shape", async () => {
  const input = randomVolume("in", shape, [5, 5, 5], 1);
  const output = createSharedArray("unused", { shape, chunks: [5, 5, 5], dtype: "float64" });
  const reduceOp = reduce({
    name: "stats",
    kernel: testKernel("sumPartial"),
    merge: testKernel("sumMerge"),
    inputs: [input],
  });
  const options = { executor: createInlineExecutor(), quiet: true, journalDir: false as const };
  const noOutput = await runOp({ ...reduceOp, pieces: [2, 2, 2] }, options).catch((e) => e);
  assert_(noOutput instanceof TypeError && /in pieces: it has no output/.test(noOutput.message));
  const copy = map({ name: "copy", kernel: testKernel("boxSum"), inputs: [input], output });
  const badShape = await runOp({ ...copy, params: { radius: 0 }, pieces: [2, 0] }, options)
    .catch((e) => e);
  assert_(badShape instanceof TypeError && /are not 3 positive integers/.test(badShape.message));
});

Deno.test("a shared array refuses a region read outside its shape, naming the array", async () => {
  const location = createSharedArray("bounds", {
    shape: [4, 5, 6],
    chunks: [2, 5, 6],
    dtype: "uint16",
  });
  (sharedArrayData(location) as Uint16Array).fill(3);
  const array = openSharedArray(location);
  assertEquals([...await array.readRegion({ start: [3, 4, 5], stop: [4, 5, 6] })], [3]);
  for (
    const box of [{ start: [0, 0, 0], stop: [5, 1, 1] }, { start: [-1, 0, 0], stop: [1, 1, 1] }]
  ) {
    let message = "";
    await array.readRegion(box).catch((error: Error) => (message = error.message));
    assert_(/shared array "bounds": outside shape \[4,5,6\]/.test(message), message);
  }
});
