/**
 * Runs one op: plans its chunk tasks lazily, skips journalled chunks, keeps a bounded number
 * of tasks in flight (from a memory budget and the executor's concurrency and queue), retries
 * failures with exponential backoff, stops cleanly on abort, journals each chunk after its
 * write, and merges the partials.
 * @module
 */
import { holdHeapTrim } from "./heap_trim.ts";
import { chunkCacheBytes } from "../io/chunk_cache.ts";
import { buffersIn, releaseBuffersIn } from "../io/release.ts";
import type { ChunkedArray } from "../io/types.ts";
import { boxVoxels, inputBoxFor } from "./box.ts";
import { bytesPerElement } from "./dtype.ts";
import { ChunkTaskError } from "./errors.ts";
import { importFunction } from "./execute_task.ts";
import { chunkBox, chunkCoords, chunkGrid } from "./grid.ts";
import type { ChunkGrid } from "./grid.ts";
import { openJournal } from "./journal.ts";
import { defaultJournalDir } from "./journal_dir.ts";
import { locationIdentity, opId as computeOpId } from "./ops.ts";
import { openArray } from "./open_array.ts";
import { createWorkerPool } from "./pool.ts";
import { createProgress } from "./progress.ts";
import type { ProgressOptions } from "./progress.ts";
import type {
  ChunkTask,
  FoldFunction,
  Json,
  MergeFunction,
  OpSpec,
  Partial,
  TaskExecutor,
} from "./types.ts";

/** Options of {@link runOp}. */
export interface RunOptions {
  /** Where tasks run; default a worker pool of `workers` workers, closed at the end. */
  executor?: TaskExecutor;
  /** Size of the default pool; default `navigator.hardwareConcurrency`. */
  workers?: number;
  /** Memory budget for tasks in flight, in bytes; default 2 GiB. */
  memoryBytes?: number;
  /** Tries per task before the op fails; default 3. */
  maxAttempts?: number;
  /** Delay before the first retry in ms, doubled on each further retry (max 30 s); default 200. */
  retryDelayMs?: number;
  signal?: AbortSignal;
  /** Journal folder; `false` keeps it in memory (no resume). Default: beside a local output. */
  journalDir?: string | false;
  /** Ids of ops that wrote this op's inputs (part of this op's id). */
  upstreamIds?: string[];
  /** No progress output. */
  quiet?: boolean;
  /** Overrides for the progress display (mode, interval, sink). */
  progress?: Omit<ProgressOptions, "label" | "total" | "skipped" | "quiet">;
  /** Called for each failed attempt that will be retried. */
  onRetry?: (error: unknown, task: ChunkTask) => void;
}

/** What {@link runOp} returns. */
export interface OpResult {
  opId: string;
  /** The merged result (`merge(partials)`), the list of partials when there is no merge, or undefined. */
  result: unknown;
  chunks: number;
  /** Tasks run to completion in this run. */
  executed: number;
  /** Chunks skipped because the journal had them. */
  skipped: number;
  /** Failed attempts that were retried. */
  retried: number;
  /** Tasks allowed in flight, running or queued (memory budget ∧ concurrency × (1 + queued)). */
  inFlight: number;
  bytesRead: number;
  bytesWritten: number;
  seconds: number;
}

/**
 * Run one op to completion (or resume it).
 * @param op the op, params resolved
 * @param options executor, memory budget, retries, signal, journal, progress
 * @returns counts, timing and the merged result
 * @throws {ChunkTaskError} when a task fails `maxAttempts` times (journal left intact; tasks
 * already handed to a worker finish and are journalled, those still waiting are dropped)
 * @throws the signal's reason when aborted (likewise)
 */
