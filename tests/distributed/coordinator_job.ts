/**
 * Child-process coordinator for the restart test: runs the slow DoG op of the fixture
 * through a queue executor (journal beside the output) and prints the op result and the
 * executor's counters as JSON. Usage: coordinator_job.ts WORKDIR REDIS_URL OUTPUT_NAME DELAY_MS
 * @module
 */
import { createFixtureOutput, fixtureOp, writeFixtureInput } from "./fixture.ts";
import { runOp } from "../../src/chunked/scheduler.ts";
import { createQueueExecutor } from "../../src/distributed/queue_executor.ts";

if (import.meta.main) {
  const [workDir, url, outputName, delayMs] = Deno.args;
  if (!workDir || !url || !outputName) {
    throw new Error("usage: coordinator_job.ts WORKDIR REDIS_URL OUTPUT_NAME [DELAY_MS]");
  }
  const input = await writeFixtureInput(workDir);
  const output = await createFixtureOutput(workDir, outputName);
  const executor = createQueueExecutor({ url, concurrency: 16, taskTimeoutMs: 60_000 });
  try {
    const result = await runOp(fixtureOp(input, output, Number(delayMs ?? 0)), {
      executor,
      quiet: true,
    });
    console.log(JSON.stringify({ ...result, result: undefined, stats: executor.stats }));
  } finally {
    await executor.close();
  }
}
