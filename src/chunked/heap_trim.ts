/**
 * Hands freed heap memory back to the operating system while chunk work runs. glibc's malloc
 * returns memory to the system only from the top of an arena; what chunk tasks free in the
 * middle of an arena (decoded chunks, halo regions, codec buffers of every size) stays in the
 * process. Over a long job that slack grew with the number of chunks: the FM segmentation job's
 * peak RSS rose from 471 MiB at 0.25 GiB to 629 MiB at 4 GiB, though no task holds more at
 * 4 GiB. `malloc_trim(0)` releases the free pages of every arena; called once a second from the
 * main thread it keeps the peak flat (see the README's memory figures).
 *
 * It needs `--allow-ffi` and glibc; without either it does nothing.
 * @module
 */

/** How often the heap is trimmed while ops run. */
const INTERVAL_MS = 1000;

type Trim = () => void;

let trim: Trim | null | undefined;
let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;

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

/**
 * Trim the heap once a second until the returned function is called. Calls nest: the timer runs
 * while at least one caller holds it. It never keeps the process alive.
 * @returns stop (idempotent)
 */
export function holdHeapTrim(): () => void {
  if (trim === undefined) trim = loadTrim();
  if (trim === null) return () => {};
  const run = trim;
  if (users++ === 0) {
    const started = setInterval(run, INTERVAL_MS);
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
      run();
    }
  };
}
