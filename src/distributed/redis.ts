/**
 * Redis connections for the queue: a `redis://HOST:PORT[/DB]` URL becomes ioredis clients
 * configured the way BullMQ needs (no per-request retry limit, so workers ride out a Redis
 * restart), with connection errors reported once instead of per retry.
 * @module
 */
import { Redis } from "ioredis";

/** The queue name used when none is given. */
export const DEFAULT_QUEUE_NAME = "clemreg-chunks";

/**
 * Check a queue URL and return it normalised.
 * @param url `redis://HOST:PORT` (or `rediss://` for TLS), optionally with `/DB`
 * @returns the URL as given, trimmed
 * @throws {TypeError} when the URL is not a redis URL
 */
export function parseQueueUrl(url: string): string {
  const trimmed = url.trim();
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw new TypeError(`Cannot use queue "${url}": expected a URL like redis://HOST:PORT`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new TypeError(
      `Cannot use queue "${url}": the scheme is ${parsed.protocol}, expected redis:// or rediss://`,
    );
  }
  return trimmed;
}

/**
 * Open one ioredis connection for BullMQ.
 * @param url a queue URL (see {@link parseQueueUrl})
 * @param onError called once per outage with the connection error (default: a line on stderr)
 * @returns the client; `quit()` it when done
 */
export function connectRedis(url: string, onError?: (error: Error) => void): Redis {
  const client = new Redis(parseQueueUrl(url), {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(2000, 100 * 2 ** Math.min(times, 5)),
  });
  let reported = false;
  client.on("error", (error: Error) => {
    if (reported) return;
    reported = true;
    (onError ?? ((e: Error) => console.error(`redis ${redactUrl(url)}: ${e.message}`)))(error);
  });
  client.on("ready", () => (reported = false));
  return client;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.href.replace(/\/$/, "");
  } catch {
    return url;
  }
}