export async function runOp(op: OpSpec, options: RunOptions = {}): Promise<OpResult> {
  const started = performance.now();
  options.signal?.throwIfAborted();
  chunkCacheBytes(); // a bad CLEMREG_CHUNK_CACHE_MB fails here, not in every task
  const id = computeOpId(op, options.upstreamIds);
  const inputs = await Promise.all(op.inputs.map(openArray));
  const output = op.output ? await openArray(op.output) : undefined;
  const grid = taskGrid(op, inputs, output);
  if (op.pieces) checkPieces(op, grid);
  const journalDir = options.journalDir === false
    ? undefined
    : options.journalDir ?? defaultJournalDir(op.output);
  const description = {
    id,
    op: {
      ...op,
      inputs: op.inputs.map(locationIdentity),
      output: op.output ? locationIdentity(op.output) : null,
    },
  } as unknown as Json;
  const journal = await openJournal(journalDir, id, description);
  const skipped = journal.done.size;
  // With a fold, partials are added up as they come and then dropped (the journal file
  // keeps them for a resume), so memory does not grow with the chunk count.
  const fold = op.fold ? await importFunction<FoldFunction<unknown>>(op.fold) : undefined;
  let folded: unknown = undefined;
  const foldIn = (linear: number, partial: Partial) => {
    if (!fold || partial === undefined) return;
    folded = fold(folded, partial, op.params);
    journal.done.set(linear, undefined);
    // freed now: a long job's folded partials otherwise piled up in the main thread until a
    // major collection (~16 MiB of dead buffers at 1,024 DoG chunks)
    releaseBuffersIn(partial, buffersIn(folded));
  };
  for (const [linear, partial] of journal.done) foldIn(linear, partial);
  const progress = createProgress({
    ...options.progress,
    label: op.name,
    total: grid.count - skipped,
    skipped,
    ...(options.quiet !== undefined ? { quiet: options.quiet } : {}),
  });
  const ownExecutor = options.executor ? undefined : createWorkerPool(
    options.workers !== undefined ? { size: options.workers } : {},
  );
  const executor = options.executor ?? ownExecutor!;
  // Running and queued tasks; a queued one holds no data until it starts, so this is cautious.
  const inFlight = Math.max(
    1,
    Math.min(
      executor.concurrency * (1 + (executor.queued ?? 0)),
      Math.floor((options.memoryBytes ?? 2 ** 31) / bytesPerTask(op, grid, inputs, output)),
    ),
  );
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const stats = { executed: 0, retried: 0, bytesRead: 0, bytesWritten: 0 };
  const retries: { task: ChunkTask; readyAt: number }[] = [];
  const running = new Set<Promise<void>>();
  let fatal: Error | undefined;
  const order = taskOrder(grid.count, op.affinity ? executor.concurrency : 1);
  let cursor = 0;

  const run = crypto.randomUUID();
  const isSkipped = (linear: number) => linear >= grid.count || journal.done.has(linear);
  const makeTask = (linear: number, attempt: number): ChunkTask => {
    const chunkIndex = chunkCoords(grid, linear);
    const outputBox = chunkBox(grid, chunkIndex);
    const mapping = {
      ...(op.scale ? { scale: op.scale } : {}),
      ...(op.haloVoxels ? { haloVoxels: op.haloVoxels } : {}),
      ...(op.haloLowVoxels ? { haloLowVoxels: op.haloLowVoxels } : {}),
    };
    return {
      opId: id,
      opName: op.name,
      kernel: op.kernel,
      params: op.params,
      chunkIndex,
      chunkLinear: linear,
      outputBox,
      inputs: op.inputs.map((location, i) => ({
        location,
        box: inputBoxFor(outputBox, inputs[i]!.shape, mapping),
      })),
      ...(op.output ? { output: op.output } : {}),
      ...(order.bands > 1 ? { affinity: Math.floor(linear / order.bandSize) } : {}),
      ...(order.bands > 1 && op.affinity === "preferBands" ? { movable: true } : {}),
      ...(op.pieces ? { pieces: { shape: [...op.pieces], ...mapping } } : {}),
      attempt,
      run,
    };
  };
  // Aborted when the op stops (the caller's abort or a task that failed for good): an executor
  // that queues tasks drops those it has not started, rejecting with this signal's reason.
  const stop = new AbortController();
  const fail = (error: Error) => {
    fatal ??= error;
    stop.abort(fatal);
  };
  const launch = (task: ChunkTask) => {
    const done: Promise<void> = executor.execute(task, stop.signal).then(
      async (result) => {
        await journal.record(task.chunkLinear, task.chunkIndex, result.partial);
        foldIn(task.chunkLinear, result.partial);
        stats.executed++;
        stats.bytesRead += result.bytesRead;
        stats.bytesWritten += result.bytesWritten;
        progress.tick(result.bytesRead + result.bytesWritten);
      },
      (error) => {
        // dropped by the executor before it started: not a failure
        if (stop.signal.aborted && error === stop.signal.reason) return;
        if (task.attempt < maxAttempts && !options.signal?.aborted) {
          stats.retried++;
          options.onRetry?.(error, task);
          const delay = Math.min(30_000, (options.retryDelayMs ?? 200) * 2 ** (task.attempt - 1));
          retries.push({
            task: { ...task, attempt: task.attempt + 1 },
            readyAt: Date.now() + delay,
          });
        } else {
          fail(new ChunkTaskError(op.name, task.chunkIndex, task.attempt, error));
        }
      },
    ).catch((error) => {
      fail(error instanceof Error ? error : new Error(String(error)));
    }).finally(() => {
      running.delete(done);
      wake();
    });
    running.add(done);
  };
  // The loop sleeps on one promise that whatever it waits for (a task's end, the abort, a
  // retry's time) resolves. Not a `Promise.race` over the running tasks and an abort promise:
  // that spread and raced every task on each turn, and a promise that never settles (no
  // abort) keeps a reaction from every race it took part in.
  let wakeUp: (() => void) | undefined;
  const wake = () => {
    const resolve = wakeUp;
    wakeUp = undefined;
    resolve?.();
  };
  const sleep = () => new Promise<void>((resolve) => (wakeUp = resolve));
  const onAbort = () => {
    stop.abort(options.signal!.reason);
    wake();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });

  const releaseHeapTrim = holdHeapTrim();
  try {
    while (!fatal && !options.signal?.aborted) {
      if (running.size >= inFlight) {
        await sleep();
        continue;
      }
      const now = Date.now();
      const readyRetry = retries.findIndex((r) => r.readyAt <= now);
      if (readyRetry >= 0) {
        launch(retries.splice(readyRetry, 1)[0]!.task);
        continue;
      }
      while (cursor < order.length && isSkipped(order.linear(cursor))) cursor++;
      if (cursor < order.length) {
        launch(makeTask(order.linear(cursor++), 1));
        continue;
      }
      if (running.size === 0 && retries.length === 0) break;
      let timer: ReturnType<typeof setTimeout> | undefined;
      if (retries.length > 0) {
        const soonest = Math.min(...retries.map((r) => r.readyAt));
        timer = setTimeout(wake, Math.max(0, soonest - now));
      }
      await sleep();
      clearTimeout(timer);
    }
    await Promise.allSettled([...running]);
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    releaseHeapTrim();
    await journal.close();
    await ownExecutor?.close();
  }
  if (fatal) throw fatal;
  options.signal?.throwIfAborted();
  progress.finish();

  const partials: Partial[] = [];
  for (let linear = 0; linear < grid.count; linear++) partials.push(journal.done.get(linear));
  let result: unknown = undefined;
  if (fold) {
    result = folded;
  } else if (op.merge) {
    const merge = await importFunction<MergeFunction<unknown>>(op.merge);
    result = await merge(partials, op.params);
    releaseBuffersIn(partials, buffersIn(result));
  } else if (partials.some((p) => p !== undefined)) {
    result = partials;
  }
  return {
    opId: id,
    result,
    chunks: grid.count,
    skipped,
    inFlight,
    ...stats,
    seconds: (performance.now() - started) / 1000,
  };
}

