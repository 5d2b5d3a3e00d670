/**
 * `deno task worker --queue redis://HOST:PORT [--queue-name NAME] [--concurrency N]
 * [--lock-ms MS] [--inline] [--verbose] [--quiet]`: a fleet worker. Pulls chunk tasks a
 * coordinator (`register --queue ...`) enqueued and runs them against the shared store.
 * SIGINT/SIGTERM finish the jobs in hand and exit 0; a second signal releases them at once.
 * @module
 */
import { parseArgs } from "node:util";
import { runQueueWorker } from "../src/distributed/queue_worker.ts";
import { parseQueueUrl } from "../src/distributed/redis.ts";
import { runCli, UsageError } from "./cli.ts";

const USAGE = "usage: deno task worker --queue redis://HOST:PORT [--queue-name NAME] " +
  "[--concurrency N] [--lock-ms MS] [--inline] [--verbose] [--quiet]";

function positiveInteger(
  flag: string,
  text: string | undefined,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(
      `--${flag} "${text}" is not a positive integer. ${USAGE}`,
    );
  }
  return value;
}

async function main(args: string[]): Promise<void> {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        queue: { type: "string" },
        "queue-name": { type: "string" },
        concurrency: { type: "string" },
        "lock-ms": { type: "string" },
        inline: { type: "boolean" },
        verbose: { type: "boolean" },
        quiet: { type: "boolean" },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. ${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.queue) throw new UsageError(`--queue is required. ${USAGE}`);
  let url: string;
  try {
    url = parseQueueUrl(values.queue);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const concurrency = positiveInteger("concurrency", values.concurrency);
  const lockDurationMs = positiveInteger("lock-ms", values["lock-ms"]);
  // First signal: finish the jobs in hand. Second: release them. Third: exit at once.
  const graceful = new AbortController();
  const immediate = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals === 1) {
      graceful.abort(new DOMException("Stopped by a signal", "AbortError"));
    } else if (signals === 2) {
      immediate.abort(new DOMException("Stopped by a signal", "AbortError"));
    } else Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  try {
    await runQueueWorker({
      url,
      signal: graceful.signal,
      releaseSignal: immediate.signal,
      ...(values["queue-name"] ? { queueName: values["queue-name"] } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(lockDurationMs !== undefined ? { lockDurationMs } : {}),
      ...(values.inline ? { inline: true } : {}),
      ...(values.verbose ? { verbose: true } : {}),
      ...(values.quiet ? { log: () => {} } : {}),
    });
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
}

if (import.meta.main) {
  await runCli(() => main(Deno.args));
  // Released jobs may leave kernels or timers behind: they must not keep the process alive.
  Deno.exit(0);
}
