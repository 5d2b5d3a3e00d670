import { assert_, assertEquals } from "./assert.ts";

const jobScript = new URL("./heap_growth_job.ts", import.meta.url).pathname;

// Before the fix the pool raced each reply against a "worker died" promise that never settles
// (its reactions kept every reply: ~430 bytes per task, 8.4 MiB per 20k tasks), and the
// scheduler raced an abort promise that never settles on each turn (~180 bytes per task within
// an op). Now both stay near 0; the journal's map of done chunks keeps a few dozen bytes per
// chunk of the op that runs.
Deno.test("the main thread keeps no memory per finished task (pool replies, scheduler turns)", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--expose-gc", jobScript],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  assertEquals(code, 0, text.decode(stderr));
  const { poolBytesPerTask, opBytesPerTask, tasks } = JSON.parse(text.decode(stdout));
  assertEquals(tasks, 8192);
  assert_(poolBytesPerTask < 100, `pool: the heap grew by ${poolBytesPerTask} bytes per task`);
  assert_(opBytesPerTask < 90, `one op: the heap grew by ${opBytesPerTask} bytes per task`);
});