function checkPieces(op: OpSpec, grid: ChunkGrid): void {
  const pieces = op.pieces!;
  const problem = !op.output
    ? "it has no output"
    : op.merge || op.fold
    ? "it reduces partials"
    : pieces.length !== grid.chunks.length || pieces.some((n) => !Number.isInteger(n) || n < 1)
    ? `pieces [${pieces}] are not ${grid.chunks.length} positive integers`
    : undefined;
  if (problem) throw new TypeError(`Cannot run "${op.name}" in pieces: ${problem}`);
}

function taskGrid(op: OpSpec, inputs: ChunkedArray[], output: ChunkedArray | undefined): ChunkGrid {
  if (output) return chunkGrid(output.shape, output.chunks);
  const first = inputs[0];
  if (!first) throw new TypeError(`Cannot plan "${op.name}": it has neither inputs nor an output`);
  return chunkGrid(first.shape, op.grid ?? first.chunks);
}

/**
 * Bytes one interior task holds: input boxes (of one piece, with `pieces`) + output chunk,
 * times the op's memory factor.
 */
function bytesPerTask(
  op: OpSpec,
  grid: ChunkGrid,
  inputs: ChunkedArray[],
  output: ChunkedArray | undefined,
): number {
  const fullChunk = { start: grid.chunks.map(() => 0), stop: [...grid.chunks] };
  let bytes = output ? boxVoxels(fullChunk) * bytesPerElement(output.dtype) : 0;
  // piece by piece, a task holds its output chunk and one piece's input at a time
  const readShape = op.pieces
    ? grid.chunks.map((c, axis) => Math.min(c, op.pieces![axis]!))
    : grid.chunks;
  inputs.forEach((input) => {
    const shapeOfBox = readShape.map((c, axis) =>
      Math.min(
        input.shape[axis]!,
        c * (op.scale?.[axis] ?? 1) + (op.haloVoxels?.[axis] ?? 0) +
          (op.haloLowVoxels?.[axis] ?? op.haloVoxels?.[axis] ?? 0),
      )
    );
    bytes += shapeOfBox.reduce((a, b) => a * b, 1) * bytesPerElement(input.dtype);
  });
  return Math.max(1, bytes * (op.memoryFactor ?? 2));
}

/**
 * The order tasks are launched in. With `bands` > 1 the grid is cut into that many
 * contiguous bands and the order interleaves them (band 0, band 1, …, band 0, …), so
 * every worker starts at once on its own band; positions past the grid are skipped.
 */
function taskOrder(count: number, bands: number) {
  const bandSize = Math.ceil(count / Math.max(1, bands));
  const usedBands = Math.max(1, Math.min(bands, count));
  return {
    bands: usedBands,
    bandSize,
    length: usedBands === 1 ? count : usedBands * bandSize,
    linear(position: number): number {
      if (usedBands === 1) return position;
      return (position % usedBands) * bandSize + Math.floor(position / usedBands);
    },
  };
}
