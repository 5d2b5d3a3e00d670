/**
 * Ctrl-C for long jobs: the first SIGINT aborts the job's signal (running chunks finish and
 * are journalled; nothing half-written is ever journalled, since chunk writes are atomic),
 * a second one exits at once with status 130.
 * @module
 */

/** Returned by {@link abortOnInterrupt}. */
export interface InterruptHandle {
  /** Aborted on the first SIGINT. */
  signal: AbortSignal;
  /** Remove the SIGINT listener. */
  dispose(): void;
}

/**
 * Turn SIGINT into an abort.
 * @param options `controller` to abort (default a new one); `write` for the notice (default stderr)
 * @returns the signal and a `dispose()` to remove the handler
 */
export function abortOnInterrupt(
  options: { controller?: AbortController; write?: (text: string) => void } = {},
): InterruptHandle {
  const controller = options.controller ?? new AbortController();
  const write = options.write ?? ((text: string) => console.error(text));
  const handler = () => {
    if (controller.signal.aborted) {
      write("Interrupted again: exiting now (the journal holds every finished chunk).");
      Deno.exit(130);
    }
    write("Interrupted: finishing the chunks in flight, then stopping (Ctrl-C again to quit now).");
    controller.abort(new DOMException("Interrupted by SIGINT", "AbortError"));
  };
  Deno.addSignalListener("SIGINT", handler);
  return {
    signal: controller.signal,
    dispose: () => Deno.removeSignalListener("SIGINT", handler),
  };
}
