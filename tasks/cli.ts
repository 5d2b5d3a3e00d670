/**
 * What every command-line task shares: turning expected failures into one clear
 * sentence on stderr and exit code 2, without a stack trace.
 * @module
 */
import { OmeZarrError } from "../src/io/errors.ts";
import { ChunkTaskError } from "../src/chunked/errors.ts";

/** A mistake in how a command was called or in its input, reported as one sentence. */
export class UsageError extends Error {
  /** @param message one sentence naming the flag, file or value and what was expected */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Run a task's main function; expected errors (including a chunk task that failed reading its
 * input) print one line and exit 2, an interrupt exits 130, anything else prints its stack (a
 * bug) and exits 1.
 * @param main the task body
 */
export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (
      error instanceof UsageError || error instanceof OmeZarrError || error instanceof RangeError ||
      error instanceof TypeError && error.message.startsWith("Cannot ")
    ) {
      console.error(`error: ${error.message}`);
      Deno.exit(2);
    }
    // A chunk task that failed on its input (an unreadable, truncated or corrupt chunk; an
    // absent one reads as the fill value): the message already names the op, chunk and array.
    if (error instanceof ChunkTaskError && causedByInput(error)) {
      console.error(`error: ${error.message}`);
      Deno.exit(2);
    }
    if (error instanceof DOMException && error.name === "AbortError") {
      console.error("error: interrupted");
      Deno.exit(130);
    }
    console.error(error);
    Deno.exit(1);
  }
}

/**
 * Whether an error's cause chain holds an OmeZarrError (by name: errors from workers come back
 * as plain errors that keep their name).
 */
function causedByInput(error: Error): boolean {
  for (let cause: unknown = error.cause; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof OmeZarrError || cause.name === "OmeZarrError") return true;
  }
  return false;
}
