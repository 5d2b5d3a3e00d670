import { join } from "node:path";
import { assert_, assertEquals, assertRejects } from "./assert.ts";
import { abortOnTick, randomVolume, testKernel } from "./helpers.ts";
import { ChunkTaskError } from "../../src/chunked/errors.ts";
import { map } from "../../src/chunked/ops.ts";
import { runOp } from "../../src/chunked/scheduler.ts";
import { createWorkerPool } from "../../src/chunked/pool.ts";
import { createSharedArray, sharedArrayData } from "../../src/chunked/shared_array.ts";

/** Chunk linears in the op's journal file (the only `.jsonl` in `dir`). */
async function journalled(dir: string): Promise<number[]> {
  const file = (await Array.fromAsync(Deno.readDir(dir))).find((e) => e.name.endsWith(".jsonl"))!;
  const text = await Deno.readTextFile(join(dir, file.name));
  return text.trim().split("\n").map((line) => (JSON.parse(line) as { c: number }).c)
    .sort((a, b) => a - b);
}

/** A copy job over 16 chunks of 4³ in a row along x. */
function rowJob(name: string, kernel: string, params: Record<string, number>) {
  const shape = [4, 4, 64];
  const input = randomVolume(`${name}-in`, shape, [4, 4, 4], 7);
  const output = createSharedArray(`${name}-out`, { shape, chunks: [4, 4, 4], dtype: "float32" });
  const op = map({ name, kernel: testKernel(kernel), inputs: [input], output, params });
  return { input, output, op };
}

Deno.test("createWorkerPool(): a task that fails in a batch fails alone; its batch-mates are journalled", async () => {
  const work = await Deno.makeTempDir({ prefix: "clemreg-batch-" });
  // The first two tasks go one by one (no task time measured yet); with batchMs this large the
  // next batch is the cap, 4 tasks: chunks 2-5, the failing one among them.
  const pool = createWorkerPool({ size: 1, batch: 4, batchMs: 1e6 });
  try {
    const { op } = rowJob("batch-fail", "failingCopy", { badChunk: 5 });
    const error = await assertRejects(
      runOp(op, { executor: pool, quiet: true, journalDir: work, maxAttempts: 1 }),
    );
    assert_(error instanceof ChunkTaskError, String(error));
    assertEquals(error.chunkIndex, [0, 0, 5]);
    const done = await journalled(work);
    for (const linear of [0, 1, 2, 3, 4]) {
      assert_(done.includes(linear), `chunk ${linear}: ${done}`);
    }
    assert_(!done.includes(5), `chunk 5 journalled: ${done}`);
  } finally {
    await pool.close();
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("createWorkerPool(): a worker that dies mid-batch fails the batch; its tasks are retried", async () => {
  const pool = createWorkerPool({ size: 1, batch: 4, batchMs: 1e6 });
  try {
    const { input, output, op } = rowJob("batch-crash", "crashingCopy", { crashChunk: 3 });
    const retried: number[] = [];
    const result = await runOp(op, {
      executor: pool,
      quiet: true,
      journalDir: false,
      retryDelayMs: 1,
      onRetry: (_error, task) => retried.push(task.chunkLinear),
    });
    // chunk 3 runs in the batch of chunks 2-5; the batch of 6-9 may already be handed over
    retried.sort((a, b) => a - b);
    assert_(retried.length >= 4 && retried.length <= 8, `retried ${retried}`);
    for (const linear of [2, 3, 4, 5]) assert_(retried.includes(linear), `retried ${retried}`);
    assertEquals(result.executed, 16);
    assertEquals([...sharedArrayData(output)], [...sharedArrayData(input)]);
  } finally {
    await pool.close();
  }
});

Deno.test("createWorkerPool(): on abort, tasks not yet handed to a worker are dropped", async () => {
  const work = await Deno.makeTempDir({ prefix: "clemreg-drop-" });
  // 16 tasks in flight (two batches of 8), but a 15 ms task makes batches of one: the worker
  // holds two tasks, the other 14 wait in the pool.
  const pool = createWorkerPool({ size: 1 });
  try {
    const { op } = rowJob("batch-drop", "slowCopy", { delayMs: 15 });
    const controller = new AbortController();
    const progress = abortOnTick(controller, 3);
    const error = await assertRejects(
      runOp(op, { executor: pool, progress, journalDir: work, signal: controller.signal }),
    );
    assert_(error instanceof DOMException && error.name === "AbortError", String(error));
    const done = await journalled(work);
    // the three before the abort and at most the two the worker held
    assert_(done.length >= 3 && done.length <= 5, `journalled ${done}`);
    // the pool keeps serving after the dropped tasks
    const again = await runOp(op, { executor: pool, quiet: true, journalDir: work });
    assertEquals(again.skipped + again.executed, 16);
  } finally {
    await pool.close();
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("createWorkerPool(): a worker out of work takes movable tasks meant for a busy one", async () => {
  const pool = createWorkerPool({ size: 2 });
  try {
    // two bands: chunks 0-7 go to one worker, 8-15 to the other; the second band is 10× slower,
    // so the first worker runs out and, with "preferBands", takes some of its last tasks
    const { input, output, op } = rowJob("steal", "taggedCopy", {
      slowFrom: 8,
      slowMs: 40,
      fastMs: 4,
    });
    for (const affinity of ["preferBands", "bands"] as const) {
      sharedArrayData(output).fill(0);
      const result = await runOp({ ...op, affinity }, {
        executor: pool,
        quiet: true,
        journalDir: false,
      });
      const workerOf = (result.result as { worker: string }[]).map((p) => p.worker);
      const first = workerOf[0]!;
      assert_(workerOf.slice(0, 8).every((w) => w === first), `${affinity}, band 0: ${workerOf}`);
      assertEquals(workerOf[8] === first, false, `${affinity}: band 1 starts on its own worker`);
      const moved = workerOf.slice(8).filter((w) => w === first).length;
      if (affinity === "bands") assertEquals(moved, 0, "strict bands: no task moves");
      else assert_(moved >= 2, `the fast worker ran ${moved} of band 1's 8 tasks`);
      assertEquals([...sharedArrayData(output)], [...sharedArrayData(input)]);
    }
  } finally {
    await pool.close();
  }
});
