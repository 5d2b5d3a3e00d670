/**
 * Child process of `heap_growth_test.ts` (run with `--v8-flags=--expose-gc`): measures how much
 * the main thread's heap keeps per task, once across many ops on one worker pool and once
 * within one long op, and prints both as JSON. A reply or a promise reaction kept per task shows
 * as growth proportional to the task count.
 * @module
 */
import { filterOp } from "../../src/chunked/filter_ops.ts";
import { runOp } from "../../src/chunked/scheduler.ts";
import { createInlineExecutor, createWorkerPool } from "../../src/chunked/pool.ts";
import { createSharedArray } from "../../src/chunked/shared_array.ts";
import type { TaskExecutor } from "../../src/chunked/types.ts";

const gc = (globalThis as unknown as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --v8-flags=--expose-gc");
/** Live heap after a full collection, in bytes. */
const liveHeap = () => {
  gc();
  return Deno.memoryUsage().heapUsed;
};
const volume = (shape: number[], chunks: number[]) => {
  const spec = { shape, chunks, dtype: "float32" as const };
  return { input: createSharedArray("in", spec), output: createSharedArray("out", spec) };
};

// Across ops: 20 ops of 512 tasks on one pool of 2 workers.
const pool = createWorkerPool({ size: 2 });
const small = filterOp("gaussian", volume([32, 128, 128], [8, 16, 16]), { sigma: 0.5 });
const run = () => runOp(small, { executor: pool, quiet: true, journalDir: false });
// warm-up: what the first ops leave for good (compiled code, caches) is not per task
let chunks = 0;
for (let i = 0; i < 5; i++) chunks = (await run()).chunks;
const before = liveHeap();
const ops = 20;
for (let i = 0; i < ops; i++) await run();
const poolBytesPerTask = (liveHeap() - before) / (ops * chunks);
await pool.close();

// Within one op of 8,192 tasks: the heap between its 2,000th and 8,000th task.
const inline = createInlineExecutor({ concurrency: 2 });
const [first, last] = [2000, 8000];
let done = 0, atFirst = 0, atLast = 0;
const sampling: TaskExecutor = {
  concurrency: 2,
  async execute(task) {
    const result = await inline.execute(task);
    done++;
    if (done === first) atFirst = liveHeap();
    if (done === last) atLast = liveHeap();
    return result;
  },
  close: () => Promise.resolve(),
};
const tiny = filterOp("gaussian", volume([32, 256, 256], [4, 8, 8]), { sigma: 0.5 });
await runOp(tiny, { executor: sampling, quiet: true, journalDir: false });
const opBytesPerTask = (atLast - atFirst) / (last - first);

console.log(JSON.stringify({ poolBytesPerTask, opBytesPerTask, tasks: done }));
