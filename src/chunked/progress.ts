/**
 * Progress of a chunked op on stderr: a redrawn bar on a TTY (chunks done/total, MB/s,
 * ETA), a plain line every few seconds otherwise, nothing when quiet.
 * @module
 */

/** A progress sink the scheduler feeds. */
export interface Progress {
  /** One more chunk done, having moved `bytes` (read + written). */
  tick(bytes: number): void;
  /** Final line (or clear the bar). */
  finish(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Label shown before the numbers, e.g. the op name. */
  label: string;
  /** Chunks to do in this run (journalled chunks excluded). */
  total: number;
  /** Chunks already done (from the journal), shown as done. */
  skipped?: number;
  /** No output at all. */
  quiet?: boolean;
  /** Draw a bar (true) or print lines (false); default: whether stderr is a terminal. */
  tty?: boolean;
  /** Seconds between plain lines; default 5. */
  intervalSeconds?: number;
  /** Where text goes; default stderr. */
  write?: (text: string) => void;
  /** Clock in milliseconds; default `performance.now`. */
  now?: () => number;
}

/**
 * Create a progress reporter.
 * @param options label, totals and output mode
 * @returns the reporter
 */
export function createProgress(options: ProgressOptions): Progress {
  if (options.quiet) return { tick() {}, finish() {} };
  const encoder = new TextEncoder();
  const write = options.write ?? ((text: string) => Deno.stderr.writeSync(encoder.encode(text)));
  const now = options.now ?? (() => performance.now());
  const tty = options.tty ?? Deno.stderr.isTerminal();
  const interval = (options.intervalSeconds ?? 5) * 1000;
  const skipped = options.skipped ?? 0;
  const started = now();
  let done = 0;
  let bytes = 0;
  let lastDraw = tty ? -Infinity : started;

  const line = (): string => {
    const elapsedSeconds = (now() - started) / 1000;
    const rate = elapsedSeconds > 0 ? bytes / 1e6 / elapsedSeconds : 0;
    const left = options.total - done;
    const eta = done > 0 ? (elapsedSeconds / done) * left : NaN;
    const all = options.total + skipped;
    return `${options.label}: ${done + skipped}/${all} chunks` +
      (skipped ? ` (${skipped} resumed)` : "") +
      `, ${rate.toFixed(1)} MB/s, ETA ${formatSeconds(eta)}`;
  };
  const bar = (): string => {
    const all = options.total + skipped;
    const width = 24;
    const filled = all === 0 ? width : Math.round(((done + skipped) / all) * width);
    return `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${line()}\x1b[K`;
  };

  return {
    tick(moved) {
      done++;
      bytes += moved;
      const t = now();
      if (tty && t - lastDraw > 100) {
        write(bar());
        lastDraw = t;
      } else if (!tty && t - lastDraw >= interval) {
        write(line() + "\n");
        lastDraw = t;
      }
    },
    finish() {
      const seconds = ((now() - started) / 1000).toFixed(1);
      write((tty ? bar() + "\n" : line() + "\n").replace(/ETA .*$/m, `done in ${seconds} s`));
    },
  };
}

/** `83` → `1m23s`; NaN → `?`. */
function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
