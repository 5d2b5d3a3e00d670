/**
 * What every command-line task shares: turning expected failures into one clear
 * sentence on stderr and exit code 2, without a stack trace.
 * @module
 */
import { OmeZarrError } from "../src/io/errors.ts";

/** A mistake in how a command was called or in its input, reported as one sentence. */
export class UsageError extends Error {
  /** @param message one sentence naming the flag, file or value and what was expected */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Run a task's main function; expected errors print one line and exit 2,
 * anything else prints its stack (a bug) and exits 1.
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
    if (error instanceof DOMException && error.name === "AbortError") {
      console.error("error: interrupted");
      Deno.exit(130);
    }
    console.error(error);
    Deno.exit(1);
  }
}
