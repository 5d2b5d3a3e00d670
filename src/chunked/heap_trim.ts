/**
 * Hands freed heap memory back to the operating system while chunk work runs. glibc's malloc
 * returns memory to the system only from the top of an arena; what chunk tasks free in the
 * middle of an arena (decoded chunks, halo regions, codec buffers of every size) stays in the
 * process. Over a long job that slack grew with the number of chunks: the FM segmentation job's
 * peak RSS rose from 471 MiB at 0.25 GiB to 629 MiB at 4 GiB, though no task holds more at
 * 4 GiB. `malloc_trim(0)` releases the free pages of every arena; checked once a second from the
 * main thread (and when the last op ends), it keeps the peak flat (see the README's memory
 * figures).
 *
 * A trim is not free: the pages it hands back must be faulted in and zeroed again by the next
 * allocations, and it takes each arena's lock while the workers allocate. Trimming at the end of
 * every op made back-to-back 256³ Gaussians with 2 workers 9-15 % slower (by hand; see the
 * README). So a check trims only when the resident set has grown by {@link TRIM_GROWTH_BYTES} over
 * its lowest since the last trim: slack that builds up goes back, a steady heap is left alone.
 *
 * It needs `--allow-ffi` and glibc; without either it does nothing.
 * @module
 */

/** How often the heap is checked while ops run. */
const INTERVAL_MS = 1000;
/** Growth of the resident set over its lowest since the last trim that makes a check trim. */
export const TRIM_GROWTH_BYTES = 16 * 2 ** 20;

type Trim = () => void;

let trim: Trim | null | undefined;
let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;
/** The lowest resident set size seen since the last trim (before the first one: infinite). */
let lowest = Infinity;
let trims = 0;

/** `malloc_trim(0)` through FFI, or `null` where it is not available. */
function loadTrim(): Trim | null {
  if (Deno.build.os !== "linux") return null;
  try {
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
    const libc = Deno.dlopen("libc.so.6", {
      malloc_trim: { parameters: ["usize"], result: "i32" },
    });
    return () => void libc.symbols.malloc_trim(0n);
  } catch {
    return null; // not glibc, or FFI refused
  }
}

/** Trim if the resident set has grown by {@link TRIM_GROWTH_BYTES} over its low point. */
function check(run: Trim): void {
  const rss = Deno.memoryUsage().rss;
  if (rss < lowest + TRIM_GROWTH_BYTES) {
    lowest = Math.min(lowest, rss);
    return;
  }
  run();
  trims++;
  lowest = Deno.memoryUsage().rss;
}

/**
 * How many times this thread has trimmed the heap.
 * @returns the count (0 where trimming is unavailable)
 */
export function heapTrimCount(): number {
  return trims;
}

/**
 * Check the heap once a second until the returned function is called, and once more then;
 * a check trims when the resident set has grown (see the module doc). Calls nest: the timer
 * runs while at least one caller holds it. It never keeps the process alive.
 * @returns stop (idempotent)
 */
export function holdHeapTrim(): () => void {
  if (trim === undefined) trim = loadTrim();
  if (trim === null) return () => {};
  const run = trim;
  if (users++ === 0) {
    const started = setInterval(() => check(run), INTERVAL_MS);
    Deno.unrefTimer(started as unknown as number);
    timer = started;
  }
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (--users === 0) {
      clearInterval(timer);
      timer = undefined;
      check(run);
    }
  };
}
