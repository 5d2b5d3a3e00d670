/**
 * `deno task register CONFIG.yaml [--truth truth.json] [--quiet] [--queue redis://HOST:PORT]`:
 * the end-to-end registration. Bad input prints one sentence and exits 2; Ctrl-C stops
 * cleanly and a rerun resumes.
 * @module
 */
import { parseArgs } from "node:util";
import { abortOnInterrupt } from "../src/chunked/interrupt.ts";
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
    try {
      const executor = parsed.values.queue ? await queueExecutor(parsed.values.queue) : undefined;
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
    }
  });
}

async function queueExecutor(url: string) {
  // Resolved at run time so this task works in builds without the distributed module.
  const specifier = new URL("../src/distributed/mod.ts", import.meta.url).href;
  const module = await import(specifier).catch(() => undefined);
  if (!module) throw new UsageError("--queue is not available in this build");
  return await module.executorFromQueueUrl(url);
}
