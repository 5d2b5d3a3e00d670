import { assert_, assertEquals } from "./assert.ts";
import { createProgress } from "../../src/chunked/progress.ts";

Deno.test("createProgress() prints plain periodic lines when not a TTY", () => {
  const lines: string[] = [];
  let clock = 0;
  const progress = createProgress({
    label: "gauss",
    total: 10,
    skipped: 2,
    tty: false,
    intervalSeconds: 1,
    write: (t) => lines.push(t),
    now: () => clock,
  });
  for (let i = 0; i < 10; i++) {
    clock += 300;
    progress.tick(1e6);
  }
  progress.finish();
  // Lines at t = 1.2 s and 2.4 s, then the final one.
  assertEquals(lines.length, 3);
  assertEquals(lines[0], "gauss: 6/12 chunks (2 resumed), 3.3 MB/s, ETA 2s\n");
  assertEquals(lines[2], "gauss: 12/12 chunks (2 resumed), 3.3 MB/s, done in 3.0 s\n");
});

Deno.test("createProgress() redraws a bar on a TTY and stays silent when quiet", () => {
  const out: string[] = [];
  let clock = 0;
  const bar = createProgress({
    label: "dog",
    total: 4,
    tty: true,
    write: (t) => out.push(t),
    now: () => clock,
  });
  for (let i = 0; i < 4; i++) {
    clock += 500;
    bar.tick(2e6);
  }
  bar.finish();
  assert_(
    out[0]!.startsWith("\r[######..................] dog: 1/4 chunks, 4.0 MB/s, ETA 2s"),
    out[0],
  );
  assert_(out.at(-1)!.includes("[########################] dog: 4/4 chunks"), out.at(-1));
  assert_(out.at(-1)!.endsWith("\n"));
  const quiet: string[] = [];
  const silent = createProgress({ label: "x", total: 1, quiet: true, write: (t) => quiet.push(t) });
  silent.tick(1);
  silent.finish();
  assertEquals(quiet, []);
});
