/**
 * `deno task register CONFIG.yaml [--truth truth.json] [--quiet] [--queue redis://HOST:PORT]`:
 * the end-to-end registration. Bad input prints one sentence and exits 2; Ctrl-C stops
 * cleanly and a rerun resumes.
 * @module
 */
import { parseArgs } from "node:util";
import { abortOnInterrupt } from "../src/chunked/interrupt.ts";
import { createWorkerPool } from "../src/chunked/pool.ts";
import type { TaskExecutor } from "../src/chunked/types.ts";
import { executorFromQueueUrl, routeSharedTasks } from "../src/distributed/mod.ts";
import { ConfigError, loadConfig } from "../src/config/load.ts";
import { InputError } from "../src/pipeline/inputs.ts";
import { register } from "../src/pipeline/register.ts";
import { runCli, UsageError } from "./cli.ts";

const usage =
  "usage: deno task register CONFIG.yaml [--truth truth.json] [--quiet] [--queue redis://HOST:PORT]";

if (import.meta.main) {
  await runCli(async () => {
    let parsed;
    try {
      parsed = parseArgs({
        args: Deno.args,
        allowPositionals: true,
        options: {
          truth: { type: "string" },
          quiet: { type: "boolean" },
          queue: { type: "string" },
        },
      });
    } catch (error) {
      throw new UsageError(`${(error as Error).message}; ${usage}`);
    }
    const [file, ...rest] = parsed.positionals;
    if (!file || rest.length > 0) throw new UsageError(usage);
    let config;
    try {
      config = await loadConfig(file);
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
    const interrupt = abortOnInterrupt();
    const executor = parsed.values.queue ? queueExecutor(parsed.values.queue) : undefined;
    try {
      const result = await register(config, {
        signal: interrupt.signal,
        ...(parsed.values.truth ? { truth: parsed.values.truth } : {}),
        ...(parsed.values.quiet ? { quiet: true } : {}),
        ...(executor ? { executor } : {}),
      });
      console.log(JSON.stringify(
        {
          output: result.outputPath,
          transform: result.transformPath,
          report: result.reportPath,
          metrics: result.metrics,
        },
        null,
        2,
      ));
    } catch (error) {
      if (error instanceof InputError) throw new UsageError(error.message);
      throw error;
    } finally {
      interrupt.dispose();
      await executor?.close();
    }
  });
}

/** The coordinator's executor: chunk tasks go to the queue, shared-memory ones stay local. */
function queueExecutor(url: string): TaskExecutor {
  try {
    return routeSharedTasks(executorFromQueueUrl(url), createWorkerPool({ size: 1 }));
  } catch (error) {
    throw new UsageError(`--queue ${url}: ${(error as Error).message}`);
  }
}
