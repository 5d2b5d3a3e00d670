import { join } from "node:path";
import { assert_, assertEquals, assertRejects } from "../chunked/assert.ts";
import { countLines } from "../chunked/helpers.ts";
import {
  chunkFiles,
  collectLines,
  createFixtureOutput,
  fixtureOp,
  killChild,
  repoRoot,
  spawnWorker,
  waitFor,
  within,
  writeFixtureInput,
} from "./fixture.ts";
import { hasRedisServer, REDIS_SERVER, startRedis } from "./redis_server.ts";
import type { RedisServer } from "./redis_server.ts";
import { reduce } from "../../src/chunked/ops.ts";
import { runOp } from "../../src/chunked/scheduler.ts";
import { createWorkerPool } from "../../src/chunked/pool.ts";
import { createSharedArray } from "../../src/chunked/shared_array.ts";
import { createQueueExecutor } from "../../src/distributed/queue_executor.ts";
import { runQueueWorker } from "../../src/distributed/queue_worker.ts";
import type { ChunkTask } from "../../src/chunked/types.ts";

const ignore = !hasRedisServer();
if (ignore) {
  console.warn(
    `skipping distributed tests: ${REDIS_SERVER} not found (apt-get install redis-server)`,
  );
}

/** Reference output: the plain DoG op on a local pool of 2 workers. */
async function referenceRun(work: string): Promise<Map<string, Uint8Array>> {
  const input = await writeFixtureInput(work);
  const output = await createFixtureOutput(work, "reference.zarr");
  const pool = createWorkerPool({ size: 2 });
  try {
    const result = await runOp(fixtureOp(input, output), { executor: pool, quiet: true });
    assertEquals(result.executed, 64);
  } finally {
    await pool.close();
  }
  return await chunkFiles(output);
}

function assertSameFiles(actual: Map<string, Uint8Array>, expected: Map<string, Uint8Array>) {
  assertEquals([...actual.keys()].sort(), [...expected.keys()].sort());
  assertEquals([...expected.keys()].filter((k) => k.startsWith("0/c/")).length, 64);
  for (const [key, bytes] of expected) assertEquals(actual.get(key), bytes, key);
}

async function withRedis(body: (redis: RedisServer, work: string) => Promise<void>) {
  const work = await Deno.makeTempDir({ prefix: "clemreg-queue-" });
  const redis = await startRedis();
  try {
    await body(redis, work);
  } finally {
    await redis.stop();
    await Deno.remove(work, { recursive: true });
  }
}

Deno.test({
  name: "createQueueExecutor() survives a worker SIGKILLed mid-task: output equals the local run",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withRedis(async (redis, work) => {
      const expected = await referenceRun(work);
      const input = await writeFixtureInput(work);
      const output = await createFixtureOutput(work, "queued.zarr");
      const doomed = spawnWorker(redis.url);
      const survivor = spawnWorker(redis.url);
      const executor = createQueueExecutor({
        url: redis.url,
        concurrency: 8,
        taskTimeoutMs: 60_000,
      });
      try {
        const run = runOp(fixtureOp(input, output, 120), { executor, quiet: true });
        run.catch(() => {});
        // Kill the doomed worker right after it starts a task, once it has finished a few.
        await waitFor(
          () => {
            const done = doomed.lines.filter((l) => l.startsWith("done ")).length;
            return done >= 3 && (doomed.lines.at(-1) ?? "").startsWith("start ");
          },
          40_000,
          "the first worker to be busy",
        );
        const killedJob = doomed.lines.at(-1)!.split(" ")[1];
        doomed.child.kill("SIGKILL");
        assertEquals((await doomed.child.status).signal, "SIGKILL");
        const result = await within(run, 60_000, "the queued run");
        assertEquals(result.executed + result.skipped, 64);
        assertEquals(result.chunks, 64);
        assert_(executor.stats.stalled >= 1, `stalled: ${JSON.stringify(executor.stats)}`);
        assert_(
          survivor.lines.includes(`done ${killedJob}`),
          `the survivor redid ${killedJob}: ${survivor.lines.slice(-5).join(" | ")}`,
        );
        assertSameFiles(await chunkFiles(output), expected);
      } finally {
        await executor.close();
        await killChild(doomed.child);
        await killChild(survivor.child);
      }
    }),
});

const coordinatorScript = new URL("./coordinator_job.ts", import.meta.url).pathname;

function spawnCoordinator(work: string, url: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", coordinatorScript, work, url, "restarted.zarr", "100"],
    cwd: repoRoot,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function journalLines(outputDir: string): Promise<number> {
  try {
    for await (const entry of Deno.readDir(join(outputDir, ".clemreg-journal"))) {
      if (entry.name.endsWith(".jsonl")) {
        return await countLines(join(outputDir, ".clemreg-journal", entry.name));
      }
    }
  } catch {
    // no journal yet
  }
  return 0;
}

Deno.test({
  name: "createQueueExecutor() coordinator killed mid-run resumes from the journal, same output",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withRedis(async (redis, work) => {
      const expected = await referenceRun(work);
      const workers = [spawnWorker(redis.url), spawnWorker(redis.url)];
      let coordinator = spawnCoordinator(work, redis.url);
      try {
        const outputDir = join(work, "restarted.zarr");
        await waitFor(
          async () => await journalLines(outputDir) >= 10,
          40_000,
          "10 journalled chunks",
        );
        coordinator.kill("SIGKILL");
        assertEquals((await coordinator.status).signal, "SIGKILL");
        await coordinator.stdout.cancel();
        await coordinator.stderr.cancel();
        const journalled = await journalLines(outputDir);
        assert_(journalled >= 10 && journalled < 64, `journalled ${journalled} of 64`);

        coordinator = spawnCoordinator(work, redis.url);
        const rerun = await within(coordinator.output(), 60_000, "the restarted coordinator");
        assertEquals(rerun.code, 0, new TextDecoder().decode(rerun.stderr));
        const stats = JSON.parse(new TextDecoder().decode(rerun.stdout));
        assertEquals(stats.skipped, journalled);
        assertEquals(stats.executed, 64 - journalled);
        // Jobs queued by the killed coordinator were found, not enqueued a second time.
        assert_(stats.stats.duplicated >= 1, JSON.stringify(stats.stats));
        assertSameFiles(await chunkFiles(outputDir), expected);
      } finally {
        await killChild(coordinator);
        for (const worker of workers) await killChild(worker.child);
      }
    }),
});

Deno.test({
  name: "runQueueWorker() returns typed-array partials intact and rejects shared arrays",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withRedis(async (redis, work) => {
      const input = await writeFixtureInput(work);
      const kernels = new URL("./kernels.ts", import.meta.url).href;
      const op = reduce({
        name: "sum",
        kernel: { module: kernels, name: "sumAndHistogram" },
        merge: { module: kernels, name: "mergeSumAndHistogram" },
        inputs: [{ kind: "zarr", location: input, level: 0 }],
      });
      const local = await runOp(op, { workers: 1, quiet: true, journalDir: false });
      const controller = new AbortController();
      const worker = runQueueWorker({
        url: redis.url,
        inline: true,
        concurrency: 2,
        signal: controller.signal,
        log: () => {},
      });
      const executor = createQueueExecutor({ url: redis.url, taskTimeoutMs: 30_000 });
      try {
        const queued = await within(
          runOp(op, { executor, quiet: true, journalDir: false }),
          30_000,
          "the queued reduction",
        );
        assertEquals(queued.result, local.result);
        assertEquals((queued.result as { typed: boolean }).typed, true);
        assertEquals((queued.result as { count: number }).count, 32 * 64 * 64);

        const shared = createSharedArray("in", {
          shape: [4, 4, 4],
          chunks: [4, 4, 4],
          dtype: "uint8",
        });
        const error = await assertRejects(
          runOp({ ...op, inputs: [shared] }, {
            executor,
            quiet: true,
            journalDir: false,
            maxAttempts: 1,
          }),
        );
        assert_(String((error as Error).cause).includes("shared-memory array"), String(error));
      } finally {
        await executor.close();
        controller.abort();
        const stats = await within(worker, 20_000, "the worker to stop");
        assertEquals(stats.failed, 0);
        assertEquals(stats.completed, 64);
      }
    }),
});

Deno.test({
  name: "tasks/worker.ts exits 0 on SIGTERM and 2 on a bad --queue",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withRedis(async (redis) => {
      const worker = spawnWorker(redis.url);
      try {
        await waitFor(() => worker.lines.some((l) => l.startsWith("worker on ")), 20_000, "start");
        worker.child.kill("SIGTERM");
        const status = await within(worker.child.status, 20_000, "the worker to exit");
        assertEquals(status.code, 0, worker.lines.join("\n"));
        assert_(
          worker.lines.some((l) => l.startsWith("stopped: 0 chunks done")),
          worker.lines.join("\n"),
        );
      } finally {
        await killChild(worker.child);
      }
      const bad = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "tasks/worker.ts", "--queue", "http://x"],
        cwd: repoRoot,
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const lines = collectLines(bad.stderr);
      const status = await within(bad.status, 20_000, "the bad worker to exit");
      assertEquals(status.code, 2);
      await waitFor(() => lines.some((l) => l.includes("expected redis://")), 2_000, "message");
    }),
});

Deno.test({
  name: "tasks/worker.ts releases its job on a second signal; another worker finishes it",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withRedis(async (redis, work) => {
      const input = await writeFixtureInput(work);
      const box = { start: [0, 0, 0], stop: [8, 16, 16] };
      const task: ChunkTask = {
        opId: "release",
        opName: "slow sum",
        kernel: {
          module: new URL("./kernels.ts", import.meta.url).href,
          name: "slowSumAndHistogram",
        },
        params: { delayMs: 3000 },
        chunkIndex: [0, 0, 0],
        chunkLinear: 0,
        outputBox: box,
        inputs: [{ location: { kind: "zarr", location: input, level: 0 }, box }],
        attempt: 1,
      };
      const first = spawnWorker(redis.url);
      const executor = createQueueExecutor({ url: redis.url, taskTimeoutMs: 30_000 });
      const controller = new AbortController();
      let second: Promise<unknown> | undefined;
      try {
        const result = executor.execute(task);
        result.catch(() => {});
        await waitFor(() => first.lines.some((l) => l.startsWith("start ")), 20_000, "the job");
        const started = Date.now();
        first.child.kill("SIGTERM");
        await new Promise((resolve) => setTimeout(resolve, 100));
        first.child.kill("SIGTERM");
        const status = await within(first.child.status, 10_000, "the released worker to exit");
        assertEquals(status.code, 0, first.lines.join("\n"));
        const waited = Date.now() - started;
        assert_(waited < 2500, `it waited ${waited} ms: ${first.lines.join(" | ")}`);
        assert_(!first.lines.some((l) => l.startsWith("done ")), first.lines.join("\n"));
        second = runQueueWorker({
          url: redis.url,
          inline: true,
          lockDurationMs: 2000,
          signal: controller.signal,
          log: () => {},
        });
        const { partial } = await within(result, 20_000, "the released job");
        const { totals } = partial as { totals: Float64Array };
        assertEquals(totals[1], 8 * 16 * 16);
        assert_(executor.stats.stalled >= 1, JSON.stringify(executor.stats));
      } finally {
        await executor.close();
        controller.abort();
        await second;
        await killChild(first.child);
      }
    }),
});
